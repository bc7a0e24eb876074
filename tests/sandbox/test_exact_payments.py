"""Exact Online payment status: payments, late fees, fees, credit-note matches, reversals, deleted entries,
as the open-item lists and ``cashflow/Receivables`` / ``cashflow/Payments`` show them."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from sandbox.runner import RunningSandbox
from tests.conftest import ExactApi
from tests.sandbox.support import exact_json

EXACT_SEED = 23
DIVISION = 100001
RECEIVABLES = "read/financial/ReceivablesList"
PAYABLES = "read/financial/PayablesList"
CASHFLOW_IN = "cashflow/Receivables"
CASHFLOW_OUT = "cashflow/Payments"
#: The sandbox clock during these tests (so "today" is 2026-11-20), and /Date()/ values of the days used.
NOW = "2026-11-20T10:00:00Z"
NOV_05, NOV_10, NOV_12, NOV_15, NOV_20, DEC_05 = (
    "/Date(1793836800000)/", "/Date(1794268800000)/", "/Date(1794441600000)/", "/Date(1794700800000)/",
    "/Date(1795132800000)/", "/Date(1796428800000)/")


@pytest.fixture
def api(own_exact_api: ExactApi, own_exact: RunningSandbox) -> ExactApi:
    assert own_exact.admin("POST", "clock", {"set": NOW}).status_code == 200
    return own_exact_api


def customers(api: ExactApi) -> list[dict[str, Any]]:
    return api.results("crm/Accounts", {"$select": "ID,Code,Name", "$filter": "IsSales eq true and Blocked eq false"})


def book(api: ExactApi, journal: str, amount: int, party: str | None = None, ref: str = "PAY-1") -> dict[str, Any]:
    """A sales (70/71) or purchase (60/61) entry of ``amount`` excluding 21 % VAT, dated 2026-11-05."""
    sales = journal in ("70", "71")
    if party is None:
        flag = "IsSales" if sales else "IsSupplier"
        accounts = api.results("crm/Accounts", {"$select": "ID", "$filter": f"{flag} eq true and Blocked eq false"})
        party = accounts[0]["ID"]
    gl = api.master("financial/GLAccounts", "700000" if sales else "604000")["ID"]
    path, side, lines = (("salesentry/SalesEntries", "Customer", "SalesEntryLines") if sales
                         else ("purchaseentry/PurchaseEntries", "Supplier", "PurchaseEntryLines"))
    response = api.post(path, {side: party, "Journal": journal, "EntryDate": "2026-11-05", "YourRef": ref,
                               lines: [{"GLAccount": gl, "AmountFC": amount}]})
    assert response.status_code == 201, response.text
    return exact_json(response)["d"]


def admin(sandbox: RunningSandbox, path: str, body: dict[str, Any], status: int = 201) -> Any:
    response = sandbox.admin("POST", path, {"division": DIVISION, **body})
    assert response.status_code == status, response.text
    return exact_json(response)["data" if status < 300 else "error"]


def rows(api: ExactApi, path: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Every row, following ``__next``, amounts as Decimal."""
    found: list[dict[str, Any]] = []
    url: str | None = path
    while url is not None:
        response = api.get(url, params if url == path else None)
        assert response.status_code == 200, response.text
        found += exact_json(response)["d"]["results"]
        url = exact_json(response)["d"].get("__next")
    return found


def cashflow(api: ExactApi, entry: dict[str, Any], path: str = CASHFLOW_IN) -> dict[str, Any]:
    (row,) = rows(api, path, {"$filter": f"TransactionEntryID eq guid'{entry['EntryID']}'"})
    return row


def open_item(api: ExactApi, entry: dict[str, Any], path: str = RECEIVABLES) -> list[dict[str, Any]]:
    mine = f"EntryNumber eq {entry['EntryNumber']} and JournalCode eq '{entry['Journal']}'"
    return rows(api, path, {"$filter": mine})


def listed(sandbox: RunningSandbox, entry: dict[str, Any]) -> dict[str, Any]:
    data = exact_json(sandbox.admin("GET", f"entries?division={DIVISION}"))["data"]
    (item,) = [item for item in data if item["entry"]["EntryID"] == entry["EntryID"]]
    return item


