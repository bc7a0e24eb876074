"""Exact's rate limits per client and division: minutely and daily headers, 429s, the error budget."""

from __future__ import annotations

import time

MINUTELY = ("x-ratelimit-minutely-limit", "x-ratelimit-minutely-remaining", "x-ratelimit-minutely-reset")
DAILY = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def test_every_api_response_carries_both_header_sets_in_epoch_milliseconds(exact_api):
    first, second = exact_api.get("financial/Journals"), exact_api.get("financial/Journals")
    for response in (first, second):
        assert all(name in response.headers for name in MINUTELY + DAILY)
        assert response.headers["x-ratelimit-minutely-limit"] == "60"
        assert response.headers["x-ratelimit-limit"] == "5000"
    now_ms = time.time() * 1000
    assert 0 < int(first.headers["x-ratelimit-minutely-reset"]) - now_ms <= 61_000
    assert 0 < int(first.headers["x-ratelimit-reset"]) - now_ms <= 86_400_000
    assert int(first.headers["x-ratelimit-reset"]) % 86_400_000 == 0  # next midnight UTC
    assert int(second.headers["x-ratelimit-minutely-remaining"]) == int(
        first.headers["x-ratelimit-minutely-remaining"]) - 1
    failed = exact_api.get("crm/Accounts")  # a 400 still counts and still carries the headers
    assert failed.status_code == 400 and failed.headers["x-ratelimit-remaining"] == "4997"


def test_minutely_limit_answers_429_with_only_the_minutely_headers(exact, exact_api):
    exact.configure(minutely_limit=3, rate_window_seconds=2)
    assert [exact_api.get("financial/Journals").status_code for _ in range(3)] == [200] * 3
    limited = exact_api.get("financial/Journals")
    assert limited.status_code == 429
    assert limited.json()["error"]["message"]["value"] == "API rate limit exceeded."
    assert limited.headers["x-ratelimit-minutely-remaining"] == "0"
    assert not any(name in limited.headers for name in DAILY)
    exact.advance_clock(2.01)
    recovered = exact_api.get("financial/Journals")
    assert recovered.status_code == 200 and recovered.headers["x-ratelimit-remaining"] == "4996"  # 429 not counted


def test_limits_are_per_division_and_me_counts_under_the_current_division(exact, exact_api):
    exact.configure(minutely_limit=2)
    exact_api.get("current/Me")
    exact_api.get("financial/Journals")
    assert exact_api.get("financial/Journals").status_code == 429  # Me used one of division 100001's calls
    exact_api.division = 100002
    assert exact_api.get("financial/Journals").status_code == 200
    other_client = exact.mint_tokens(client_id="another-app")["access_token"]
    exact_api.division = 100001
    assert exact_api.get("financial/Journals", token=other_client).status_code == 200


def test_daily_limit_answers_429_with_both_header_sets_until_midnight(exact, exact_api):
    exact.configure(daily_limit=2)
    assert [exact_api.get("vat/VATCodes").status_code for _ in range(2)] == [200, 200]
    limited = exact_api.get("vat/VATCodes")
    assert limited.status_code == 429
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert all(name in limited.headers for name in MINUTELY + DAILY)
    exact.advance_clock(86_400)
    exact_api.token = exact.mint_tokens()["access_token"]  # the old one expired with the day
    assert exact_api.get("vat/VATCodes").status_code == 200


def test_rate_limit_fault_sends_only_the_minutely_headers(exact, exact_api):
    exact.add_fault(endpoint="crm/*", kind="rate_limit", count=1, retry_after_seconds=5)
    limited = exact_api.get("crm/Accounts", {"$top": "1"})
    assert limited.status_code == 429 and "x-ratelimit-limit" not in limited.headers
    reset_in = int(limited.headers["x-ratelimit-minutely-reset"]) / 1000 - time.time()
    assert 4 < reset_in < 6
    assert exact_api.get("crm/Accounts", {"$top": "1"}).status_code == 200


def test_oauth_and_admin_are_not_rate_limited(exact):
    exact.configure(minutely_limit=1)
    assert "x-ratelimit-minutely-limit" not in exact.admin("GET", "health").headers


def test_error_budget_is_off_by_default_and_blocks_an_endpoint_when_enabled(exact, exact_api):
    for _ in range(12):
        assert exact_api.get("crm/Accounts").status_code == 400
    exact.configure(error_limit=3)
    exact.admin("DELETE", "ratelimit")
    assert [exact_api.get("crm/Accounts").status_code for _ in range(4)] == [400, 400, 400, 429]
    assert exact_api.get("crm/Accounts", {"$top": "1"}).status_code == 429  # the endpoint is blocked
    assert exact_api.get("financial/Journals").status_code == 200  # other endpoints are not
    exact.advance_clock(3601)
    exact_api.token = exact.mint_tokens()["access_token"]
    assert exact_api.get("crm/Accounts", {"$top": "1"}).status_code == 200
