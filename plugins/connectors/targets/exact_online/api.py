"""HTTP for one Exact Online division: URLs, OData paging, the minutely and daily limits.

Sends through the shared ``ToolHttp`` (retries of reads, writes sent once,
headers rebuilt per attempt, 401 → one refresh). What is Exact's own: the
``/api/v1/{division}/`` URLs, ``{"d": {"results", "__next"}}`` pages, and the
rate-limit headers — a minutely 429 carries only the ``Minutely`` headers and
is waited out; a daily one has ``X-RateLimit-Remaining: 0`` and stops the run.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from connectors.oauth import AuthError, TokenManager
from connectors.targets.base import AmbiguousWrite, DocumentRefused, TargetError
from connectors.targets.exact_online.auth import RECONNECT_HINT, error_message
from connectors.targets.http import Dialect, ToolHttp

log = logging.getLogger(__name__)
DIALECT = Dialect("Exact Online", lambda token: {"Authorization": f"Bearer {token}"}, error_message)


def parse_date(value: Any) -> dt.datetime | None:
    """``/Date(1420070400000)/`` → aware datetime (UTC)."""
    if not value:
        return None
    match = re.fullmatch(r"/Date\((-?\d+)\)/", str(value))
    if not match:
        return dt.datetime.fromisoformat(str(value))
    return dt.datetime.fromtimestamp(int(match.group(1)) / 1000, dt.UTC)


def quote(value: str) -> str:
    """An OData string literal."""
    return "'" + value.replace("'", "''") + "'"


def guid(value: str) -> str:
    return f"guid'{value}'"


def datetime_literal(moment: dt.datetime) -> str:
    """OData v2 ``datetime'…'`` in UTC without a zone (what Exact expects)."""
    return f"datetime'{moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec='seconds')}'"


class ExactRates:
    """Exact's minutely window from its headers: wait when it is spent, stop when the day's quota is."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._remaining: int | None = None
        self._reset: float | None = None

    def wait_before(self) -> float:
        if self._remaining is None or self._remaining > 0 or self._reset is None:
            return 0.0
        self._remaining = None
        return max(0.0, self._reset - self._clock() + 0.05)

    def observe(self, response: httpx.Response) -> None:
        headers = response.headers
        if "X-RateLimit-Minutely-Remaining" in headers:
            try:
                self._remaining = int(headers["X-RateLimit-Minutely-Remaining"])
                self._reset = int(headers["X-RateLimit-Minutely-Reset"]) / 1000
            except (KeyError, ValueError):
                log.warning("Ignoring unparseable Exact rate-limit headers")

    def after_429(self, response: httpx.Response, waited: float) -> float:
        remaining = response.headers.get("X-RateLimit-Remaining")
        if remaining is not None and int(remaining) <= 0:
            raise TargetError("Exact Online's daily API limit for this division is used up; the next run continues")
        if self._reset is None:
            return 1.0
        return max(1.0, self._reset - self._clock() + 0.05)


class ExactApi:
    def __init__(self, base_url: str, tokens: TokenManager, division: int | None, *,
                 http: httpx.Client, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, max_attempts: int = 4):
        self.base = base_url.rstrip("/")
        self.division = division
        self.http = ToolHttp(DIALECT, tokens, http=http, rates=ExactRates(clock), sleep=sleep,
                             max_attempts=max_attempts, clock=clock)

    def url(self, path: str) -> str:
        if path.startswith("http"):
            return path
        if path.startswith("current/"):
            return f"{self.base}/api/v1/{path}"
        return f"{self.base}/api/v1/{self.division}/{path}"

    # -- reads -----------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        response = self.http.read("GET", self.url(path), params=params)
        self._raise_for(response, path, write=False)
        return self.http.json(response)["d"]

    def list(self, path: str, params: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every row of a collection, following ``__next`` (60 rows a page)."""
        page = self.get(path, params)
        while True:
            rows = page["results"] if isinstance(page, dict) else page
            yield from rows
            next_url = page.get("__next") if isinstance(page, dict) else None
            if not next_url:
                return
            page = self.get(next_url)

    # -- writes ----------------------------------------------------------------------------

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """One POST; 5xx and a lost answer are ``AmbiguousWrite``: the record may exist."""
        response = self.http.write("POST", self.url(path), json=body, headers={"Prefer": "return=representation"})
        if response.status_code >= 500:
            raise AmbiguousWrite(f"POST {path}: HTTP {response.status_code} ({self.http.error_text(response)})")
        self._raise_for(response, path, write=True)
        return self.http.json(response)["d"]

    def put(self, path: str, body: dict[str, Any]) -> bool:
        """An update: the same body twice changes nothing, so a lost answer is repeated once.
        False when the record is gone (404)."""
        try:
            response = self.http.write("PUT", self.url(path), json=body)
        except AmbiguousWrite:
            response = self.http.write("PUT", self.url(path), json=body)
        if response.status_code == 404:
            return False
        if response.status_code >= 500:
            raise TargetError(f"Exact Online PUT {path}: HTTP {response.status_code} "
                              f"({self.http.error_text(response)}); the next run tries again")
        self._raise_for(response, path, write=True)
        return True

    def _raise_for(self, response: httpx.Response, path: str, *, write: bool) -> None:
        """A 400 to a write refuses that record; to a read it is the connector's mistake or an outage."""
        if response.status_code < 400:
            return
        text = self.http.error_text(response)
        if response.status_code in (401, 403):
            raise AuthError(f"Exact Online refused access to {path.split('?')[0]}: {text}; {RECONNECT_HINT}")
        if response.status_code == 400 and write:
            raise DocumentRefused(text, code="refused_by_exact")
        raise TargetError(f"Exact Online {path.split('?')[0]}: HTTP {response.status_code} {text}")
