"""Exact Online OAuth2: codes with '!', string expires_in, early refresh refused, rotating refresh tokens."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx

REDIRECT = "https://localhost:9999/callback"


def authorize(base_url: str) -> httpx.Response:
    params = {"client_id": "sandbox", "redirect_uri": REDIRECT, "response_type": "code", "state": "xyz",
              "force_login": "0"}
    return httpx.get(f"{base_url}/api/oauth2/auth", params=params)


def token_request(base_url: str, **params: str) -> httpx.Response:
    return httpx.post(f"{base_url}/api/oauth2/token", data={"client_id": "sandbox", "client_secret": "sandbox",
                                                            **params})


def code_grant(base_url: str) -> dict:
    location = authorize(base_url).headers["location"]
    code = parse_qs(urlparse(location).query)["code"][0]
    response = token_request(base_url, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert response.status_code == 200, response.text
    return response.json()


def refresh(base_url: str, refresh_token: str) -> httpx.Response:
    return token_request(base_url, grant_type="refresh_token", refresh_token=refresh_token)


def me(base_url: str, access_token: str) -> int:
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
    return httpx.get(f"{base_url}/api/v1/current/Me", headers=headers).status_code


def test_code_flow_on_the_api_host(exact):
    response = authorize(exact.base_url)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?") and "%21" in location  # the '!' arrives URL-encoded
    query = parse_qs(urlparse(location).query)
    assert query["state"] == ["xyz"] and "!" in query["code"][0]
    pair = token_request(exact.base_url, grant_type="authorization_code", code=query["code"][0],
                         redirect_uri=REDIRECT).json()
    assert pair["token_type"] == "bearer" and pair["expires_in"] == "600"  # a string, as Exact sends it
    assert "!" in pair["refresh_token"]
    assert me(exact.base_url, pair["access_token"]) == 200


def test_codes_are_single_use_and_live_three_minutes(exact):
    location = authorize(exact.base_url).headers["location"]
    code = parse_qs(urlparse(location).query)["code"][0]
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    assert token_request(exact.base_url, **exchange).status_code == 200
    assert token_request(exact.base_url, **exchange).json()["error"] == "invalid_grant"
    late = parse_qs(urlparse(authorize(exact.base_url).headers["location"]).query)["code"][0]
    exact.advance_clock(181)
    expired = token_request(exact.base_url, grant_type="authorization_code", code=late, redirect_uri=REDIRECT)
    assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"


def test_token_endpoint_takes_form_bodies_only_and_checks_the_client(exact):
    body = {"client_id": "sandbox", "client_secret": "sandbox", "grant_type": "refresh_token", "refresh_token": "x"}
    as_json = httpx.post(f"{exact.base_url}/api/oauth2/token", json=body)
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    wrong = httpx.post(f"{exact.base_url}/api/oauth2/token", data={**body, "client_secret": "nope"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


def test_refresh_before_570_seconds_is_refused_and_the_old_tokens_stay_valid(exact):
    pair = code_grant(exact.base_url)
    early = refresh(exact.base_url, pair["refresh_token"])
    assert early.status_code == 400
    assert early.json() == {"error": "access_denied",
                            "error_description": "Rate limit exceeded: access_token not expired"}
    assert early.headers["reason"] == "TooEarlyToRefreshTokens"
    exact.advance_clock(560)
    assert refresh(exact.base_url, pair["refresh_token"]).status_code == 400
    assert me(exact.base_url, pair["access_token"]) == 200
    exact.advance_clock(11)  # 571 s: within the last 30 s of the access token's life
    renewed = refresh(exact.base_url, pair["refresh_token"])
    assert renewed.status_code == 200 and renewed.json()["expires_in"] == "600"


def test_refresh_tokens_rotate_and_reuse_is_refused(exact):
    pair = code_grant(exact.base_url)
    exact.expire_tokens()  # an expired access token may always be refreshed
    assert me(exact.base_url, pair["access_token"]) == 401
    renewed = refresh(exact.base_url, pair["refresh_token"]).json()
    assert renewed["refresh_token"] != pair["refresh_token"]
    reused = refresh(exact.base_url, pair["refresh_token"])
    assert reused.status_code == 401
    assert reused.json() == {"error": "unauthorized_client", "error_description": "Old refresh token used."}
    assert me(exact.base_url, renewed["access_token"]) == 200


def test_refresh_tokens_expire_after_30_days(exact):
    pair = code_grant(exact.base_url)
    exact.advance_clock(30 * 86400 + 1)
    expired = refresh(exact.base_url, pair["refresh_token"])
    assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"


def test_access_tokens_expire_after_the_configured_ttl(exact):
    pair = code_grant(exact.base_url)
    exact.advance_clock(599)
    assert me(exact.base_url, pair["access_token"]) == 200
    exact.advance_clock(2)
    assert me(exact.base_url, pair["access_token"]) == 401


def test_runner_consent_uses_the_authorize_path_the_sandbox_reports(exact):
    assert exact.admin("GET", "health").json()["authorize_path"] == "/api/oauth2/auth"
    code = exact.authorization_code(redirect_uri=REDIRECT)
    assert "!" in code
    response = token_request(exact.base_url, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert response.status_code == 200