def test_a_partial_payment_lowers_what_is_open(api, own_exact):
    entry = book(api, "70", 1000)
    paid = admin(own_exact, "payments", {"entry_id": entry["EntryID"], "amount": 210})
    assert paid == {"entry_id": entry["EntryID"], "paid": D("210.00"), "open": D("1000.00"), "date": "2026-11-20",
                    "late_fee": None}
    assert [item["Amount"] for item in open_item(api, entry)] == [D("1000.00")]
    row = cashflow(api, entry)
    assert (row["IsFullyPaid"], row["Status"], row["LastPaymentDate"], row["AmountFC"]) == (
        False, 20, NOV_20, D("1210.00"))


def test_a_full_payment_with_a_date_settles_the_entry(api, own_exact):
    entry = book(api, "70", 500)
    paid = admin(own_exact, "payments", {"entry_id": entry["EntryID"], "amount": "605.00", "date": "2026-11-12"})
    assert (paid["paid"], paid["open"], paid["date"]) == (D("605.00"), D("0.00"), "2026-11-12")
    assert open_item(api, entry) == []
    row = cashflow(api, entry)
    assert (row["IsFullyPaid"], row["Status"], row["LastPaymentDate"]) == (True, 50, NOV_12)
    assert (row["AmountDC"], row["AmountFC"]) == (D("605.00"), D("605.00"))


def test_a_late_fee_paid_on_top_is_kept_aside(api, own_exact):
    entry = book(api, "70", 100)
    paid = admin(own_exact, "payments", {"entry_id": entry["EntryID"], "amount": 121, "late_fee": "15.00",
                                         "date": "2026-11-15"})
    assert (paid["open"], paid["late_fee"]) == (D("0.00"), D("15.00"))
    assert open_item(api, entry) == []
    assert cashflow(api, entry)["IsFullyPaid"] is True
    item = listed(own_exact, entry)
    assert (item["paid"], item["open"]) == (D("121.00"), D("0.00"))
    assert item["settlements"]["payments"] == [{"amount": D("121.00"), "date": "2026-11-15", "late_fee": D("15.00")}]


def test_a_fee_charged_raises_what_is_open_and_outlives_the_payment(api, own_exact):
    entry = book(api, "70", 100)
    fee = admin(own_exact, "fees", {"entry_id": entry["EntryID"], "amount": "12.50", "date": "2026-11-10"})
    assert fee == {"entry_id": entry["EntryID"], "amount": D("12.50"), "fees": D("12.50"), "open": D("133.50"),
                   "date": "2026-11-10"}
    assert [item["Amount"] for item in open_item(api, entry)] == [D("133.50")]
    assert admin(own_exact, "payments", {"entry_id": entry["EntryID"], "amount": 121})["open"] == D("12.50")
    assert [item["Amount"] for item in open_item(api, entry)] == [D("12.50")]
    row = cashflow(api, entry)
    assert (row["IsFullyPaid"], row["AmountFC"]) == (False, D("121.00"))  # the entry's own amount, fee not in it
    assert listed(own_exact, entry)["settlements"]["fees"] == [{"amount": D("12.50"), "date": "2026-11-10"}]
    refused = admin(own_exact, "payments", {"entry_id": entry["EntryID"], "amount": "12.51"}, 400)
    assert "at most the open amount 12.50" in refused


def test_a_fee_on_a_credit_note_moves_it_away_from_zero(api, own_exact):
    credit = book(api, "71", 100)
    assert admin(own_exact, "fees", {"entry_id": credit["EntryID"], "amount": 10})["open"] == D("-131.00")
    assert [item["Amount"] for item in open_item(api, credit)] == [D("-131.00")]


def test_a_credit_note_matched_against_an_invoice_settles_both(api, own_exact):
    customer = customers(api)[0]["ID"]
    invoice, credit = book(api, "70", 1000, customer), book(api, "71", 200, customer)
    matched = admin(own_exact, "matches", {"credit_entry_id": credit["EntryID"], "invoice_entry_id": invoice["EntryID"],
                                           "date": "2026-11-15"})
    assert matched == {"credit_entry_id": credit["EntryID"], "invoice_entry_id": invoice["EntryID"],
                       "amount": D("242.00"), "date": "2026-11-15", "credit_open": D("0.00"),
                       "invoice_open": D("968.00")}
    assert open_item(api, credit) == []
    assert [item["Amount"] for item in open_item(api, invoice)] == [D("968.00")]
    credit_row, invoice_row = cashflow(api, credit), cashflow(api, invoice)
    assert (credit_row["IsFullyPaid"], credit_row["Status"], credit_row["LastPaymentDate"], credit_row["AmountFC"]) == (
        True, 50, NOV_15, D("-242.00"))
    assert (invoice_row["IsFullyPaid"], invoice_row["Status"], invoice_row["LastPaymentDate"]) == (False, 20, NOV_15)
    assert listed(own_exact, invoice)["settlements"]["matches"] == [
        {"amount": D("242.00"), "date": "2026-11-15", "entry_id": credit["EntryID"]}]
    assert listed(own_exact, credit)["settlements"]["matches"] == [
        {"amount": D("242.00"), "date": "2026-11-15", "entry_id": invoice["EntryID"]}]


