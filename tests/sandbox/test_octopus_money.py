"""Exact money on the Octopus sandbox: a booking whose amounts a float cannot hold is checked, stored and
read back to the cent (booking reads, /modified, open items, admin reads), and still refused when one
cent is off. Numbers sent as strings stay a malformed element (500 -2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.conftest import OctopusApi
from tests.sandbox.support import exact_json, exact_text

#: Seed of this module's own sandbox (``own_octopus`` in tests/sandbox/conftest.py).
OCTOPUS_SEED = 13

WRAPPER = "buySellBookingServiceData"
BASE = Decimal("123456789012345.67")
VAT = Decimal("25925925692592.59")
TOTAL = Decimal("149382714704938.26")  # BASE + VAT
KEY = {"bookyearId": 3, "journalKey": "V1", "documentSeqNr": 40}


def big_sale(**changes: Any) -> dict[str, Any]:
    data = {
        "bookyearKey": {"id": 3}, "journalKey": "V1", "documentSequenceNr": 40,
        "relationIdentificationServiceData": {"externalRelationId": 90001},
        "bookyearPeriodeNr": 202610, "documentDate": "2026-10-15", "expiryDate": "2026-11-14",
        "amount": TOTAL, "currencyCode": "EUR", "exchangeRate": Decimal("1.0"),
        "bookingLines": [{"accountKey": 700000, "baseAmount": BASE, "vatCodeKey": "V21", "vatAmount": VAT}],
    }
    data.update(changes)
    return data


def post_text(api: OctopusApi, data: dict[str, Any]) -> httpx.Response:
    """POST with the Decimals as number literals (``json=`` would need floats)."""
    return api.http.post(f"/dossiers/{api.dossier}/buysellbookings", content=exact_text({WRAPPER: data}),
                         headers={"dossierToken": api.dossier_token, "Content-Type": "application/json"})


def test_a_large_booking_is_stored_and_read_back_exactly(own_octopus_api):
    created = post_text(own_octopus_api, big_sale())
    assert created.status_code == 201, created.text
    response = own_octopus_api.get("buysellbookings", KEY)
    assert "149382714704938.26" in response.text  # a number literal, not a rounded float
    read = exact_json(response)
    assert (read["amount"], read["bookingLines"][0]["baseAmount"], read["bookingLines"][0]["vatAmount"]) == (
        TOTAL, BASE, VAT)
    assert read["exchangeRate"] == Decimal("1.0")
    modified = exact_json(own_octopus_api.get("buysellbookings/modified", {
        "bookyearId": 3, "journalKey": "V1", "modifiedTimeStamp": "1980-01-01 00:00:00.000"}))
    assert TOTAL in [booking["amount"] for booking in modified]


def test_the_amount_must_equal_the_exact_sum_of_the_lines(own_octopus_api):
    off = post_text(own_octopus_api, big_sale(amount=TOTAL + Decimal("0.01")))
    assert off.status_code == 400 and off.json()["errorCode"] == -30
    assert off.json()["errorMessage"] == ("Amount 149382714704938.27 does not match the total of the booking lines "
                                          "(baseAmount + vatAmount) 149382714704938.26")


def test_a_large_credit_note_is_exact_too(own_octopus_api):
    created = post_text(own_octopus_api, big_sale(journalKey="V2", amount=-TOTAL))
    assert created.status_code == 201, created.text
    read = exact_json(own_octopus_api.get("buysellbookings", {**KEY, "journalKey": "V2"}))
    assert read["amount"] == -TOTAL


def test_open_items_are_exact(own_octopus_api):
    assert post_text(own_octopus_api, big_sale()).status_code == 201
    rows = exact_json(own_octopus_api.post("reports/clients/open", {"relationId": 1}))
    (row,) = [r for r in rows if (r["journalKey"], r["documentSequenceNr"]) == ("V1", 40)]
    assert (row["openDocAmount"], row["debetDocumentAmount"], row["creditDocumentAmount"]) == (
        TOTAL, TOTAL, Decimal("0.00"))


def test_admin_reads_and_payments_are_exact(own_octopus_api, own_octopus):
    assert post_text(own_octopus_api, big_sale()).status_code == 201
    payment = {"dossier": 8001, "year": 2026, "journal": "V1", "documentSequenceNr": 40,
               "amount": Decimal("49382714704938.25")}
    paid = httpx.post(f"{own_octopus.base_url}/_sandbox/payments", content=exact_text(payment))
    assert paid.status_code == 201, paid.text
    answer = exact_json(paid)["data"]
    assert (answer["paid"], answer["open"]) == (Decimal("49382714704938.25"), Decimal("100000000000000.01"))
    bookings = exact_json(own_octopus.admin("GET", "bookings?dossier=8001"))["data"]
    (mine,) = [b for b in bookings if (b["year"], b["journalKey"], b["documentSequenceNr"]) == (2026, "V1", 40)]
    assert (mine["amount"], mine["paid"], mine["open"]) == (TOTAL, Decimal("49382714704938.25"),
                                                            Decimal("100000000000000.01"))


def test_the_request_log_keeps_the_literal(own_octopus_api, own_octopus):
    post_text(own_octopus_api, big_sale())
    logged = exact_json(own_octopus.admin("GET", "requests?endpoint=buysellbookings.post"))["data"]
    assert logged[-1]["body"][WRAPPER]["amount"] == TOTAL


def test_a_large_amount_sent_as_a_string_is_still_a_malformed_element(own_octopus_api):
    refused = post_text(own_octopus_api, big_sale(amount=str(TOTAL)))
    assert refused.status_code == 500 and refused.json()["errorCode"] == -2
    assert refused.json()["technicalInfo"] == "amount"
