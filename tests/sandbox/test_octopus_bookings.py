"""Octopus buy/sell bookings: the POST checks 1-8 (one test each), reads, PUT, /modified, commit-then-delay."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.conftest import OctopusApi

#: Seed of this module's own sandbox (``own_octopus`` in tests/sandbox/conftest.py).
OCTOPUS_SEED = 3

WRAPPER = "buySellBookingServiceData"
REQUIRED = ("amount", "bookyearKey", "bookyearPeriodeNr", "currencyCode", "documentDate", "documentSequenceNr",
            "exchangeRate", "expiryDate", "journalKey", "relationIdentificationServiceData")
SINCE_EVER = "1980-01-01 00:00:00.000"


def sale(**changes: Any) -> dict[str, Any]:
    """A sales invoice in V1 of 2026 (book year 3): 100 at 21 % + 33.33 at 6 %."""
    data = {
        "bookyearKey": {"id": 3}, "journalKey": "V1", "documentSequenceNr": 10,
        "relationIdentificationServiceData": {"externalRelationId": 90001},
        "bookyearPeriodeNr": 202610, "documentDate": "2026-10-15", "expiryDate": "2026-11-14",
        "comment": "Factuur 2026/10 — «consultancy»", "orderReference": "focus:inv-2026-10",
        "reference": "+++090/9337/55493+++", "amount": 156.33, "currencyCode": "EUR", "exchangeRate": 1.0,
        "paymentMethod": 0,
        "bookingLines": [{"accountKey": 700000, "baseAmount": 100.0, "vatCodeKey": "V21", "vatAmount": 21.0,
                          "comment": "Consultancy"},
                         {"accountKey": 701000, "baseAmount": 33.33, "vatCodeKey": "V06", "vatAmount": 2.0}],
    }
    data.update(changes)
    return data


def post(own_octopus_api: OctopusApi, data: dict[str, Any], **body: Any) -> httpx.Response:
    return own_octopus_api.post("buysellbookings", {WRAPPER: data, **body})


def refusal(response: httpx.Response, status: int = 400) -> tuple[int, str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    return body["errorCode"], body["errorMessage"], body["technicalInfo"]


def test_a_booking_is_stored_as_sent_and_advances_the_journal(own_octopus_api, own_octopus):
    attachment = {"fileName": "factuur.pdf", "fileData": "JVBERi0xLjQK"}
    created = post(own_octopus_api, sale(), attachments=[attachment])
    assert created.status_code == 201 and created.content == b""
    read = own_octopus_api.data("buysellbookings", {"bookyearId": 3, "journalKey": "V1", "documentSeqNr": 10})
    assert read == {**sale(), "relationIdentificationServiceData": {"relationKey": {"id": 1},
                                                                   "externalRelationId": 90001}}
    v1 = next(j for j in own_octopus_api.data("bookyears/3/journals") if j["journalKey"] == "V1")
    assert v1["lastBookedDocumentNr"] == 10
    (stored,) = [b for b in own_octopus.admin("GET", "bookings?dossier=8001").json()["data"]
                 if (b["year"], b["journalKey"], b["documentSequenceNr"]) == (2026, "V1", 10)]
    assert {k: v for k, v in stored.items() if k not in ("dossier", "year", "paid", "open", "modified",
                                                         "attachments", "settlements")} == read
    assert (stored["dossier"], stored["paid"], stored["open"]) == (8001, 0.0, 156.33)
    assert stored["attachments"] == [{"fileName": "factuur.pdf", "size": 9}]
    missing = own_octopus_api.get("buysellbookings", {"bookyearId": 3, "journalKey": "V1", "documentSeqNr": 11})
    assert refusal(missing, 404)[0] == -90
    assert refusal(own_octopus_api.get("buysellbookings", {"bookyearId": 3, "journalKey": "V1"}))[2] == "documentSeqNr"


def test_check_1_required_fields_then_malformed_elements(own_octopus_api):
    for field in REQUIRED:
        data = {k: v for k, v in sale().items() if k != field}
        assert refusal(post(own_octopus_api, data)) == (-10, f"Field {field} is required", field)
    assert refusal(post(own_octopus_api, sale(bookingLines=[])))[2] == "bookingLines"
    assert refusal(post(own_octopus_api, sale(bookingLines=[{"accountKey": 700000, "baseAmount": 1}])))[2] == (
        "bookingLines[0].vatCodeKey")
    assert refusal(post(own_octopus_api, sale(relationIdentificationServiceData={})))[0] == -10
    assert refusal(own_octopus_api.post("buysellbookings", sale()))[2] == WRAPPER  # the wrapper is required on POST
    malformed = "Invalid elements in the passed object (eg. wrong date format)"
    for data, field in ((sale(documentDate="15/10/2026"), "documentDate"), (sale(amount="156.33"), "amount"),
                        (sale(bookyearKey={"id": "3"}), "bookyearKey"),
                        (sale(documentSequenceNr=10.5), "documentSequenceNr")):
        assert refusal(post(own_octopus_api, data), 500) == (-2, malformed, field)
    assert refusal(post(own_octopus_api, sale(), attachments=[{"fileName": "x.pdf", "fileData": "%%"}]), 500)[2] == (
        "attachments[0].fileData")
    assert refusal(post(own_octopus_api, sale(currencyCode="USD")))[0] == -32


def test_check_2_book_year_unknown_or_closed(own_octopus_api, own_octopus):
    assert refusal(post(own_octopus_api, sale(bookyearKey={"id": 99}))) == (-20, "Bookyear 99 not found", "bookyearKey.id")
    closed = sale(bookyearKey={"id": 1}, bookyearPeriodeNr=202410, documentDate="2024-10-15")
    assert refusal(post(own_octopus_api, closed), 403) == (-21, "Bookyear 2024 is closed", "bookyearKey.id")
    own_octopus.admin("POST", "bookyears/open", {"dossier": 8001, "year": 2024})
    assert post(own_octopus_api, closed).status_code == 201
    own_octopus.admin("POST", "bookyears/close", {"dossier": 8001, "year": 2026})
    assert refusal(post(own_octopus_api, sale()), 403)[0] == -21


def test_check_3_journal_unknown_not_buy_or_sell_or_closed(own_octopus_api, own_octopus):
    assert refusal(post(own_octopus_api, sale(journalKey="V9")))[:2] == (-22, "Journal V9 not found in bookyear 2026")
    assert refusal(post(own_octopus_api, sale(journalKey="F1")))[:2] == (-23, "Journal F1 is not a buy or sell journal")
    closed = (-24, "Journal either closed or open by other user", "journalKey")
    own_octopus.admin("POST", "journals/close", {"dossier": 8001, "year": 2026, "journal": "V1"})
    assert refusal(post(own_octopus_api, sale()), 403) == closed
    own_octopus.admin("POST", "journals/open", {"dossier": 8001, "year": 2026, "journal": "V1"})
    answer = own_octopus.admin("POST", "journals/close", {"dossier": 8001, "year": 2026, "journal": "V1",
                                                    "period": 202610}).json()["data"]
    assert (answer["closed"], answer["closedPeriod"]) == (False, 202610)
    assert refusal(post(own_octopus_api, sale()), 403) == closed
    assert refusal(post(own_octopus_api, sale(bookyearPeriodeNr=202609, documentDate="2026-09-30")), 403) == closed
    assert post(own_octopus_api, sale(bookyearPeriodeNr=202611, documentDate="2026-11-02")).status_code == 201
    own_octopus.admin("POST", "journals/open", {"dossier": 8001, "year": 2026, "journal": "V1", "period": 202610})
    assert post(own_octopus_api, sale(documentSequenceNr=11)).status_code == 201  # closedPeriod is 202609 now


def test_check_4_period_and_date_inside_the_book_year(own_octopus_api):
    assert refusal(post(own_octopus_api, sale(bookyearPeriodeNr=202510))) == (
        -25, "Period 202510 is not a period of bookyear 2026", "bookyearPeriodeNr")
    assert refusal(post(own_octopus_api, sale(documentDate="2025-12-31")))[:2] == (
        -25, "Document date 2025-12-31 is outside bookyear 2026")


def test_check_5_relation(own_octopus_api):
    assert refusal(post(own_octopus_api, sale(relationIdentificationServiceData={"relationKey": {"id": 99}})))[:2] == (
        -26, "Relation 99 not found")
    assert refusal(post(own_octopus_api, sale(relationIdentificationServiceData={"externalRelationId": 12345})))[0] == -26
    by_key = post(own_octopus_api, sale(relationIdentificationServiceData={"relationKey": {"id": 2}}))
    assert by_key.status_code == 201


def test_check_6_lines_accounts_vat_codes_and_journal_types(own_octopus_api):
    def line(**changes: Any) -> dict[str, Any]:
        return {"accountKey": 700000, "baseAmount": 100.0, "vatCodeKey": "V21", "vatAmount": 21.0, **changes}

    assert refusal(post(own_octopus_api, sale(amount=121.0, bookingLines=[line(accountKey=999999)]))) == (
        -27, "Account 999999 not found in bookyear 2026", "bookingLines[0].accountKey")
    assert refusal(post(own_octopus_api, sale(amount=121.0, bookingLines=[line(vatCodeKey="X99")])))[:2] == (
        -28, "VAT code X99 not found")
    assert refusal(post(own_octopus_api, sale(amount=121.0, bookingLines=[line(vatCodeKey="A21")])))[:2] == (
        -29, "VAT code A21 cannot be used in a sell journal")
    purchase = sale(journalKey="A1", relationIdentificationServiceData={"relationKey": {"id": 4}}, amount=121.0,
                    bookingLines=[line(accountKey=604000)])
    assert refusal(post(own_octopus_api, purchase))[1] == "VAT code V21 cannot be used in a buy journal"
    assert post(own_octopus_api, {**purchase, "bookingLines": [line(accountKey=604000, vatCodeKey="A21")]}).status_code == 201


def test_check_7_totals_credit_notes_and_discounts(own_octopus_api):
    assert refusal(post(own_octopus_api, sale(amount=156.34))) == (
        -30, "Amount 156.34 does not match the total of the booking lines (baseAmount + vatAmount) 156.33", "amount")
    credit = sale(journalKey="V2", documentSequenceNr=1, amount=-156.33)
    assert post(own_octopus_api, credit).status_code == 201  # negative total, positive lines
    negative_lines = sale(journalKey="V2", documentSequenceNr=2, amount=-121.0, bookingLines=[
        {"accountKey": 700000, "baseAmount": -100.0, "vatCodeKey": "V21", "vatAmount": -21.0}])
    assert refusal(post(own_octopus_api, negative_lines))[0] == -30
    discounted = sale(amount=108.9, bookingLines=[
        {"accountKey": 700000, "baseAmount": 100.0, "vatCodeKey": "V21", "vatAmount": 21.0},
        {"accountKey": 708000, "baseAmount": -10.0, "vatCodeKey": "V21", "vatAmount": -2.1}])
    assert post(own_octopus_api, discounted).status_code == 201


def test_check_8_document_sequence_numbers(own_octopus_api):
    assert refusal(post(own_octopus_api, sale(documentSequenceNr=0)))[0] == -31
    assert post(own_octopus_api, sale()).status_code == 201
    assert refusal(post(own_octopus_api, sale())) == (-31, "Document sequence number 10 already exists in journal V1",
                                          "documentSequenceNr")
    assert post(own_octopus_api, sale(journalKey="V2", amount=-156.33)).status_code == 201  # numbers are per journal
    assert post(own_octopus_api, sale(documentSequenceNr=5)).status_code == 201
    v1 = next(j for j in own_octopus_api.data("bookyears/3/journals") if j["journalKey"] == "V1")
    assert v1["lastBookedDocumentNr"] == 10  # the highest, not the last


def test_checks_come_in_order(own_octopus_api):
    closed_and_wrong = sale(bookyearKey={"id": 1}, amount=1.0)
    assert refusal(post(own_octopus_api, {**closed_and_wrong, "journalKey": None}))[0] == -10  # 1 before 2
    assert refusal(post(own_octopus_api, {**closed_and_wrong, "journalKey": "F1"}), 403)[0] == -21  # 2 before 3
    assert refusal(post(own_octopus_api, sale(journalKey="F1", bookyearPeriodeNr=202510)))[0] == -23  # 3 before 4
    assert refusal(post(own_octopus_api, sale(amount=1.0, relationIdentificationServiceData={"relationKey": {"id": 99}})))[0] == (
        -26)  # 5 before 7
    post(own_octopus_api, sale())
    assert refusal(post(own_octopus_api, sale(amount=1.0)))[0] == -30  # 7 before 8


def test_put_replaces_a_booking(own_octopus_api):
    post(own_octopus_api, sale())
    changed = sale(comment="Gecorrigeerd", amount=242.0, bookingLines=[
        {"accountKey": 704000, "baseAmount": 200.0, "vatCodeKey": "V21", "vatAmount": 42.0}])
    answer = own_octopus_api.put("buysellbookings", changed)
    assert answer.status_code == 204 and answer.content == b""
    read = own_octopus_api.data("buysellbookings", {"bookyearId": 3, "journalKey": "V1", "documentSeqNr": 10})
    assert (read["comment"], read["amount"], read["bookingLines"][0]["accountKey"]) == ("Gecorrigeerd", 242.0, 704000)
    assert refusal(own_octopus_api.put("buysellbookings", sale(documentSequenceNr=77)), 404)[0] == -90
    assert refusal(own_octopus_api.put("buysellbookings", {WRAPPER: changed}))[0] == -10  # no wrapper on PUT
    assert refusal(own_octopus_api.put("buysellbookings", {**changed, "amount": 1.0}))[0] == -30


def test_modified_bookings(own_octopus_api, own_octopus):
    everything = own_octopus_api.data("buysellbookings/modified", {"bookyearId": -1, "modifiedTimeStamp": SINCE_EVER})
    assert len(everything) == 8
    assert all(set(b["relationIdentificationServiceData"]) == {"relationKey", "externalRelationId"}
               for b in everything)
    only = own_octopus_api.data("buysellbookings/modified", {"bookyearId": 3, "journalKey": "A1",
                                                 "modifiedTimeStamp": SINCE_EVER})
    assert [(b["journalKey"], b["documentSequenceNr"]) for b in only] == [("A1", 1), ("A1", 2)]
    later = own_octopus_api.get("buysellbookings/modified", {"bookyearId": -1, "modifiedTimeStamp": "2026-03-02 09:00:00.001"})
    assert refusal(later, 404)[:2] == (-90, "No modified bookings found")
    post(own_octopus_api, sale())
    fresh = own_octopus_api.data("buysellbookings/modified", {"bookyearId": -1, "modifiedTimeStamp": "2026-03-02 09:00:00.001"})
    assert [b["documentSequenceNr"] for b in fresh] == [10]
    assert refusal(own_octopus_api.get("buysellbookings/modified", {"bookyearId": -1, "modifiedTimeStamp": "yesterday"}))[2] == (
        "modifiedTimeStamp")
    assert refusal(own_octopus_api.get("buysellbookings/modified", {"bookyearId": 99, "modifiedTimeStamp": SINCE_EVER}),
                   404)[0] == -20


def test_commit_then_delay_commits_before_the_client_gives_up(own_octopus_api, own_octopus):
    own_octopus.add_fault(endpoint="buysellbookings.post", kind="commit_then_delay", delay_seconds=1.0, count=1)
    started = time.monotonic()
    with pytest.raises(httpx.TimeoutException):
        own_octopus_api.post("buysellbookings", {WRAPPER: sale()}, timeout=0.3)
    assert time.monotonic() - started < 0.9
    assert own_octopus_api.get("buysellbookings", {"bookyearId": 3, "journalKey": "V1", "documentSeqNr": 10}).status_code == 200
    retried = post(own_octopus_api, sale())  # a blind retry is refused: the client can tell it was booked
    assert "already exists" in refusal(retried)[1]
    own_octopus.add_fault(endpoint="relations.put", kind="commit_then_delay", delay_seconds=1.0, count=1)
    with pytest.raises(httpx.TimeoutException):
        own_octopus_api.put("relations", {"relationIdentificationServiceData": {"externalRelationId": 555}, "name": "Late BV",
                              "currencyCode": "EUR"}, timeout=0.3)
    assert own_octopus_api.get("relations", {"extRelationId": 555}).status_code == 200
    time.sleep(0.8)  # the stalled answers are logged when finally sent
    statuses = [(r["endpoint"], r["status"], r["injected"]) for r in own_octopus.requests() if r["injected"]]
    assert statuses == [("buysellbookings.post", 201, "commit_then_delay"), ("relations.put", 201, "commit_then_delay")]