def test_a_partial_match_takes_the_amount_given(api, own_exact):
    invoice, credit = book(api, "60", 100), book(api, "61", 100)  # purchases, one supplier
    matched = admin(own_exact, "matches", {"credit_entry_id": credit["EntryID"], "invoice_entry_id": invoice["EntryID"],
                                           "amount": "21.00"})
    assert (matched["credit_open"], matched["invoice_open"], matched["date"]) == (D("-100.00"), D("100.00"),
                                                                                   "2026-11-20")
    assert [item["Amount"] for item in open_item(api, credit, PAYABLES)] == [D("-100.00")]


def test_matches_that_do_not_fit_are_refused(api, own_exact):
    first, second = (c["ID"] for c in customers(api)[:2])
    invoice, credit, other = book(api, "70", 100, first), book(api, "71", 300, first), book(api, "71", 10, second)
    purchase_credit = book(api, "61", 10)

    def refused(credit_id: str, invoice_id: str, **extra: Any) -> str:
        return admin(own_exact, "matches", {"credit_entry_id": credit_id, "invoice_entry_id": invoice_id, **extra}, 400)

    assert "different accounts" in refused(other["EntryID"], invoice["EntryID"])
    assert "both must be sales or both purchase" in refused(purchase_credit["EntryID"], invoice["EntryID"])
    assert "is no credit note" in refused(invoice["EntryID"], invoice["EntryID"])
    assert "is no invoice" in refused(credit["EntryID"], other["EntryID"])
    assert "at most 121.00" in refused(credit["EntryID"], invoice["EntryID"], amount="121.01")
    assert [item["Amount"] for item in open_item(api, invoice)] == [D("121.00")]  # nothing moved


def test_reversing_payments_undoes_the_latest_first(api, own_exact):
    entry = book(api, "70", 100)
    admin(own_exact, "payments", {"entry_id": entry["EntryID"], "amount": 50, "date": "2026-11-10"})
    admin(own_exact, "payments", {"entry_id": entry["EntryID"], "amount": 71, "date": "2026-11-15",
                                  "late_fee": 5})
    assert cashflow(api, entry)["IsFullyPaid"] is True
    undone = admin(own_exact, "payments/reverse", {"entry_id": entry["EntryID"]}, 200)
    assert undone == {"entry_id": entry["EntryID"], "kind": "payment", "amount": D("71.00"), "date": "2026-11-15",
                      "late_fee": D("5.00"), "open": D("71.00"), "counterpart": None}
    row = cashflow(api, entry)
    assert (row["IsFullyPaid"], row["Status"], row["LastPaymentDate"]) == (False, 20, NOV_10)
    assert [item["Amount"] for item in open_item(api, entry)] == [D("71.00")]
    assert admin(own_exact, "payments/reverse", {"entry_id": entry["EntryID"]}, 200)["open"] == D("121.00")
    assert cashflow(api, entry)["LastPaymentDate"] is None
    assert "no payment or match to reverse" in admin(own_exact, "payments/reverse", {"entry_id": entry["EntryID"]}, 404)


def test_reversing_a_match_reopens_both_entries(api, own_exact):
    customer = customers(api)[0]["ID"]
    invoice, credit = book(api, "70", 1000, customer), book(api, "71", 200, customer)
    admin(own_exact, "fees", {"entry_id": invoice["EntryID"], "amount": 10})
    admin(own_exact, "matches", {"credit_entry_id": credit["EntryID"], "invoice_entry_id": invoice["EntryID"]})
    undone = admin(own_exact, "payments/reverse", {"entry_id": invoice["EntryID"]}, 200)
    assert (undone["kind"], undone["amount"], undone["open"]) == ("match", D("242.00"), D("1220.00"))  # the fee stays
    assert undone["counterpart"] == {"entry_id": credit["EntryID"], "open": D("-242.00")}
    assert [item["Amount"] for item in open_item(api, credit)] == [D("-242.00")]
    assert (cashflow(api, credit)["IsFullyPaid"], cashflow(api, credit)["LastPaymentDate"]) == (False, None)
    assert listed(own_exact, credit)["settlements"]["matches"] == []


