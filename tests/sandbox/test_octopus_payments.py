"""Octopus payment status: payments as balancings, late fees, fees, credit-note matches, reversals, deleted
bookings, as ``reports/{clients,suppliers}/open`` and ``balancings/modified`` show them."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from sandbox.runner import RunningSandbox
from tests.conftest import OctopusApi
from tests.sandbox.support import exact_json

OCTOPUS_SEED = 7
DOSSIER = 8001
#: The sandbox clock during these tests: 11:00 in Brussels on 2026-11-20, so "today" is 2026-11-20.
NOW = "2026-11-20T10:00:00Z"
TODAY = "2026-11-20 00:00:00.000"
ALL = {"fromBookyearKey": {"id": -1}, "toBookyearKey": {"id": -1}, "fromBookyearPeriodNr": -1,
       "toBookyearPeriodNr": -1, "externalRelationId": -1, "relationId": -1}
#: DocumentKeys: V1/V2/A1/A2 numbers in book year 2026 (id 3), and F1 payment documents.
V1_10 = {"bookyearKey": {"id": 3}, "journalType": 2, "journalSequenceNr": 1, "documentSequenceNr": 10}
V2_10 = {"bookyearKey": {"id": 3}, "journalType": 2, "journalSequenceNr": 2, "documentSequenceNr": 10}
A1_10 = {"bookyearKey": {"id": 3}, "journalType": 1, "journalSequenceNr": 1, "documentSequenceNr": 10}
A2_10 = {"bookyearKey": {"id": 3}, "journalType": 1, "journalSequenceNr": 2, "documentSequenceNr": 10}


def f1(number: int, bookyear_id: int = 3) -> dict[str, Any]:
    """A payment document in F1; the demo data already holds F1 #1 in 2026 (id 3) and #1-2 in 2025 (id 2)."""
    return {"bookyearKey": {"id": bookyear_id}, "journalType": 3, "journalSequenceNr": 1, "documentSequenceNr": number}


CLIENT_1 = {"type": "C", "externalRelationId": 90001, "relationKey": {"id": 1}, "accountNr": None}
SUPPLIER_4 = {"type": "S", "externalRelationId": None, "relationKey": {"id": 4}, "accountNr": None}


@pytest.fixture
def api(own_octopus_api: OctopusApi, own_octopus: RunningSandbox) -> OctopusApi:
    assert own_octopus.admin("POST", "clock", {"set": NOW}).status_code == 200
    return own_octopus_api


def book(api: OctopusApi, journal: str, base: int, vat: int, *, relation: int = 1, sign: int = 1,
         number: int = 10) -> dict[str, Any]:
    """A booking of base + vat in ``journal`` of 2026 (negative ``sign``: a credit note); returns its address."""
    sales = journal.startswith("V")
    data = {"bookyearKey": {"id": 3}, "journalKey": journal, "documentSequenceNr": number,
            "relationIdentificationServiceData": {"relationKey": {"id": relation}}, "bookyearPeriodeNr": 202611,
            "documentDate": "2026-11-05", "expiryDate": "2026-12-05", "amount": sign * (base + vat),
            "currencyCode": "EUR", "exchangeRate": 1, "bookingLines": [
                {"accountKey": 700000 if sales else 604000, "baseAmount": base, "vatCodeKey": "V21" if sales else "A21",
                 "vatAmount": vat}]}
    response = api.post("buysellbookings", {"buySellBookingServiceData": data})
    assert response.status_code == 201, response.text
    return {"year": 2026, "journal": journal, "documentSequenceNr": number}


def admin(sandbox: RunningSandbox, path: str, body: dict[str, Any], status: int = 201) -> Any:
    response = sandbox.admin("POST", path, {"dossier": DOSSIER, **body})
    assert response.status_code == status, response.text
    return exact_json(response)["data" if status < 300 else "error"]


