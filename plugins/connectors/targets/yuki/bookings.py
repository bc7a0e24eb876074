"""Posting batches of documents into Yuki, and finding the connector's bookings again.

Sales go in one ``Sales.ProcessSalesInvoices`` call, purchases in one
``Purchase.ProcessPurchaseInvoices`` call, up to ``BATCH_SIZE`` a call.
Yuki has no idempotency key and books a reference twice if asked twice, so
a batch whose answer is lost is never sent again blindly: the load looks
each of its documents up first.

Looking up reads ``AccountingInfo.GetTransactionDetails`` — every entry line
of the administration's documents in a date window, each naming its
document's ``Reference`` (the connector's reference) — in one call. The
read is kept with the moment it started, so the documents of one lost batch
are answered by one read, and a read made after a claim ran out answers for
that claim (``find_booking``'s ``as_of``). Paid documents are in it too
(unlike the open items, where "paid" and "never booked" look alike).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from connectors.state import clock
from connectors.targets.base import (
    AmbiguousWrite,
    Booking,
    BookingRef,
    DocumentRefused,
    FoundBooking,
    LookupFailed,
    PostResult,
    QuotaSpent,
    TargetError,
)
from connectors.targets.yuki.client import YukiClient, child_text, children
from connectors.targets.yuki.documents import (
    check_sales_vat,
    import_results,
    purchase_document,
    sales_document,
)
from connectors.targets.yuki.faults import YukiFault

#: Invoices per import call: Yuki sets no number; 100 keeps a request well under a megabyte.
BATCH_SIZE = 100
PREFIX = "FC-"
EARLIEST = dt.date(2000, 1, 1)
#: Documents can be dated ahead (Focus allows it): reads reach this far past today.
AHEAD = dt.timedelta(days=400)


@dataclass
class _Read:
    started: dt.datetime
    start: dt.date
    end: dt.date
    #: reference → the document ids holding it
    documents: dict[str, list[str]]

    def covers(self, day: dt.date, as_of: dt.datetime | None) -> bool:
        return self.start <= day <= self.end and (as_of is None or self.started >= as_of)


class YukiBookings:
    def __init__(self, client: YukiClient, administration: str, rates: Callable[[], Mapping[str, Decimal]]):
        self.client = client
        self.administration = administration
        self._rates = rates
        self._read: _Read | None = None
        self._recent: list[dt.date] = []  # dates of the documents last sent: one read answers for all of them

    # -- posting ----------------------------------------------------------------------------

    def post_batch(self, bookings: Sequence[Booking]) -> list[PostResult]:
        results: dict[int, PostResult] = {}
        sales = [(i, b) for i, b in enumerate(bookings) if b.kind.is_sales]
        purchases = [(i, b) for i, b in enumerate(bookings) if not b.kind.is_sales]
        self._recent = [b.date for b in bookings]
        if sales:
            results.update(self._import(sales, "Sales", "ProcessSalesInvoices", sales_document))
        if purchases:
            if not self.client.purchase_enabled:
                for i, b in purchases:
                    results[i] = DocumentRefused(
                        f"{b.description}: Yuki's Purchase service needs the client ID and secret Yuki support hands "
                        "out; add client_id and client_secret to the Yuki connection's extra", code="yuki_purchase",
                        field="connection")
            else:
                results.update(self._import(purchases, "Purchase", "ProcessPurchaseInvoices", purchase_document,
                                            disableAutoCorrect="true"))
        return [results[i] for i in range(len(bookings))]

    def _import(self, batch, service: str, operation: str, build, **extra) -> dict[int, PostResult]:
        out: dict[int, PostResult] = {}
        sendable = []
        for i, booking in batch:
            try:
                if booking.kind.is_sales:
                    check_sales_vat(booking, self._rates())
                sendable.append((i, booking))
            except DocumentRefused as exc:
                out[i] = exc
        if not sendable:
            return out
        chosen = [b for _, b in sendable]
        try:
            result = self.client.call(service, operation, write=True, session_param="sessionId",
                                      administrationId=self.administration,
                                      xmlDoc={"_value_1": build(chosen)}, **extra)
        except AmbiguousWrite as exc:  # the answer was lost: each document sent is looked up before anything else
            out.update({i: exc for i, _ in sendable})
            return out
        except YukiFault as exc:  # the whole call refused: nothing of it was booked
            for i, booking in sendable:
                out[i] = DocumentRefused(f"{booking.description}: Yuki refused the import: {exc.message}",
                                         code="refused_by_yuki")
            return out
        for (i, _), answer in zip(sendable, import_results(result, chosen), strict=True):
            out[i] = answer
        return out

    # -- reading back -----------------------------------------------------------------------

    def _transactions(self, start: dt.date, end: dt.date) -> _Read:
        started = clock.now()
        try:
            result = self.client.call(
                "AccountingInfo", "GetTransactionDetails", administrationID=self.administration, GLAccountCode="",
                StartDate=dt.datetime.combine(start, dt.time()), EndDate=dt.datetime.combine(end, dt.time()),
                financialMode=1)
        except QuotaSpent:
            raise
        except TargetError as exc:
            raise LookupFailed(f"could not read the bookings back from Yuki ({exc})") from None
        documents: dict[str, list[str]] = defaultdict(list)
        for node in children(result, "TransactionInfo"):
            reference = child_text(node, "documentReference") or ""
            document = child_text(node, "documentID") or ""
            if reference.startswith(PREFIX) and document not in documents[reference]:
                documents[reference].append(document)
        self._read = _Read(started, start, end, dict(documents))
        return self._read

    def find(self, booking: Booking, as_of: dt.datetime | None) -> BookingRef | None:
        read = self._read
        if read is None or not read.covers(booking.date, as_of):
            days = [booking.date, *self._recent]
            read = self._transactions(min(days), max(days))
        ids = read.documents.get(booking.reference)
        return BookingRef(booking.reference, ids[0]) if ids else None

    def connector_bookings(self, from_date: dt.date | None) -> Iterator[FoundBooking]:
        read = self._transactions(from_date or EARLIEST, dt.date.today() + AHEAD)
        for reference, ids in read.documents.items():
            for document in ids:
                yield FoundBooking(reference, BookingRef(reference, document))

    def present(self) -> set[str]:
        """Every connector reference the administration holds (paid or not)."""
        return set(self._transactions(EARLIEST, dt.date.today() + AHEAD).documents)
