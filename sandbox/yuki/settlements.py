"""Payments, credit-note matches, their reversal and deleted bookings: what moves an open amount.

Written through the admin API (Yuki's bank and matching screens are not
emulated) and seen through the open-item reads. Amounts are positive, to the
cent, at most what is open; days ``YYYY-MM-DD`` (default: today on the
sandbox clock, Amsterdam). A payment brings a booked document towards zero
whatever its sign (a refund of a credit note too). A match settles a credit
note (negative) against an invoice (positive) of the same kind and contact,
by at most the smaller open amount (default: all of it). A reversal undoes
the document's latest live settlement (a match on both documents); deleting
a booking reverses its settlements and removes the document from every read.
Refusals raise ``SettlementError`` (400, or 404 when the document or what to
undo does not exist).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.common.store import transaction
from sandbox.yuki.amounts import ZERO, cents
from sandbox.yuki.standings import Standing, standings
from sandbox.yuki.store import DOCUMENT, MATCH, PAYMENT, YukiStore


class SettlementError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def find(store: YukiStore, administration: str, document: str | None = None, reference: str | None = None
         ) -> Standing:
    """A document by ID, or by Reference when that names exactly one."""
    every = standings(store, administration)
    if document is not None:
        found = [s for s in every if s.doc["ID"].lower() == document.strip().lower()]
    else:
        found = [s for s in every if s.doc["Reference"] == reference]
    if not found:
        raise SettlementError(f"no document {document or reference!r} in administration {administration}", 404)
    if len(found) > 1:
        raise SettlementError(f"reference {reference!r} names {len(found)} documents: give the document's ID")
    return found[0]


def _again(store: YukiStore, standing: Standing) -> Standing:
    return next(s for s in standings(store, standing.doc["AdministrationID"]) if s.doc["ID"] == standing.doc["ID"])


def _booked(standing: Standing) -> None:
    if not standing.booked:
        raise SettlementError(f"document {standing.doc['Reference']} is a draft: only booked documents settle")


def pay(store: YukiStore, standing: Standing, amount: Decimal | None, day: str, now: float) -> dict[str, Any]:
    _booked(standing)
    room = abs(standing.open)
    if room == 0:
        raise SettlementError(f"nothing is open on {standing.doc['Reference']}")
    amount = room if amount is None else cents(amount)
    if amount > room:
        raise SettlementError(f"amount {amount} is more than the open {room}")
    store.add_settlement(standing.doc["AdministrationID"], PAYMENT, standing.doc["ID"], None, amount, day, now)
    return {"paid": amount, "date": day, "open": _again(store, standing).open}


def match(store: YukiStore, credit: Standing, invoice: Standing, amount: Decimal | None, day: str, now: float
          ) -> dict[str, Any]:
    _booked(credit)
    _booked(invoice)
    if credit.amount >= 0 or invoice.amount <= 0:
        raise SettlementError("match a credit note (negative amount) with an invoice (positive amount)")
    if credit.doc["Kind"] != invoice.doc["Kind"] or credit.doc["ContactID"] != invoice.doc["ContactID"]:
        raise SettlementError("the credit note and the invoice must be of the same kind and contact")
    room = min(abs(credit.open), abs(invoice.open))
    if room == 0:
        raise SettlementError("nothing to match: one of them is settled")
    amount = room if amount is None else cents(amount)
    if amount > room:
        raise SettlementError(f"amount {amount} is more than the smaller open amount {room}")
    store.add_settlement(invoice.doc["AdministrationID"], MATCH, invoice.doc["ID"], credit.doc["ID"], amount, day,
                         now)
    return {"matched": amount, "date": day, "credit_open": _again(store, credit).open,
            "invoice_open": _again(store, invoice).open}


def reverse(store: YukiStore, standing: Standing, now: float) -> dict[str, Any]:
    if not standing.settlements:
        raise SettlementError(f"{standing.doc['Reference']} has no payment or match to reverse", 404)
    latest = standing.settlements[-1]
    store.reverse_settlements([latest.id], now)
    return {"kind": latest.kind, "amount": latest.amount, "date": latest.day, "open": _again(store, standing).open}


def delete(store: YukiStore, standing: Standing, now: float) -> dict[str, Any]:
    with transaction(store.db):
        store.reverse_settlements([s.id for s in standing.settlements], now)
        store.delete(DOCUMENT, standing.doc["ID"])
    return {"deleted": standing.doc["ID"], "reversed": len(standing.settlements),
            "amount": standing.amount if standing.booked else ZERO}
