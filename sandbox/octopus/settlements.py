"""Payments, fees, credit-note matches, their reversal and deleted bookings: what moves an open amount.

Recorded through the admin API (the sandbox does not emulate financial
bookings or ``POST balancings``) and seen through the open-item reports and
``balancings/modified``. A payment is a balancing between the booking and a
payment document the sandbox numbers in journal ``F1`` of the book year of
the payment day, after that journal's ``lastBookedDocumentNr`` and every
earlier payment document (the journal itself is left alone). A credit-note
match is a balancing between a credit note and an invoice of the same side
and relation. Debet and credit are the relation account's: a sales invoice
and a purchase credit note are debet, their payment or the credit note
matched against them credit, and the other way round. A fee moves the open
amount away from zero and is no balancing. Reversing deletes the booking's
latest balancing; deleting a booking deletes its balancings too; deleted
balancings are kept as tombstones. Amounts are positive Decimals to the
cent, days ``YYYY-MM-DD`` (default: the sandbox clock's Brussels day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.common.store import transaction
from sandbox.octopus.balancings import detail, document_key, split_key
from sandbox.octopus.books import Books, booking_key, year_of
from sandbox.octopus.store import BOOKING, Balancing, Fee, OctopusStore, Record
from sandbox.octopus.wire import brussels_day, cents, decimal, parse_date

PAYMENT, MATCH = "payment", "match"
PAYMENT_JOURNAL = "F1"
ZERO = Decimal("0.00")
#: A booking's address: (book year id, journalKey, documentSequenceNr).
Address = tuple[int, str, int]


class SettlementError(Exception):
    """A refused admin call: 400, or 404 when the booking or what to undo does not exist."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def is_debet(journal: str, amount: Decimal) -> bool:
    """Sales invoices and purchase credit notes sit on the debet side of the relation's account."""
    return (journal[:1].upper() == "V") == (amount >= 0)


@dataclass(frozen=True)
class Standing:
    """One booking with its live balancings and its fees, oldest first."""

    row: Record
    balancings: tuple[Balancing, ...] = ()
    fees: tuple[Fee, ...] = ()

    @property
    def key(self) -> str:
        return self.row.key

    @property
    def booking(self) -> dict[str, Any]:
        return self.row.doc["booking"]

    @property
    def amount(self) -> Decimal:
        return decimal(self.booking["amount"])

    @property
    def debet_side(self) -> bool:
        return is_debet(self.booking["journalKey"], self.amount)

    def _balanced(self, kind: str) -> Decimal:
        return sum((b.amount for b in self.balancings if b.kind == kind), ZERO)

    @property
    def paid(self) -> Decimal:
        return self._balanced(PAYMENT)

    @property
    def settled(self) -> Decimal:
        """Paid and matched."""
        return sum((b.amount for b in self.balancings), ZERO)

    @property
    def charged(self) -> Decimal:
        """The document plus its fees, as a magnitude."""
        return cents(abs(self.amount) + sum((f.amount for f in self.fees), ZERO))

    @property
    def open(self) -> Decimal:
        """Signed like the document (``0 - x``: a settled credit note is 0.00, not -0.00)."""
        magnitude = cents(self.charged - self.settled)
        return magnitude if self.amount >= 0 else 0 - magnitude

    def other(self, balancing: Balancing) -> str:
        return balancing.credit if balancing.debet == self.key else balancing.debet

    def listing(self) -> dict[str, Any]:
        """What the admin booking listing adds to a booking."""
        return {"paid": cents(self.paid), "open": self.open, "settlements": {
            "payments": [{"amount": b.amount, "date": b.day, "late_fee": b.late_fee,
                          "document": document_key(self.other(b))} for b in self.balancings if b.kind == PAYMENT],
            "fees": [{"amount": f.amount, "date": f.day} for f in self.fees],
            "matches": [{"amount": b.amount, "date": b.day, "document": document_key(self.other(b))}
                        for b in self.balancings if b.kind == MATCH],
        }}


