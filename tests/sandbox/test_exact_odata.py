"""OData v2 on the Exact sandbox: paging at 60 with __next, $filter parsing, the padded-Code trap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest

from sandbox.runner import RunningSandbox, start_sandbox
from tests.conftest import ExactApi


@pytest.fixture(scope="module")
def big() -> Iterator[RunningSandbox]:
    """130 accounts in division 100001: three pages."""
    with start_sandbox("exact_online", seed=9, extra_args=["--accounts", "130"]) as sandbox:
        yield sandbox


@pytest.fixture
def api(big: RunningSandbox) -> Iterator[ExactApi]:
    big.reset_runtime()
    caller = ExactApi(big)
    yield caller
    caller.http.close()


def codes(rows: list[dict]) -> list[str]:
    return [row["Code"] for row in rows]


def test_pages_of_60_linked_by_next_with_a_skiptoken(api):
    first = api.get("crm/Accounts", {"$select": "ID,Code", "$inlinecount": "allpages"}).json()["d"]
    assert len(first["results"]) == 60 and first["__count"] == "130"
    next_url = first["__next"]
    assert next_url.startswith(f"{api.sandbox.base_url}/api/v1/100001/crm/Accounts?")
    query = parse_qs(urlparse(next_url).query)
    assert query["$skiptoken"] == [f"guid'{first['results'][-1]['ID']}'"] and query["$select"] == ["ID,Code"]
    second = api.get(next_url).json()["d"]
    third = api.get(second["__next"]).json()["d"]
    assert len(second["results"]) == 60 and len(third["results"]) == 10 and "__next" not in third
    ids = [r["ID"] for page in (first, second, third) for r in page["results"]]
    assert len(set(ids)) == 130 and ids == sorted(ids)  # key order


def test_top_limits_the_total_across_pages(api):
    page = api.get("crm/Accounts", {"$select": "ID", "$top": "70"}).json()["d"]
    assert len(page["results"]) == 60
    assert parse_qs(urlparse(page["__next"]).query)["$top"] == ["10"]
    rest = api.get(page["__next"]).json()["d"]
    assert len(rest["results"]) == 10 and "__next" not in rest
    assert "__next" not in api.get("crm/Accounts", {"$select": "ID", "$top": "5"}).json()["d"]


def test_count_endpoint_and_inlinecount(api):
    count = api.get("crm/Accounts/$count")
    assert count.status_code == 200 and count.text == "130"
    assert api.get("crm/Accounts/$count", {"$filter": "IsSupplier eq true"}).text == str(
        len(api.results("crm/Accounts", {"$select": "ID", "$filter": "IsSupplier eq true"})))


def test_code_is_padded_so_an_unpadded_filter_finds_nothing(api):
    (row,) = api.results("crm/Accounts", {"$select": "ID,Code", "$filter": "trim(Code) eq '1024'"})
    assert row["Code"] == "              1024" and len(row["Code"]) == 18
    assert api.results("crm/Accounts", {"$select": "ID", "$filter": "Code eq '1024'"}) == []
    padded = api.results("crm/Accounts", {"$select": "ID", "$filter": f"Code eq '{'1024':>18}'"})
    assert [r["ID"] for r in padded] == [row["ID"]]


def test_filter_operators_literals_and_parentheses(api):
    rows = api.results("crm/Accounts", {"$select": "ID,Code,IsSupplier,Blocked,Created"})
    one = rows[7]
    by_id = api.results("crm/Accounts", {"$select": "ID", "$filter": f"ID eq guid'{one['ID'].upper()}'"})
    assert [r["ID"] for r in by_id] == [one["ID"]]
    between = api.results("crm/Accounts", {"$select": "Code", "$orderby": "Code",
                                           "$filter": f"Code ge '{'1010':>18}' and Code lt '{'1013':>18}'"})
    assert [c.strip() for c in codes(between)] == ["1010", "1011", "1012"]
    either = api.results("crm/Accounts", {"$select": "ID,IsSupplier,Blocked",
                                          "$filter": "(IsSupplier eq true or Blocked eq true) and Type eq 'A'"})
    assert {r["ID"] for r in either} == {r["ID"] for r in rows if r["IsSupplier"] or r["Blocked"]}
    created = sorted(r["Created"] for r in rows)[65]
    stamp = int(created[6:-2]) / 1000
    literal = dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    later = api.results("crm/Accounts", {"$select": "ID", "$filter": f"Created gt datetime'{literal}'"})
    assert len(later) == sum(1 for r in rows if int(r["Created"][6:-2]) > stamp * 1000)
    named = api.results("crm/Accounts", {"$select": "Name", "$filter": "substringof('bakkerij', Name)"})
    assert named and all("Bakkerij" in r["Name"] for r in named)


def test_orderby_descending(api):
    rows = api.results("crm/Accounts", {"$select": "Code", "$orderby": "Code desc", "$top": "3"})
    assert [c.strip() for c in codes(rows)] == ["1129", "1128", "1127"]


def test_filter_errors_are_400_with_a_reason(api):
    for bad, reason in [("ID eq '123'", "incompatible"), ("Nope eq 1", "No property 'Nope'"),
                        ("Code eq", "Syntax error"), ("Code eq 'x' and", "Syntax error"),
                        ("SalesEntryLines eq 1", "No property"), ("trim(Code)", "boolean")]:
        response = api.get("crm/Accounts", {"$select": "ID", "$filter": bad})
        assert response.status_code == 400, bad
        assert reason in response.json()["error"]["message"]["value"], bad


def test_int64_literals_and_numbers(api):
    periods = api.results("financial/FinancialPeriods", {"$filter": "FinYear eq 2026L and FinPeriod le 3"})
    assert sorted(p["FinPeriod"] for p in periods) == [1, 2, 3]
    rates = api.results("vat/VATCodes", {"$filter": "Percentage gt 0.1M and VATTransactionType eq 'S'"})
    assert sorted(r["Code"] for r in rates) == ["1", "2"]


def test_expanded_lines_page_at_60_and_bulk_endpoints_at_1000(api):
    customer = api.results("crm/Accounts", {"$select": "ID", "$filter": "IsSales eq true and Blocked eq false"})[0]
    gl = api.master("financial/GLAccounts", "700000")["ID"]
    lines = [{"GLAccount": gl, "AmountFC": n + 1, "VATCode": "1" if n % 2 else "3"} for n in range(65)]
    entry = api.post("salesentry/SalesEntries", {"Customer": customer["ID"], "Journal": "70",
                                                 "EntryDate": "2026-11-10", "SalesEntryLines": lines}).json()["d"]
    expanded = entry["SalesEntryLines"]
    assert len(expanded["results"]) == 60
    assert expanded["__next"].startswith(f"{entry['__metadata']['uri']}/SalesEntryLines?$skiptoken=guid'")
    rest = api.get(expanded["__next"]).json()["d"]
    assert len(rest["results"]) == 5 and "__next" not in rest
    assert sorted(r["LineNumber"] for r in expanded["results"] + rest["results"]) == list(range(1, 66))

    ledger = api.get("bulk/Financial/TransactionLines", {"$select": "EntryID,AmountDC,LineNumber"}).json()["d"]
    assert len(ledger["results"]) > 60 and "__next" not in ledger  # 1000 per page on bulk endpoints
    mine = [r for r in ledger["results"] if r["EntryID"] == entry["EntryID"]]
    assert len(mine) == 1 + 65 + 2  # receivable, the lines, one VAT line per code
    assert abs(sum(r["AmountDC"] for r in mine)) < 1e-9
    (receivable,) = [r for r in mine if r["LineNumber"] == 0]
    assert receivable["AmountDC"] == entry["AmountFC"]
    assert api.get("bulk/Financial/TransactionLines").status_code == 400  # $select required here too
