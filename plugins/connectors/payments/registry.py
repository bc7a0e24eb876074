"""The payments the connector registers in Focus, recorded before each call: how none is registered twice.

Every Focus write for a document gets a row first, numbered per document
(``seq``), in state ``sending`` with an owner and a lease. Two workers that
decide the same next write collide on the unique (document, seq) key and
only one sends it. The row becomes ``registered`` (with its feed entry, in
one transaction) once Focus answered; a write Focus refused is ``failed``.
A ``sending`` row whose worker died or whose answer was lost is settled by
reading the document's payments in Focus before anything for that document
is sent again: ``registered`` when Focus has it, ``not_sent`` when not.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from connectors.payments.decide import ZERO, Outcome
from connectors.state import clock
from connectors.state.db import write_transaction
from connectors.state.payment_models import PaymentFeedEntry, PaymentRegistration, PaymentStatus

_regs = PaymentRegistration.__table__
_status = PaymentStatus.__table__
_feed = PaymentFeedEntry.__table__

Key = tuple[str, str]  # (Focus source type, Focus id)


def _now() -> dt.datetime:
    return clock.now()


@dataclass(frozen=True)
class Registration:
    id: int
    seq: int
    action: str  # register | remove | note
    amount: Decimal  # signed as sent to Focus
    paid_at: dt.date | None
    state: str
    owner: str | None
    lease_until: dt.datetime | None
    focus_payment_id: str | None

    @property
    def marker(self) -> str:
        return f"#{self.id}"


@dataclass
class History:
    """A document's registrations, oldest first."""

    rows: list[Registration] = field(default_factory=list)

    @property
    def next_seq(self) -> int:
        return max((r.seq for r in self.rows), default=0) + 1

    @property
    def sending(self) -> list[Registration]:
        return [r for r in self.rows if r.state == "sending"]

    @property
    def live(self) -> list[Registration]:
        """The registrations Focus holds (registered and not removed since)."""
        held: list[Registration] = []
        for row in self.rows:
            if row.state != "registered":
                continue
            if row.action == "remove":
                held = []
            else:
                held.append(row)
        return held

    @property
    def received(self) -> Decimal:
        """What the connector's payments in Focus add up to (a magnitude)."""
        return sum((abs(r.amount) for r in self.live), ZERO)


@dataclass(frozen=True)
class StatusRow:
    tool_open: Decimal | None
    outcome: Outcome
    last_payment: dt.date | None


@dataclass(frozen=True)
class FeedLine:
    document_kind: str
    number: str
    customer: str
    amount: Decimal
    currency: str
    paid_at: dt.date | None
    in_full: bool