def standings(books: Books) -> list[Standing]:
    """Every booking of the dossier, in booking order."""
    live = [b for b in books.store.balancings(books.dossier) if b.deleted is None]
    fees = books.store.fees(books.dossier)
    return [Standing(row, tuple(b for b in live if row.key in (b.debet, b.credit)),
                     tuple(f for f in fees if f.booking == row.key)) for row in books.rows(BOOKING)]


def _standing(books: Books, address: Address) -> Standing:
    key = booking_key(*address)
    found = next((s for s in standings(books) if s.key == key), None)
    if found is None:
        bookyear = books.bookyear(address[0])
        year = address[0] if bookyear is None else year_of(bookyear)
        raise SettlementError(f"no booking {address[1]} {address[2]} in bookyear {year} of dossier {books.dossier}",
                              404)
    return found


def _balancing(books: Books, balancing_id: int) -> Balancing:
    return next(b for b in books.store.balancings(books.dossier) if b.id == balancing_id)


def _payment_document(books: Books, day: str) -> str:
    """The next payment document in F1 of the book year ``day`` falls in."""
    moment = dt.date.fromisoformat(day)
    bookyear = next((b for b in books.bookyears()
                     if parse_date(b["startDate"]) <= moment <= parse_date(b["endDate"])), None)
    if bookyear is None:
        raise SettlementError(f"no bookyear of dossier {books.dossier} contains {day}: the payment document needs one")
    bookyear_id = bookyear["bookyearKey"]["id"]
    journal = books.journal(bookyear_id, PAYMENT_JOURNAL)
    used = [split_key(key)[2] for b in books.store.balancings(books.dossier) for key in (b.debet, b.credit)
            if split_key(key)[:2] == (bookyear_id, PAYMENT_JOURNAL)]
    return booking_key(bookyear_id, PAYMENT_JOURNAL, max([0 if journal is None else journal["lastBookedDocumentNr"],
                                                          *used]) + 1)


def register_payment(books: Books, address: Address, amount: Decimal, now: float, *, day: str | None = None,
                     late_fee: Decimal | None = None) -> dict[str, Any]:
    """A (partial) payment: positive, at most what is open; a late fee paid on top is kept aside."""
    standing = _standing(books, address)
    amount, still_open = cents(amount), abs(standing.open)
    if amount <= 0 or amount > still_open:
        raise SettlementError(f"amount must be positive and at most the open amount {still_open}")
    day = day or brussels_day(now).isoformat()
    late_fee = None if late_fee is None else cents(late_fee)
    document = _payment_document(books, day)
    debet, credit = (standing.key, document) if standing.debet_side else (document, standing.key)
    made = books.store.add_balancing(books.dossier, PAYMENT, debet, credit, standing.row.doc["relationId"], amount,
                                     day, now, late_fee)
    after = _standing(books, address)
    return {"paid": cents(after.paid), "open": after.open, "date": day, "late_fee": late_fee,
            "balancing": detail(books, _balancing(books, made))}


def charge_fee(books: Books, address: Address, amount: Decimal, now: float, *, day: str | None = None
               ) -> dict[str, Any]:
    """A late fee or reminder cost charged on the booking: what is open grows by ``amount``."""
    standing = _standing(books, address)
    day = day or brussels_day(now).isoformat()
    books.store.add_fee(books.dossier, standing.key, cents(amount), day, now)
    after = _standing(books, address)
    return {"amount": cents(amount), "fees": cents(sum((f.amount for f in after.fees), ZERO)), "open": after.open,
            "date": day}


