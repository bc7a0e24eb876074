"""Payments, late fees, credit-note matches and their reversal: what moves an entry's open amount.

The real service books these as bank entries and matchings, which the sandbox
does not emulate; tests and the demo record them through the admin API and
see them in the reads that show payment status (the open-item lists,
``cashflow/``). Amounts are positive magnitudes to the cent: a payment or a
match brings the open amount towards zero, a fee moves it away from zero, in
the entry's sign (a credit note's open amount is negative). A late fee paid
on top of a payment is kept aside: it changes nothing that is open. Days are
``YYYY-MM-DD``, by default the sandbox clock's UTC day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.exact_online.booking import LEDGERS, Ledger, cents, delete_entry
from sandbox.exact_online.books import Books, Doc
from sandbox.exact_online.odata import ODataError
from sandbox.exact_online.store import Settlement

PAYMENT, FEE, MATCH = "payment", "fee", "match"
#: What ``payments/reverse`` undoes (fees stay).
REVERSIBLE = (PAYMENT, MATCH)
ZERO = Decimal("0.00")


class SettlementError(Exception):
    """A refused admin call: 400, or 404 when the entry or what to undo does not exist."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def document_amount(entry: Doc) -> Decimal:
    """The signed amount of an entry (= ``GAccountAmountFC``): credit notes negative."""
    return Decimal(str(entry["GAccountAmountFC"]))


def _total(records: Iterable[Settlement], kind: str) -> Decimal:
    return sum((r.amount for r in records if r.kind == kind), ZERO)


@dataclass(frozen=True)
class Standing:
    """One entry with its settlements, oldest first."""

    entry: Doc
    records: tuple[Settlement, ...] = ()

    @property
    def document(self) -> Decimal:
        return document_amount(self.entry)

    @property
    def paid(self) -> Decimal:
        return _total(self.records, PAYMENT)

    @property
    def matched(self) -> Decimal:
        return _total(self.records, MATCH)

    @property
    def fees(self) -> Decimal:
        return _total(self.records, FEE)

    @property
    def open(self) -> Decimal:
        """What is still open, signed like the document (``0 - x`` so a settled credit note is 0, not -0)."""
        magnitude = cents(abs(self.document) + self.fees - self.paid - self.matched)
        return magnitude if self.document >= 0 else 0 - magnitude

    @property
    def last_payment_day(self) -> str | None:
        return max((r.day for r in self.records if r.kind in REVERSIBLE), default=None)

    def listing(self) -> dict[str, Any]:
        """What the admin entry listing adds to an entry."""
        return {"paid": cents(self.paid), "open": self.open, "settlements": {
            "payments": [{"amount": r.amount, "date": r.day, "late_fee": r.late_fee}
                         for r in self.records if r.kind == PAYMENT],
            "fees": [{"amount": r.amount, "date": r.day} for r in self.records if r.kind == FEE],
            "matches": [{"amount": r.amount, "date": r.day, "entry_id": r.counterpart}
                        for r in self.records if r.kind == MATCH],
        }}


def standings(books: Books, ledger: Ledger) -> list[Standing]:
    """Every entry of ``ledger`` with its settlements, in key order."""
    by_entry: dict[str, list[Settlement]] = {}
    for record in books.store.settlements(books.division):
        by_entry.setdefault(record.entry_id, []).append(record)
    return [Standing(entry, tuple(by_entry.get(entry["EntryID"], ())))
            for entry in books.docs(ledger.entries.path)]


def _standing(books: Books, entry_id: Any) -> tuple[Ledger, Standing]:
    if isinstance(entry_id, str):
        for ledger in LEDGERS.values():
            entry = books.doc(ledger.entries.path, entry_id.strip().lower())
            if entry is not None:
                records = (r for r in books.store.settlements(books.division) if r.entry_id == entry["EntryID"])
                return ledger, Standing(entry, tuple(records))
    raise SettlementError(f"no sales or purchase entry {entry_id} in division {books.division}", 404)


def today(now: float) -> str:
    return dt.datetime.fromtimestamp(now, dt.UTC).date().isoformat()


