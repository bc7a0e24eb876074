"""The Focus client against the Focus sandbox over real HTTP: auth, paging, limits, retries."""

from __future__ import annotations

import datetime as dt
import threading
import time

import httpx
import pytest

from connectors.focus.client import RetryPolicy
from connectors.focus.errors import (
    FocusAuthError,
    FocusBadRequest,
    FocusNotFound,
    FocusUnavailable,
)
from connectors.oauth import FileTokenStore

from .conftest import REDIRECT_URI


def booked_invoice_ids(sandbox) -> set[str]:
    ids: set[str] = set()
    for department in sandbox.manifest()["departments"]:
        ids |= set(department["documents"]["sales_invoice"])
    return ids


def max_in_window(requests: list[dict], window: float) -> int:
    """Largest number of requests whose timestamps fall in any window of ``window`` seconds."""
    stamps = sorted(dt.datetime.fromisoformat(r["at"]).timestamp() for r in requests)
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


# -- OAuth -----------------------------------------------------------------------------


def test_authorization_code_grant_gives_a_working_token(focus, connect):
    client = connect(focus)
    assert client.call("users.me")["data"]["id"]


def test_authorization_code_works_only_once(focus, connect):
    oauth = connect.oauth(focus)
    code = focus.authorization_code()
    oauth.exchange_code(code, redirect_uri=REDIRECT_URI)
    with pytest.raises(FocusAuthError, match="authorization_code grant"):
        oauth.exchange_code(code, redirect_uri=REDIRECT_URI)


def test_wrong_client_secret_is_refused_without_leaking_it(focus, connect):
    oauth = connect.oauth(focus, client_secret="not-the-secret")
    with pytest.raises(FocusAuthError) as err:
        oauth.exchange_code(focus.authorization_code(), redirect_uri=REDIRECT_URI)
    assert "not-the-secret" not in str(err.value)


def test_expiring_access_token_is_refreshed_and_the_new_pair_stored(focus, connect):
    store = connect.store_for(focus)
    before = store.load()
    client = connect(focus, store=store)
    focus.advance_clock(3600)  # the sandbox's token is dead now...
    # ...and so is ours by our own clock once we pretend the hour passed here too.
    store.save(type(before)(before.access_token, before.refresh_token, expires_at=time.time() - 1))
    client.call("departments.list")
    after = store.load()
    assert after.refresh_token != before.refresh_token
    assert after.access_token != before.access_token


def test_access_token_rejected_by_focus_is_refreshed_once_and_the_call_retried(focus, connect):
    store = connect.store_for(focus)
    client = connect(focus, store=store)
    first = store.load()
    focus.expire_tokens()
    assert client.call("departments.list")["data"]
    assert store.load().access_token != first.access_token
    statuses = [r["status"] for r in focus.requests(endpoint="departments.list")]
    assert statuses == [401, 200]


def test_spent_refresh_token_is_refused_by_focus(focus, connect):
    oauth = connect.oauth(focus)
    token = oauth.exchange_code(focus.authorization_code(), redirect_uri=REDIRECT_URI)
    oauth.refresh(token.refresh_token)
    with pytest.raises(FocusAuthError, match="refresh_token grant"):
        oauth.refresh(token.refresh_token)


def test_concurrent_refreshes_spend_the_refresh_token_once(focus, connect, tmp_path):
    store = FileTokenStore(tmp_path / "token.json")
    store.save(connect.store_for(focus).load())
    focus.expire_tokens()
    clients = [connect(focus, store=FileTokenStore(tmp_path / "token.json")) for _ in range(4)]
    errors: list[Exception] = []

    def work(client):
        try:
            client.call("departments.list")
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    refreshes = [r for r in focus.requests(endpoint="oauth2/access_token") if r["status"] == 200]
    assert len(refreshes) == 2  # the initial code exchange and exactly one refresh
    assert clients[0].call("departments.list")["data"]


# -- paging and errors -------------------------------------------------------------------


def test_paging_walks_every_booked_invoice_exactly_once(focus, connect):
    client = connect(focus)
    body = {"filter": {"status": ["outstanding", "matched"]}}
    seen = [item["id"] for item in client.paginate("invoices.list", body, page_size=7)]
    assert len(seen) == len(set(seen))
    assert set(seen) >= booked_invoice_ids(focus)
    pages = focus.requests(endpoint="invoices.list")
    assert len(pages) == len(seen) // 7 + 1


def test_page_size_above_100_is_refused_before_any_request(focus, connect):
    client = connect(focus)
    with pytest.raises(ValueError):
        list(client.paginate("invoices.list", page_size=101))
    assert focus.requests(endpoint="invoices.list") == []


def test_bad_request_carries_focus_error_titles(focus, connect):
    client = connect(focus)
    with pytest.raises(FocusBadRequest) as err:
        client.call("invoices.list", {"filter": {"status": "outstanding"}})
    assert err.value.titles and err.value.status == 400


