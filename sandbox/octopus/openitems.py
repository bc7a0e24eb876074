"""Open items: ``POST reports/clients/open`` and ``reports/suppliers/open``.

Clients are the bookings of V journals, suppliers those of A journals. The
open amount is signed per document: invoices positive, credit notes
(negative ``amount``) negative; balancings (payments, credit-note matches)
bring it towards zero, fees move it away (``settlements``), and a settled
booking is no longer listed. The debet/credit figures are those of the
relation's account: a sales invoice and a purchase credit note are debet
(the document plus its fees), what settled it credit, and the other way
round. One row per booking (``lineSequenceNr`` 0, the relation's line).
Amounts are Decimals to the cent, written as exact JSON numbers.

OpenRelationQueryData filters: ``fromBookyearKey`` / ``toBookyearKey``
(``{id}``; book years compared by their start), ``fromBookyearPeriodNr`` /
``toBookyearPeriodNr`` (yyyymm), ``relationId``, else ``externalRelationId``;
-1, null or absent means no filter. Nothing open is a 404 (like the other
"No ... found" answers).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from sandbox.octopus.bookings import render
from sandbox.octopus.books import Books
from sandbox.octopus.context import Call, ok
from sandbox.octopus.errors import BOOKYEAR_UNKNOWN, OctopusError, invalid, not_found
from sandbox.octopus.relations import IDENTIFICATION
from sandbox.octopus.settlements import Standing, standings
from sandbox.octopus.store import Doc
from sandbox.octopus.wire import cents, is_integer

SIDES = {"clients": "V", "suppliers": "A"}


def _open_row(books: Books, standing: Standing) -> Doc:
    booking = render(books, standing.row.doc)
    charged, settled = standing.charged, cents(standing.settled)
    debet, credit = (charged, settled) if standing.debet_side else (settled, charged)
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
        "openBookingAmount": standing.open, "openDocAmount": standing.open,
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
    for standing in standings(books):
        booking = standing.booking
        start = starts[str(booking["bookyearKey"]["id"])]
        if (standing.open == 0 or booking["journalKey"][:1].upper() != SIDES[side]
                or (first is not None and start < first) or (last is not None and start > last)
                or (from_period is not None and booking["bookyearPeriodeNr"] < from_period)
                or (to_period is not None and booking["bookyearPeriodeNr"] > to_period)):
            continue
        row = _open_row(books, standing)
        if relation_id is not None and row["relationKey"]["id"] != relation_id:
            continue
        if relation_id is None and external is not None and row["externalRelationId"] != external:
            continue
        rows.append(row)
    if not rows:
        raise not_found("No open items found")
    return ok(rows)

