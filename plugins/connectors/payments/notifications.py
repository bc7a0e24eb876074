"""Payment notifications: who wants to hear of new invoice payments, the in-app feed, and the digest mails.

The back-fill writes one ``payment_feed`` row per new payment on an outgoing invoice or credit note, in
the transaction that registers it. A subscriber's digest holds the entries created since they subscribed
that have no ``payment_deliveries`` row for them. Those rows are written only after the SMTP server
accepted the mail, so a failed send (no connection, server down, mail refused) leaves the entries for the
next call, and ``send_digests`` never raises: mail must never turn a sync red.

Mail goes through an Airflow SMTP connection (the integration's ``smtp_conn_id``, else ``smtp_default``),
read the way the SMTP provider reads it: host, port, login, password; extras ``from_email``,
``disable_ssl``, ``disable_tls``, ``timeout``, ``ssl_context``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from sqlalchemy import Engine, delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from connectors import integrations
from connectors.connections import ConnectionInfo, ConnectionMissing, get_connection
from connectors.integrations import IntegrationError
from connectors.payments.registry import FeedLine
from connectors.state import clock
from connectors.state.db import write_transaction
from connectors.state.models import Integration
from connectors.state.payment_models import PaymentDelivery, PaymentFeedEntry, PaymentSubscription

log = logging.getLogger(__name__)

DEFAULT_SMTP_CONN_ID = "smtp_default"
#: Only payments on outgoing documents are told; expenses (purchase documents) never are.
SALES_KINDS = ("sales_invoice", "sales_credit_note")
SUBJECT_PREFIX = "[Focus Accounting Connector]"
DEFAULT_SENDER = "focus-connector@localhost"
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_CONN_ID = re.compile(r"^[A-Za-z0-9_.-]{1,250}$")


class InvalidEmail(IntegrationError):
    """An address that cannot receive a digest; the message names it and what is wrong."""


class NotSubscribed(IntegrationError):
    """``off`` for an address that is not subscribed (a typo would otherwise leave the real one on)."""


@dataclass(frozen=True)
class Subscriber:
    email: str
    since: dt.datetime
    #: Feed entries not mailed to them yet (mail failed, or no run since the payment).
    waiting: int = 0
    #: True when ``subscribe`` created the subscription (False: it existed already).
    new: bool = False


@dataclass(frozen=True)
class FeedItem(FeedLine):
    """A feed entry as kept: what the back-fill announced, with its id and when."""

    id: int
    created_at: dt.datetime

    def line(self) -> str:
        """``2026 / 17 · Customer NV · 121.00 EUR · 2026-11-28 · paid in full``"""
        paid_on = self.paid_at.isoformat() if self.paid_at else "date unknown"
        return (f"{self.number} · {self.customer} · {self.amount} {self.currency} · {paid_on} · "
                f"{'paid in full' if self.in_full else 'partly paid'}")


@dataclass(frozen=True)
class DigestResult:
    """``sent``/``failed``: digests accepted by / not delivered to the SMTP server in this call;
    ``pending``: (subscriber, entry) pairs still waiting for a later call."""

    sent: int = 0
    failed: int = 0
    pending: int = 0


def email_address(text: str) -> str:
    """The address as stored: trimmed, the domain in lower case (IDNA for a non-ASCII one)."""
    address = text.strip()

    def refuse(why: str) -> InvalidEmail:
        return InvalidEmail(f"{text!r} is not a usable e-mail address: {why} (expected name@domain, "
                            "e.g. anna@acme.be)")

    if not address:
        raise refuse("it is empty")
    if any(char.isspace() or ord(char) < 32 or char in "<>," for char in address):
        raise refuse("it contains a space, a comma, < or > (give one bare address)")
    if "@" not in address:
        raise refuse("it has no @")
    if address.count("@") > 1:
        raise refuse(f"it has {address.count('@')} @ signs instead of one")
    local, domain = address.split("@")
    if not local:
        raise refuse("nothing before the @")
    if not domain:
        raise refuse("no domain after the @")
    if len(local) > 64 or not _LOCAL_PART.match(local):
        raise refuse(f"the part before the @ ({local!r}) may hold at most 64 ASCII letters, digits and "
                     "!#$%&'*+/=?^_`{|}~- with single dots between them")
    try:
        ascii_domain = domain.lower().encode("idna").decode("ascii")
    except UnicodeError:
        raise refuse(f"the domain {domain!r} is not a valid domain name") from None
    labels = ascii_domain.split(".")
    if len(labels) < 2:
        raise refuse(f"the domain {domain!r} has no dot (e.g. acme.be)")
    if not all(_DOMAIN_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise refuse(f"the domain {domain!r} is not a valid domain name")
    normalised = f"{local}@{ascii_domain}"
    if len(normalised) > 254:
        raise refuse("it is longer than 254 characters")
    return normalised


def smtp_connection_id(value: str) -> str:
    """An Airflow connection id (letters, digits, _ . -), as ``--smtp-connection`` takes it."""
    if not _CONN_ID.match(value):
        raise IntegrationError(f"{value!r} is not an Airflow connection id (letters, digits, _ . - only, "
                               "e.g. smtp_default)")
    return value


def _insert(connection):
    return pg_insert if connection.dialect.name == "postgresql" else sqlite_insert


def _integration_id(engine: Engine, entity: str) -> int:
    return integrations.get(engine, entity).id


def _waiting_query(integration_id: int, subscription_id: int, since: dt.datetime):
    delivered = select(PaymentDelivery.entry_id).where(PaymentDelivery.subscription_id == subscription_id,
                                                       PaymentDelivery.entry_id == PaymentFeedEntry.id)
    return (select(PaymentFeedEntry)
            .where(PaymentFeedEntry.integration_id == integration_id,
                   PaymentFeedEntry.document_kind.in_(SALES_KINDS),
                   PaymentFeedEntry.created_at >= since,
                   ~delivered.exists())
            .order_by(PaymentFeedEntry.created_at, PaymentFeedEntry.id))


def _item(row: PaymentFeedEntry) -> FeedItem:
    return FeedItem(id=row.id, document_kind=row.document_kind, number=row.number, customer=row.customer,
                    amount=Decimal(row.amount), currency=row.currency, paid_at=row.paid_at, in_full=row.in_full,
                    created_at=row.created_at)


def _count_subscribers(connection, integration_id: int) -> int:
    return connection.scalar(select(func.count()).select_from(PaymentSubscription)
                             .where(PaymentSubscription.integration_id == integration_id))


def _set_flag(connection, integration_id: int, **values: Any) -> None:
    """``payment_notifications`` follows the subscriptions: on while anybody is subscribed."""
    table = Integration.__table__
    values["payment_notifications"] = _count_subscribers(connection, integration_id) > 0
    connection.execute(table.update().where(table.c.id == integration_id).values(**values))


def subscribe(engine: Engine, entity: str, email: str, *, smtp_conn_id: str | None = None,
              now: dt.datetime | None = None) -> Subscriber:
    """Tell ``email`` about the integration's new invoice payments from now on (idempotent: an existing
    subscription keeps its start). ``smtp_conn_id`` sets the integration's SMTP connection."""
    address = email_address(email)
    if smtp_conn_id is not None:
        smtp_connection_id(smtp_conn_id)
    integration_id = _integration_id(engine, entity)
    table = PaymentSubscription.__table__
    with write_transaction(engine) as connection:
        created = connection.execute(
            _insert(connection)(table)
            .values(integration_id=integration_id, email=address, created_at=now or clock.now())
            .on_conflict_do_nothing(index_elements=["integration_id", "email"])).rowcount == 1
        since = connection.scalar(select(table.c.created_at).where(table.c.integration_id == integration_id,
                                                                   table.c.email == address))
        _set_flag(connection, integration_id, **({"smtp_conn_id": smtp_conn_id} if smtp_conn_id else {}))
    return Subscriber(email=address, since=since, new=created)