class PaymentRegistry:
    def __init__(self, engine: Engine, integration_id: int):
        self.engine = engine
        self.integration_id = integration_id

    # -- reading -------------------------------------------------------------------------------

    def statuses(self) -> dict[Key, StatusRow]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(_status).where(_status.c.integration_id == self.integration_id))
            return {(r.source_type, r.focus_id): StatusRow(None if r.tool_open is None else Decimal(r.tool_open),
                                                           Outcome(r.outcome), r.last_payment) for r in rows}

    def missing_from_tool(self) -> set[Key]:
        """Booked documents the tool no longer has (reported once in the run that saw it; listed here since)."""
        return {key for key, status in self.statuses().items() if status.outcome is Outcome.MISSING}

    def histories(self) -> dict[Key, History]:
        out: dict[Key, History] = defaultdict(History)
        with self.engine.connect() as connection:
            rows = connection.execute(select(_regs).where(_regs.c.integration_id == self.integration_id)
                                      .order_by(_regs.c.seq))
            for r in rows:
                out[(r.source_type, r.focus_id)].rows.append(_registration(r))
        return out

    def history(self, key: Key) -> History:
        with self.engine.connect() as connection:
            rows = connection.execute(select(_regs).where(
                _regs.c.integration_id == self.integration_id, _regs.c.source_type == key[0],
                _regs.c.focus_id == key[1]).order_by(_regs.c.seq))
            return History([_registration(r) for r in rows])

    # -- writing -------------------------------------------------------------------------------

    def claim(self, key: Key, seq: int, *, action: str, amount: Decimal, currency: str, paid_at: dt.date | None,
              tool_open: Decimal | None, settles: bool, owner: str, lease: dt.timedelta, run_id: int | None,
              state: str = "sending") -> Registration | None:
        """Record the write about to be made; None when another worker recorded this document's next write."""
        now = _now()
        values = {"integration_id": self.integration_id, "source_type": key[0], "focus_id": key[1], "seq": seq,
                  "action": action, "amount": str(amount), "currency": currency, "paid_at": paid_at,
                  "tool_open": None if tool_open is None else str(tool_open), "settles": settles, "state": state,
                  "owner": owner, "lease_until": now + lease, "run_id": run_id, "created_at": now,
                  "confirmed_at": now if state == "registered" else None}
        try:
            with write_transaction(self.engine) as connection:
                new_id = connection.execute(_regs.insert().values(**values).returning(_regs.c.id)).scalar_one()
        except IntegrityError:
            return None
        return Registration(new_id, seq, action, amount, paid_at, state, owner, now + lease, None)

    def confirm(self, registration: Registration, *, focus_payment_id: str | None = None,
                feed: FeedLine | None = None, key: Key | None = None) -> bool:
        """``sending`` → ``registered``, with its feed entry in the same transaction. False when the row was no
        longer ``sending`` (another worker settled it meanwhile)."""
        with write_transaction(self.engine) as connection:
            done = connection.execute(update(_regs).where(_regs.c.id == registration.id,
                                                          _regs.c.state == registration.state)
                                      .values(state="registered", confirmed_at=_now(),
                                              focus_payment_id=focus_payment_id)).rowcount
            if done and feed is not None and key is not None:
                self._add_feed(connection, registration.id, key, feed)
            return bool(done)

    def record_note(self, key: Key, seq: int, *, amount: Decimal, currency: str, paid_at: dt.date | None,
                    tool_open: Decimal | None, settles: bool, owner: str, run_id: int | None,
                    feed: FeedLine | None) -> Registration | None:
        """A payment Focus offers no call for (an outgoing credit note): kept here and in the feed only."""
        now = _now()
        values = {"integration_id": self.integration_id, "source_type": key[0], "focus_id": key[1], "seq": seq,
                  "action": "note" if amount >= 0 else "remove", "amount": str(amount), "currency": currency,
                  "paid_at": paid_at, "tool_open": None if tool_open is None else str(tool_open),
                  "settles": settles, "state": "registered", "owner": owner, "run_id": run_id, "created_at": now,
                  "confirmed_at": now}
        try:
            with write_transaction(self.engine) as connection:
                new_id = connection.execute(_regs.insert().values(**values).returning(_regs.c.id)).scalar_one()
                if feed is not None:
                    self._add_feed(connection, new_id, key, feed)
        except IntegrityError:
            return None
        return Registration(new_id, seq, values["action"], amount, paid_at, "registered", owner, None, None)

    def settle_uncertain(self, registration: Registration, *, landed: bool, focus_payment_id: str | None = None,
                         feed: FeedLine | None = None, key: Key | None = None) -> bool:
        """A ``sending`` row checked in Focus: ``registered`` (with its feed entry) or ``not_sent``."""
        if landed:
            return self.confirm(registration, focus_payment_id=focus_payment_id, feed=feed, key=key)
        with write_transaction(self.engine) as connection:
            return bool(connection.execute(update(_regs).where(_regs.c.id == registration.id,
                                                               _regs.c.state == "sending")
                                           .values(state="not_sent", confirmed_at=_now())).rowcount)

    def fail(self, registration: Registration, message: str) -> None:
        with write_transaction(self.engine) as connection:
            connection.execute(update(_regs).where(_regs.c.id == registration.id, _regs.c.state == "sending")
                               .values(state="failed", message=message, confirmed_at=_now()))

    def save_status(self, key: Key, tool_open: Decimal | None, outcome: Outcome,
                    last_payment: dt.date | None) -> None:
        values = {"integration_id": self.integration_id, "source_type": key[0], "focus_id": key[1],
                  "tool_open": None if tool_open is None else str(tool_open), "outcome": outcome.value,
                  "last_payment": last_payment, "checked_at": _now()}
        with write_transaction(self.engine) as connection:
            insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
            statement = insert(_status).values(**values)
            connection.execute(statement.on_conflict_do_update(
                index_elements=["integration_id", "source_type", "focus_id"],
                set_={k: statement.excluded[k] for k in ("tool_open", "outcome", "last_payment", "checked_at")}))

    def save_statuses(self, rows: list[tuple[Key, Decimal | None, Outcome, dt.date | None]]) -> None:
        """Many statuses in one transaction (a first back-fill over thousands of booked documents)."""
        if not rows:
            return
        now = _now()
        values = [{"integration_id": self.integration_id, "source_type": key[0], "focus_id": key[1],
                   "tool_open": None if tool_open is None else str(tool_open), "outcome": outcome.value,
                   "last_payment": last_payment, "checked_at": now} for key, tool_open, outcome, last_payment in rows]
        with write_transaction(self.engine) as connection:
            insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
            statement = insert(_status)
            connection.execute(statement.on_conflict_do_update(
                index_elements=["integration_id", "source_type", "focus_id"],
                set_={k: statement.excluded[k] for k in ("tool_open", "outcome", "last_payment", "checked_at")}),
                values)

    def _add_feed(self, connection, registration_id: int, key: Key, feed: FeedLine) -> None:
        connection.execute(_feed.insert().values(
            integration_id=self.integration_id, registration_id=registration_id, source_type=key[0],
            focus_id=key[1], document_kind=feed.document_kind, number=feed.number, customer=feed.customer,
            amount=str(feed.amount), currency=feed.currency, paid_at=feed.paid_at, in_full=feed.in_full,
            created_at=_now()))


def _registration(row) -> Registration:
    lease = row.lease_until
    return Registration(row.id, row.seq, row.action, Decimal(row.amount), row.paid_at, row.state, row.owner,
                        lease, row.focus_payment_id)