def register_payment(books: Books, entry_id: str, amount: Decimal, now: float, *, day: str | None = None,
                     late_fee: Decimal | None = None) -> dict[str, Any]:
    """A (partial) payment: positive, at most what is open; a late fee paid on top is kept aside."""
    _, before = _standing(books, entry_id)
    amount, still_open = cents(amount), abs(before.open)
    if amount <= 0 or amount > still_open:
        raise SettlementError(f"amount must be positive and at most the open amount {still_open}")
    day = day or today(now)
    late_fee = None if late_fee is None else cents(late_fee)
    books.store.add_settlement(books.division, before.entry["EntryID"], PAYMENT, amount, day, now, late_fee=late_fee)
    _, after = _standing(books, entry_id)
    return {"entry_id": after.entry["EntryID"], "paid": cents(after.paid), "open": after.open, "date": day,
            "late_fee": late_fee}


def charge_fee(books: Books, entry_id: str, amount: Decimal, now: float, *, day: str | None = None
               ) -> dict[str, Any]:
    """A late fee or reminder cost charged on the entry: what is open grows by ``amount``."""
    _, before = _standing(books, entry_id)
    day = day or today(now)
    books.store.add_settlement(books.division, before.entry["EntryID"], FEE, cents(amount), day, now)
    _, after = _standing(books, entry_id)
    return {"entry_id": after.entry["EntryID"], "amount": cents(amount), "fees": cents(after.fees),
            "open": after.open, "date": day}


def match(books: Books, credit_id: str, invoice_id: str, amount: Decimal | None, now: float, *,
          day: str | None = None) -> dict[str, Any]:
    """A credit note matched against an invoice of the same side and account; both move towards zero."""
    credit_ledger, credit = _standing(books, credit_id)
    invoice_ledger, invoice = _standing(books, invoice_id)
    if credit_ledger is not invoice_ledger:
        raise SettlementError(f"a {credit_ledger.side} credit note cannot be matched with a {invoice_ledger.side} "
                              "invoice: both must be sales or both purchase entries")
    ledger = credit_ledger
    if credit.document >= 0:
        raise SettlementError(f"credit_entry_id {credit.entry['EntryID']} is no credit note: its amount "
                              f"{credit.document} is not negative")
    if invoice.document <= 0:
        raise SettlementError(f"invoice_entry_id {invoice.entry['EntryID']} is no invoice: its amount "
                              f"{invoice.document} is not positive")
    if credit.entry[ledger.party] != invoice.entry[ledger.party]:
        raise SettlementError(f"the credit note ({ledger.party} {credit.entry[ledger.party]}) and the invoice "
                              f"({ledger.party} {invoice.entry[ledger.party]}) belong to different accounts")
    room = min(abs(credit.open), abs(invoice.open))
    if room == 0:
        raise SettlementError("nothing to match: " + ("the credit note" if credit.open == 0 else "the invoice")
                              + " is fully settled")
    amount = room if amount is None else cents(amount)
    if amount <= 0 or amount > room:
        raise SettlementError(f"amount must be positive and at most {room} (the smaller open amount)")
    day = day or today(now)
    books.store.add_match(books.division, credit.entry["EntryID"], invoice.entry["EntryID"], amount, day, now)
    return {"credit_entry_id": credit.entry["EntryID"], "invoice_entry_id": invoice.entry["EntryID"],
            "amount": amount, "date": day, "credit_open": _standing(books, credit_id)[1].open,
            "invoice_open": _standing(books, invoice_id)[1].open}


def reverse(books: Books, entry_id: str) -> dict[str, Any]:
    """Undo the entry's latest payment or match (a match on both entries); fees stay."""
    _, standing = _standing(books, entry_id)
    latest = next((r for r in reversed(standing.records) if r.kind in REVERSIBLE), None)
    if latest is None:
        raise SettlementError(f"entry {standing.entry['EntryID']} has no payment or match to reverse", 404)
    undone = [r.id for r in books.store.settlements(books.division)
              if r.id == latest.id or (latest.link is not None and r.link == latest.link)]
    books.store.delete_settlements(books.division, undone)
    counterpart = None
    if latest.counterpart is not None:
        counterpart = {"entry_id": latest.counterpart, "open": _standing(books, latest.counterpart)[1].open}
    return {"entry_id": standing.entry["EntryID"], "kind": latest.kind, "amount": latest.amount, "date": latest.day,
            "late_fee": latest.late_fee, "open": _standing(books, entry_id)[1].open, "counterpart": counterpart}


def delete(books: Books, entry_id: str) -> dict[str, Any]:
    """The entry deleted in the tool, by the API's ``DELETE`` rules (no payments or matches, period open)."""
    ledger, standing = _standing(books, entry_id)
    try:
        delete_entry(books, ledger, standing.entry)
    except ODataError as error:
        raise SettlementError(str(error)) from None
    return {"entry_id": standing.entry["EntryID"], "kind": ledger.side}
