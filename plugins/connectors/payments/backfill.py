"""The back-fill step: what the tool shows as paid goes into Focus, once.

Per run: one complete open-items read from the tool (its pages), compared
with the documents the connector booked; only documents whose picture in the
tool changed since the last run (or whose Focus write is still to do) are
looked at. For those that left the open items, the tool is asked in bulk
whether they were settled or are missing (a deleted booking is never a
payment). Focus's payments are read only for documents about to get a write,
and a document holding a payment the connector did not register is left
alone. Each write is recorded before it is sent (``registry``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import update

from connectors.booking import reference
from connectors.domain import Document
from connectors.focus.errors import FocusBadRequest, FocusNotFound, FocusUnavailable
from connectors.payments.decide import Goal, Outcome, goal
from connectors.payments.focus_payments import CREDIT_NOTE, INVOICE, FocusPaymentCalls, FocusPayments
from connectors.payments.registry import FeedLine, History, Key, PaymentRegistry, Registration, StatusRow
from connectors.progress import Progress
from connectors.state import clock
from connectors.state.claims import lease_from_env, new_owner
from connectors.state.db import write_transaction
from connectors.state.ledger import LedgerEntry
from connectors.state.models import DocumentState, Integration
from connectors.targets.base import OpenItem, QuotaSpent, Settlement

log = logging.getLogger(__name__)
#: Balancings and payments made this close to the previous read are read again (clock differences).
READ_OVERLAP = dt.timedelta(hours=2)
OUTGOING = (INVOICE, CREDIT_NOTE)


@dataclass
class Look:
    """One booked document whose picture in the tool changed: what the back-fill works out for it."""

    entry: LedgerEntry
    key: Key
    item: OpenItem | None
    tool_open: Decimal | None
    status: StatusRow | None
    history: History
    settlement: Settlement | None = None
    goal: Goal | None = None
    focus: FocusPayments | None = field(default=None, repr=False)

    @property
    def document(self) -> Document:
        assert self.entry.document is not None
        return self.entry.document

    @property
    def amount(self) -> Decimal:
        document = self.document
        return abs(document.payable if document.payable is not None else document.total_incl)

    @property
    def focus_sign(self) -> int:
        """Focus holds a negative invoice's payments negative; everything else positive."""
        return -1 if self.entry.source_type == INVOICE and self.document.from_negative_invoice else 1

    @property
    def last_payment(self) -> dt.date | None:
        return self.settlement.last_payment if self.settlement else None