def test_unknown_invoice_is_not_found(focus, connect):
    client = connect(focus)
    with pytest.raises(FocusNotFound):
        client.call("invoices.info", {"id": "00000000-0000-4000-8000-000000000000"})


# -- rate limits and retries -------------------------------------------------------------


class RecordingSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)


def test_429_waits_until_the_reset_then_succeeds(focus, connect):
    sleep = RecordingSleep()
    client = connect(focus, sleep=sleep)
    focus.add_fault(endpoint="departments.list", kind="rate_limit", count=2, retry_after_seconds=0.3)
    assert client.call("departments.list")["data"]
    statuses = [r["status"] for r in focus.requests(endpoint="departments.list")]
    assert statuses == [429, 429, 200]  # no spinning: one request per reset
    assert len(sleep.waits) == 2 and all(0.2 <= w <= 1.5 for w in sleep.waits)


def test_5xx_is_retried_with_backoff(focus, connect):
    client = connect(focus)
    focus.add_fault(endpoint="departments.list", kind="error", status=503, count=2)
    assert client.call("departments.list")["data"]
    assert [r["status"] for r in focus.requests(endpoint="departments.list")] == [503, 503, 200]


def test_persistent_5xx_gives_up_after_the_retry_budget(focus, connect):
    client = connect(focus, retry=RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.02))
    focus.add_fault(endpoint="departments.list", kind="error", status=500, count=10)
    with pytest.raises(FocusUnavailable, match="after 3 attempt"):
        client.call("departments.list")
    assert len(focus.requests(endpoint="departments.list")) == 3


def test_write_is_not_retried_after_a_5xx_it_may_have_processed(focus, connect):
    client = connect(focus)
    invoice_id = sorted(booked_invoice_ids(focus))[0]
    focus.add_fault(endpoint="invoices.registerPayment", kind="error", status=502, count=1)
    with pytest.raises(FocusUnavailable):
        client.call("invoices.registerPayment",
                    {"id": invoice_id, "payment": {"amount": 0.01, "currency": "EUR"},
                     "paid_at": "2026-11-20T10:00:00+00:00"}, idempotent=False)
    assert len(focus.requests(endpoint="invoices.registerPayment")) == 1


def test_read_timeout_is_retried(focus, connect):
    client = connect(focus, retry=RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.02, timeout=0.5))
    focus.add_fault(endpoint="departments.list", kind="slow", delay_seconds=1.5, count=1)
    assert client.call("departments.list")["data"]


def test_pacing_never_exceeds_the_configured_rate(focus, connect):
    focus.configure(rate_limit=8, rate_window_seconds=2)
    client = connect(focus)
    for _ in range(20):
        client.call("departments.list")
    requests = focus.requests(endpoint="departments.list")
    assert [r for r in requests if r["status"] == 429] == []
    assert max_in_window(requests, 2.0) <= 8


def test_clients_honour_the_reset_header_of_a_server_whose_clock_is_elsewhere(focus, connect):
    focus.configure(rate_limit=3, rate_window_seconds=1)
    focus.advance_clock(-7200)  # server two hours behind us
    client = connect(focus)
    started = time.monotonic()
    for _ in range(7):
        client.call("departments.list")
    assert time.monotonic() - started < 10
    assert [r for r in focus.requests(endpoint="departments.list") if r["status"] == 429] == []


def test_file_download_returns_the_ubl_document(focus, connect):
    client = connect(focus)
    expense = next(
        e for e in client.paginate("expenses.list", {"filter": {"source_types": ["incomingInvoice"]}})
        if e.get("file")
    )
    location = client.call("files.download", {"id": expense["file"]["id"]})["data"]["location"]
    content = client.download(location)
    assert content.lstrip().startswith(b"<?xml") or b"Invoice" in content[:500]
    assert httpx.get(location).status_code == 200  # signed link: no bearer token needed



def test_sideloading_returns_each_referenced_customer_once_in_included(focus, connect):
    client = connect(focus)
    envelope = client.call("invoices.list", {"filter": {"status": ["outstanding", "matched"]},
                                             "page": {"size": 50, "number": 1}, "include": "invoicee.customer"})
    wanted = {(i["invoicee"]["customer"]["type"], i["invoicee"]["customer"]["id"]) for i in envelope["data"]}
    included = {(t, record["id"]) for t, records in envelope["included"].items() for record in records}
    assert included == wanted
    assert sum(len(records) for records in envelope["included"].values()) == len(wanted)


def test_unknown_sideload_is_a_bad_request(focus, connect):
    client = connect(focus)
    with pytest.raises(FocusBadRequest, match="include must be"):
        client.call("invoices.info", {"id": sorted(booked_invoice_ids(focus))[0], "include": "deal"})
