"""Booking sales and purchase entries and creating accounts: computed VAT, numbering, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ExactApi

SALES = "salesentry/SalesEntries"
PURCHASES = "purchaseentry/PurchaseEntries"


EXACT_SEED = 3


@pytest.fixture
def api(own_exact_api: ExactApi) -> ExactApi:
    return own_exact_api


@pytest.fixture
def ids(api: ExactApi) -> dict[str, str]:
    customers = api.results("crm/Accounts", {"$select": "ID,Code", "$filter": "IsSales eq true and Blocked eq false"})
    suppliers = api.results("crm/Accounts", {"$select": "ID", "$filter": "IsSupplier eq true and Blocked eq false"})
    return {
        "customer": customers[0]["ID"], "supplier": suppliers[0]["ID"],
        **{code: api.master("financial/GLAccounts", code)["ID"] for code in ("700000", "701000", "604000", "400000")},
    }


def sale(ids: dict[str, str], **header: Any) -> dict[str, Any]:
    lines = header.pop("lines", [{"GLAccount": ids["700000"], "AmountFC": 100.0, "VATCode": "1",
                                  "Description": "Consultancy", "Quantity": 2},
                                 {"GLAccount": ids["701000"], "AmountFC": "33.33", "VATCode": "3"}])
    return {"Customer": ids["customer"], "Journal": "70", "EntryDate": "2026-10-15T00:00:00",
            "YourRef": "PO-77", "Description": "Invoice 2026/77", "SalesEntryLines": lines, **header}


def refusal(response) -> str:
    assert response.status_code == 400, response.text
    return response.json()["error"]["message"]["value"]


def test_a_sales_entry_gets_vat_totals_and_the_next_number(api, ids):
    created = api.post(SALES, sale(ids))
    assert created.status_code == 201, created.text
    entry = created.json()["d"]
    lines = sorted(entry["SalesEntryLines"]["results"], key=lambda line: line["LineNumber"])  # rows come in ID order
    assert [(line["AmountFC"], line["VATAmountFC"], line["VATPercentage"]) for line in lines] == [
        (100.0, 21.0, 0.21), (33.33, 2.0, 0.06)]  # 33.33 x 6 % = 1.9998 -> 2.00
    assert entry["AmountFC"] == 156.33 and entry["VATAmountFC"] == 23.0 and entry["GAccountAmountFC"] == 156.33
    assert (entry["Type"], entry["Status"], entry["ReportingYear"], entry["ReportingPeriod"]) == (20, 20, 2026, 10)
    assert entry["EntryDate"] == "/Date(1792022400000)/"  # 2026-10-15, midnight UTC
    assert entry["DueDate"] == "/Date(1794614400000)/"  # 30 days later
    numbers = [e["EntryNumber"] for e in api.results(SALES, {"$filter": "Journal eq '70' and ReportingYear eq 2026"})]
    assert entry["EntryNumber"] == max(numbers) and str(entry["EntryNumber"]).startswith("2670")
    assert entry["InvoiceNumber"] == entry["EntryNumber"]
    assert lines[1]["Description"] == "Invoice 2026/77"  # a line without one takes the header's
    again = api.get(f"{SALES}(guid'{entry['EntryID']}')", {"$expand": "SalesEntryLines"}).json()["d"]
    assert again["SalesEntryLines"]["results"] == entry["SalesEntryLines"]["results"]
    deferred = api.get(f"{SALES}(guid'{entry['EntryID']}')").json()["d"]["SalesEntryLines"]
    assert deferred == {"__deferred": {"uri": f"{entry['__metadata']['uri']}/SalesEntryLines"}}
    assert [line["ID"] for line in api.results("salesentry/SalesEntryLines",
                                               {"$filter": f"EntryID eq guid'{entry['EntryID']}'"})] == sorted(
        line["ID"] for line in lines)


def test_vat_override_and_credit_note_sign_convention(api, ids):
    overridden = api.post(SALES, sale(ids, lines=[{"GLAccount": ids["700000"], "AmountFC": 10, "VATCode": "1",
                                                   "VATAmountFC": 2.11}])).json()["d"]
    assert overridden["VATAmountFC"] == 2.11 and overridden["AmountFC"] == 12.11
    credit = api.post(SALES, sale(ids, Journal="71")).json()["d"]
    assert credit["Type"] == 21 and credit["Journal"] == "71"
    assert credit["AmountFC"] == 156.33 and credit["GAccountAmountFC"] == -156.33
    assert sorted(line["AmountFC"] for line in credit["SalesEntryLines"]["results"]) == [33.33, 100.0]  # as sent
    negative = api.post(SALES, sale(ids, Journal="71", lines=[{"GLAccount": ids["700000"], "AmountFC": -5}]))
    assert negative.json()["d"]["AmountFC"] == -6.05  # lines (and totals) as sent...
    assert negative.json()["d"]["GAccountAmountFC"] == -6.05  # ...but the Type makes it a credit either way
    negative_invoice = api.post(SALES, sale(ids, lines=[{"GLAccount": ids["700000"], "AmountFC": -5}])).json()["d"]
    assert negative_invoice["AmountFC"] == -6.05 and negative_invoice["GAccountAmountFC"] == -6.05
    ledger = api.results("bulk/Financial/TransactionLines", {"$select": "EntryID,LineNumber,AmountDC,GLAccountCode"})
    for entry in (credit, negative.json()["d"], negative_invoice):
        mine = [row for row in ledger if row["EntryID"] == entry["EntryID"]]
        (receivable,) = [row for row in mine if row["LineNumber"] == 0]
        assert receivable["GLAccountCode"] == "400000" and receivable["AmountDC"] == entry["GAccountAmountFC"]
        assert abs(sum(row["AmountDC"] for row in mine)) < 1e-9


def test_line_vat_code_defaults_to_the_gl_accounts(api, ids):
    entry = api.post(SALES, sale(ids, lines=[{"GLAccount": ids["700000"], "AmountFC": 50}])).json()["d"]
    assert entry["SalesEntryLines"]["results"][0]["VATCode"] == "1" and entry["VATAmountFC"] == 10.5


def test_refusals(api, ids):
    unknown_gl = "0f0f0f0f-0000-4000-8000-000000000000"
    cases = [
        (sale(ids, lines=[{"GLAccount": unknown_gl, "AmountFC": 1, "VATCode": "1"}]),
         f"GL account {unknown_gl} could not be found."),
        (sale(ids, lines=[{"GLAccount": ids["700000"], "AmountFC": 1, "VATCode": "99"}]),
         "VAT code 99 could not be found."),
        (sale(ids, lines=[{"GLAccount": ids["700000"], "AmountFC": 1, "VATCode": "81"}]),
         "VAT code 81 is not a sales VAT code."),
        (sale(ids, lines=[{"GLAccount": ids["400000"], "AmountFC": 1, "VATCode": "1"}]),
         "GL account 400000 cannot be used in a sales entry line."),
        (sale(ids, Journal="60"), "Journal 60 is not a sales journal."),
        (sale(ids, Journal="99"), "Journal 99 could not be found."),
        (sale(ids, EntryDate="2024-06-30"), "Period is closed: 2024/6."),
        (sale(ids, EntryDate="2031-01-01"), "No financial period exists for 2031-01-01."),
        (sale(ids, Customer=None), "Customer: Mandatory field."),
        (sale(ids, lines=[]), "SalesEntryLines: at least one line is required."),
        (sale(ids, Currency="USD"), "Currency USD is not supported by the sandbox (EUR only)."),
        (sale(ids, Amount=5), "The property name 'Amount' specified for type 'Exact.Web.Api.Models.SalesEntry' "
                              "is not valid."),
        (sale(ids, EntryDate="next tuesday"), "Cannot convert the literal 'next tuesday'"),
    ]
    for body, message in cases:
        assert message in refusal(api.post(SALES, body)), message


def test_a_given_entry_number_must_be_free_in_its_journal_and_year(api, ids):
    first = api.post(SALES, sale(ids, EntryNumber=26709999))
    assert first.status_code == 201 and first.json()["d"]["EntryNumber"] == 26709999
    assert refusal(api.post(SALES, sale(ids, EntryNumber=26709999))) == "Booking number already exists: 26709999."
    assert api.post(SALES, sale(ids, EntryNumber=26709999, Journal="71")).status_code == 201  # other journal
    assert api.post(SALES, sale(ids)).json()["d"]["EntryNumber"] == 26710000  # the sequence continues after it


def test_closing_and_reopening_a_period_through_the_admin_api(api, ids, own_exact):
    closed = own_exact.admin("POST", "periods/close", {"division": 100001, "year": 2026, "period": 9}).json()["data"]
    assert [(p["FinYear"], p["FinPeriod"], p["Closed"]) for p in closed] == [(2026, 9, True)]
    assert refusal(api.post(SALES, sale(ids, EntryDate="2026-09-30"))) == "Period is closed: 2026/9."
    assert api.post(SALES, sale(ids, EntryDate="2026-10-01")).status_code == 201  # the next one is open
    own_exact.admin("POST", "periods/open", {"division": 100001, "year": 2026})
    assert api.post(SALES, sale(ids, EntryDate="2026-09-30")).status_code == 201
    reopened = own_exact.admin("GET", "periods?division=100001&year=2026").json()["data"]
    assert not any(p["Closed"] for p in reopened)


def test_a_closed_period_refuses_put_and_delete_too(api, ids, own_exact):
    entry = api.post(SALES, sale(ids, EntryDate="2026-08-14")).json()["d"]
    key = f"{SALES}(guid'{entry['EntryID']}')"
    own_exact.admin("POST", "periods/close", {"division": 100001, "year": 2026, "period": 8})
    try:
        assert refusal(api.request("PUT", key, json={"YourRef": "PO-79"})) == "Period is closed: 2026/8."
        assert refusal(api.request("DELETE", key)) == "Period is closed: 2026/8."
    finally:
        own_exact.admin("POST", "periods/open", {"division": 100001, "year": 2026, "period": 8})
    assert api.request("DELETE", key).status_code == 204


def test_put_and_delete(api, ids):
    entry = api.post(SALES, sale(ids)).json()["d"]
    key = f"{SALES}(guid'{entry['EntryID']}')"
    changed = api.request("PUT", key, json={"YourRef": "PO-78", "SalesEntryLines": [
        {"GLAccount": ids["700000"], "AmountFC": 200, "VATCode": "1"}]})
    assert changed.status_code == 204 and changed.content == b""
    after = api.get(key, {"$expand": "SalesEntryLines"}).json()["d"]
    assert (after["YourRef"], after["AmountFC"], after["EntryNumber"]) == ("PO-78", 242.0, entry["EntryNumber"])
    assert len(after["SalesEntryLines"]["results"]) == 1
    assert "cannot be changed" in refusal(api.request("PUT", key, json={"Journal": "71"}))
    assert api.request("DELETE", key).status_code == 204
    assert api.get(key).status_code == 404


def test_a_purchase_entry(api, ids):
    body = {"Supplier": ids["supplier"], "Journal": "60", "EntryDate": "2026-11-02", "YourRef": "INV-2026-0042",
            "InvoiceDate": "2026-10-30", "PurchaseEntryLines": [{"GLAccount": ids["604000"], "AmountFC": 80}]}
    entry = api.post(PURCHASES, body).json()["d"]
    assert (entry["Type"], entry["AmountFC"], entry["VATAmountFC"], entry["Supplier"]) == (30, 96.8, 16.8,
                                                                                           ids["supplier"])
    assert entry["PurchaseEntryLines"]["results"][0]["VATCode"] == "81"
    assert entry["InvoiceDate"] == "/Date(1793318400000)/"
    assert "is not a purchase VAT code" in refusal(api.post(PURCHASES, {
        **body, "PurchaseEntryLines": [{"GLAccount": ids["604000"], "AmountFC": 80, "VATCode": "1"}]}))
    assert "is not a purchase journal" in refusal(api.post(PURCHASES, {**body, "Journal": "70"}))
    credit = api.post(PURCHASES, {**body, "Journal": "61"}).json()["d"]
    assert credit["Type"] == 31 and credit["GAccountAmountFC"] == -96.8


def test_accounts_get_padded_unique_codes(api):
    created = api.post("crm/Accounts", {"Name": "Nieuwe Klant BV", "Code": "5001", "VATNumber": "BE0403170701",
                                        "IsSales": True, "Status": "C", "Country": "be"})
    assert created.status_code == 201
    account = created.json()["d"]
    assert account["Code"] == "              5001" and account["Country"] == "BE" and account["Type"] == "A"
    assert refusal(api.post("crm/Accounts", {"Name": "Dubbel", "Code": f"{'5001':>18}"})) == "Code 5001 already exists."
    automatic = api.post("crm/Accounts", {"Name": "Zonder Code"}).json()["d"]
    assert automatic["Code"] == "              5002"
    assert refusal(api.post("crm/Accounts", {"Code": "7"})) == "Name: Mandatory field."
    key = f"crm/Accounts(guid'{account['ID']}')"
    assert api.request("PUT", key, json={"Email": "boekhouding@klant.example"}).status_code == 204
    assert api.get(key, {"$select": "Email"}).json()["d"]["Email"] == "boekhouding@klant.example"
    assert api.request("DELETE", key).status_code == 405
