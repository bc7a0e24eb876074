"""Digest mails through a real SMTP server on loopback (aiosmtpd): what arrives, what is kept for later.

Each subscriber gets one mail per call with exactly the payments they have not had; a mail the server did
not accept leaves its payments for the next call; nothing here ever raises into the sync.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

# Imported up front: its first import configures logging (replacing the root handlers caplog uses), which the
# connector's fallback to Airflow's connections would otherwise do in the middle of a test.
import airflow.sdk  # noqa: F401
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from connectors.payments import notifications
from connectors.payments.notifications import DigestResult, send_digests
from connectors.state.db import make_engine
from tests.notifications import ENTITY, T0, add_integration, add_payment
from tests.state import conftest as state_databases

#: The state database fixtures, on SQLite and PostgreSQL.
state_url, engine = state_databases.state_url, state_databases.engine
HOUR = dt.timedelta(hours=1)
NOW = T0 + 6 * HOUR
SMTP_PASSWORD = "s3cret-mail-pass"


class Inbox:
    """An aiosmtpd handler that keeps what arrived; it can refuse a recipient or every message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse_rcpt: set[str] = set()
        self.reject_data = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        if address in self.refuse_rcpt:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        if self.reject_data:
            return "554 5.7.1 message rejected"
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [mail for recipients, mail in self.messages if recipients == [address]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def start_server() -> Iterator[Callable[..., Inbox]]:
    """``start_server(port=None, **smtp_options) -> Inbox``: an SMTP server on 127.0.0.1, stopped at teardown."""
    controllers: list[Controller] = []

    def start(port: int | None = None, **smtp_options) -> Inbox:
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port(), **smtp_options)
        controller.start()
        controllers.append(controller)
        inbox.port = controller.port
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


def smtp_connection(port: int, login: str = "", password: str = "", **extra) -> str:
    return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": port, "login": login, "password": password,
                       "extra": {"from_email": "connector@acme.test", "disable_ssl": True, "disable_tls": True,
                                 "timeout": 5, **extra}})


