"""HTTP for accounting tools: one place for retries, transient errors, timeouts, headers and error text.

Every tool client sends through ``ToolHttp``, so the rules that keep the books
right are written once:

- **reads** are retried (exponential backoff with jitter) on timeouts, broken
  connections and 5xx answers — they change nothing;
- **writes** are sent once. A connection that never opened is an outage
  (``TargetError``); an answer lost after the request left is
  ``AmbiguousWrite``, and the caller looks the record up before it ever
  writes again;
- every attempt builds its headers afresh (the tool's auth header, ``Accept``,
  the caller's own), so a retry or a token renewal never loses one;
- a 401 renews the credentials once and repeats the call;
- a tool's pacing and 429 rules plug in as ``RateRules``; its error bodies as
  ``error_text``;
- a write made under a claim is **fenced**: ``writes_before(deadline)`` names
  the moment the claim runs out, and no write (nor a repeat after a 429 or a
  401) is sent unless the tool can still answer before it — so a post slowed
  by rate limits or a token refresh never lands after another worker may have
  taken the document over (``NotSent``: nothing left this machine);
- JSON goes out with Decimals as exact number literals and comes back with
  numbers parsed as Decimal: no float ever touches money.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from connectors.exact_json import dumps
from connectors.targets.base import AmbiguousWrite, NotSent, TargetError

#: Nothing was sent: the request can be repeated or reported as an outage.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Transient(Exception):
    """A failure worth another try of a read (timeout, broken connection, 5xx)."""


#: When the claim of the write in progress runs out (Unix time), or None outside a claim.
_write_deadline: ContextVar[float | None] = ContextVar("write_deadline", default=None)
#: Time the tool may take to commit beyond our own timeout before another worker may look.
WRITE_MARGIN = 30.0


@contextlib.contextmanager
def writes_before(deadline: float) -> Iterator[None]:
    """Writes in this block are sent only while the tool can still answer before ``deadline``."""
    marker = _write_deadline.set(deadline)
    try:
        yield
    finally:
        _write_deadline.reset(marker)


def fence(what: str, read_timeout: float | None, clock: Callable[[], float] = time.time) -> None:
    """Raise ``NotSent`` when a write sent now could still be unanswered when the claim it is made under runs out
    (``writes_before``); outside a claim, nothing to check."""
    deadline = _write_deadline.get()
    if deadline is None:
        return
    needed = (read_timeout if read_timeout is not None else 30.0) + WRITE_MARGIN
    if deadline - clock() < needed:
        raise NotSent(f"{what} was not sent: the claim would run out before the tool could answer; the next "
                      "attempt checks the tool first")


class Credentials(Protocol):
    """Hands out the current access token and renews it after the tool refused it."""

    def access_token(self) -> str: ...

    def after_unauthorized(self, rejected: str) -> str: ...


class RateRules(Protocol):
    """A tool's own pacing: wait before a call, learn from each answer, decide what a 429 means."""

    def wait_before(self) -> float: ...

    def observe(self, response: httpx.Response) -> None: ...

    def after_429(self, response: httpx.Response, waited: float) -> float:
        """Seconds to wait before trying again, or raise ``TargetError`` (a quota used up)."""
        ...


class NoPacing:
    """For tools without published pacing: a 429 is a used-up quota."""

    def __init__(self, tool: str):
        self._tool = tool

    def wait_before(self) -> float:
        return 0.0

    def observe(self, response: httpx.Response) -> None:
        return None

    def after_429(self, response: httpx.Response, waited: float) -> float:
        raise TargetError(f"{self._tool} refused the call: its quota is used up; the next run continues")


def timeout(seconds: float) -> httpx.Timeout:
    """One answer may take ``seconds``; opening a connection never more than 10 s."""
    return httpx.Timeout(seconds, connect=min(10.0, seconds))


def loads(response: httpx.Response) -> Any:
    """A JSON answer with every non-integer number as a Decimal."""
    return json.loads(response.content, parse_float=Decimal)


@dataclass(frozen=True)
class Dialect:
    """What differs per tool: its name, its auth header, how its error bodies read."""

    tool: str
    auth_headers: Callable[[str], dict[str, str]]
    error_message: Callable[[Any], str | None]
    accept: str = "application/json"


def error_text(response: httpx.Response, message: Callable[[Any], str | None] = lambda body: None) -> str:
    """The tool's own message when its body has one, else the start of the body, else the status."""
    try:
        body = loads(response)
    except ValueError:
        return response.text[:200].strip() or f"HTTP {response.status_code}"
    return message(body) or f"HTTP {response.status_code}"


