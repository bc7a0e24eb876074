"""Sliding-window rate limit per client, its headers, and the Date header."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime

import httpx

RESET_FORMAT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")


def test_every_api_response_carries_the_rate_limit_headers(api):
    first, second = api.post("departments.list"), api.post("departments.list")
    for response in (first, second):
        assert response.headers["x-ratelimit-limit"] == "200"
        assert RESET_FORMAT.match(response.headers["x-ratelimit-reset"])
        assert response.headers["x-api-version"] == "2023-09-26"
        assert "retry-after" not in response.headers
    assert int(second.headers["x-ratelimit-remaining"]) == int(first.headers["x-ratelimit-remaining"]) - 1
    failed = api.post("invoices.info", {"id": "nope"})
    assert failed.status_code == 404 and "x-ratelimit-remaining" in failed.headers


def test_past_the_limit_429_until_the_window_slides(focus, api):
    focus.configure(rate_limit=5, rate_window_seconds=2)
    responses = [api.post("departments.list") for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 5
    assert [r.headers["x-ratelimit-remaining"] for r in responses] == ["4", "3", "2", "1", "0"]
    oldest_leaves = dt.datetime.fromisoformat(responses[0].headers["x-ratelimit-reset"])

    limited = api.post("departments.list")
    assert limited.status_code == 429
    assert limited.json() == {"errors": [{"title": "Too many requests", "status": 429}]}
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert dt.datetime.fromisoformat(limited.headers["x-ratelimit-reset"]) == oldest_leaves
    assert "retry-after" not in limited.headers
    assert api.post("departments.list").status_code == 429  # rejected calls are not counted...

    focus.advance_clock(2.01)  # ...so one window later the client has its full budget back
    recovered = [api.post("departments.list") for _ in range(5)]
    assert [r.status_code for r in recovered] == [200] * 5
    log = focus.requests(endpoint="departments.list")
    assert [r["status"] for r in log] == [200] * 5 + [429, 429] + [200] * 5


def test_limits_are_per_client(focus, api):
    focus.configure(rate_limit=2)
    other = focus.mint_tokens(client_id="another-integration")["access_token"]
    for _ in range(2):
        api.post("departments.list")
    assert api.post("departments.list").status_code == 429
    assert api.post("departments.list", token=other).status_code == 200


def test_admin_and_oauth_are_not_rate_limited(focus, api):
    focus.configure(rate_limit=1)
    assert "x-ratelimit-limit" not in focus.admin("GET", "health").headers
    refused = httpx.post(f"{focus.base_url}/oauth2/access_token", data={"grant_type": "refresh_token"})
    assert refused.status_code == 401 and "x-ratelimit-limit" not in refused.headers


def test_date_header_follows_the_sandbox_clock(focus, api):
    focus.advance_clock(86400 * 3)
    expected = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    for response in (api.post("departments.list"), focus.admin("GET", "clock")):
        assert abs(parsedate_to_datetime(response.headers["date"]) - expected) < dt.timedelta(seconds=5)
