"""The OData filters the connector uses on the Exact sandbox: entries by ``startswith(YourRef,'FC-')``
(alone and with ``Modified ge datetime'...'``, paged by ``__next``), ``substringof``, and accounts by
``SearchCode`` (``eq`` and ``startswith``; at most 10 characters)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from sandbox.runner import RunningSandbox, start_sandbox
from tests.conftest import ExactApi

SALES = "salesentry/SalesEntries"
PURCHASES = "purchaseentry/PurchaseEntries"
EARLY = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
LATE = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
SINCE_NINE = "startswith(YourRef,'FC-') and Modified ge datetime'2026-11-30T09:00:00'"
EARLY_SALES = 61  # one more than a page


def set_clock(sandbox: RunningSandbox, api: ExactApi, moment: dt.datetime) -> None:
    """Move the sandbox clock, then mint a token that lives on the new time."""
    sandbox.admin("POST", "clock", {"set": moment.isoformat()})
    api.token = sandbox.mint_tokens()["access_token"]


def booked(api: ExactApi, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(path, body)
    assert response.status_code == 201, response.text
    return response.json()["d"]


@pytest.fixture(scope="module")
def books() -> Iterator[RunningSandbox]:
    """Entries booked at 08:00 and at 10:00 (sandbox clock) on 2026-11-30; limits raised for the bulk."""
    with start_sandbox("exact_online", seed=21, minutely_limit=10_000, daily_limit=100_000) as sandbox:
        api = ExactApi(sandbox)
        set_clock(sandbox, api, EARLY)
        customer = api.results("crm/Accounts", {"$select": "ID", "$filter": "IsSales eq true and Blocked eq false"})[0]
        supplier = api.results("crm/Accounts", {"$select": "ID", "$filter": "IsSupplier eq true and Blocked eq false"})[0]
        revenue, cost = (api.master("financial/GLAccounts", code)["ID"] for code in ("700000", "604000"))

        def sale(ref: str) -> dict[str, Any]:
            return booked(api, SALES, {"Customer": customer["ID"], "Journal": "70", "EntryDate": "2026-11-20",
                                       "YourRef": ref, "SalesEntryLines": [{"GLAccount": revenue, "AmountFC": 10}]})

        def purchase(ref: str) -> dict[str, Any]:
            return booked(api, PURCHASES, {"Supplier": supplier["ID"], "Journal": "60", "EntryDate": "2026-11-20",
                                           "YourRef": ref, "PurchaseEntryLines": [{"GLAccount": cost, "AmountFC": 10}]})

        early = [sale(f"FC-{n:04d}") for n in range(1, EARLY_SALES + 1)]
        for ref in ("FC-P-0001", "FC-P-0002", "FC-P-0003", "INV-2026-0001"):
            purchase(ref)
        set_clock(sandbox, api, LATE)
        for ref in ("FC-LATE-1", "FC-LATE-2", "XX-LATE"):
            sale(ref)
        purchase("FC-P-LATE")
        changed = api.request("PUT", f"{SALES}(guid'{early[4]['EntryID']}')", json={"Description": "changed"})
        assert changed.status_code == 204
        api.http.close()
        yield sandbox


@pytest.fixture
def api(books: RunningSandbox) -> Iterator[ExactApi]:
    caller = ExactApi(books)  # minted on the clock the fixture left at 10:00
    yield caller
    caller.http.close()


def refs(rows: list[dict[str, Any]]) -> set[str]:
    return {row["YourRef"] for row in rows}


def test_startswith_your_ref_pages_by_next(api):
    first = api.get(SALES, {"$select": "EntryID,YourRef", "$filter": "startswith(YourRef,'FC-')"}).json()["d"]
    assert len(first["results"]) == 60 and "__next" in first
    assert parse_qs(urlparse(first["__next"]).query)["$filter"] == ["startswith(YourRef,'FC-')"]
    rows = api.results(SALES, {"$select": "EntryID,YourRef", "$filter": "startswith(YourRef,'FC-')"})
    assert refs(rows) == {f"FC-{n:04d}" for n in range(1, EARLY_SALES + 1)} | {"FC-LATE-1", "FC-LATE-2"}
    assert len(rows) == EARLY_SALES + 2


def test_startswith_your_ref_on_purchase_entries(api):
    rows = api.results(PURCHASES, {"$select": "EntryID,YourRef", "$filter": "startswith(YourRef,'FC-')"})
    assert refs(rows) == {"FC-P-0001", "FC-P-0002", "FC-P-0003", "FC-P-LATE"}


def test_startswith_and_modified_since_finds_what_was_written_after_it(api):
    sales = api.results(SALES, {"$select": "EntryID,YourRef,Modified", "$filter": SINCE_NINE})
    assert refs(sales) == {"FC-LATE-1", "FC-LATE-2", "FC-0005"}  # FC-0005 was changed (PUT) at 10:00
    purchases = api.results(PURCHASES, {"$select": "EntryID,YourRef", "$filter": SINCE_NINE})
    assert refs(purchases) == {"FC-P-LATE"}


def test_entries_are_stamped_with_the_sandbox_clock_on_post_and_put(api):
    rows = api.results(SALES, {"$select": "YourRef,Created,Modified",
                               "$filter": "YourRef eq 'FC-LATE-1' or YourRef eq 'FC-0005' or YourRef eq 'FC-0006'"})
    stamps = {row["YourRef"]: (ms(row["Created"]), ms(row["Modified"])) for row in rows}
    early, late = EARLY.timestamp() * 1000, LATE.timestamp() * 1000
    assert all(early <= created < early + 60_000 for created, _ in (stamps["FC-0005"], stamps["FC-0006"]))
    assert early <= stamps["FC-0006"][1] < early + 60_000  # never changed
    assert late <= stamps["FC-0005"][1] < late + 60_000  # the PUT
    assert late <= stamps["FC-LATE-1"][0] == stamps["FC-LATE-1"][1] < late + 60_000


def ms(wire: str) -> int:
    return int(wire[len("/Date("):-len(")/")])


def test_substringof_your_ref(api):
    rows = api.results(SALES, {"$select": "EntryID,YourRef", "$filter": "substringof('LATE',YourRef)"})
    assert refs(rows) == {"FC-LATE-1", "FC-LATE-2", "XX-LATE"}


def test_text_functions_ignore_case_as_sql_server_does(api):
    rows = api.results(PURCHASES, {"$select": "EntryID,YourRef", "$filter": "startswith(YourRef,'fc-p-l')"})
    assert refs(rows) == {"FC-P-LATE"}


# -- crm/Accounts.SearchCode ----------------------------------------------------------------


@pytest.fixture
def account(api: ExactApi) -> dict[str, Any]:
    code = f"FC{uuid.uuid4().hex[:8].upper()}"  # 10 characters, unique per test
    return booked(api, "crm/Accounts", {"Name": "Focus Klant BV", "SearchCode": code, "IsSales": True})


def test_search_code_is_written_returned_and_filterable(api, account):
    assert len(account["SearchCode"]) == 10 and account["SearchCode"].startswith("FC")
    (row,) = api.results("crm/Accounts", {"$select": "ID,SearchCode",
                                          "$filter": f"SearchCode eq '{account['SearchCode']}'"})
    assert (row["ID"], row["SearchCode"]) == (account["ID"], account["SearchCode"])


def test_search_code_eq_a_fixed_literal(api):
    created = booked(api, "crm/Accounts", {"Name": "Vaste Code BV", "SearchCode": "FCABCDEFGH"})
    rows = api.results("crm/Accounts", {"$select": "ID", "$filter": "SearchCode eq 'FCABCDEFGH'"})
    assert [row["ID"] for row in rows] == [created["ID"]]


def test_startswith_search_code(api, account):
    rows = api.results("crm/Accounts", {"$select": "ID,SearchCode", "$filter": "startswith(SearchCode,'FC')"})
    assert account["ID"] in {row["ID"] for row in rows} and all(row["SearchCode"].startswith("FC") for row in rows)


def test_search_code_can_change_by_put(api, account):
    key = f"crm/Accounts(guid'{account['ID']}')"
    assert api.request("PUT", key, json={"SearchCode": "FCZZ"}).status_code == 204
    rows = api.results("crm/Accounts", {"$select": "ID", "$filter": "SearchCode eq 'FCZZ'"})
    assert account["ID"] in {row["ID"] for row in rows}


def test_search_code_longer_than_10_is_400(api, account):
    for response in (api.post("crm/Accounts", {"Name": "Te Lang BV", "SearchCode": "FCABCDEFGHI"}),
                     api.request("PUT", f"crm/Accounts(guid'{account['ID']}')", json={"SearchCode": "X" * 11})):
        assert response.status_code == 400
        assert response.json()["error"]["message"]["value"] == "SearchCode: at most 10 characters."
    assert api.get(f"crm/Accounts(guid'{account['ID']}')", {"$select": "SearchCode"}).json()["d"][
        "SearchCode"] == account["SearchCode"]
