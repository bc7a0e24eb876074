"""HTTP for one Octopus dossier: the ``dossierToken`` header, quotas, and what a 404 means.

Sends through the shared ``ToolHttp``. Octopus's own rules: every dossier
call carries ``dossierToken``; a 429 means a daily quota is used up (no
waiting helps: the next run continues); a 404 whose message reads "No …
found" is Octopus's documented "nothing found" — any other 404 (an unknown
book year, a wrong path) is an error, never taken for absence.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx

from connectors.oauth import AuthError
from connectors.targets.base import QuotaSpent, TargetError
from connectors.targets.http import Dialect, ToolHttp, error_text, loads
from connectors.targets.octopus.auth import RECONNECT_HINT, DossierTokens, error_message

DIALECT = Dialect("Octopus", lambda token: {"dossierToken": token}, error_message)
NOTHING_FOUND = re.compile(r"^\s*No\b.*\bfound\b", re.IGNORECASE)


def nothing_found(response: httpx.Response) -> bool:
    """Octopus's documented empty answer: 404 with an ``ErrorResult`` reading "No relations found", "No modified
    bookings found", … Anything else — another message, a body that is no ErrorResult (a proxy's page) — is not
    proof of absence."""
    if response.status_code != 404:
        return False
    try:
        body = loads(response)
    except ValueError:
        return False
    return (isinstance(body, dict) and "errorCode" in body and isinstance(body.get("errorMessage"), str)
            and bool(NOTHING_FOUND.match(body["errorMessage"])))


class OctopusQuotas:
    """Octopus publishes no pacing: a 429 means one of its daily quotas is spent."""

    def wait_before(self) -> float:
        return 0.0

    def observe(self, response: httpx.Response) -> None:
        return None

    def after_429(self, response: httpx.Response, waited: float) -> float:
        operation = response.request.url.path.split("/dossiers/", 1)[-1].split("/", 1)[-1]
        raise QuotaSpent(f"Octopus's daily quota for {response.request.method} {operation} is used up "
                          f"({error_text(response, error_message)}); the next run continues")


class OctopusApi:
    def __init__(self, base_url: str, tokens: DossierTokens, dossier: str, *, http: httpx.Client,
                 sleep: Callable[[float], None] = time.sleep, max_attempts: int = 4):
        self.base = base_url.rstrip("/")
        self.dossier = dossier
        self.http = ToolHttp(DIALECT, tokens, http=http, rates=OctopusQuotas(), sleep=sleep,
                             max_attempts=max_attempts)

    def url(self, path: str) -> str:
        return f"{self.base}/dossiers/{self.dossier}/{path}"

    def get(self, path: str, params: dict[str, Any] | None = None, *, absent_ok: bool = False,
            attempts: int | None = None) -> Any:
        """JSON of a read; with ``absent_ok`` Octopus's "nothing found" is ``None``.
        ``attempts=1`` for endpoints whose quota is too small to spend on retries (2 a day)."""
        return self.query("GET", path, params=params, absent_ok=absent_ok, attempts=attempts)

    def query(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None,
              absent_ok: bool = False, attempts: int | None = None) -> Any:
        """A read (reports are POSTed queries): retried on timeouts and 5xx, since it changes nothing."""
        response = self.http.read(method, self.url(path), params=params, json=json, attempts=attempts)
        if absent_ok and nothing_found(response):
            return None
        self._raise_for(response, f"{method} {path}")
        return self.http.json(response)

    def write(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        """One write, never repeated blindly (a lost answer is ``AmbiguousWrite``). Returns 2xx and
        4xx/5xx answers alike: the caller knows what each means for its resource."""
        response = self.http.write(method, self.url(path), json=body)
        if response.status_code == 401:
            raise AuthError(f"Octopus refused the dossier token for {method} {path}; {RECONNECT_HINT}")
        return response

    def error_text(self, response: httpx.Response) -> str:
        return self.http.error_text(response)

    def _raise_for(self, response: httpx.Response, what: str) -> None:
        status = response.status_code
        if status < 400:
            return
        text = self.error_text(response)
        if status == 401:
            raise AuthError(f"Octopus refused access to {what}: {text}; {RECONNECT_HINT}")
        raise TargetError(f"Octopus {what}: HTTP {status} {text}")
