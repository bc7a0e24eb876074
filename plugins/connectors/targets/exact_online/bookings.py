"""Exact Online sales and purchase entries: posting, finding one, reading the connector's own.

Every entry carries the connector's reference in ``YourRef``. One document is
one POST with its lines inline; amounts go as exact decimals. ``find`` filters
on ``YourRef`` (an empty result is Exact's "nothing found"); ``connector_entries``
reads every entry whose ``YourRef`` starts with ``FC-`` (optionally modified
since a moment) in one paged listing per side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from connectors.domain import DocumentKind
from connectors.fitting import fit
from connectors.targets.base import (
    Booking,
    BookingRef,
    DocumentRefused,
    FoundBooking,
    LookupFailed,
    TargetError,
)
from connectors.targets.exact_online.api import ExactApi, datetime_literal, quote

ENTRY_TYPES = {
    DocumentKind.SALES_INVOICE: 20,
    DocumentKind.SALES_CREDIT_NOTE: 21,
    DocumentKind.PURCHASE_INVOICE: 30,
    DocumentKind.PURCHASE_CREDIT_NOTE: 31,
}
SIDES = (("salesentry/SalesEntries", "SalesEntryLines", "Customer"),
         ("purchaseentry/PurchaseEntries", "PurchaseEntryLines", "Supplier"))
REFERENCE_PREFIX = "FC-"


def _side(kind: DocumentKind) -> tuple[str, str, str]:
    return SIDES[0] if kind.is_sales else SIDES[1]


def _ref(row: dict[str, Any]) -> BookingRef:
    return BookingRef(row["EntryID"], str(row.get("EntryNumber") or "") or None)


class ExactBookings:
    def __init__(self, api: ExactApi, gl_ids: Callable[[], dict[str, str]]):
        self.api = api
        self._gl_ids = gl_ids

    def find(self, booking: Booking) -> BookingRef | None:
        path, _, _ = _side(booking.kind)
        try:
            rows = list(self.api.list(path, {"$select": "EntryID,EntryNumber",
                                             "$filter": f"YourRef eq {quote(booking.reference)}"}))
        except TargetError as exc:
            raise LookupFailed(f"{booking.description}: could not check whether Exact Online has it ({exc})") \
                from None
        return _ref(rows[0]) if rows else None

    def connector_entries(self, since: dt.datetime | None) -> Iterator[FoundBooking]:
        condition = f"startswith(YourRef,{quote(REFERENCE_PREFIX)})"
        if since is not None:
            condition += f" and Modified ge {datetime_literal(since)}"
        for path, _, _ in SIDES:
            try:
                for row in self.api.list(path, {"$select": "EntryID,EntryNumber,YourRef,AmountFC",
                                                "$filter": condition}):
                    total = row.get("AmountFC")
                    yield FoundBooking(str(row["YourRef"]), _ref(row),
                                       abs(Decimal(str(total))) if total is not None else None)
            except TargetError as exc:
                raise LookupFailed(f"Could not read the connector's entries from Exact Online ({exc})") from None

    def body(self, booking: Booking) -> dict[str, Any]:
        path, lines_field, party_field = _side(booking.kind)
        gl_ids = self._gl_ids()
        lines = []
        for line in booking.lines:
            gl = gl_ids.get(line.ledger_account)
            if gl is None:
                raise DocumentRefused(f"{booking.description}: ledger account {line.ledger_account} does not exist "
                                      "in Exact Online", code="unknown_ledger_account", field="ledger_account")
            lines.append({"GLAccount": gl, "Description": line.description, "AmountFC": line.amount,
                          "VATCode": line.vat_code, "VATAmountFC": line.vat_amount,
                          **({"Quantity": line.quantity} if line.quantity is not None else {})})
        body: dict[str, Any] = {
            party_field: booking.party.id,
            "Journal": booking.journal,
            "EntryDate": booking.date.isoformat(),
            "Type": ENTRY_TYPES[booking.kind],
            "YourRef": booking.reference,
            "Description": fit(booking.description, 100, where=f"{booking.number}: the description",
                               keeper="Exact Online"),
            "Currency": booking.currency,
            lines_field: lines,
        }
        if booking.due_date:
            body["DueDate"] = booking.due_date.isoformat()
        if booking.payment_reference:
            body["PaymentReference"] = fit(booking.payment_reference, 30,
                                           where=f"{booking.number}: the payment reference", keeper="Exact Online")
        return body

    def post(self, booking: Booking) -> BookingRef:
        path, _, _ = _side(booking.kind)
        body = self.body(booking)
        try:
            row = self.api.post(path, body)
        except DocumentRefused as exc:
            raise DocumentRefused(f"{booking.description}: Exact Online refused it: {exc}", code=exc.code) from None
        amount = row.get("AmountFC")
        return BookingRef(row["EntryID"], str(row.get("EntryNumber") or "") or None,
                          abs(Decimal(str(amount))) if amount is not None else None)
