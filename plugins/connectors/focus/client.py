"""HTTP client for the Teamleader Focus RPC API.

One ``call`` does everything a production client must: a valid bearer token
(refreshed safely, retried once on 401), pacing on the ``X-RateLimit-*``
headers so we never spend a request we know will be refused, waiting until
``X-RateLimit-Reset`` on a 429 (never spinning), and bounded retries with
exponential backoff on 5xx and timeouts — but only where a retry cannot do a
write twice. ``paginate`` walks ``page.number`` until a short page, which is
the only end-of-list signal Focus documents for every list.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from connectors import exact_json
from connectors.focus.errors import (
    FocusAuthError,
    FocusBadRequest,
    FocusError,
    FocusNotFound,
    FocusRateLimited,
    FocusUnavailable,
)
from connectors.oauth import TokenManager

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
#: Clock differences smaller than this are treated as noise of the 1-second ``Date`` header.
_SKEW_TOLERANCE = 2.0
#: Margin added when waiting for a rate-limit slot, so we arrive just after it frees up.
_RESET_MARGIN = 0.05


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the client tries before giving up with a typed error."""

    max_attempts: int = 5
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    #: Longest total time one call may spend waiting on rate limits.
    max_rate_limit_wait: float = 180.0
    timeout: float = 30.0


class _Transient(Exception):
    """A failure worth another attempt. ``replay_safe``: the server cannot have acted on it."""

    def __init__(self, message: str, *, replay_safe: bool, status: int | None = None):
        super().__init__(message)
        self.replay_safe = replay_safe
        self.status = status


class RateLimitGate:
    """Remembers the last ``X-RateLimit-*`` headers and says how long to wait before the next call."""

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self.limit: int | None = None
        self.remaining: int | None = None
        self.reset_at: float | None = None  # on our clock

    def observe(self, response: httpx.Response) -> None:
        headers = response.headers
        if "X-RateLimit-Remaining" not in headers:
            return
        try:
            self.limit = int(headers.get("X-RateLimit-Limit", "0")) or None
            self.remaining = int(headers["X-RateLimit-Remaining"])
            reset = headers.get("X-RateLimit-Reset")
            self.reset_at = self._to_local(dt.datetime.fromisoformat(reset), headers.get("Date")) if reset else None
        except ValueError:
            log.warning("Ignoring unparseable rate-limit headers from Focus")

    def delay(self) -> float:
        """Seconds to wait before the next request may go out (0 when a slot is free)."""
        if self.remaining is None or self.remaining > 0 or self.reset_at is None:
            return 0.0
        return max(0.0, self.reset_at - self._clock() + _RESET_MARGIN)

    def spend(self) -> None:
        if self.remaining is not None:
            self.remaining -= 1

    def _to_local(self, reset: dt.datetime, date_header: str | None) -> float:
        reset_ts = reset.timestamp()
        now = self._clock()
        if date_header:
            try:
                server_now = email.utils.parsedate_to_datetime(date_header).timestamp()
            except (TypeError, ValueError):
                return reset_ts
            skew = server_now - now
            if abs(skew) > _SKEW_TOLERANCE:
                return reset_ts - skew  # the server's clock runs elsewhere: translate to ours
        return reset_ts


