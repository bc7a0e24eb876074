"""How payments set a document's payment fields.

Shared by the demo-data generator and the ``registerPayment`` endpoints so
seeded documents and documents changed through the API obey the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sandbox.focus.amounts import money


def amount_of(value: dict[str, Any]) -> Decimal:
    """The Decimal inside a Money-like ``{"amount": <JSON number>}``."""
    return Decimal(str(value["amount"]))


def _paid(payments: Iterable[dict[str, Any]]) -> Decimal:
    return sum((amount_of(p["payment"]) for p in payments), Decimal(0))


def settle_invoice(doc: dict[str, Any]) -> None:
    """Recompute status, paid, paid_at and total.due of a booked sales invoice, in place.

    Fully paid (due reaches zero or passes it) means ``matched``.
    """
    payments = doc["payments"]
    payable = amount_of(doc["total"]["payable"])
    due = payable - _paid(payments)
    settled = bool(payments) and (due == 0 or (due < 0) != (payable < 0))
    doc["total"]["due"] = money(due)
    doc["status"] = "matched" if settled else "outstanding"
    doc["paid"] = settled
    doc["paid_at"] = max(p["paid_at"] for p in payments) if settled else None


def settle_expense(doc: dict[str, Any], payments: list[dict[str, Any]]) -> None:
    """Set payment_status, paid_amount and paid_at of an incoming document, in place.

    Incoming credit notes have no ``partially_paid`` status (spec enum).
    """
    if not payments:
        return
    total = amount_of(doc["total"]["tax_inclusive"])
    paid = _paid(payments)
    if paid >= total:
        doc["payment_status"] = "paid"
    else:
        doc["payment_status"] = "partially_paid" if doc["source"]["type"] == "incomingInvoice" else "not_paid"
    doc["paid_amount"] = money(paid)
    doc["paid_at"] = max(p["paid_at"] for p in payments)
