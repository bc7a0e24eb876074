"""Exact money on the Exact Online sandbox: amounts a float cannot hold are booked, stored and read back
to the cent, in every answer (entries, lines, open items, ledger lines, admin reads, the request log)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import ExactApi
from tests.sandbox.support import exact_json, exact_text

SALES = "salesentry/SalesEntries"
LINE = Decimal("123456789012345.67")
LINE_VAT = Decimal("25925925692592.59")
TOTAL = Decimal("149382714704938.26")  # LINE + LINE_VAT


EXACT_SEED = 11


@pytest.fixture
def api(own_exact_api: ExactApi) -> ExactApi:
    return own_exact_api


def post_text(api: ExactApi, path: str, body: dict[str, Any]) -> httpx.Response:
    """POST a body whose Decimals are sent as number literals (``json=`` would need floats)."""
    headers = {"Authorization": f"Bearer {api.token}", "Accept": "application/json",
               "Content-Type": "application/json"}
    return api.http.post(api.url(path), content=exact_text(body), headers=headers)


def big_sale(api: ExactApi, **line: Any) -> dict[str, Any]:
    customer = api.results("crm/Accounts", {"$select": "ID", "$filter": "IsSales eq true and Blocked eq false"})[0]
    gl = api.master("financial/GLAccounts", "700000")["ID"]
    lines = [{"GLAccount": gl, "AmountFC": LINE, "VATCode": "1", "VATAmountFC": LINE_VAT, **line}]
    return {"Customer": customer["ID"], "Journal": "70", "EntryDate": "2026-10-15", "YourRef": "FC-BIG",
            "SalesEntryLines": lines}


@pytest.fixture
def entry(api: ExactApi) -> dict[str, Any]:
    created = post_text(api, SALES, big_sale(api))
    assert created.status_code == 201, created.text
    return exact_json(created)["d"]


def test_a_posted_entry_answers_its_amounts_exactly(entry):
    (line,) = entry["SalesEntryLines"]["results"]
    assert (line["AmountFC"], line["AmountDC"], line["VATAmountFC"], line["VATBaseAmountFC"]) == (
        LINE, LINE, LINE_VAT, LINE)
    assert (entry["AmountFC"], entry["AmountDC"], entry["VATAmountFC"], entry["GAccountAmountFC"]) == (
        TOTAL, TOTAL, LINE_VAT, TOTAL)


def test_a_stored_entry_reads_back_exactly(api, entry):
    key = f"{SALES}(guid'{entry['EntryID']}')"
    response = api.get(key, {"$expand": "SalesEntryLines"})
    assert "149382714704938.26" in response.text  # a number literal, not a rounded float
    again = exact_json(response)["d"]
    assert again["AmountFC"] == TOTAL and again["SalesEntryLines"]["results"][0]["AmountFC"] == LINE
    (row,) = exact_json(api.get(SALES, {"$filter": f"EntryID eq guid'{entry['EntryID']}'",
                                        "$select": "EntryID,AmountFC"}))["d"]["results"]
    assert row["AmountFC"] == TOTAL


def test_filters_compare_amounts_exactly(api, entry):
    found = exact_json(api.get(SALES, {"$select": "EntryID", "$filter": "AmountFC eq 149382714704938.26M"}))
    assert entry["EntryID"] in [row["EntryID"] for row in found["d"]["results"]]
    assert exact_json(api.get(SALES, {"$select": "EntryID", "$filter": "AmountFC eq 149382714704938.27M"}))[
        "d"]["results"] == []


def test_decimals_may_still_be_sent_as_strings(api):
    created = post_text(api, SALES, big_sale(api, AmountFC=str(LINE), VATAmountFC=str(LINE_VAT)))
    assert created.status_code == 201, created.text
    assert exact_json(created)["d"]["AmountFC"] == TOTAL


def test_vat_computed_on_a_large_amount_is_exact(api):
    created = post_text(api, SALES, big_sale(api, VATAmountFC=None))
    entry = exact_json(created)["d"]
    assert entry["VATAmountFC"] == Decimal("25925925692592.59")  # 123456789012345.67 x 21 % = ...2.5907


def test_open_items_and_ledger_lines_are_exact(api, entry):
    receivables = exact_json(api.get("read/financial/ReceivablesList", {"$filter": "YourRef eq 'FC-BIG'"}))
    assert TOTAL in [row["Amount"] for row in receivables["d"]["results"]]
    ledger = exact_json(api.get("bulk/Financial/TransactionLines", {
        "$select": "EntryID,LineNumber,AmountDC,AmountVATFC", "$filter": f"EntryID eq guid'{entry['EntryID']}'"}))
    amounts = {row["LineNumber"]: row["AmountDC"] for row in ledger["d"]["results"]}
    assert amounts[0] == TOTAL and amounts[1] == -LINE and sum(amounts.values()) == 0


def test_admin_reads_and_payments_are_exact(own_exact, entry):
    payment = {"division": 100001, "entry_id": entry["EntryID"], "amount": Decimal("49382714704938.25")}
    response = httpx.post(f"{own_exact.base_url}/_sandbox/payments", content=exact_text(payment))  # a literal amount
    assert response.status_code == 201, response.text
    assert exact_json(response)["data"]["open"] == Decimal("100000000000000.01")
    mine = [e for e in exact_json(own_exact.admin("GET", "entries?division=100001"))["data"]
            if e["entry"]["EntryID"] == entry["EntryID"]]
    assert [(e["entry"]["AmountFC"], e["paid"], e["open"]) for e in mine] == [
        (TOTAL, Decimal("49382714704938.25"), Decimal("100000000000000.01"))]


def test_the_request_log_keeps_the_literal(api, own_exact, entry):
    logged = exact_json(own_exact.admin("GET", f"requests?endpoint={SALES}"))["data"]
    posted = [row["body"] for row in logged if row["method"] == "POST"]
    assert posted[-1]["SalesEntryLines"][0]["AmountFC"] == LINE
