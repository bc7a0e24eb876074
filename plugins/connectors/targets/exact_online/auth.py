"""Exact Online's OAuth2 token endpoint, ``{host}/api/oauth2/token`` (form encoded).

Access tokens live 10 minutes and may not be refreshed before 9m30s; refresh
tokens rotate on every use. ``connectors.oauth.TokenManager`` does the safe
refreshing; this module only speaks the endpoint, with the token timeout and
retries of ``TokenPolicy``. Exact documents that a rotated-away refresh token
is refused ("Old refresh token used.", apis.md §2.2) and no way to read a new
pair again, so a refresh whose answer was lost asks for consent instead of
being repeated. An early refresh refused with ``access_denied`` leaves the
old pair valid: ``TokenManager`` keeps using it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx

from connectors.oauth import AnswerLost, GrantRefused, RefreshTooEarly, Token, TokenUnavailable
from connectors.targets.base import TargetError
from connectors.token_requests import TokenPolicy, TokenService, request_token

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
#: The one command that reconnects an integration to Exact Online (OAuth consent); ENTITY is its name.
RECONNECT_COMMAND = "focus-connector integrations connect ENTITY"
RECONNECT_HINT = f"connect Exact Online again with `{RECONNECT_COMMAND}`"
TOKEN_PATH = "/api/oauth2/token"


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


class ExactTokenUnavailable(TargetError, TokenUnavailable):
    """Exact's token endpoint kept answering 429/5xx or could not be reached: the run can be retried."""


class ExactRefreshTooEarly(ExactTokenUnavailable, RefreshTooEarly):
    """Exact refused to refresh before 9m30s (``Reason: TooEarlyToRefreshTokens``); the old pair stays valid."""


SERVICE = TokenService(tool="Exact Online", command=RECONNECT_COMMAND, refused=GrantRefused, lost=AnswerLost,
                       unavailable=ExactTokenUnavailable, failed=TargetError, too_early=ExactRefreshTooEarly)


class ExactOAuth:
    def __init__(self, http: httpx.Client, base_url: str, client_id: str, client_secret: str,
                 clock: Callable[[], float] = time.time, *, policy: TokenPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self._http = http
        self._base = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._policy = policy or TokenPolicy.from_env()
        self._sleep = sleep

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = urlencode({"client_id": self._client_id, "redirect_uri": redirect_uri, "response_type": "code",
                           "state": state, "force_login": "0"})
        return f"{self._base}/api/oauth2/auth?{query}"

    def exchange_code(self, code: str, *, redirect_uri: str) -> Token:
        return self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    def refresh(self, refresh_token: str) -> Token:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token(self, grant: dict[str, str]) -> Token:
        form = {"client_id": self._client_id, "client_secret": self._client_secret, **grant}
        body, sent = request_token(self._http, f"{self._base}{TOKEN_PATH}", form, SERVICE, policy=self._policy,
                                   clock=self._clock, sleep=self._sleep)
        return Token(body["access_token"], body["refresh_token"], sent + float(body.get("expires_in", "600")))
