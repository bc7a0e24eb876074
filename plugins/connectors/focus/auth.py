"""OAuth2 endpoints of Teamleader Focus: authorization code, single-use rotating refresh tokens.

Token storage and safe refreshing are shared with the other services
(``connectors.oauth``); this module only knows Focus's two endpoints.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

import httpx

from connectors.focus.errors import FocusAuthError, FocusError, FocusUnavailable
from connectors.oauth import Token

#: How an operator reconnects Focus; shown whenever tokens are missing or refused.
RECONNECT_HINT = "connect with `focus-connector focus connect`"

class FocusOAuth:
    """The two OAuth2 endpoints of Focus (``/oauth2/authorize`` and ``/oauth2/access_token``)."""

    def __init__(
        self,
        http: httpx.Client,
        auth_base_url: str,
        client_id: str,
        client_secret: str,
        clock: Callable[[], float] = time.time,
    ):
        self._http = http
        self._base = auth_base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = urlencode(
            {"client_id": self._client_id, "response_type": "code", "state": state, "redirect_uri": redirect_uri}
        )
        return f"{self._base}/oauth2/authorize?{query}"

    def exchange_code(self, code: str, *, redirect_uri: str) -> Token:
        return self._token_request(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )

    def refresh(self, refresh_token: str) -> Token:
        return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token_request(self, grant: dict[str, str]) -> Token:
        form = {"client_id": self._client_id, "client_secret": self._client_secret, **grant}
        sent_at = self._clock()
        try:
            response = self._http.post(f"{self._base}/oauth2/access_token", data=form)
        except httpx.ConnectError as exc:  # never reached the server: nothing was spent
            raise FocusUnavailable(f"Focus OAuth endpoint unreachable: {type(exc).__name__}") from None
        except httpx.TransportError as exc:
            # The server may have rotated the refresh token without us seeing the new one.
            raise FocusAuthError(
                f"Focus token request failed mid-flight ({type(exc).__name__}); if it was a refresh, "
                "the refresh token may be spent: reconnect with `focus-connector focus connect`",
                endpoint="oauth2/access_token",
            ) from None
        if response.status_code == 200:
            body = response.json()
            return Token(
                access_token=body["access_token"],
                refresh_token=body["refresh_token"],
                expires_at=sent_at + float(body.get("expires_in", 3600)),
            )
        error = _oauth_error(response)
        if response.status_code in (400, 401):
            raise FocusAuthError(
                f"Focus refused the {grant['grant_type']} grant ({error}); "
                "reconnect the integration with `focus-connector focus connect`",
                endpoint="oauth2/access_token",
                status=response.status_code,
            )
        raise FocusError(
            f"Focus token endpoint answered HTTP {response.status_code} ({error})",
            endpoint="oauth2/access_token",
            status=response.status_code,
        )


def _oauth_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no JSON body"
    if isinstance(body, dict) and "error" in body:
        return str(body["error"])
    if isinstance(body, dict) and body.get("errors"):
        return "; ".join(str(e.get("title", "")) for e in body["errors"])
    return "unrecognised error body"


