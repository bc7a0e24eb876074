"""Octopus open items: reports/clients|suppliers/open, signed amounts, filters, and payments settling them."""

from __future__ import annotations

from sandbox.runner import RunningSandbox
from tests.conftest import OctopusApi

#: Seed of this module's own sandbox (``own_octopus`` in tests/sandbox/conftest.py).
OCTOPUS_SEED = 5

ALL = {"fromBookyearKey": {"id": -1}, "toBookyearKey": {"id": -1}, "fromBookyearPeriodNr": -1,
       "toBookyearPeriodNr": -1, "externalRelationId": -1, "relationId": -1}
OPEN_DATA = {"bookyearKey", "journalKey", "documentSequenceNr", "lineSequenceNr", "bookyearPeriodNr", "documentDate",
             "expirationDate", "relationKey", "externalRelationId", "currencyCode", "exchangeRate",
             "debetBookingAmount", "creditBookingAmount", "debetDocumentAmount", "creditDocumentAmount",
             "openBookingAmount", "openDocAmount", "comment", "reference"}


def report(own_octopus_api: OctopusApi, side: str, **query) -> list[dict]:
    response = own_octopus_api.post(f"reports/{side}/open", {**ALL, **query})
    assert response.status_code == 200, response.text
    return response.json()


def seeded(own_octopus: RunningSandbox) -> dict[tuple[int, str, int], dict]:
    return {(b["year"], b["journalKey"], b["documentSequenceNr"]): b
            for b in own_octopus.admin("GET", "bookings?dossier=8001").json()["data"]}


def test_open_client_and_supplier_items(own_octopus_api, own_octopus):
    bookings = seeded(own_octopus)
    clients = report(own_octopus_api, "clients")
    assert all(set(row) == OPEN_DATA for row in clients)
    keys = [(row["bookyearKey"]["id"], row["journalKey"], row["documentSequenceNr"]) for row in clients]
    assert keys == [(2, "V1", 2), (3, "V1", 1), (3, "V1", 2), (3, "V1", 3)]  # 2025 V1 1 is paid
    half = clients[1]
    whole = bookings[2026, "V1", 1]
    assert whole["paid"] > 0 and half["openDocAmount"] == whole["open"] == round(whole["amount"] - whole["paid"], 2)
    assert (half["debetBookingAmount"], half["creditBookingAmount"]) == (whole["amount"], whole["paid"])
    assert half["relationKey"] == {"id": 2} and half["externalRelationId"] is None
    assert half["reference"] == whole["reference"] and half["lineSequenceNr"] == 0
    assert (half["documentDate"], half["expirationDate"]) == ("2026-01-15", "2026-02-14")
    suppliers = report(own_octopus_api, "suppliers")
    assert [(row["journalKey"], row["bookyearPeriodNr"]) for row in suppliers] == [("A1", 202601), ("A1", 202602)]
    assert all(row["creditBookingAmount"] == row["openDocAmount"] > 0 for row in suppliers)  # invoices: positive


def test_credit_notes_are_negative_and_payments_settle_them(own_octopus_api, own_octopus):
    credit = {"bookyearKey": {"id": 3}, "journalKey": "V2", "documentSequenceNr": 1,
              "relationIdentificationServiceData": {"relationKey": {"id": 5}}, "bookyearPeriodeNr": 202611,
              "documentDate": "2026-11-03", "expiryDate": "2026-12-03", "amount": -121.0, "currencyCode": "EUR",
              "exchangeRate": 1.0, "bookingLines": [{"accountKey": 700000, "baseAmount": 100.0, "vatCodeKey": "V21",
                                                     "vatAmount": 21.0}]}
    assert own_octopus_api.post("buysellbookings", {"buySellBookingServiceData": credit}).status_code == 201
    (row,) = report(own_octopus_api, "clients", relationId=5)
    assert (row["openDocAmount"], row["creditBookingAmount"], row["debetBookingAmount"]) == (-121.0, 121.0, 0.0)
    payment = {"dossier": 8001, "year": 2026, "journal": "V2", "documentSequenceNr": 1}
    paid = own_octopus.admin("POST", "payments", {**payment, "amount": 21})
    assert paid.status_code == 201 and (paid.json()["data"]["paid"], paid.json()["data"]["open"]) == (21.0, -100.0)
    assert report(own_octopus_api, "clients", relationId=5)[0]["debetBookingAmount"] == 21.0
    assert own_octopus.admin("POST", "payments", {**payment, "amount": 100.01}).status_code == 400  # more than is open
    own_octopus.admin("POST", "payments", {**payment, "amount": 100})
    gone = own_octopus_api.post("reports/clients/open", {**ALL, "relationId": 5})
    assert gone.status_code == 404 and gone.json()["errorMessage"] == "No open items found"
    assert own_octopus.admin("POST", "payments", {**payment, "documentSequenceNr": 9}).status_code == 400


def test_filters(own_octopus_api, own_octopus):
    by_id = report(own_octopus_api, "clients", relationId=3)
    assert {row["relationKey"]["id"] for row in by_id} == {3}
    assert report(own_octopus_api, "clients", externalRelationId=90003) == by_id
    assert [r["bookyearKey"]["id"] for r in report(own_octopus_api, "clients", fromBookyearKey={"id": 3})] == [3, 3, 3]
    assert [r["bookyearKey"]["id"] for r in report(own_octopus_api, "clients", toBookyearKey={"id": 2})] == [2]
    periods = report(own_octopus_api, "clients", fromBookyearPeriodNr=202602, toBookyearPeriodNr=202602)
    assert [r["bookyearPeriodNr"] for r in periods] == [202602]
    minimal = own_octopus_api.post("reports/clients/open", {})  # absent filters mean "no filter"
    assert minimal.status_code == 200 and len(minimal.json()) == 4
    unknown = own_octopus_api.post("reports/clients/open", {**ALL, "fromBookyearKey": {"id": 42}})
    assert unknown.status_code == 400 and unknown.json()["errorCode"] == -20
    assert [r["endpoint"] for r in own_octopus.requests()][-2:] == ["reports.clients.open"] * 2