def match(books: Books, credit_address: Address, invoice_address: Address, amount: Decimal | None, now: float, *,
          day: str | None = None) -> dict[str, Any]:
    """A credit note balanced against an invoice of the same side and relation; both move towards zero."""
    credit, invoice = _standing(books, credit_address), _standing(books, invoice_address)
    sides = (credit.booking["journalKey"][:1].upper(), invoice.booking["journalKey"][:1].upper())
    if sides[0] != sides[1]:
        raise SettlementError(f"a credit note in {credit.booking['journalKey']} cannot be matched with an invoice in "
                              f"{invoice.booking['journalKey']}: both must be sales (V) or both purchase (A) bookings")
    if credit.amount >= 0:
        raise SettlementError(f"credit {credit.key} is no credit note: its amount {credit.amount} is not negative")
    if invoice.amount <= 0:
        raise SettlementError(f"invoice {invoice.key} is no invoice: its amount {invoice.amount} is not positive")
    relation = credit.row.doc["relationId"]
    if relation != invoice.row.doc["relationId"]:
        raise SettlementError(f"the credit note (relation {relation}) and the invoice (relation "
                              f"{invoice.row.doc['relationId']}) belong to different relations")
    room = min(abs(credit.open), abs(invoice.open))
    if room == 0:
        raise SettlementError("nothing to match: " + ("the credit note" if credit.open == 0 else "the invoice")
                              + " is fully settled")
    amount = room if amount is None else cents(amount)
    if amount <= 0 or amount > room:
        raise SettlementError(f"amount must be positive and at most {room} (the smaller open amount)")
    day = day or brussels_day(now).isoformat()
    debet, credit_key = (invoice.key, credit.key) if invoice.debet_side else (credit.key, invoice.key)
    made = books.store.add_balancing(books.dossier, MATCH, debet, credit_key, relation, amount, day, now)
    return {"amount": amount, "date": day, "credit_open": _standing(books, credit_address).open,
            "invoice_open": _standing(books, invoice_address).open, "balancing": detail(books, _balancing(books, made))}


def reverse(books: Books, address: Address, now: float) -> dict[str, Any]:
    """Delete the booking's latest balancing (a payment, or a match on both bookings)."""
    standing = _standing(books, address)
    if not standing.balancings:
        raise SettlementError(f"booking {standing.key} has no balancing to reverse", 404)
    latest = standing.balancings[-1]
    books.store.delete_balancings(books.dossier, [latest.id], now)
    other = standing.other(latest)
    return {"kind": latest.kind, "amount": latest.amount, "date": latest.day, "late_fee": latest.late_fee,
            "open": _standing(books, address).open,
            "counterpart_open": _standing(books, split_key(other)).open if latest.kind == MATCH else None,
            "balancing": detail(books, _balancing(books, latest.id))}


def delete_booking(books: Books, address: Address, now: float) -> dict[str, Any]:
    """A booking deleted in the tool: gone from every read; its balancings are deleted, its fees forgotten."""
    standing = _standing(books, address)
    bookyear = books.bookyear(address[0])
    journal = books.journal(address[0], address[1])
    if bookyear is not None and bookyear["closed"]:
        raise SettlementError(f"bookyear {year_of(bookyear)} is closed: its bookings cannot be deleted")
    if journal is not None and (journal["closed"] or standing.booking["bookyearPeriodeNr"] <= journal["closedPeriod"]):
        raise SettlementError(f"journal {address[1]} is closed for period {standing.booking['bookyearPeriodeNr']}")
    with transaction(books.store.db):
        books.store.delete_balancings(books.dossier, [b.id for b in standing.balancings], now)
        books.store.forget_fees(books.dossier, standing.key)
        books.store.delete(BOOKING, books.dossier, standing.key)
    return {"deletedBalancings": [detail(books, _balancing(books, b.id)) for b in standing.balancings]}


def adopt_legacy_payments(store: OctopusStore) -> None:
    """Bare payments of a database written before balancings become payment balancings (once)."""
    for dossier, key, amount, paid_at in store.legacy_payments():
        try:
            register_payment(Books(store, dossier), split_key(key), amount, paid_at)
        except SettlementError:
            continue  # the booking is gone or the payment no longer fits: nothing to carry over
    store.drop_legacy_payments()