def open_rows(api: OctopusApi, side: str = "clients", **query: Any) -> list[dict[str, Any]]:
    response = api.post(f"reports/{side}/open", {**ALL, **query})
    if response.status_code == 404:
        return []
    assert response.status_code == 200, response.text
    return exact_json(response)


def row_of(api: OctopusApi, address: dict[str, Any], side: str = "clients") -> dict[str, Any] | None:
    return next((r for r in open_rows(api, side) if (r["bookyearKey"]["id"], r["journalKey"], r["documentSequenceNr"])
                 == (3, address["journal"], address["documentSequenceNr"])), None)


def listed(sandbox: RunningSandbox, address: dict[str, Any]) -> dict[str, Any] | None:
    data = exact_json(sandbox.admin("GET", f"bookings?dossier={DOSSIER}"))["data"]
    return next((b for b in data if (b["year"], b["journalKey"], b["documentSequenceNr"])
                 == (address["year"], address["journal"], address["documentSequenceNr"])), None)


def balancings(api: OctopusApi, since: str = TODAY) -> dict[str, Any]:
    response = api.get("balancings/modified", {"modifiedTimeStamp": since})
    assert response.status_code == 200, response.text
    return exact_json(response)


def test_a_partial_payment_is_a_balancing_against_a_payment_document(api, own_octopus):
    invoice = book(api, "V1", 100, 21)
    paid = admin(own_octopus, "payments", {**invoice, "amount": 21})
    assert paid == {"paid": D("21.00"), "open": D("100.00"), "date": "2026-11-20", "late_fee": None, "balancing": {
        "type": CLIENT_1, "debetDocument": V1_10, "creditDocument": f1(2),
        "debetBalancedBookingAmount": D("21.00"), "creditBalancedBookingAmount": D("21.00")}}
    row = row_of(api, invoice)
    assert row is not None
    assert (row["openDocAmount"], row["openBookingAmount"]) == (D("100.00"), D("100.00"))
    assert (row["debetBookingAmount"], row["creditBookingAmount"]) == (D("121.00"), D("21.00"))


def test_a_full_payment_with_a_date_settles_the_booking(api, own_octopus):
    invoice = book(api, "V1", 100, 21)
    paid = admin(own_octopus, "payments", {**invoice, "amount": "121.00", "date": "2026-11-12"})
    assert (paid["paid"], paid["open"], paid["date"]) == (D("121.00"), D("0.00"), "2026-11-12")
    assert row_of(api, invoice) is None
    item = listed(own_octopus, invoice)
    assert item is not None and (item["paid"], item["open"]) == (D("121.00"), D("0.00"))
    assert item["settlements"]["payments"] == [{"amount": D("121.00"), "date": "2026-11-12", "late_fee": None,
                                                "document": f1(2)}]


def test_payment_documents_are_numbered_in_the_book_year_of_their_date(api, own_octopus):
    invoice = book(api, "V1", 100, 21)
    assert admin(own_octopus, "payments", {**invoice, "amount": 1, "date": "2025-12-31"})["balancing"][
        "creditDocument"] == f1(3, bookyear_id=2)
    assert admin(own_octopus, "payments", {**invoice, "amount": 1, "date": "2026-01-02"})["balancing"][
        "creditDocument"] == f1(2)
    assert "no bookyear" in admin(own_octopus, "payments", {**invoice, "amount": 1, "date": "2031-01-01"}, 400)


def test_a_late_fee_paid_on_top_is_kept_aside(api, own_octopus):
    invoice = book(api, "V1", 100, 21)
    paid = admin(own_octopus, "payments", {**invoice, "amount": 121, "late_fee": "7.50"})
    assert (paid["open"], paid["late_fee"]) == (D("0.00"), D("7.50"))
    assert paid["balancing"]["debetBalancedBookingAmount"] == D("121.00")  # the fee is not balanced
    assert row_of(api, invoice) is None
    item = listed(own_octopus, invoice)
    assert item is not None and item["settlements"]["payments"][0]["late_fee"] == D("7.50")