def test_a_deleted_entry_is_gone_from_every_read(api, own_exact):
    entry = book(api, "70", 100)
    admin(own_exact, "fees", {"entry_id": entry["EntryID"], "amount": 5})  # a fee does not keep it from deletion
    assert cashflow(api, entry)["TransactionEntryID"] == entry["EntryID"] and len(open_item(api, entry)) == 1
    assert api.request("DELETE", f"salesentry/SalesEntries(guid'{entry['EntryID']}')").status_code == 204
    assert rows(api, CASHFLOW_IN, {"$filter": f"TransactionEntryID eq guid'{entry['EntryID']}'"}) == []
    assert open_item(api, entry) == []
    data = own_exact.admin("GET", f"entries?division={DIVISION}").json()["data"]
    assert entry["EntryID"] not in {item["entry"]["EntryID"] for item in data}
    assert "no sales or purchase entry" in admin(own_exact, "payments", {"entry_id": entry["EntryID"], "amount": 1},
                                                 404)


def test_an_entry_with_a_payment_is_deleted_only_after_the_reversal(api, own_exact):
    entry = book(api, "60", 100)
    admin(own_exact, "payments", {"entry_id": entry["EntryID"], "amount": 121})
    path = f"purchaseentry/PurchaseEntries(guid'{entry['EntryID']}')"
    assert api.request("DELETE", path).status_code == 400
    assert "has payments" in admin(own_exact, "entries/delete", {"entry_id": entry["EntryID"]}, 400)
    admin(own_exact, "payments/reverse", {"entry_id": entry["EntryID"]}, 200)
    deleted = admin(own_exact, "entries/delete", {"entry_id": entry["EntryID"]}, 200)  # the admin way to DELETE
    assert deleted == {"entry_id": entry["EntryID"], "kind": "purchase"}
    assert rows(api, CASHFLOW_OUT, {"$filter": f"TransactionEntryID eq guid'{entry['EntryID']}'"}) == []
    assert open_item(api, entry, PAYABLES) == []
    assert api.request("DELETE", path).status_code == 404


def test_a_cashflow_row_describes_its_entry(api, own_exact):
    customer = customers(api)[1]
    entry = book(api, "70", 1000, customer["ID"], ref="ROW-1")
    row = cashflow(api, entry)
    assert row["ID"] != entry["EntryID"] and cashflow(api, entry)["ID"] == row["ID"]  # its own guid, stable
    assert row["__metadata"]["type"] == "Exact.Web.Api.Models.Cashflow.Receivable"
    assert {k: v for k, v in row.items() if k not in ("__metadata", "ID")} == {
        "TransactionEntryID": entry["EntryID"], "EntryNumber": entry["EntryNumber"],
        "InvoiceNumber": entry["EntryNumber"], "YourRef": "ROW-1", "Account": customer["ID"],
        "AccountCode": customer["Code"], "AccountName": customer["Name"], "AmountDC": D("1210.00"),
        "AmountFC": D("1210.00"), "Currency": "EUR", "Description": None, "DueDate": DEC_05, "EntryDate": NOV_05,
        "InvoiceDate": NOV_05, "IsFullyPaid": False, "Journal": "70", "LastPaymentDate": None,
        "PaymentReference": None, "Status": 20, "Division": DIVISION}


def test_purchase_entries_are_in_cashflow_payments_signed_like_the_payable(api, own_exact):
    invoice, credit = book(api, "60", 50), book(api, "61", 50)
    assert cashflow(api, invoice, CASHFLOW_OUT)["AmountFC"] == D("60.50")
    assert cashflow(api, credit, CASHFLOW_OUT)["AmountFC"] == D("-60.50")
    assert rows(api, CASHFLOW_IN, {"$filter": f"TransactionEntryID eq guid'{invoice['EntryID']}'"}) == []


@pytest.fixture(scope="module")
def many(own_exact: RunningSandbox) -> list[dict[str, Any]]:
    """60 more sales invoices of 10.00 excl. VAT, so cashflow/Receivables has more than one page."""
    own_exact.reset_runtime()
    own_exact.configure(minutely_limit=1000)
    caller = ExactApi(own_exact)
    try:
        return [book(caller, "70", 10, ref=f"MANY-{n}") for n in range(60)]
    finally:
        caller.http.close()
        own_exact.reset_runtime()