def unsubscribe(engine: Engine, entity: str, email: str) -> int:
    """Stop the digests to ``email``; returns how many subscribers the integration keeps."""
    address = email_address(email)
    integration_id = _integration_id(engine, entity)
    table = PaymentSubscription.__table__
    with write_transaction(engine) as connection:
        subscription_id = connection.scalar(select(table.c.id).where(table.c.integration_id == integration_id,
                                                                     table.c.email == address))
        if subscription_id is None:
            raise NotSubscribed(f"{address} is not subscribed to {entity}'s payment notifications; "
                                f"`focus-connector notifications list --integration {entity}` shows who is")
        connection.execute(delete(PaymentDelivery).where(PaymentDelivery.subscription_id == subscription_id))
        connection.execute(delete(PaymentSubscription).where(PaymentSubscription.id == subscription_id))
        _set_flag(connection, integration_id)
        return _count_subscribers(connection, integration_id)


def subscribers(engine: Engine, entity: str) -> list[Subscriber]:
    """Everyone subscribed to the integration, with how many entries wait for their next digest."""
    integration_id = _integration_id(engine, entity)
    with Session(engine) as session:
        rows = session.scalars(select(PaymentSubscription)
                               .where(PaymentSubscription.integration_id == integration_id)
                               .order_by(PaymentSubscription.email)).all()
        return [Subscriber(email=row.email, since=row.created_at, waiting=session.scalar(
            select(func.count()).select_from(_waiting_query(integration_id, row.id, row.created_at).subquery())))
            for row in rows]