def test_a_fee_raises_the_open_amount_and_outlives_the_payment(api, own_octopus):
    invoice = book(api, "V1", 100, 21)
    fee = admin(own_octopus, "fees", {**invoice, "amount": "12.50", "date": "2026-11-10"})
    assert fee == {"amount": D("12.50"), "fees": D("12.50"), "open": D("133.50"), "date": "2026-11-10"}
    row = row_of(api, invoice)
    assert row is not None and (row["openBookingAmount"], row["openDocAmount"], row["debetBookingAmount"],
                                row["creditBookingAmount"]) == (D("133.50"), D("133.50"), D("133.50"), D("0.00"))
    assert admin(own_octopus, "payments", {**invoice, "amount": 121})["open"] == D("12.50")
    row = row_of(api, invoice)
    assert row is not None and (row["openDocAmount"], row["debetBookingAmount"], row["creditBookingAmount"]) == (
        D("12.50"), D("133.50"), D("121.00"))
    item = listed(own_octopus, invoice)
    assert item is not None and item["settlements"]["fees"] == [{"amount": D("12.50"), "date": "2026-11-10"}]


def test_a_fee_on_a_supplier_credit_note_moves_it_away_from_zero(api, own_octopus):
    credit = book(api, "A2", 100, 21, relation=4, sign=-1)
    assert admin(own_octopus, "fees", {**credit, "amount": 10})["open"] == D("-131.00")
    row = row_of(api, credit, "suppliers")
    assert row is not None and row["openDocAmount"] == D("-131.00")


def test_a_sales_credit_note_matched_against_an_invoice_settles_both(api, own_octopus):
    invoice, credit = book(api, "V1", 1000, 210), book(api, "V2", 200, 42, sign=-1)
    matched = admin(own_octopus, "matches", {"credit": credit, "invoice": invoice})
    assert matched == {"amount": D("242.00"), "date": "2026-11-20", "credit_open": D("0.00"),
                       "invoice_open": D("968.00"), "balancing": {
                           "type": CLIENT_1, "debetDocument": V1_10, "creditDocument": V2_10,
                           "debetBalancedBookingAmount": D("242.00"), "creditBalancedBookingAmount": D("242.00")}}
    assert row_of(api, credit) is None
    row = row_of(api, invoice)
    assert row is not None and row["openDocAmount"] == D("968.00")
    assert balancings(api)["modifiedBalancings"] == [matched["balancing"]]


def test_a_purchase_credit_note_match_puts_the_credit_note_on_the_debet_side(api, own_octopus):
    invoice, credit = book(api, "A1", 200, 42, relation=4), book(api, "A2", 100, 21, relation=4, sign=-1)
    matched = admin(own_octopus, "matches", {"credit": credit, "invoice": invoice, "amount": 21})
    assert matched["balancing"] == {"type": SUPPLIER_4, "debetDocument": A2_10, "creditDocument": A1_10,
                                    "debetBalancedBookingAmount": D("21.00"), "creditBalancedBookingAmount": D("21.00")}
    assert (matched["credit_open"], matched["invoice_open"]) == (D("-100.00"), D("221.00"))
    row = row_of(api, invoice, "suppliers")
    assert row is not None and row["openDocAmount"] == D("221.00")


def test_matches_that_do_not_fit_are_refused(api, own_octopus):
    invoice, credit = book(api, "V1", 100, 21), book(api, "V2", 300, 63, sign=-1)
    stranger = book(api, "V2", 10, 2, relation=3, sign=-1, number=11)
    purchase_credit = book(api, "A2", 10, 2, relation=1, sign=-1)

    def refused(credit_at: dict[str, Any], invoice_at: dict[str, Any], **extra: Any) -> str:
        return admin(own_octopus, "matches", {"credit": credit_at, "invoice": invoice_at, **extra}, 400)

    assert "different relations" in refused(stranger, invoice)
    assert "both must be sales (V) or both purchase (A)" in refused(purchase_credit, invoice)
    assert "is no credit note" in refused(invoice, invoice)
    assert "is no invoice" in refused(credit, stranger)
    assert "at most 121.00" in refused(credit, invoice, amount="121.01")
    row = row_of(api, invoice)
    assert row is not None and row["openDocAmount"] == D("121.00")  # nothing moved