def test_cashflow_filters_on_25_entry_ids_joined_by_or(api, own_exact, many):
    wanted = many[:25]
    condition = " or ".join(f"TransactionEntryID eq guid'{e['EntryID']}'" for e in wanted)
    response = api.get(CASHFLOW_IN, {"$filter": condition, "$select": "TransactionEntryID,IsFullyPaid"})
    assert response.status_code == 200, response.text
    body = response.json()["d"]
    assert "__next" not in body
    assert sorted(r["TransactionEntryID"] for r in body["results"]) == sorted(e["EntryID"] for e in wanted)
    assert all(set(r) == {"__metadata", "TransactionEntryID", "IsFullyPaid"} for r in body["results"])


def test_cashflow_filters_on_is_fully_paid(api, own_exact, many):
    mine = many[25:30]
    for entry in mine[:2]:
        admin(own_exact, "payments", {"entry_id": entry["EntryID"], "amount": "12.10"})
    ids = " or ".join(f"TransactionEntryID eq guid'{e['EntryID']}'" for e in mine)
    paid = rows(api, CASHFLOW_IN, {"$filter": f"({ids}) and IsFullyPaid eq true"})
    unpaid = rows(api, CASHFLOW_IN, {"$filter": f"({ids}) and IsFullyPaid eq false"})
    assert sorted(r["TransactionEntryID"] for r in paid) == sorted(e["EntryID"] for e in mine[:2])
    assert sorted(r["TransactionEntryID"] for r in unpaid) == sorted(e["EntryID"] for e in mine[2:])


def test_cashflow_pages_by_60_rows(api, own_exact, many):
    first = api.get(CASHFLOW_IN, {"$select": "ID,TransactionEntryID"})
    assert first.status_code == 200
    page = first.json()["d"]
    assert len(page["results"]) == 60 and "$skiptoken=guid'" in page["__next"]
    everything = rows(api, CASHFLOW_IN, {"$select": "ID,TransactionEntryID"})
    assert len(everything) >= 67 and len({r["ID"] for r in everything}) == len(everything)  # 7 demo + 60, no repeats
    assert {e["EntryID"] for e in many} <= {r["TransactionEntryID"] for r in everything}


def test_cashflow_reads_go_through_the_gate(api, own_exact):
    own_exact.add_fault(endpoint=CASHFLOW_OUT, kind="error", status=503, count=1)
    assert api.get(CASHFLOW_OUT, {"$top": "1"}).status_code == 503
    assert api.get(CASHFLOW_OUT, {"$top": "1"}).status_code == 200
    assert [r["status"] for r in own_exact.requests(endpoint=CASHFLOW_OUT)] == [503, 200]
    assert api.get(CASHFLOW_OUT, token="not-a-token").status_code == 401
    assert api.get(CASHFLOW_IN, {"$filter": "TransactionEntryID eq 'x'"}).status_code == 400  # typed, as elsewhere
    assert "X-RateLimit-Minutely-Remaining" in api.get(CASHFLOW_IN, {"$top": "1"}).headers


def test_admin_calls_refuse_bad_input(api, own_exact):
    entry = book(api, "70", 100)
    ident = {"entry_id": entry["EntryID"]}
    assert "to the cent" in admin(own_exact, "payments", {**ident, "amount": "10.005"}, 400)
    assert "positive" in admin(own_exact, "payments", {**ident, "amount": -1}, 400)
    assert "positive" in admin(own_exact, "fees", {**ident, "amount": 0}, 400)
    assert "amount" in admin(own_exact, "payments", {**ident, "amount": "ten"}, 400)
    assert "late_fee" in admin(own_exact, "payments", {**ident, "amount": 1, "late_fee": "x"}, 400)
    assert "YYYY-MM-DD" in admin(own_exact, "payments", {**ident, "amount": 1, "date": "20/11/2026"}, 400)
    assert "entry_id" in admin(own_exact, "fees", {"amount": 1}, 400)
    assert own_exact.admin("POST", "payments", {**ident, "division": 999, "amount": 1}).status_code == 400
    assert [item["Amount"] for item in open_item(api, entry)] == [D("121.00")]  # nothing was recorded
