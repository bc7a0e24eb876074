"""Buy/sell bookings: the checks of a write, in the brief's order, and the reads.

``POST buysellbookings`` takes ``{"buySellBookingServiceData": {...},
"attachments": [...]}`` and answers 201 with an empty body. Checks, each a
distinct ErrorResult (codes in ``errors``):

1. required fields (and at least one booking line with ``accountKey``,
   ``baseAmount``, ``vatCodeKey``) -> 400 naming the field; a malformed
   element (a date that is not ``yyyy-MM-dd``, a number sent as a string,
   bad base64 in an attachment) -> 500 "Invalid elements in the passed
   object (eg. wrong date format)"; a currency other than EUR -> 400;
2. book year unknown -> 400; closed -> 403;
3. journal unknown in that book year -> 400; not a V or A journal -> 400;
   journal closed or ``bookyearPeriodeNr`` <= its ``closedPeriod`` -> 403;
4. period not one of the book year's, or document date outside it -> 400;
5. relation (``relationKey.id``, else ``externalRelationId``) unknown -> 400;
6. per line: account unknown in the book year, VAT code unknown, VAT code type
   not allowed in the journal -> 400;
7. ``abs(amount)`` must equal the sum of ``baseAmount + vatAmount`` to the
   cent (credit notes: negative amount, positive lines) -> 400 naming both;
8. ``documentSequenceNr`` > 0 and unused in (book year, journal) -> 400;
   the journal's ``lastBookedDocumentNr`` becomes max(current, N).

The booking is stored as sent; reads return it with a complete
``relationIdentificationServiceData`` (``relationKey.id`` and
``externalRelationId``). ``PUT`` (bare BuySellBookingServiceData) replaces
the booking of (book year, journal, number) after checks 1-7 (404 when there
is none) and answers 204.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from sandbox.octopus.books import Books, booking_key, journal_key, year_of
from sandbox.octopus.chart import JOURNAL_SIDES, JOURNAL_VAT_TYPES
from sandbox.octopus.context import Call, no_content, ok
from sandbox.octopus.errors import (
    ACCOUNT_UNKNOWN,
    BOOKYEAR_CLOSED,
    BOOKYEAR_UNKNOWN,
    CURRENCY,
    INVALID_VALUE,
    JOURNAL_CLOSED,
    JOURNAL_CLOSED_MESSAGE,
    JOURNAL_UNKNOWN,
    NOT_BUY_OR_SELL,
    OUTSIDE_BOOKYEAR,
    RELATION_UNKNOWN,
    SEQUENCE_NUMBER,
    TOTALS_MISMATCH,
    VAT_CODE_MISMATCH,
    VAT_CODE_UNKNOWN,
    OctopusError,
    malformed,
    missing,
    not_found,
)
from sandbox.octopus.reference import known_bookyear
from sandbox.octopus.relations import IDENTIFICATION, external_id, relation_id
from sandbox.octopus.store import BOOKING, JOURNAL, Doc
from sandbox.octopus.wire import cents, decimal, is_integer, is_number, parse_date

WRAPPER = "buySellBookingServiceData"
REQUIRED = ("amount", "bookyearKey", "bookyearPeriodeNr", "currencyCode", "documentDate", "documentSequenceNr",
            "exchangeRate", "expiryDate", "journalKey", IDENTIFICATION)
LINE_REQUIRED = ("accountKey", "baseAmount", "vatCodeKey")
CURRENCIES = ("EUR",)


@dataclass(frozen=True)
class Checked:
    bookyear: Doc
    journal: Doc
    relation: Doc


def _required(data: dict[str, Any]) -> None:
    for field in REQUIRED:
        if data.get(field) is None:
            raise missing(field)
    if isinstance(data["bookyearKey"], dict) and data["bookyearKey"].get("id") is None:
        raise missing("bookyearKey.id")
    identification = data[IDENTIFICATION]
    if isinstance(identification, dict):
        key = identification.get("relationKey")
        given_id = key.get("id") if isinstance(key, dict) else key  # a non-object key is malformed (below)
        if given_id is None and identification.get("externalRelationId") is None:
            raise missing(f"{IDENTIFICATION}.relationKey.id")
    lines = data.get("bookingLines")
    if not lines:
        raise missing("bookingLines")
    for index, line in enumerate(lines if isinstance(lines, list) else ()):
        for field in LINE_REQUIRED:
            if isinstance(line, dict) and line.get(field) is None:
                raise missing(f"bookingLines[{index}].{field}")


def _shape(data: dict[str, Any]) -> None:
    """Every element has its JSON type (a malformed one is the live service's 500)."""

    def check(path: str, ok_value: bool) -> None:
        if not ok_value:
            raise malformed(path)

    def is_date(value: Any) -> bool:
        try:
            parse_date(value)
        except ValueError:
            return False
        return True

    def optional(value: Any, test: Any) -> bool:
        return value is None or test(value)

    check("amount", is_number(data["amount"]))
    check("exchangeRate", is_number(data["exchangeRate"]))
    for field in ("documentSequenceNr", "bookyearPeriodeNr"):
        check(field, is_integer(data[field]))
    for field in ("documentDate", "expiryDate"):
        check(field, is_date(data[field]))
    check("bookyearKey", isinstance(data["bookyearKey"], dict) and is_integer(data["bookyearKey"]["id"]))
    for field in ("journalKey", "currencyCode"):
        check(field, isinstance(data[field], str))
    for field in ("comment", "orderReference", "reference"):
        check(field, optional(data.get(field), lambda v: isinstance(v, str)))
    check("paymentMethod", optional(data.get("paymentMethod"), is_integer))
    identification = data[IDENTIFICATION]
    check(IDENTIFICATION, isinstance(identification, dict))
    key = identification.get("relationKey")
    check(f"{IDENTIFICATION}.relationKey",
          key is None or isinstance(key, dict) and optional(key.get("id"), is_integer))
    check(f"{IDENTIFICATION}.externalRelationId", optional(identification.get("externalRelationId"), is_integer))
    check("bookingLines", isinstance(data["bookingLines"], list))
    for index, line in enumerate(data["bookingLines"]):
        path = f"bookingLines[{index}]"
        check(path, isinstance(line, dict))
        check(f"{path}.accountKey", is_integer(line["accountKey"]))
        check(f"{path}.baseAmount", is_number(line["baseAmount"]))
        check(f"{path}.vatAmount", optional(line.get("vatAmount"), is_number))
        check(f"{path}.vatCodeKey", isinstance(line["vatCodeKey"], str))
        check(f"{path}.comment", optional(line.get("comment"), lambda v: isinstance(v, str)))


def _attachments(body: dict[str, Any]) -> list[Doc]:
    """``[{"fileName", "fileData" (base64)}]`` -> what is kept of them: names and sizes."""
    attachments = body.get("attachments")
    if attachments is None:
        return []
    if not isinstance(attachments, list):
        raise malformed("attachments")
    kept = []
    for index, attachment in enumerate(attachments):
        path = f"attachments[{index}]"
        if not isinstance(attachment, dict):
            raise malformed(path)
        for field in ("fileName", "fileData"):
            if attachment.get(field) is None:
                raise missing(f"{path}.{field}")
            if not isinstance(attachment[field], str):
                raise malformed(f"{path}.{field}")
        try:
            size = len(base64.b64decode(attachment["fileData"], validate=True))
        except (binascii.Error, ValueError):
            raise malformed(f"{path}.fileData") from None
        kept.append({"fileName": attachment["fileName"], "size": size})
    return kept


def _well_formed(data: dict[str, Any]) -> None:
    """Check 1: presence, then types, then the currency."""
    _required(data)
    _shape(data)
    if data["currencyCode"] not in CURRENCIES:
        raise OctopusError(400, CURRENCY, f"Currency {data['currencyCode']} is not supported by the sandbox "
                           "(EUR only)", "currencyCode")


def _relation(books: Books, identification: dict[str, Any]) -> Doc:
    given_id = (identification.get("relationKey") or {}).get("id")
    if given_id is not None:
        relation = books.relation(given_id)
        if relation is None:
            raise OctopusError(400, RELATION_UNKNOWN, f"Relation {given_id} not found",
                               f"{IDENTIFICATION}.relationKey.id")
        return relation
    external = identification["externalRelationId"]
    relation = books.relation_by_external(external)
    if relation is None:
        raise OctopusError(400, RELATION_UNKNOWN, f"No relation with externalRelationId {external}",
                           f"{IDENTIFICATION}.externalRelationId")
    return relation


def _lines(books: Books, data: dict[str, Any], bookyear: Doc, letter: str) -> None:
    bookyear_id, year = bookyear["bookyearKey"]["id"], year_of(bookyear)
    for index, line in enumerate(data["bookingLines"]):
        path = f"bookingLines[{index}]"
        if books.account(bookyear_id, line["accountKey"]) is None:
            raise OctopusError(400, ACCOUNT_UNKNOWN, f"Account {line['accountKey']} not found in bookyear {year}",
                               f"{path}.accountKey")
        code = line["vatCodeKey"]
        vat = books.vat_code(code)
        if vat is None:
            raise OctopusError(400, VAT_CODE_UNKNOWN, f"VAT code {code} not found", f"{path}.vatCodeKey")
        if vat["type"] not in JOURNAL_VAT_TYPES[letter]:
            raise OctopusError(400, VAT_CODE_MISMATCH,
                               f"VAT code {code} cannot be used in a {JOURNAL_SIDES[letter]} journal",
                               f"{path}.vatCodeKey")


def line_total(data: dict[str, Any]) -> Decimal:
    return sum((decimal(line["baseAmount"]) + decimal(line.get("vatAmount") or 0) for line in data["bookingLines"]),
               Decimal(0))


def _checked(books: Books, data: dict[str, Any]) -> Checked:
    """Checks 2-7 of a well-formed booking."""
    bookyear = books.bookyear(data["bookyearKey"]["id"])
    if bookyear is None:
        raise OctopusError(400, BOOKYEAR_UNKNOWN, f"Bookyear {data['bookyearKey']['id']} not found",
                           "bookyearKey.id")
    year = year_of(bookyear)
    if bookyear["closed"]:
        raise OctopusError(403, BOOKYEAR_CLOSED, f"Bookyear {year} is closed", "bookyearKey.id")
    key = data["journalKey"]
    journal = books.journal(bookyear["bookyearKey"]["id"], key)
    if journal is None:
        raise OctopusError(400, JOURNAL_UNKNOWN, f"Journal {key} not found in bookyear {year}", "journalKey")
    letter = key[:1].upper()
    if letter not in JOURNAL_VAT_TYPES:
        raise OctopusError(400, NOT_BUY_OR_SELL, f"Journal {key} is not a buy or sell journal", "journalKey")
    period = data["bookyearPeriodeNr"]
    if journal["closed"] or period <= journal["closedPeriod"]:
        raise OctopusError(403, JOURNAL_CLOSED, JOURNAL_CLOSED_MESSAGE, "journalKey")
    if period not in {p["bookyearPeriod"] for p in bookyear["periods"]}:
        raise OctopusError(400, OUTSIDE_BOOKYEAR, f"Period {period} is not a period of bookyear {year}",
                           "bookyearPeriodeNr")
    document_date = parse_date(data["documentDate"])
    if not parse_date(bookyear["startDate"]) <= document_date <= parse_date(bookyear["endDate"]):
        raise OctopusError(400, OUTSIDE_BOOKYEAR, f"Document date {data['documentDate']} is outside bookyear {year}",
                           "documentDate")
    relation = _relation(books, data[IDENTIFICATION])
    _lines(books, data, bookyear, letter)
    amount, total = cents(abs(decimal(data["amount"]))), cents(line_total(data))
    if amount != total:
        raise OctopusError(400, TOTALS_MISMATCH, f"Amount {amount} does not match the total of the booking lines "
                           f"(baseAmount + vatAmount) {total}", "amount")
    return Checked(bookyear, journal, relation)


def create(books: Books, body: Any, now: float) -> Doc:
    """Check and store a POSTed booking (the demo data is booked through here too); returns the stored record."""
    if not isinstance(body, dict):
        raise OctopusError(400, INVALID_VALUE, "The request body must be a JSON object", "body")
    data = body.get(WRAPPER)
    if data is None:
        raise missing(WRAPPER)
    if not isinstance(data, dict):
        raise malformed(WRAPPER)
    _well_formed(data)
    attachments = _attachments(body)
    checked = _checked(books, data)
    bookyear_id, key, sequence = data["bookyearKey"]["id"], data["journalKey"], data["documentSequenceNr"]
    if sequence <= 0:
        raise OctopusError(400, SEQUENCE_NUMBER, "Document sequence number must be greater than 0",
                           "documentSequenceNr")
    if books.booking(bookyear_id, key, sequence) is not None:
        raise OctopusError(400, SEQUENCE_NUMBER, f"Document sequence number {sequence} already exists in journal "
                           f"{key}", "documentSequenceNr")
    record = {"booking": data, "relationId": relation_id(checked.relation), "attachments": attachments}
    books.put(BOOKING, booking_key(bookyear_id, key, sequence), record, now)
    journal = checked.journal
    journal["lastBookedDocumentNr"] = max(journal["lastBookedDocumentNr"], sequence)
    books.put(JOURNAL, journal_key(bookyear_id, key), journal)
    return record


def render(books: Books, record: Doc) -> Doc:
    """The booking as sent, with its relation identified both ways."""
    relation = books.relation(record["relationId"])
    assert relation is not None
    return {**record["booking"], IDENTIFICATION: {"relationKey": {"id": relation_id(relation)},
                                                  "externalRelationId": external_id(relation)}}


def post(call: Call) -> Response:
    if not call.body_valid:
        raise OctopusError(400, INVALID_VALUE, "The request body is not valid JSON", "body")
    create(call.books, call.body, call.clock.now())
    return Response(status_code=201)


def get(call: Call) -> Response:
    bookyear_id = call.int_param("bookyearId", required=True)
    journal = call.param("journalKey", required=True)
    sequence = call.int_param("documentSeqNr", required=True)
    assert bookyear_id is not None and journal is not None and sequence is not None
    record = call.books.booking(bookyear_id, journal, sequence)
    if record is None:
        raise not_found(f"No booking found for bookyear {bookyear_id}, journal {journal}, number {sequence}")
    return ok(render(call.books, record))


def put(call: Call) -> Response:
    data = call.json_object()
    _well_formed(data)
    books = call.books
    bookyear_id, key, sequence = data["bookyearKey"]["id"], data["journalKey"], data["documentSequenceNr"]
    existing = books.booking(bookyear_id, key, sequence)
    if existing is None:
        raise not_found(f"No booking found for bookyear {bookyear_id}, journal {key}, number {sequence}")
    checked = _checked(books, data)
    record = {**existing, "booking": data, "relationId": relation_id(checked.relation)}
    books.put(BOOKING, booking_key(bookyear_id, key, sequence), record, call.clock.now())
    return no_content()


def modified(call: Call) -> Response:
    """``?bookyearId=<id|-1>&journalKey=<optional>&modifiedTimeStamp=``: written at or after the stamp."""
    bookyear_id = call.int_param("bookyearId", required=True)
    journal = call.param("journalKey")
    moment = call.stamp_param()
    books = call.books
    if bookyear_id != -1:
        known_bookyear(books, bookyear_id)
    found = []
    for row in books.rows(BOOKING):
        booking = row.doc["booking"]
        if row.modified >= moment and bookyear_id in (-1, booking["bookyearKey"]["id"]) and journal in (
                None, booking["journalKey"]):
            found.append(render(books, row.doc))
    if not found:
        raise not_found("No modified bookings found")
    return ok(found)
