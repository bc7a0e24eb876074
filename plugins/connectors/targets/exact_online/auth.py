"""Exact Online's OAuth2 token endpoint, ``{host}/api/oauth2/token`` (form encoded).

Access tokens live 10 minutes and may not be refreshed before 9m30s; refresh
tokens rotate on every use. ``connectors.oauth.TokenManager`` does the safe
refreshing; this module only speaks the endpoint.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx

from connectors.oauth import AuthError, Token
from connectors.targets.http import error_text

HOSTS = {
    "nl": "https://start.exactonline.nl",
    "be": "https://start.exactonline.be",
    "de": "https://start.exactonline.de",
    "uk": "https://start.exactonline.co.uk",
    "us": "https://start.exactonline.com",
    "es": "https://start.exactonline.es",
    "fr": "https://start.exactonline.fr",
}
#: Refresh when less than this is left: Exact refuses refreshes before 9m30s of a 10-minute token.
REFRESH_LEEWAY = 30.0
RECONNECT_HINT = "connect Exact Online again with `focus-connector integrations add` (OAuth consent)"


def error_message(body: Any) -> str | None:
    """``{"error": {"message": {"value": ...}}}`` (API) or ``{"error", "error_description"}`` (OAuth)."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        message = error.get("message")
        return str(message.get("value") if isinstance(message, dict) else message)
    if isinstance(error, str):
        return f"{error}: {body.get('error_description', '')}".strip(": ")
    return None


class ExactOAuth:
    def __init__(self, http: httpx.Client, base_url: str, client_id: str, client_secret: str,
                 clock: Callable[[], float] = time.time):
        self._http = http
        self._base = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = urlencode({"client_id": self._client_id, "redirect_uri": redirect_uri, "response_type": "code",
                           "state": state, "force_login": "0"})
        return f"{self._base}/api/oauth2/auth?{query}"

    def exchange_code(self, code: str, *, redirect_uri: str) -> Token:
        return self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    def refresh(self, refresh_token: str) -> Token:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token(self, grant: dict[str, str]) -> Token:
        sent = self._clock()
        try:
            response = self._http.post(f"{self._base}/api/oauth2/token", data={
                "client_id": self._client_id, "client_secret": self._client_secret, **grant})
        except httpx.TransportError as exc:
            raise AuthError(f"Exact Online token request failed ({type(exc).__name__}); {RECONNECT_HINT} "
                            "if it keeps failing") from None
        if response.status_code == 200:
            body = response.json()
            return Token(body["access_token"], body["refresh_token"], sent + float(body.get("expires_in", "600")))
        reason = response.headers.get("Reason", "")
        raise AuthError(f"Exact Online refused the {grant['grant_type']} grant ({error_text(response, error_message)}"
                        f"{'; ' + reason if reason else ''}); {RECONNECT_HINT}")
