"""Fault injection on the Exact sandbox, including a timeout after the entry was committed."""

from __future__ import annotations

import time

import httpx


def test_error_fault_in_the_exact_format_and_still_counted(exact, exact_api):
    exact.add_fault(endpoint="salesentry/SalesEntries", kind="error", status=503, count=1)
    failed = exact_api.get("salesentry/SalesEntries")
    assert failed.status_code == 503
    assert failed.json() == {"error": {"code": "", "message": {"lang": "", "value": "Service Unavailable"}}}
    assert failed.headers["x-ratelimit-minutely-remaining"] == "59"
    assert exact_api.get("salesentry/SalesEntries").status_code == 200
    log = exact.requests(endpoint="salesentry/SalesEntries")
    assert [(r["status"], r["injected"]) for r in log] == [(503, "error"), (200, None)]


def test_commit_then_delay_times_the_client_out_although_the_entry_exists(exact, start_exact_sandbox):
    sandbox = start_exact_sandbox(seed=11)
    token = sandbox.mint_tokens()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    base = f"{sandbox.base_url}/api/v1/100001"
    customer = httpx.get(f"{base}/crm/Accounts", params={"$select": "ID", "$filter": "IsSales eq true"},
                         headers=headers).json()["d"]["results"][0]["ID"]
    gl = httpx.get(f"{base}/financial/GLAccounts", params={"$select": "ID", "$filter": "Code eq '700000'"},
                   headers=headers).json()["d"]["results"][0]["ID"]
    sandbox.add_fault(endpoint="salesentry/SalesEntries", kind="commit_then_delay", delay_seconds=1.5, count=1)
    body = {"Customer": customer, "Journal": "70", "EntryDate": "2026-11-03", "YourRef": "focus-inv-42",
            "SalesEntryLines": [{"GLAccount": gl, "AmountFC": 10}]}
    started = time.monotonic()
    try:
        httpx.post(f"{base}/salesentry/SalesEntries", json=body, headers=headers, timeout=0.5)
        raise AssertionError("expected a client timeout")
    except httpx.TimeoutException:
        pass
    assert time.monotonic() - started < 1.4
    found = httpx.get(f"{base}/salesentry/SalesEntries", params={"$filter": "YourRef eq 'focus-inv-42'"},
                      headers=headers).json()["d"]["results"]
    assert len(found) == 1  # committed before the delay: a blind retry would book it twice
    time.sleep(1.2)  # the stalled answer is logged when it is finally sent
    (posted,) = [r for r in sandbox.requests(endpoint="salesentry/SalesEntries") if r["method"] == "POST"]
    assert (posted["status"], posted["injected"]) == (201, "commit_then_delay")


def test_commit_then_delay_does_not_fire_on_refused_requests(exact, exact_api):
    exact.add_fault(endpoint="salesentry/SalesEntries", kind="commit_then_delay", delay_seconds=5, count=1)
    started = time.monotonic()
    assert exact_api.post("salesentry/SalesEntries", {"Journal": "70"}).status_code == 400
    assert time.monotonic() - started < 2
    assert exact.admin("GET", "faults").json()["data"][0]["remaining"] == 1


def test_expire_tokens_and_slow(exact, exact_api):
    exact.add_fault(endpoint="current/Me", kind="slow", delay_seconds=0.3, count=1)
    started = time.monotonic()
    assert exact_api.get("current/Me").status_code == 200
    assert time.monotonic() - started >= 0.3
    exact.add_fault(endpoint="financial/*", kind="expire_tokens", count=1)
    assert exact_api.get("financial/Journals").status_code == 401
    assert exact_api.get("current/Me").status_code == 401


def test_faults_on_the_token_endpoint(exact):
    exact.add_fault(endpoint="api/oauth2/token", kind="error", status=502, count=1)
    response = httpx.post(f"{exact.base_url}/api/oauth2/token", data={"grant_type": "refresh_token"})
    assert response.status_code == 502


def test_the_request_log_keeps_the_query_string(exact, exact_api):
    exact_api.get("crm/Accounts", {"$select": "ID,Code", "$filter": "trim(Code) eq '1001'"})
    (entry,) = exact.requests(endpoint="crm/Accounts")
    assert entry["path"].startswith("/api/v1/100001/crm/Accounts?") and "%24filter" in entry["path"]


def test_a_fault_with_a_method_leaves_the_other_methods_alone(exact, exact_api):
    exact.add_fault(endpoint="salesentry/SalesEntries", method="POST", kind="error", status=503, count=1)
    read = exact_api.get("salesentry/SalesEntries", {"$select": "EntryID", "$top": "1"})
    assert read.status_code == 200
    refused = exact_api.post("salesentry/SalesEntries", {})
    assert refused.status_code == 503
    assert [r["injected"] for r in exact.requests(endpoint="salesentry/SalesEntries")] == [None, "error"]
