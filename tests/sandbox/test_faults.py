"""Fault injection through the admin API: counted, probabilistic, and each kind."""

from __future__ import annotations

import datetime as dt
import time


def statuses(api, endpoint: str, times: int) -> list[int]:
    return [api.post(endpoint).status_code for _ in range(times)]


def test_count_rules_fire_for_the_next_n_matching_requests(focus, api):
    rule_id = focus.add_fault(endpoint="departments.list", kind="error", status=503, count=2)
    first = api.post("departments.list")
    assert first.json() == {"errors": [{"title": "Service Unavailable", "status": 503}]}
    assert "x-ratelimit-remaining" in first.headers  # a failing backend still answers through the gateway
    assert statuses(api, "departments.list", 2) == [503, 200]
    assert api.post("users.me").status_code == 200  # other endpoints untouched
    rule = next(r for r in focus.admin("GET", "faults").json()["data"] if r["id"] == rule_id)
    assert rule["remaining"] == 0
    log = focus.requests(endpoint="departments.list")
    assert [(r["status"], r["injected"]) for r in log] == [(503, "error"), (503, "error"), (200, None)]


def test_probability_rules_are_reproducible_with_a_seed(focus, api):
    def run() -> list[int]:
        focus.clear_faults()
        focus.add_fault(endpoint="*", kind="error", status=500, probability=0.5, seed=3)
        return statuses(api, "users.me", 20)

    first = run()
    assert 0 < first.count(500) < 20
    assert run() == first


def test_rate_limit_fault_answers_429_with_a_reset_in_the_future(focus, api):
    focus.add_fault(endpoint="invoices.*", kind="rate_limit", count=1, retry_after_seconds=2.5)
    before = dt.datetime.now(dt.UTC)
    limited = api.post("invoices.list")
    assert limited.status_code == 429 and limited.headers["x-ratelimit-remaining"] == "0"
    reset = dt.datetime.fromisoformat(limited.headers["x-ratelimit-reset"])
    assert dt.timedelta(seconds=2) < reset - before < dt.timedelta(seconds=4)
    assert api.post("invoices.list").status_code == 200
    assert api.post("invoices.list").headers["x-ratelimit-remaining"] == "198"  # the injected 429 was not counted


def test_slow_and_expire_tokens(focus, api):
    focus.add_fault(endpoint="users.me", kind="slow", delay_seconds=0.3, count=1)
    started = time.monotonic()
    assert api.post("users.me").status_code == 200
    assert time.monotonic() - started >= 0.3
    focus.add_fault(endpoint="departments.list", kind="expire_tokens", count=1)
    assert api.post("departments.list").status_code == 401
    assert api.post("users.me").status_code == 401  # the token stays dead


def test_rules_can_be_listed_and_removed(focus):
    first = focus.add_fault(endpoint="a.b", kind="slow", delay_seconds=1)
    second = focus.add_fault(endpoint="c.d", kind="error")
    assert focus.admin("DELETE", f"faults/{first}").status_code == 204
    assert [r["id"] for r in focus.admin("GET", "faults").json()["data"]] == [second]
    assert focus.admin("DELETE", f"faults/{first}").status_code == 404
    assert focus.admin("POST", "faults", {"kind": "explode"}).status_code == 400
    focus.clear_faults()
    assert focus.admin("GET", "faults").json()["data"] == []


def test_faults_apply_to_oauth_and_file_links(focus):
    focus.add_fault(endpoint="oauth2/access_token", kind="error", status=502, count=1)
    response = focus.admin("POST", "/oauth2/access_token", {})
    assert response.status_code == 502