def test_reversing_payments_deletes_the_latest_balancing_first(api, own_octopus):
    invoice = book(api, "V1", 100, 21)
    first = admin(own_octopus, "payments", {**invoice, "amount": 50})["balancing"]
    second = admin(own_octopus, "payments", {**invoice, "amount": 71, "late_fee": 5})["balancing"]
    assert row_of(api, invoice) is None
    undone = admin(own_octopus, "payments/reverse", invoice, 200)
    assert undone == {"kind": "payment", "amount": D("71.00"), "date": "2026-11-20", "late_fee": D("5.00"),
                      "open": D("71.00"), "counterpart_open": None, "balancing": second}
    row = row_of(api, invoice)
    assert row is not None and row["openDocAmount"] == D("71.00")
    assert balancings(api) == {"modifiedBalancings": [first], "deletedBalancings": [second]}
    assert admin(own_octopus, "payments/reverse", invoice, 200)["open"] == D("121.00")
    assert "no balancing to reverse" in admin(own_octopus, "payments/reverse", invoice, 404)


def test_reversing_a_match_reopens_both_bookings(api, own_octopus):
    invoice, credit = book(api, "V1", 1000, 210), book(api, "V2", 200, 42, sign=-1)
    admin(own_octopus, "fees", {**invoice, "amount": 10})
    admin(own_octopus, "matches", {"credit": credit, "invoice": invoice})
    undone = admin(own_octopus, "payments/reverse", credit, 200)
    assert (undone["kind"], undone["amount"], undone["open"], undone["counterpart_open"]) == (
        "match", D("242.00"), D("-242.00"), D("1220.00"))  # the fee stays on the invoice
    row = row_of(api, credit)
    assert row is not None and row["openDocAmount"] == D("-242.00")
    assert [b["creditDocument"] for b in balancings(api)["deletedBalancings"]] == [V2_10]


def test_a_deleted_booking_is_gone_from_every_read(api, own_octopus):
    invoice = book(api, "V1", 100, 21)
    balancing = admin(own_octopus, "payments", {**invoice, "amount": 21})["balancing"]
    admin(own_octopus, "fees", {**invoice, "amount": 5})
    deleted = admin(own_octopus, "bookings/delete", invoice, 200)
    assert deleted == {"deletedBalancings": [balancing]}
    read = api.get("buysellbookings", {"bookyearId": 3, "journalKey": "V1", "documentSeqNr": 10})
    assert read.status_code == 404
    changed = api.data("buysellbookings/modified", {"bookyearId": -1, "modifiedTimeStamp": "1980-01-01 00:00:00.000"})
    assert (3, "V1", 10) not in {(b["bookyearKey"]["id"], b["journalKey"], b["documentSequenceNr"]) for b in changed}
    assert row_of(api, invoice) is None and listed(own_octopus, invoice) is None
    assert balancings(api) == {"modifiedBalancings": [], "deletedBalancings": [balancing]}
    assert "no booking V1 10 in bookyear 2026" in admin(own_octopus, "payments", {**invoice, "amount": 1}, 404)


def test_a_booking_in_a_closed_book_year_cannot_be_deleted(api, own_octopus):
    invoice = book(api, "V1", 100, 21)
    assert own_octopus.admin("POST", "bookyears/close", {"dossier": DOSSIER, "year": 2026}).status_code == 200
    assert "is closed" in admin(own_octopus, "bookings/delete", invoice, 400)
    assert listed(own_octopus, invoice) is not None