class ToolHttp:
    def __init__(self, dialect: Dialect, credentials: Credentials, *, http: httpx.Client,
                 rates: RateRules | None = None, sleep: Callable[[float], None] = time.sleep,
                 max_attempts: int = 4, max_rate_wait: float = 180.0, clock: Callable[[], float] = time.time):
        self.dialect = dialect
        self._clock = clock
        self._credentials = credentials
        self._http = http
        self._rates = rates or NoPacing(dialect.tool)
        self._sleep = sleep
        self._max_attempts = max_attempts
        self._max_rate_wait = max_rate_wait
        self.calls = 0
        self.writes = 0

    # -- the three ways to call ---------------------------------------------------------------

    def send(self, method: str, url: str, *, params: Any = None, json: Any = None,
             headers: dict[str, str] | None = None, attempts_401: int = 1,
             before_each: Callable[[], None] | None = None) -> httpx.Response:
        """One call as the tool wants it: paced, authenticated, repeated after a 429 wait or one 401.
        ``before_each`` runs right before every attempt leaves. Transport errors are raised as httpx raises them."""
        renewed = 0
        waited = 0.0
        token = self._credentials.access_token()
        content = None if json is None else dumps(json)
        while True:
            delay = self._rates.wait_before()
            if delay:
                self._sleep(delay)
            if before_each is not None:
                before_each()
            all_headers = {"Accept": self.dialect.accept, **self.dialect.auth_headers(token), **(headers or {})}
            if content is not None:
                all_headers["Content-Type"] = "application/json"
            self.calls += 1
            response = self._http.request(method, url, params=params, content=content, headers=all_headers)
            self._rates.observe(response)
            if response.status_code == 429:
                delay = self._rates.after_429(response, waited)
                waited += delay
                if waited > self._max_rate_wait:
                    raise TargetError(f"{self.dialect.tool} kept answering 429 for {int(self._max_rate_wait)} s; "
                                      "the next run continues")
                self._sleep(delay)
                continue
            if response.status_code == 401 and renewed < attempts_401:
                renewed += 1
                token = self._credentials.after_unauthorized(token)
                continue
            return response

    def read(self, method: str, url: str, *, params: Any = None, json: Any = None,
             attempts: int | None = None) -> httpx.Response:
        """A call that changes nothing: retried on timeouts, broken connections and 5xx.
        Returns the first answer below 500; ``TargetError`` when every attempt failed."""
        retrying = Retrying(retry=retry_if_exception_type(Transient),
                            stop=stop_after_attempt(attempts or self._max_attempts),
                            wait=wait_exponential_jitter(multiplier=0.5, max=20, jitter=0.5), sleep=self._sleep,
                            reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    try:
                        response = self.send(method, url, params=params, json=json)
                    except httpx.TransportError as exc:
                        raise Transient(type(exc).__name__) from None
                    if response.status_code >= 500:
                        raise Transient(f"HTTP {response.status_code} {self.error_text(response)}")
                    return response
        except Transient as exc:
            raise TargetError(f"{self.dialect.tool} {method} {_path(url)} kept failing: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def write(self, method: str, url: str, *, json: Any = None, params: Any = None,
              headers: dict[str, str] | None = None) -> httpx.Response:
        """A call that changes the books, sent once. Returns whatever the tool answered; the caller knows
        what each status means for its resource."""
        self.writes += 1
        try:
            return self.send(method, url, params=params, json=json, headers=headers,
                             before_each=lambda: self._fence(method, url))
        except NOT_SENT:
            raise TargetError(f"{self.dialect.tool} is unreachable ({method} {_path(url)}); nothing was sent, "
                              "the next run continues") from None
        except httpx.TransportError as exc:
            raise AmbiguousWrite(f"{method} {_path(url)}: {type(exc).__name__} after sending") from None

    def _fence(self, method: str, url: str) -> None:
        fence(f"{self.dialect.tool} {method} {_path(url)}", self._http.timeout.read, self._clock)

    # -- answers ------------------------------------------------------------------------------

    def error_text(self, response: httpx.Response) -> str:
        return error_text(response, self.dialect.error_message)

    @staticmethod
    def json(response: httpx.Response) -> Any:
        return loads(response)


def _path(url: str) -> str:
    """What a message may show of a URL: the path after the API root, no query."""
    return url.split("?", 1)[0].split("/api/v1/", 1)[-1].split("/octopus-rest-api/v1/", 1)[-1]
