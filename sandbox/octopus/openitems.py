"""Open items (``POST reports/clients/open`` and ``reports/suppliers/open``) and the payments that settle them.

Clients are the bookings of V journals, suppliers those of A journals. The
open amount is signed per document: invoices positive, credit notes
(negative ``amount``) negative; payments (``POST /_sandbox/payments``, a
positive amount at most what is open) bring it towards zero, and a settled
booking is no longer listed. The debet/credit figures are those of the
relation's account: a sales invoice and a purchase credit note are debet,
a sales credit note and a purchase invoice credit, their payments the other
side. One row per booking (``lineSequenceNr`` 0, the relation's line).
Amounts are Decimals to the cent, written as exact JSON numbers.

OpenRelationQueryData filters: ``fromBookyearKey`` / ``toBookyearKey``
(``{id}``; book years compared by their start), ``fromBookyearPeriodNr`` /
``toBookyearPeriodNr`` (yyyymm), ``relationId``, else ``externalRelationId``;
-1, null or absent means no filter. Nothing open is a 404 (like the other
"No ... found" answers).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.responses import Response

from sandbox.octopus.bookings import render
from sandbox.octopus.books import Books, booking_key
from sandbox.octopus.context import Call, ok
from sandbox.octopus.errors import BOOKYEAR_UNKNOWN, OctopusError, invalid, not_found
from sandbox.octopus.relations import IDENTIFICATION
from sandbox.octopus.store import BOOKING, Doc, Record
from sandbox.octopus.wire import cents, decimal, is_integer

SIDES = {"clients": "V", "suppliers": "A"}


def open_amount(amount: Decimal, paid: Decimal) -> Decimal:
    """What is still open, signed like the document."""
    return (abs(amount) - paid) * (1 if amount >= 0 else -1)


def booked(books: Books) -> list[tuple[Record, Decimal, Decimal]]:
    """Every booking of the dossier as (stored row, paid, open)."""
    paid = books.store.paid(books.dossier)
    rows = []
    for row in books.rows(BOOKING):
        settled = paid.get(row.key, Decimal(0))
        rows.append((row, settled, open_amount(decimal(row.doc["booking"]["amount"]), settled)))
    return rows


def _open_row(books: Books, record: Doc, paid: Decimal, still_open: Decimal) -> Doc:
    booking = render(books, record)
    amount = decimal(booking["amount"])
    debet_side = (booking["journalKey"][:1].upper() == "V") == (amount >= 0)
    whole, settled = cents(abs(amount)), cents(paid)
    debet, credit = (whole, settled) if debet_side else (settled, whole)
    identification = booking[IDENTIFICATION]
    return {
        "bookyearKey": {"id": booking["bookyearKey"]["id"]}, "journalKey": booking["journalKey"],
        "documentSequenceNr": booking["documentSequenceNr"], "lineSequenceNr": 0,
        "bookyearPeriodNr": booking["bookyearPeriodeNr"], "documentDate": booking["documentDate"],
        "expirationDate": booking["expiryDate"], "relationKey": identification["relationKey"],
        "externalRelationId": identification["externalRelationId"], "currencyCode": booking["currencyCode"],
        "exchangeRate": booking["exchangeRate"],
        "debetBookingAmount": debet, "creditBookingAmount": credit,
        "debetDocumentAmount": debet, "creditDocumentAmount": credit,
        "openBookingAmount": cents(still_open), "openDocAmount": cents(still_open),
        "comment": booking.get("comment"), "reference": booking.get("reference"),
    }


def _filter(query: dict[str, Any], name: str, *, key: bool = False) -> int | None:
    value = query.get(name)
    if key and isinstance(value, dict):
        value = value.get("id")
    elif key and value is not None:
        raise invalid(name, f"Field {name} must be an object with an id")
    if value is None or value == -1:
        return None
    if not is_integer(value):
        raise invalid(name, f"Field {name} must be an integer")
    return int(value)


def _bookyear_start(books: Books, query: dict[str, Any], name: str) -> str | None:
    bookyear_id = _filter(query, name, key=True)
    if bookyear_id is None:
        return None
    bookyear = books.bookyear(bookyear_id)
    if bookyear is None:
        raise OctopusError(400, BOOKYEAR_UNKNOWN, f"Bookyear {bookyear_id} not found", f"{name}.id")
    return str(bookyear["startDate"])


def report(call: Call) -> Response:
    side = call.path[0]
    query = call.json_object()
    books = call.books
    first, last = _bookyear_start(books, query, "fromBookyearKey"), _bookyear_start(books, query, "toBookyearKey")
    from_period, to_period = _filter(query, "fromBookyearPeriodNr"), _filter(query, "toBookyearPeriodNr")
    relation_id, external = _filter(query, "relationId"), _filter(query, "externalRelationId")
    starts = {str(b["bookyearKey"]["id"]): str(b["startDate"]) for b in books.bookyears()}
    rows = []
    for stored, paid, still_open in booked(books):
        record = stored.doc
        booking = record["booking"]
        start = starts[str(booking["bookyearKey"]["id"])]
        if (still_open == 0 or booking["journalKey"][:1].upper() != SIDES[side]
                or (first is not None and start < first) or (last is not None and start > last)
                or (from_period is not None and booking["bookyearPeriodeNr"] < from_period)
                or (to_period is not None and booking["bookyearPeriodeNr"] > to_period)):
            continue
        row = _open_row(books, record, paid, still_open)
        if relation_id is not None and row["relationKey"]["id"] != relation_id:
            continue
        if relation_id is None and external is not None and row["externalRelationId"] != external:
            continue
        rows.append(row)
    if not rows:
        raise not_found("No open items found")
    return ok(rows)


def register_payment(books: Books, bookyear_id: int, journal: str, sequence: int, amount: Decimal,
                     now: float) -> dict[str, Any]:
    """A (partial) payment of a booking; raises ValueError when unknown or more than is open."""
    record = books.booking(bookyear_id, journal, sequence)
    if record is None:
        raise ValueError(f"no booking {journal} {sequence} in bookyear {bookyear_id} of dossier {books.dossier}")
    key = booking_key(bookyear_id, journal, sequence)
    paid = books.store.paid(books.dossier).get(key, Decimal(0))
    document = decimal(record["booking"]["amount"])
    amount = cents(amount)
    still_open = abs(open_amount(document, paid))
    if amount <= 0 or amount > still_open:
        raise ValueError(f"amount must be positive and at most the open amount {still_open}")
    books.store.add_payment(books.dossier, key, amount, now)
    return {"paid": cents(paid + amount), "open": cents(open_amount(document, paid + amount))}