def test_balancings_modified_lists_what_was_created_since_a_brussels_timestamp(api, own_octopus):
    invoice = book(api, "V1", 100, 21)
    balancing = admin(own_octopus, "payments", {**invoice, "amount": 21})["balancing"]
    # Created at 10:00 UTC = 11:00 in Brussels: in from 10:30 Brussels time, out from 11:30.
    assert balancings(api, "2026-11-20 10:30:00.000") == {"modifiedBalancings": [balancing], "deletedBalancings": []}
    later = api.get("balancings/modified", {"modifiedTimeStamp": "2026-11-20 11:30:00.000"})
    assert later.status_code == 404
    everything = balancings(api, "1980-01-01 00:00:00")["modifiedBalancings"]
    assert len(everything) == 4 and everything[-1] == balancing  # the demo data's three payments, then this one


def test_balancings_modified_answers_404_when_nothing_changed(api, own_octopus):
    response = api.get("balancings/modified", {"modifiedTimeStamp": TODAY})
    assert response.status_code == 404
    assert response.json() == {"errorCode": -90, "errorMessage": "No modified balancings found", "technicalInfo": ""}
    bad = api.get("balancings/modified", {"modifiedTimeStamp": "yesterday"})
    assert (bad.status_code, bad.json()["technicalInfo"]) == (400, "modifiedTimeStamp")


def test_balancings_modified_is_counted_against_a_quota_of_48(api, own_octopus):
    for _ in range(48):
        assert api.get("balancings/modified", {"modifiedTimeStamp": TODAY}).status_code == 404  # failed calls count
    refused = api.get("balancings/modified", {"modifiedTimeStamp": TODAY})
    assert refused.status_code == 429
    assert refused.json() == {"errorCode": -99, "errorMessage": "Maximum allowed calls per day exceeded (48)",
                              "technicalInfo": "balancings.modified"}
    quotas = own_octopus.admin("GET", f"quotas?dossier={DOSSIER}").json()["data"]
    assert {"operation": "balancings.modified", "dossier": DOSSIER, "used": 48, "limit": 48} in quotas
    assert [r["status"] for r in own_octopus.requests(endpoint="balancings.modified")][-2:] == [404, 429]


def test_faults_can_target_balancings_modified(api, own_octopus):
    own_octopus.add_fault(endpoint="balancings.modified", kind="error", status=503, count=1)
    assert api.get("balancings/modified", {"modifiedTimeStamp": TODAY}).status_code == 503
    assert api.get("balancings/modified", {"modifiedTimeStamp": TODAY}).status_code == 404
    assert api.get("balancings/modified", {"modifiedTimeStamp": TODAY}, headers={}).status_code == 401


def test_admin_calls_refuse_bad_input(api, own_octopus):
    invoice = book(api, "V1", 100, 21)
    assert "to the cent" in admin(own_octopus, "payments", {**invoice, "amount": "10.005"}, 400)
    assert "positive" in admin(own_octopus, "payments", {**invoice, "amount": -1}, 400)
    assert "at most the open amount 121.00" in admin(own_octopus, "payments", {**invoice, "amount": "121.01"}, 400)
    assert "positive" in admin(own_octopus, "fees", {**invoice, "amount": 0}, 400)
    assert "YYYY-MM-DD" in admin(own_octopus, "payments", {**invoice, "amount": 1, "date": "2026-11-20T10:00"}, 400)
    assert "journal" in admin(own_octopus, "payments", {"year": 2026, "documentSequenceNr": 10, "amount": 1}, 400)
    assert "no bookyear 2031" in admin(own_octopus, "fees", {**invoice, "year": 2031, "amount": 1}, 404)
    assert "no booking V1 99" in admin(own_octopus, "payments/reverse", {**invoice, "documentSequenceNr": 99}, 404)
    row = row_of(api, invoice)
    assert row is not None and row["openDocAmount"] == D("121.00")  # nothing was recorded
