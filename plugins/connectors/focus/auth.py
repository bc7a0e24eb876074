"""OAuth2 endpoints of Teamleader Focus: authorization code, single-use rotating refresh tokens.

Token storage and safe refreshing are shared with the other services
(``connectors.oauth``); this module only knows Focus's two endpoints. Token
requests take their own timeout and retries (``TokenPolicy``), not the API
client's. Focus documents no grace period for a used refresh token (apis.md
§1.2), so a refresh whose answer was lost is not repeated: it asks for
``focus-connector focus connect``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

import httpx

from connectors.focus.errors import FocusAnswerLost, FocusError, FocusGrantRefused, FocusTokenUnavailable
from connectors.oauth import Token
from connectors.token_requests import TokenPolicy, TokenService, request_token

#: The one command that reconnects Focus.
RECONNECT_COMMAND = "focus-connector focus connect"
#: How an operator reconnects Focus; shown whenever tokens are missing or refused.
RECONNECT_HINT = f"connect with `{RECONNECT_COMMAND}`"
TOKEN_PATH = "/oauth2/access_token"

SERVICE = TokenService(tool="Focus", command=RECONNECT_COMMAND, refused=FocusGrantRefused, lost=FocusAnswerLost,
                       unavailable=FocusTokenUnavailable, failed=FocusError)


class FocusOAuth:
    """The two OAuth2 endpoints of Focus (``/oauth2/authorize`` and ``/oauth2/access_token``)."""

    def __init__(
        self,
        http: httpx.Client,
        auth_base_url: str,
        client_id: str,
        client_secret: str,
        clock: Callable[[], float] = time.time,
        *,
        policy: TokenPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._http = http
        self._base = auth_base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._policy = policy or TokenPolicy.from_env()
        self._sleep = sleep

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
        try:
            body, sent_at = request_token(self._http, f"{self._base}{TOKEN_PATH}", form, SERVICE,
                                          policy=self._policy, clock=self._clock, sleep=self._sleep)
        except FocusError as exc:
            exc.endpoint = TOKEN_PATH.lstrip("/")
            raise
        return Token(
            access_token=body["access_token"],
            refresh_token=body["refresh_token"],
            expires_at=sent_at + float(body.get("expires_in", 3600)),
        )