def feed(engine: Engine, entity: str, limit: int = 50) -> list[FeedItem]:
    """The in-app feed: the integration's invoice payments, newest first."""
    integration_id = _integration_id(engine, entity)
    with Session(engine) as session:
        rows = session.scalars(select(PaymentFeedEntry)
                               .where(PaymentFeedEntry.integration_id == integration_id,
                                      PaymentFeedEntry.document_kind.in_(SALES_KINDS))
                               .order_by(PaymentFeedEntry.created_at.desc(), PaymentFeedEntry.id.desc())
                               .limit(limit)).all()
        return [_item(row) for row in rows]


def digest_message(entity: str, recipient: str, items: list[FeedItem], *, sender: str,
                   now: dt.datetime) -> EmailMessage:
    count = len(items)
    mail = EmailMessage()
    mail["Subject"] = f"{SUBJECT_PREFIX} {entity}: {count} new payment{'' if count == 1 else 's'}"
    mail["From"] = sender
    mail["To"] = recipient
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    lines = [f"New payments on {entity}'s invoices and credit notes, as read from the accounting tool:", "",
             *(item.line() for item in items), "",
             f"All payments: focus-connector notifications feed --integration {entity}",
             f"To stop these mails: focus-connector notifications off --integration {entity} --email {recipient}"]
    mail.set_content("\n".join(lines) + "\n")
    return mail


def _flag(value: Any) -> bool:
    """A boolean extra, whether the connection gave it as JSON (true) or as URI text ("true")."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


class _MailFailure(Exception):
    """Why a digest did not go out; its text is safe to log (never the password)."""


def _ssl_context(extra: dict[str, Any]) -> ssl.SSLContext | None:
    choice = extra.get("ssl_context", "default")
    if choice not in (None, "default", "none"):
        raise _MailFailure(f"extra ssl_context must be \"default\" or \"none\", not {choice!r}")
    return None if choice == "none" else ssl.create_default_context()


def _open(conn: ConnectionInfo) -> smtplib.SMTP:
    """A logged-in session: SSL unless ``disable_ssl``; on a plain one STARTTLS unless ``disable_tls``."""
    extra = conn.extra
    if not conn.host:
        raise _MailFailure(f"SMTP connection {conn.conn_id!r} has no host")
    if str(extra.get("auth_type", "basic")).lower() != "basic":
        raise _MailFailure(f"SMTP connection {conn.conn_id!r}: only basic (login/password) auth is supported")
    use_ssl = not _flag(extra.get("disable_ssl", False))
    timeout = int(extra.get("timeout", 30))  # whole seconds, as the Airflow SMTP provider reads it
    port = conn.port or (465 if use_ssl else 587)
    if use_ssl:
        session: smtplib.SMTP = smtplib.SMTP_SSL(conn.host, port, timeout=timeout, context=_ssl_context(extra))
    else:
        session = smtplib.SMTP(conn.host, port, timeout=timeout)
    try:
        if not use_ssl and not _flag(extra.get("disable_tls", False)):
            session.starttls(context=_ssl_context(extra))
            session.ehlo()
        if conn.login and conn.password:
            session.login(conn.login, conn.password)
    except BaseException:
        session.close()
        raise
    return session


def _safe(exc: BaseException, conn: ConnectionInfo | None) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if conn is not None and conn.password:
        text = text.replace(conn.password, "***")
    return f"{type(exc).__name__}: {text}" if not isinstance(exc, _MailFailure) else text


def _record(engine: Engine, subscription_id: int, entry_ids: list[int], now: dt.datetime) -> None:
    """Mark the entries as mailed to the subscriber (skipping a subscription or entry gone meanwhile)."""
    table = PaymentDelivery.__table__
    subscribed = select(PaymentSubscription.id).where(PaymentSubscription.id == subscription_id).exists()
    source = select(literal(subscription_id), PaymentFeedEntry.id, literal(now, PaymentDelivery.sent_at.type)).where(
        PaymentFeedEntry.id.in_(entry_ids), subscribed)
    with write_transaction(engine) as connection:
        connection.execute(_insert(connection)(table)
                           .from_select(["subscription_id", "entry_id", "sent_at"], source)
                           .on_conflict_do_nothing(index_elements=["subscription_id", "entry_id"]))


def _digests(engine: Engine, integration_id: int) -> tuple[str, str, list[tuple[int, str, list[FeedItem]]]]:
    """The integration's entity and SMTP connection id, and per subscriber what their next digest holds."""
    with Session(engine) as session:
        integration = session.get(Integration, integration_id)
        if integration is None:
            return "", "", []
        subscriptions = session.scalars(select(PaymentSubscription)
                                        .where(PaymentSubscription.integration_id == integration_id)
                                        .order_by(PaymentSubscription.id)).all()
        due = [(row.id, row.email, [_item(entry) for entry in session.scalars(
            _waiting_query(integration_id, row.id, row.created_at))]) for row in subscriptions]
        return (integration.entity, integration.smtp_conn_id or DEFAULT_SMTP_CONN_ID,
                [(sid, email, items) for sid, email, items in due if items])