class Backfill:
    def __init__(self, env, run_id: int, *, dry_run: bool = False):
        self.env = env
        self.run_id = run_id
        self.dry_run = dry_run
        self.registry = PaymentRegistry(env.engine, env.entity.id)
        self.owner = new_owner(f"{env.entity.entity}#{run_id}:payments")
        self.lease = lease_from_env()
        self.counts: Counter[str] = Counter()
        self.sink = env.error_sink(run_id)
        self.today = dt.datetime.now(dt.UTC).date()

    # -- the step ------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        started = clock.now()
        booked = [e for e in self.env.ledger.entries(DocumentState.BOOKED) if e.document and e.target_id]
        target = self.env.target()
        try:
            looks = self._changed(booked, self._open_items(target))
            self.counts["payments_checked"] = len(looks)
            self._settlements(target, looks)
        except QuotaSpent as exc:
            log.warning("%s: payments were not read this run: %s", self.env.entity.entity, exc)
            self.counts["payments_not_read"] = 1
            return dict(self.counts)
        writes = []
        for look in looks:
            look.goal = goal(look.amount, look.tool_open, look.settlement)
            if look.goal is None:
                log.info("%s: %s's answer is not conclusive yet; looked at again next run", look.entry.label,
                         self.env.entity.tool)
            elif look.goal.outcome is Outcome.MISSING:
                self._missing(look)
            elif look.goal.received == look.history.received and not look.history.sending:
                self._save(look, look.goal.outcome)
            else:
                writes.append(look)
        if self.dry_run:
            self.counts["payments_to_register"] = len(writes)
            log.info("dry run: %d document(s) would get a payment change in Focus", len(writes))
        else:
            self._write(writes)
            self._mark_read(started)
        return dict(self.counts)

    def _open_items(self, target) -> tuple[dict[str, OpenItem], dict[str, OpenItem]]:
        by_reference: dict[str, OpenItem] = {}
        by_id: dict[str, OpenItem] = {}
        progress = Progress(log, f"open items read from {self.env.entity.tool}", unit="items")
        for item in target.open_items():
            if item.reference:
                by_reference[item.reference] = item
            if item.target_id:
                by_id[item.target_id] = item
            progress.step()
        progress.finish()
        self.counts["open_items"] = len(by_reference) + len(by_id)
        return by_reference, by_id

    def _changed(self, booked: list[LedgerEntry], open_items) -> list[Look]:
        """The documents whose open amount in the tool moved (or appeared or vanished) since the last run, and
        those with a Focus write still to do; the others' status is written in one go."""
        by_reference, by_id = open_items
        statuses, histories = self.registry.statuses(), self.registry.histories()
        looks, quiet = [], []
        for entry in booked:
            key = (entry.source_type, entry.focus_id)
            item = by_reference.get(reference(entry.document)) or by_id.get(entry.target_id or "")
            tool_open = abs(item.open_amount) if item else None
            status, history = statuses.get(key), histories.get(key) or History()
            if status is not None and status.tool_open == tool_open and status.outcome is not Outcome.PENDING \
                    and not history.sending:
                continue
            look = Look(entry, key, item, tool_open, status, history)
            if status is None and item is not None and tool_open == look.amount and not history.rows:
                quiet.append((key, tool_open, Outcome.OPEN, None))  # booked and untouched: nothing to tell Focus
                continue
            looks.append(look)
        if quiet and not self.dry_run:
            self.registry.save_statuses(quiet)
        return looks

    def _settlements(self, target, looks: list[Look]) -> None:
        """Ask the tool, in bulk, what became of documents that left the open items or whose open amount
        moved (settled and when, or missing)."""
        if not looks:
            return
        since = None
        if all(look.status is not None for look in looks if look.item is None):
            read_at = self._read_at()
            since = read_at - READ_OVERLAP if read_at else None
        answers = target.settlements(sorted({look.entry.target_id for look in looks}), since=since)
        for look in looks:
            look.settlement = answers.get(look.entry.target_id)

    # -- writing to Focus ----------------------------------------------------------------------

    def _write(self, looks: list[Look]) -> None:
        if not looks:
            return
        notes = [look for look in looks if look.entry.source_type == CREDIT_NOTE]
        others = [look for look in looks if look.entry.source_type != CREDIT_NOTE]
        for look in notes:
            self._note(look)
        if not others:
            return
        progress = Progress(log, "documents brought up to date in Focus", total=len(others))
        with self.env.focus() as client:
            calls = FocusPaymentCalls(client, self.env.entity.tool)
            invoices = [look for look in others if look.entry.source_type == INVOICE]
            held = calls.invoices([look.entry.focus_id for look in invoices]) if invoices else {}
            for look in others:
                try:
                    look.focus = held.get(look.entry.focus_id) if look.entry.source_type == INVOICE else \
                        calls.expense(look.entry.source_type, look.entry.focus_id)
                except FocusNotFound:
                    look.focus = None
                if look.focus is None:
                    self._save(look, Outcome.PENDING)
                    log.warning("%s: Focus did not return it; its payments wait for the next run", look.entry.label)
                else:
                    self._bring_up_to_date(calls, look)
                progress.step()
        progress.finish()

    def _bring_up_to_date(self, calls: FocusPaymentCalls, look: Look) -> None:
        if self.registry.history(look.key).rows != look.history.rows:
            # another worker wrote for this document since this run read its history: what Focus showed just now
            # may include that write or not, so nothing is judged from it; the next run looks again
            self.counts["payments_in_flight"] += 1
            self._save(look, Outcome.PENDING)
            return
        if not self._settle_uncertain(calls, look):
            self.counts["payments_in_flight"] += 1
            self._save(look, Outcome.PENDING)
            return
        if self._hand_made(calls, look):
            self.counts["payments_left_alone"] += 1
            log.info("%s: Focus holds a payment the connector did not register; the sync leaves it alone",
                     look.entry.label)
            self._save(look, Outcome.HAND_PAID)
            return
        target, held = look.goal.received, look.history.received
        if target < held:
            if not self._send(calls, look, "remove", held, settles=False):
                return
            self.counts["payments_reversed"] += 1
            log.warning("%s: %s no longer shows %s of it as paid; the connector's payments in Focus were "
                        "taken back", look.entry.label, self.env.entity.tool, held - target)
            held = Decimal("0.00")
        if target > held and not self._send(calls, look, "register", target - held, settles=look.goal.settled):
            return
        self._save(look, look.goal.outcome)

    def _send(self, calls: FocusPaymentCalls, look: Look, action: str, amount: Decimal, *, settles: bool) -> bool:
        """Record one write, send it, and confirm it; False when it did not (certainly) happen."""
        document = look.document
        paid_at = look.last_payment or self.today
        signed = amount * look.focus_sign * (-1 if action == "remove" else 1)
        registration = self.registry.claim(look.key, look.history.next_seq, action=action, amount=signed,
                                           currency=document.currency, paid_at=paid_at, tool_open=look.tool_open,
                                           settles=settles, owner=self.owner, lease=self.lease, run_id=self.run_id)
        if registration is None:
            self.counts["payments_in_flight"] += 1
            self._save(look, Outcome.PENDING)
            return False
        try:
            if action == "remove":
                calls.remove(look.entry.source_type, look.entry.focus_id, look.history.live)
                payment_id = None
            else:
                payment_id = calls.register(look.entry.source_type, look.entry.focus_id, registration,
                                            document.currency)
        except (FocusBadRequest, FocusNotFound) as exc:
            self.registry.fail(registration, str(exc))
            self.counts["payment_errors"] += 1
            self.sink(document.source_id, document.number, "payment_refused_by_focus", "payment",
                      f"{document.label}: Focus refused the payment of {amount} {document.currency} from "
                      f"{self.env.entity.tool} ({exc}); register it by hand in Focus")
            self._save(look, Outcome.PENDING)
            return False
        except FocusUnavailable as exc:
            self.counts["payments_uncertain"] += 1
            log.warning("%s: the payment write to Focus may or may not have landed (%s); Focus is checked before "
                        "anything is sent again", document.label, exc)
            self._save(look, Outcome.PENDING)
            return False
        self.registry.confirm(registration, focus_payment_id=payment_id, feed=self._feed(look, registration),
                              key=look.key)
        look.history = self.registry.history(look.key)
        if action == "register":
            self.counts["payments_registered"] += 1
            self.counts["paid_in_full" if settles else "partly_paid"] += 1
        return True

    def _note(self, look: Look) -> None:
        """An outgoing credit note: Focus has no call to mark it paid; its settlement is kept here and in the
        feed."""
        target, held = look.goal.received, look.history.received
        if target < held:
            if self.registry.record_note(look.key, look.history.next_seq, amount=-held, currency=look.document.currency,
                                         paid_at=self.today, tool_open=look.tool_open, settles=False,
                                         owner=self.owner, run_id=self.run_id, feed=None) is None:
                return
            look.history = self.registry.history(look.key)
            held = Decimal("0.00")
        if target > held:
            registration = Registration(0, 0, "note", target - held, look.last_payment or self.today,
                                        "registered", None, None, None)
            if self.registry.record_note(look.key, look.history.next_seq, amount=target - held,
                                         currency=look.document.currency, paid_at=registration.paid_at,
                                         tool_open=look.tool_open, settles=look.goal.settled, owner=self.owner,
                                         run_id=self.run_id, feed=self._feed(look, registration)) is None:
                return
            if look.goal.settled:
                self.counts["credit_notes_settled"] += 1
        self._save(look, look.goal.outcome)

    # -- checks before a write -----------------------------------------------------------------

    def _settle_uncertain(self, calls: FocusPaymentCalls, look: Look) -> bool:
        """Settle writes left ``sending`` by a dead worker or a lost answer, from Focus's own payments. False
        while another worker's write is still in flight (its lease lives)."""
        now = clock.now()
        if not look.history.sending:
            return True
        for row in look.history.sending:
            if row.owner != self.owner and row.lease_until and row.lease_until > now:
                return False
            landed, payment_id = self._landed(calls, look, row)
            feed = self._feed(look, row) if landed and row.action == "register" else None
            self.registry.settle_uncertain(row, landed=landed, focus_payment_id=payment_id, feed=feed,
                                           key=look.key)
            log.info("%s: an earlier payment write %s Focus", look.entry.label,
                     "reached" if landed else "never reached")
        look.history = self.registry.history(look.key)
        return not look.history.sending

    def _landed(self, calls: FocusPaymentCalls, look: Look, row: Registration) -> tuple[bool, str | None]:
        payments = look.focus.payments if look.focus else ()
        if look.entry.source_type != INVOICE:
            mine = [p for p in payments if calls.is_ours(p, {row.marker})]
            if row.action == "remove":
                held = {r.focus_payment_id for r in look.history.live}
                return not any(p.id in held for p in payments), None
            return bool(mine), (mine[0].id if mine else None)
        if row.action == "remove":
            return not payments, None
        same = [p for p in payments if p.amount == row.amount and p.paid_at == row.paid_at]
        known = [r for r in look.history.live if r.amount == row.amount and r.paid_at == row.paid_at]
        return len(same) > len(known), None

    def _hand_made(self, calls: FocusPaymentCalls, look: Look) -> bool:
        """Focus holds a payment the connector did not register (or lacks one it did): a person changed the
        document's payments in Focus, and the sync never overrides that."""
        focus = look.focus
        if look.entry.source_type == INVOICE:
            return focus.received != look.history.received or len(focus.payments) != len(look.history.live)
        markers = {r.marker for r in look.history.live}
        return any(not calls.is_ours(p, markers) for p in focus.payments) or \
            len(focus.payments) != len(look.history.live)

    # -- bookkeeping ---------------------------------------------------------------------------

    def _missing(self, look: Look) -> None:
        document, tool = look.document, self.env.entity.tool
        self.counts["missing_in_tool"] += 1
        if look.status is None or look.status.outcome is not Outcome.MISSING:
            self.sink(document.source_id, document.number, "missing_in_tool", None,
                      f"{document.label}: {tool} no longer has its booking (deleted there?) and does not show it "
                      f"as paid, so Focus is not told it was paid; book it again in {tool} by hand if it was "
                      f"deleted by mistake (the connector never books a document twice)")
        self._save(look, Outcome.MISSING)

    def _feed(self, look: Look, registration: Registration) -> FeedLine | None:
        if look.entry.source_type not in OUTGOING or registration.action == "remove":
            return None
        document = look.document
        return FeedLine(document.kind.value, document.number, self._customer(document), abs(registration.amount),
                        document.currency, registration.paid_at, registration.action != "remove" and look.goal.settled)

    def _customer(self, document: Document) -> str:
        names = getattr(self, "_names", None)
        if names is None:
            names = self._names = {p.party.ref: p.party.name for p in self.env.parties.entries()}
        return names.get(document.party, f"{document.party.type} {document.party.id}")

    def _save(self, look: Look, outcome: Outcome) -> None:
        if not self.dry_run:
            self.registry.save_status(look.key, look.tool_open, outcome, look.last_payment)

    def _read_at(self) -> dt.datetime | None:
        from sqlalchemy import select

        with self.env.engine.connect() as connection:
            value = connection.execute(select(Integration.__table__.c.payments_read_at)
                                       .where(Integration.__table__.c.id == self.env.entity.id)).scalar_one()
        return value

    def _mark_read(self, started: dt.datetime) -> None:
        table = Integration.__table__
        with write_transaction(self.env.engine) as connection:
            connection.execute(update(table).where(table.c.id == self.env.entity.id)
                               .values(payments_read_at=started))
