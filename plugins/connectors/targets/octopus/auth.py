"""Octopus's three authentication steps, and a dossier token shared by a run's tasks.

Credentials (software-house UUID + user/password) → a 10-minute user token →
a 10-minute dossier token. There is no refresh: a lapsed token means
authenticating again, which costs from a 150-a-day quota, so the dossier
token is kept in the token store and renewed under its lock: two workers
never authenticate for the same lapse.

Authentication calls take the token timeout of ``TokenPolicy`` and are
repeated a few times after a 5xx or a broken connection: nothing rotates, so
authenticating again after a lost answer is safe (it only costs quota).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from connectors.oauth import AuthError, Token, TokenStore
from connectors.targets.base import QuotaSpent, TargetError
from connectors.targets.http import error_text
from connectors.token_requests import TokenPolicy

BASE_URL = "https://service.inaras.be/octopus-rest-api/v1"
TOKEN_TTL = 600.0  # "valid for 10 minutes"; Octopus does not say so in the response
LEEWAY = 60.0
LOCALE_EN = 3
RECONNECT_HINT = ("check the Octopus user, password and software-house UUID in the Airflow connection, and that "
                  "the user may open the dossier")


def error_message(body: Any) -> str | None:
    """Octopus's ``ErrorResult``: ``{"errorCode", "errorMessage", "technicalInfo"}``."""
    if isinstance(body, dict) and ("errorMessage" in body or "errorCode" in body):
        return str(body.get("errorMessage") or f"error {body.get('errorCode')}")
    return None


class OctopusAuth:
    def __init__(self, http: httpx.Client, base_url: str, software_house_uuid: str, user: str, password: str,
                 clock: Callable[[], float] = time.time, *, policy: TokenPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self._http = http
        self._base = base_url.rstrip("/")
        self._uuid = software_house_uuid
        self._user = user
        self._password = password
        self._clock = clock
        self._policy = policy or TokenPolicy.from_env()
        self._sleep = sleep

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        retrying = Retrying(retry=retry_if_exception_type(_Outage), stop=stop_after_attempt(self._policy.attempts),
                            wait=wait_exponential(multiplier=self._policy.backoff, max=self._policy.max_wait),
                            sleep=self._sleep, reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(method, path, **kwargs)
        except _Outage as exc:
            raise TargetError(f"Octopus authentication failed ({exc}); it is retried on the next run") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, f"{self._base}{path}", timeout=self._policy.httpx_timeout(),
                                          **kwargs)
        except httpx.TransportError as exc:
            raise _Outage(type(exc).__name__) from None
        if response.status_code == 429:
            raise QuotaSpent(f"Octopus's daily quota for authenticating is used up "
                              f"({error_text(response, error_message)}); the next run continues")
        if response.status_code >= 500:
            raise _Outage(f"HTTP {response.status_code}")
        return response

    def user_token(self) -> str:
        response = self._call("POST", "/authentication", headers={"softwareHouseUuid": self._uuid},
                              json={"user": self._user, "password": self._password})
        if response.status_code != 200:
            raise AuthError(f"Octopus refused the credentials ({error_text(response, error_message)}); "
                            f"{RECONNECT_HINT}")
        return response.json()["token"]

    def dossiers(self, token: str) -> list[dict[str, Any]]:
        response = self._call("GET", "/dossiers", headers={"Token": token})
        if response.status_code != 200:
            raise AuthError(f"Octopus refused the dossier list ({error_text(response, error_message)}); "
                            f"{RECONNECT_HINT}")
        return response.json()

    def dossier_token(self, dossier: str) -> Token:
        started = self._clock()
        token = self.user_token()
        response = self._call("POST", "/dossiers", headers={"Token": token},
                              params={"dossierId": dossier, "localeId": LOCALE_EN})
        if response.status_code != 200:
            raise AuthError(f"Octopus refused dossier {dossier} ({error_text(response, error_message)}); "
                            f"{RECONNECT_HINT}")
        return Token(response.json()["Dossiertoken"], _marker(dossier), started + TOKEN_TTL)


class _Outage(Exception):
    """A 5xx or a broken connection while authenticating: worth another try."""


def _marker(dossier: str) -> str:
    """Kept in the token's refresh field: which dossier the stored token opens."""
    return f"dossier:{dossier}"


class DossierTokens:
    """A valid dossier token (``Credentials`` for ``ToolHttp``), shared through the token store."""

    def __init__(self, auth: OctopusAuth, store: TokenStore, dossier: str, *, leeway: float = LEEWAY,
                 clock: Callable[[], float] = time.time):
        self._auth = auth
        self._store = store
        self._dossier = dossier
        self._leeway = leeway
        self._clock = clock

    def _usable(self, token: Token | None) -> bool:
        return (token is not None and token.refresh_token == _marker(self._dossier)
                and not token.expires_within(self._leeway, self._clock()))

    def access_token(self) -> str:
        token = self._store.load()
        if self._usable(token):
            return token.access_token
        return self._renew(stale=None)

    def after_unauthorized(self, rejected: str) -> str:
        return self._renew(stale=rejected)

    def _renew(self, stale: str | None) -> str:
        with self._store.lock():
            current = self._store.load()
            if current is not None and self._usable(current) and current.access_token != stale:
                return current.access_token  # another worker renewed it meanwhile
            fresh = self._auth.dossier_token(self._dossier)
            self._store.save(fresh)
            return fresh.access_token