def send_digests(engine: Engine, integration_id: int, *, now: dt.datetime | None = None) -> DigestResult:
    """Mail each subscriber of the integration one digest of their new feed entries. Never raises: a
    failure is logged at WARNING and the entries stay for the next call."""
    try:
        return _send_digests(engine, integration_id, now or clock.now())
    except Exception as exc:  # noqa: BLE001 - mail must never fail the sync
        log.warning("Payment digests of integration #%s not sent: %s; they are tried again next run",
                    integration_id, _safe(exc, None))
        return DigestResult()


def _send_digests(engine: Engine, integration_id: int, now: dt.datetime) -> DigestResult:
    entity, conn_id, due = _digests(engine, integration_id)
    if not due:
        return DigestResult()
    conn: ConnectionInfo | None = None
    broken: str | None = None  # a failure that stops every later digest of this call (no session)
    session: smtplib.SMTP | None = None
    sent = failed = pending = 0
    try:
        conn = get_connection(conn_id)
    except ConnectionMissing:
        broken = (f"no SMTP connection {conn_id!r} is configured (Airflow connection, or "
                  f"AIRFLOW_CONN_{conn_id.upper()})")
    try:
        for subscription_id, email, items in due:
            reason = broken
            if reason is None:
                try:
                    if session is None:
                        session = _open(conn)
                    sender = str(conn.extra.get("from_email") or ("@" in conn.login and conn.login) or DEFAULT_SENDER)
                    session.send_message(digest_message(entity, email, items, sender=sender, now=now),
                                         from_addr=sender, to_addrs=[email])
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                    reason = _safe(exc, conn)  # this mail only: the session goes on
                except (OSError, smtplib.SMTPException, _MailFailure, ValueError) as exc:
                    reason = broken = _safe(exc, conn)
            if reason is not None:
                failed += 1
                pending += len(items)
                log.warning("Payment digest of %s for %s not sent through %r: %s; its %d payment(s) wait for "
                            "the next run", entity, email, conn_id, reason, len(items))
                continue
            sent += 1
            try:
                _record(engine, subscription_id, [item.id for item in items], now)
            except Exception as exc:  # noqa: BLE001 - the mail went out; at worst it goes out again
                log.warning("Payment digest of %s for %s was mailed but not recorded (%s); its payments may be "
                            "mailed again", entity, email, _safe(exc, conn))
                continue
            log.info("Mailed %s's payment digest (%d payment(s)) to %s", entity, len(items), email)
    finally:
        if session is not None:
            try:
                session.quit()
            except (OSError, smtplib.SMTPException):
                session.close()
    return DigestResult(sent=sent, failed=failed, pending=pending)