def robot_only(server, session, envelope, mechanism, auth_data) -> AuthResult:
    """An aiosmtpd authenticator that lets in the login ``robot`` with ``SMTP_PASSWORD``."""
    ok = (auth_data.login, auth_data.password) == (b"robot", SMTP_PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself


#: A server that takes mail only from ``robot`` (over plain SMTP: the test has no certificate).
AUTH_REQUIRED = {"auth_required": True, "auth_require_tls": False, "authenticator": robot_only}
PLAIN_AUTH_WARNING = "ignore:Requiring AUTH while not requiring TLS:UserWarning"


@pytest.fixture
def configure(monkeypatch) -> Callable[..., None]:
    """``configure(port, conn_id="smtp_default", **extra)``: that Airflow SMTP connection, as the environment
    variable the connector reads outside Airflow."""
    for name in ("AIRFLOW_CONN_SMTP_DEFAULT", "AIRFLOW_CONN_SMTP_ACME"):
        monkeypatch.delenv(name, raising=False)

    def set_connection(port: int, conn_id: str = "smtp_default", **fields) -> None:
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", smtp_connection(port, **fields))

    return set_connection


@pytest.fixture
def inbox(start_server, configure) -> Inbox:
    """The server ``smtp_default`` points at."""
    box = start_server()
    configure(box.port)
    return box


def body(mail: EmailMessage) -> list[str]:
    return mail.get_content().splitlines()


def subscribed(engine, *addresses: str, smtp_conn_id: str | None = None) -> int:
    integration_id = add_integration(engine, smtp_conn_id=smtp_conn_id)
    for address in addresses:
        notifications.subscribe(engine, ENTITY, address, now=T0)
    return integration_id


def three_payments(engine, integration_id: int) -> None:
    add_payment(engine, integration_id, number="2026 / 17", customer="Brewery NV", amount="121.00",
                created_at=T0 + HOUR)
    add_payment(engine, integration_id, number="2026 / 18", customer="Bakery BV", amount="60.50", in_full=False,
                paid_at=dt.date(2026, 11, 29), created_at=T0 + 2 * HOUR)
    add_payment(engine, integration_id, number="2026 / 3", customer="Café Ölberg", amount="24.20",
                kind="sales_credit_note", created_at=T0 + 3 * HOUR)


THREE_LINES = [
    "2026 / 17 · Brewery NV · 121.00 EUR · 2026-11-28 · paid in full",
    "2026 / 18 · Bakery BV · 60.50 EUR · 2026-11-29 · partly paid",
    "2026 / 3 · Café Ölberg · 24.20 EUR · 2026-11-28 · paid in full",
]


def test_each_subscriber_gets_one_mail(engine, inbox):
    integration_id = subscribed(engine, "anna@acme.be", "bert@acme.be")
    three_payments(engine, integration_id)
    assert send_digests(engine, integration_id, now=NOW) == DigestResult(sent=2, failed=0, pending=0)
    assert sorted(recipients for recipients, _ in inbox.messages) == [["anna@acme.be"], ["bert@acme.be"]]


def test_the_digest_lists_exactly_the_new_payments_one_per_line(engine, inbox):
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    send_digests(engine, integration_id, now=NOW)
    [mail] = inbox.to("anna@acme.be")
    assert [line for line in body(mail) if " · " in line] == THREE_LINES


def test_the_subject_names_the_entity_and_the_number_of_payments(engine, inbox):
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    send_digests(engine, integration_id, now=NOW)
    [mail] = inbox.to("anna@acme.be")
    assert mail["Subject"] == "[Focus Accounting Connector] acme_be: 3 new payments"


def test_the_mail_comes_from_the_connections_from_email(engine, inbox):
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    send_digests(engine, integration_id, now=NOW)
    [mail] = inbox.to("anna@acme.be")
    assert mail["From"] == "connector@acme.test"


def test_the_digest_ends_with_how_to_unsubscribe(engine, inbox):
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    send_digests(engine, integration_id, now=NOW)
    [mail] = inbox.to("anna@acme.be")
    assert body(mail)[-1] == ("To stop these mails: focus-connector notifications off --integration acme_be "
                              "--email anna@acme.be")


def test_nothing_is_mailed_again_on_the_next_call(engine, inbox):
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    send_digests(engine, integration_id, now=NOW)
    assert send_digests(engine, integration_id, now=NOW + HOUR) == DigestResult(sent=0, failed=0, pending=0)
    assert len(inbox.messages) == 1


def test_a_payment_after_a_digest_goes_alone_in_the_next_one(engine, inbox):
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    send_digests(engine, integration_id, now=NOW)
    add_payment(engine, integration_id, number="2026 / 19", customer="Brewery NV", amount="5.00",
                created_at=NOW + HOUR)
    send_digests(engine, integration_id, now=NOW + 2 * HOUR)
    latest = inbox.to("anna@acme.be")[-1]
    assert latest["Subject"] == "[Focus Accounting Connector] acme_be: 1 new payment"
    assert [line for line in body(latest) if " · " in line] == [
        "2026 / 19 · Brewery NV · 5.00 EUR · 2026-11-28 · paid in full"]


def test_a_payment_from_before_subscribing_is_not_mailed(engine, inbox):
    integration_id = add_integration(engine)
    add_payment(engine, integration_id, number="2026 / 16", customer="Brewery NV", amount="99.00",
                created_at=T0 - HOUR)
    notifications.subscribe(engine, ENTITY, "anna@acme.be", now=T0)
    assert send_digests(engine, integration_id, now=NOW) == DigestResult(sent=0, failed=0, pending=0)
    assert inbox.messages == []


def test_expenses_are_never_mailed(engine, inbox):
    integration_id = subscribed(engine, "anna@acme.be")
    add_payment(engine, integration_id, number="IN-44", customer="Supplier NV", amount="50.00",
                created_at=T0 + HOUR, kind="purchase_invoice")
    send_digests(engine, integration_id, now=NOW)
    assert inbox.messages == []


def test_a_refused_connection_keeps_the_payments_for_the_next_call(engine, start_server, configure):
    port = free_port()  # nothing listens there yet
    configure(port)
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    assert send_digests(engine, integration_id, now=NOW) == DigestResult(sent=0, failed=1, pending=3)
    inbox = start_server(port)
    assert send_digests(engine, integration_id, now=NOW + HOUR) == DigestResult(sent=1, failed=0, pending=0)
    [mail] = inbox.to("anna@acme.be")
    assert [line for line in body(mail) if " · " in line] == THREE_LINES


@pytest.fixture
def hang_up_port() -> Iterator[int]:
    """A server that accepts a connection and closes it at once, before the SMTP greeting."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


def test_a_server_that_hangs_up_keeps_the_payments_pending(engine, configure, hang_up_port):
    configure(hang_up_port)
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    assert send_digests(engine, integration_id, now=NOW) == DigestResult(sent=0, failed=1, pending=3)
    assert [s.waiting for s in notifications.subscribers(engine, ENTITY)] == [3]


def test_a_rejected_message_keeps_the_payments_for_the_next_call(engine, inbox):
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    inbox.reject_data = True
    assert send_digests(engine, integration_id, now=NOW) == DigestResult(sent=0, failed=1, pending=3)
    inbox.reject_data = False
    assert send_digests(engine, integration_id, now=NOW + HOUR) == DigestResult(sent=1, failed=0, pending=0)


def test_a_refused_recipient_does_not_stop_the_others(engine, inbox):
    integration_id = subscribed(engine, "anna@acme.be", "bert@acme.be")
    three_payments(engine, integration_id)
    inbox.refuse_rcpt = {"anna@acme.be"}
    assert send_digests(engine, integration_id, now=NOW) == DigestResult(sent=1, failed=1, pending=3)
    assert [recipients for recipients, _ in inbox.messages] == [["bert@acme.be"]]


def test_a_failure_is_logged_naming_the_integration_and_the_recipient(engine, configure, caplog):
    configure(free_port())
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    with caplog.at_level(logging.WARNING, logger="connectors.payments.notifications"):
        send_digests(engine, integration_id, now=NOW)
    [record] = [r for r in caplog.records if r.name == "connectors.payments.notifications"]
    assert record.levelno == logging.WARNING
    assert "acme_be" in record.getMessage() and "anna@acme.be" in record.getMessage()


@pytest.mark.filterwarnings(PLAIN_AUTH_WARNING)
def test_the_connections_login_and_password_are_used(engine, start_server, configure):
    inbox = start_server(**AUTH_REQUIRED)
    configure(inbox.port, login="robot", password=SMTP_PASSWORD)
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    assert send_digests(engine, integration_id, now=NOW) == DigestResult(sent=1, failed=0, pending=0)


@pytest.mark.filterwarnings(PLAIN_AUTH_WARNING)
def test_the_password_never_reaches_the_log(engine, start_server, configure, caplog):
    inbox = start_server(**AUTH_REQUIRED)
    wrong = f"{SMTP_PASSWORD}-old"
    configure(inbox.port, login="robot", password=wrong)
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    with caplog.at_level(logging.DEBUG):
        assert send_digests(engine, integration_id, now=NOW) == DigestResult(sent=0, failed=1, pending=3)
    assert "anna@acme.be" in caplog.text
    assert wrong not in caplog.text


def test_without_an_smtp_connection_the_payments_wait_and_the_failure_is_logged(engine, configure, caplog):
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    with caplog.at_level(logging.WARNING, logger="connectors.payments.notifications"):
        assert send_digests(engine, integration_id, now=NOW) == DigestResult(sent=0, failed=1, pending=3)
    assert "no SMTP connection 'smtp_default'" in caplog.text


def test_a_connection_configured_later_sends_what_waited(engine, start_server, configure):
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    send_digests(engine, integration_id, now=NOW)
    inbox = start_server()
    configure(inbox.port)
    send_digests(engine, integration_id, now=NOW + HOUR)
    [mail] = inbox.to("anna@acme.be")
    assert [line for line in body(mail) if " · " in line] == THREE_LINES


def test_starttls_is_required_unless_the_connection_disables_tls(engine, start_server, configure):
    inbox = start_server()
    configure(inbox.port, disable_tls=False)
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    assert send_digests(engine, integration_id, now=NOW) == DigestResult(sent=0, failed=1, pending=3)
    assert inbox.messages == []


def test_ssl_is_used_unless_the_connection_disables_it(engine, start_server, configure):
    inbox = start_server()  # speaks plain SMTP: an SSL handshake with it fails
    configure(inbox.port, disable_ssl=False)
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    assert send_digests(engine, integration_id, now=NOW) == DigestResult(sent=0, failed=1, pending=3)
    assert inbox.messages == []


def test_digests_go_through_smtp_default_when_the_integration_names_no_connection(engine, start_server,
                                                                                   configure):
    default, own = start_server(), start_server()
    configure(default.port)
    configure(own.port, conn_id="smtp_acme")
    integration_id = subscribed(engine, "anna@acme.be")
    three_payments(engine, integration_id)
    send_digests(engine, integration_id, now=NOW)
    assert (len(default.messages), len(own.messages)) == (1, 0)


def test_digests_go_through_the_integrations_own_connection_when_it_names_one(engine, start_server, configure):
    default, own = start_server(), start_server()
    configure(default.port)
    configure(own.port, conn_id="smtp_acme")
    integration_id = subscribed(engine, "anna@acme.be", smtp_conn_id="smtp_acme")
    three_payments(engine, integration_id)
    send_digests(engine, integration_id, now=NOW)
    assert (len(default.messages), len(own.messages)) == (0, 1)


def test_send_digests_never_raises_even_without_a_state_database(tmp_path, caplog):
    empty = make_engine(f"sqlite:///{tmp_path / 'never-migrated.db'}")  # no tables at all
    with caplog.at_level(logging.WARNING, logger="connectors.payments.notifications"):
        assert send_digests(empty, 1, now=NOW) == DigestResult(sent=0, failed=0, pending=0)
    assert "Payment digests of integration #1 not sent" in caplog.text
    empty.dispose()
