"""Open items (receivables / payables lists) and payments registered through the admin API."""

from __future__ import annotations

import pytest

from sandbox.runner import RunningSandbox
from tests.conftest import ExactApi

RECEIVABLES = "read/financial/ReceivablesList"
PAYABLES = "read/financial/PayablesList"


EXACT_SEED = 21


@pytest.fixture
def api(own_exact_api: ExactApi) -> ExactApi:
    return own_exact_api


def book(api: ExactApi, path: str, party: str, journal: str, amount: float) -> dict:
    gl = api.master("financial/GLAccounts", "700000" if path.startswith("sales") else "604000")
    lines = "SalesEntryLines" if path.startswith("sales") else "PurchaseEntryLines"
    response = api.post(path, {party.split("=")[0]: party.split("=")[1], "Journal": journal,
                               "EntryDate": "2026-11-05", "YourRef": "REF-1",
                               lines: [{"GLAccount": gl["ID"], "AmountFC": amount}]})
    assert response.status_code == 201, response.text
    return response.json()["d"]


def pay(own_exact: RunningSandbox, entry_id: str, amount: float) -> dict:
    response = own_exact.admin("POST", "payments", {"division": 100001, "entry_id": entry_id, "amount": amount})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_demo_data_has_open_and_settled_items(own_exact, api):
    manifest = own_exact.manifest()["divisions"][0]
    entries = own_exact.admin("GET", "entries?division=100001").json()["data"]
    sales = [e for e in entries if e["kind"] == "sales"]
    assert len(sales) == 7 and any(e["open"] == 0 for e in sales) and any(0 < e["open"] < e["entry"]["AmountFC"]
                                                                           for e in sales)
    assert len(api.results(RECEIVABLES)) == manifest["counts"]["open_receivables"] == 6
    assert len(api.results(PAYABLES)) == manifest["counts"]["open_payables"]


def test_receivables_after_a_partial_and_a_full_payment(own_exact, api):
    customer = api.results("crm/Accounts", {"$select": "ID,Code,Name", "$filter": "IsSales eq true"})[0]
    entry = book(api, "salesentry/SalesEntries", f"Customer={customer['ID']}", "70", 1000)
    mine = f"EntryNumber eq {entry['EntryNumber']} and JournalCode eq '70'"
    (item,) = api.results(RECEIVABLES, {"$filter": mine})
    assert item["Amount"] == 1210.0 and item["AccountId"] == customer["ID"] and item["AccountCode"] == customer["Code"]
    assert (item["InvoiceNumber"], item["YourRef"], item["CurrencyCode"]) == (entry["EntryNumber"], "REF-1", "EUR")
    assert item["DueDate"] == entry["DueDate"] and item["InvoiceDate"] == entry["EntryDate"]
    paid = pay(own_exact, entry["EntryID"], 210)
    assert (paid["entry_id"], paid["paid"], paid["open"]) == (entry["EntryID"], 210.0, 1000.0)
    (item,) = api.results(RECEIVABLES, {"$filter": mine})
    assert item["Amount"] == 1000.0
    refused = own_exact.admin("POST", "payments", {"division": 100001, "entry_id": entry["EntryID"], "amount": 1000.01})
    assert refused.status_code == 400
    pay(own_exact, entry["EntryID"], 1000)
    assert api.results(RECEIVABLES, {"$filter": mine}) == []


def test_credit_notes_are_negative_open_items(own_exact, api):
    customer = api.results("crm/Accounts", {"$select": "ID", "$filter": "IsSales eq true"})[0]["ID"]
    credit = book(api, "salesentry/SalesEntries", f"Customer={customer}", "71", 100)
    (item,) = api.results(RECEIVABLES, {"$filter": f"EntryNumber eq {credit['EntryNumber']} and JournalCode eq '71'"})
    assert item["Amount"] == -121.0
    assert pay(own_exact, credit["EntryID"], 21)["open"] == -100.0  # a payment brings it towards zero


def test_payables(own_exact, api):
    supplier = api.results("crm/Accounts", {"$select": "ID", "$filter": "IsSupplier eq true"})[0]["ID"]
    entry = book(api, "purchaseentry/PurchaseEntries", f"Supplier={supplier}", "60", 50)
    (item,) = api.results(PAYABLES, {"$filter": f"EntryNumber eq {entry['EntryNumber']} and JournalCode eq '60'"})
    assert item["Amount"] == 60.5 and item["AccountId"] == supplier and item["YourRef"] == "REF-1"
    paid = pay(own_exact, entry["EntryID"], 60.5)
    assert paid["open"] == 0
    assert api.request("DELETE", f"purchaseentry/PurchaseEntries(guid'{entry['EntryID']}')").status_code == 400
