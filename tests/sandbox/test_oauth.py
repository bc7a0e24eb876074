"""OAuth2 code flow, single-use codes and rotating refresh tokens."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx

REDIRECT = "http://localhost:9999/callback"
INVALID_TOKEN = {"errors": [{"title": "Access token is invalid or expired", "status": 401}]}


def authorize(base_url: str, redirect_uri: str = REDIRECT, client_id: str = "sandbox") -> httpx.Response:
    params = {"client_id": client_id, "response_type": "code", "state": "xyz", "redirect_uri": redirect_uri}
    return httpx.get(f"{base_url}/oauth2/authorize", params=params)


def code_for(base_url: str) -> str:
    response = authorize(base_url)
    assert response.status_code == 302
    query = parse_qs(urlparse(response.headers["location"]).query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def token_request(base_url: str, **params: str) -> httpx.Response:
    body = {"client_id": "sandbox", "client_secret": "sandbox", **params}
    return httpx.post(f"{base_url}/oauth2/access_token", data=body)


def exchange(base_url: str, code: str) -> httpx.Response:
    return token_request(base_url, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)


def me(base_url: str, access_token: str) -> httpx.Response:
    return httpx.post(f"{base_url}/users.me", json={}, headers={"Authorization": f"Bearer {access_token}"})


def test_code_flow_gives_a_working_token_pair(focus):
    response = exchange(focus.base_url, code_for(focus.base_url))
    assert response.status_code == 200
    pair = response.json()
    assert pair["token_type"] == "Bearer" and pair["expires_in"] == 3600
    assert me(focus.base_url, pair["access_token"]).json()["data"]["first_name"] == "Demo"


def test_token_endpoint_accepts_json_too(focus):
    body = {"client_id": "sandbox", "client_secret": "sandbox", "grant_type": "authorization_code",
            "code": code_for(focus.base_url), "redirect_uri": REDIRECT}
    assert httpx.post(f"{focus.base_url}/oauth2/access_token", json=body).status_code == 200


def test_codes_are_single_use_and_bound_to_the_redirect_uri(focus):
    code = code_for(focus.base_url)
    wrong = token_request(focus.base_url, grant_type="authorization_code", code=code, redirect_uri="http://x/cb")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert exchange(focus.base_url, code).status_code == 200
    again = exchange(focus.base_url, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_codes_expire_after_ten_minutes(focus):
    code = code_for(focus.base_url)
    focus.advance_clock(601)
    assert exchange(focus.base_url, code).status_code == 400


def test_unknown_client_and_bad_secret_are_refused(focus):
    assert authorize(focus.base_url, client_id="nobody").status_code == 400
    response = httpx.post(f"{focus.base_url}/oauth2/access_token", data={
        "client_id": "sandbox", "client_secret": "wrong-secret", "grant_type": "authorization_code",
        "code": code_for(focus.base_url), "redirect_uri": REDIRECT})
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client", "error_description": "Client authentication failed"}
    assert "wrong-secret" not in response.text


def test_refresh_rotates_and_kills_the_old_pair(focus):
    old = exchange(focus.base_url, code_for(focus.base_url)).json()
    new = token_request(focus.base_url, grant_type="refresh_token", refresh_token=old["refresh_token"]).json()
    assert new["access_token"] != old["access_token"] and new["refresh_token"] != old["refresh_token"]
    assert me(focus.base_url, new["access_token"]).status_code == 200

    dead = me(focus.base_url, old["access_token"])
    assert dead.status_code == 401 and dead.json() == INVALID_TOKEN
    assert dead.headers["www-authenticate"] == 'Bearer error="invalid_token"'

    reused = token_request(focus.base_url, grant_type="refresh_token", refresh_token=old["refresh_token"])
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant", "error_description": "The refresh token is invalid."}
    assert old["refresh_token"] not in reused.text


def test_access_tokens_expire_on_the_sandbox_clock_and_refresh_still_works(focus):
    pair = exchange(focus.base_url, code_for(focus.base_url)).json()
    focus.advance_clock(3599)
    assert me(focus.base_url, pair["access_token"]).status_code == 200
    focus.advance_clock(2)
    assert me(focus.base_url, pair["access_token"]).status_code == 401
    refreshed = token_request(focus.base_url, grant_type="refresh_token", refresh_token=pair["refresh_token"])
    assert me(focus.base_url, refreshed.json()["access_token"]).status_code == 200


def test_token_ttl_is_configurable(focus):
    focus.configure(token_ttl=60)
    pair = focus.mint_tokens()
    assert pair["expires_in"] == 60
    focus.advance_clock(61)
    assert me(focus.base_url, pair["access_token"]).status_code == 401


def test_missing_or_garbage_tokens_are_401(focus):
    assert httpx.post(f"{focus.base_url}/users.me", json={}).status_code == 401
    assert me(focus.base_url, "garbage").status_code == 401


def test_the_request_log_holds_no_secrets(focus):
    pair = exchange(focus.base_url, code_for(focus.base_url)).json()
    me(focus.base_url, pair["access_token"])
    log = focus.requests()
    assert {r["endpoint"] for r in log} == {"oauth2/authorize", "oauth2/access_token", "users.me"}
    assert all(r["body"] is None for r in log if r["endpoint"].startswith("oauth2"))
    text = str(log)
    assert pair["access_token"] not in text and pair["refresh_token"] not in text