class FocusClient:
    """Talks to ``POST {api_base_url}/<resource>.<action>``."""

    def __init__(
        self,
        api_base_url: str,
        tokens: TokenManager,
        *,
        http: httpx.Client | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        owns_http: bool | None = None,
    ):
        self._base = api_base_url.rstrip("/")
        self._tokens = tokens
        self.retry = retry or RetryPolicy()
        self._http = http or httpx.Client(timeout=self.retry.timeout, headers={"Accept": "application/json"})
        self._owns_http = http is None if owns_http is None else owns_http
        self._sleep = sleep
        self._clock = clock
        self.rate = RateLimitGate(clock)
        #: Requests sent per endpoint, for run reports.
        self.calls: Counter[str] = Counter()
        #: List resources that refused the ``includes`` extension: later lists of this client ask without.
        self.includes_refused: set[str] = set()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> FocusClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- single calls -------------------------------------------------------------------

    def call(self, endpoint: str, body: dict[str, Any] | None = None, *, idempotent: bool = True) -> Any:
        """POST one RPC call and return its decoded JSON envelope (``None`` for 204).

        ``idempotent=False`` (payments and other writes): a timeout or 5xx after the
        request left is not retried, since Focus may have acted on it.
        """
        try:
            for attempt in self._retrying(idempotent):
                with attempt:
                    return self._attempt(endpoint, body or {})
        except _Transient as exc:
            raise FocusUnavailable(
                f"Focus {endpoint} failed after {self.retry.max_attempts} attempt(s): {exc}",
                endpoint=endpoint,
                status=exc.status,
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _retrying(self, idempotent: bool) -> Retrying:
        return Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, _Transient) and (idempotent or e.replay_safe)),
            wait=wait_exponential_jitter(
                multiplier=self.retry.backoff_initial, max=self.retry.backoff_max, jitter=self.retry.backoff_initial
            ),
            stop=stop_after_attempt(self.retry.max_attempts),
            sleep=self._sleep,
            reraise=True,
        )

    def _attempt(self, endpoint: str, body: dict[str, Any]) -> Any:
        waited = 0.0
        refreshed = False
        while True:
            delay = self.rate.delay()
            if delay:
                waited += self._wait_for_rate_limit(endpoint, delay, waited)
            token = self._tokens.access_token()
            self.calls[endpoint] += 1
            self.rate.spend()
            try:
                response = self._http.post(
                    f"{self._base}/{endpoint}", content=exact_json.dumps(body),
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                raise _Transient(f"{type(exc).__name__} (request not sent)", replay_safe=True) from None
            except httpx.TransportError as exc:
                raise _Transient(f"{type(exc).__name__} (request may have been processed)", replay_safe=False) from None
            self.rate.observe(response)
            status = response.status_code
            if status == 429:
                log.info("Focus rate limit reached on %s; waiting for the window to reset", endpoint)
                waited += self._wait_for_rate_limit(endpoint, self.rate.delay() or 1.0, waited)
                continue
            if status == 401 and not refreshed:
                self._tokens.after_unauthorized(token)
                refreshed = True
                continue
            if status >= 500:
                raise _Transient(f"HTTP {status} {_titles(response)}", replay_safe=False, status=status)
            if 200 <= status < 300:
                return json.loads(response.content, parse_float=Decimal) if response.content else None
            raise _typed_error(endpoint, response)

    def _wait_for_rate_limit(self, endpoint: str, delay: float, waited: float) -> float:
        if waited + delay > self.retry.max_rate_limit_wait:
            raise FocusRateLimited(
                f"Focus {endpoint}: still rate limited after waiting {waited:.0f}s", endpoint=endpoint, status=429
            )
        self._sleep(delay)
        return delay

    # -- lists --------------------------------------------------------------------------

    def paginate(
        self, endpoint: str, body: dict[str, Any] | None = None, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        """Yield every item of a paged list, asking for full pages until a short one."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        number = 1
        while True:
            envelope = self.call(endpoint, {**(body or {}), "page": {"size": page_size, "number": number}})
            items = envelope.get("data") or []
            yield from items
            if len(items) < page_size:
                return
            number += 1

    def download(self, location: str) -> bytes:
        """GET a temporary file location handed out by ``files.download`` (no bearer token: the URL is signed)."""
        try:
            for attempt in self._retrying(idempotent=True):
                with attempt:
                    try:
                        response = self._http.get(location)
                    except httpx.TransportError as exc:
                        raise _Transient(type(exc).__name__, replay_safe=True) from None
                    if response.status_code >= 500:
                        raise _Transient(f"HTTP {response.status_code}", replay_safe=True, status=response.status_code)
                    if response.status_code != 200:
                        raise FocusError(
                            f"Focus file download answered HTTP {response.status_code} (link expired?)",
                            endpoint="files.download",
                            status=response.status_code,
                        )
                    return response.content
        except _Transient as exc:
            raise FocusUnavailable(f"Focus file download failed: {exc}", endpoint="files.download") from None
        raise AssertionError("unreachable")  # pragma: no cover


def _titles(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        if body.get("errors"):
            return "; ".join(str(e.get("title", "")) for e in body["errors"] if isinstance(e, dict))
        if "error" in body:
            return str(body["error"])
    return ""


def _typed_error(endpoint: str, response: httpx.Response) -> FocusError:
    status = response.status_code
    titles = _titles(response)
    message = f"Focus {endpoint} answered HTTP {status}: {titles or 'no error details'}"
    if status == 400:
        return FocusBadRequest(message, titles=titles.split("; ") if titles else [], endpoint=endpoint)
    if status in (401, 403):
        return FocusAuthError(message + " — reconnect the integration or check its scopes", endpoint=endpoint,
                              status=status)
    if status == 404:
        return FocusNotFound(message, endpoint=endpoint, status=status)
    return FocusError(message, endpoint=endpoint, status=status)
