"""OAuth2 token pairs that rotate: storage, locking and safe refreshing, for every service.

Focus and Exact Online both hand out single-use refresh tokens: every refresh
returns a new pair and kills the old one. Two workers refreshing the same
token at once means one of them ends up with a dead integration. So
refreshing happens under the token store's lock, re-reads the stored token
first (someone else may have refreshed already), and persists the new pair
*before* anybody uses the new access token.

The store is a small interface: in memory for tests, a JSON file for the CLI,
and a row in the state database locked with ``SELECT … FOR UPDATE``
(``state.tokens.DbTokenStore``) for the DAGs.

Token requests (``request_token``) have their own, longer timeout than API
calls and a few retries on 429/5xx and on connections that never opened.
Their failures are told apart, because the advice differs:

- ``GrantRefused``: the tool refused the code, refresh token or client —
  only connecting again helps, and the message says so and how;
- ``AnswerLost``: the request left but no answer came back. Neither Focus nor
  Exact Online documents a grace period for a rotated-away refresh token or a
  way to read the new pair again (apis.md §1.2, §2.2), so it is not retried:
  the connection is marked as needing consent and the message names the
  command that reconnects;
- ``TokenUnavailable``: anything transient; the run can simply be retried.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, stop_after_delay

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Token:
    """An access/refresh token pair. ``expires_at`` is a Unix time on our clock."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) + seconds >= self.expires_at

    def to_json(self) -> dict:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token, "expires_at": self.expires_at}

    @classmethod
    def from_json(cls, data: dict) -> Token:
        return cls(data["access_token"], data["refresh_token"], float(data["expires_at"]))


class TokenStore(Protocol):
    """Where one connection's tokens live, with a lock that spans processes where needed."""

    def load(self) -> Token | None: ...

    def save(self, token: Token) -> None: ...

    def lock(self) -> contextlib.AbstractContextManager[None]: ...


class MemoryTokenStore:
    """Tokens for one process (tests, one-off scripts)."""

    def __init__(self, token: Token | None = None):
        self._token = token
        self._lock = threading.RLock()

    def load(self) -> Token | None:
        return self._token

    def save(self, token: Token) -> None:
        self._token = token

    def lock(self) -> contextlib.AbstractContextManager[None]:
        return self._lock


class FileTokenStore:
    """Tokens in a JSON file readable by its owner only, locked with flock across processes."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._local = threading.RLock()

    def load(self) -> Token | None:
        try:
            return Token.from_json(json.loads(self.path.read_text()))
        except FileNotFoundError:
            return None

    def save(self, token: Token) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(token.to_json(), fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._local, open(self._lock_path, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


class AuthError(Exception):
    """Tokens are missing or refused: someone has to reconnect; retrying does not help."""


class NeedsConsent(AuthError):
    """Only a new consent helps; ``TokenManager`` marks the connection's integrations as Connecting."""

    #: The command the message names; ``ENTITY`` stands for an integration's name.
    command: str = ""
    #: Integrations whose status was set to "connecting" because of this.
    entities: tuple[str, ...] = ()

    def mark_connecting(self, entities: list[str]) -> None:
        """Name the integrations that now wait for consent, each with its own reconnect command."""
        if not entities:
            return
        self.entities = tuple(entities)
        commands = " or ".join(f"`{self.command.replace('ENTITY', name)}`" for name in entities)
        message = str(self.args[0]).replace(f"`{self.command}`", commands) if self.command else str(self.args[0])
        self.args = (f"{message} (status of {', '.join(entities)}: Connecting)",)


class GrantRefused(NeedsConsent):
    """The tool answered that the code, refresh token or client is not (or no longer) valid."""


class AnswerLost(NeedsConsent):
    """A code or refresh token was sent, but the answer never came: the single-use secret is probably spent."""


class TokenUnavailable(Exception):
    """The token endpoint failed in a passing way (429, 5xx, unreachable): a later run can simply try again."""


class RefreshTooEarly(TokenUnavailable):
    """The tool refused to refresh yet (Exact: before 9m30s); the current pair stays valid."""


# -- token requests ------------------------------------------------------------------------


def _env_float(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        return float(env.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class TokenPolicy:
    """Timeout and retries of token requests, separate from the short API timeout.

    A token request that times out after the tool rotated the token costs a
    new consent, so it gets far longer than an API call (``CONNECTOR_TOKEN_*``).
    """

    timeout: float = 60.0
    attempts: int = 3
    #: First wait between attempts; it doubles each time, capped at ``max_wait``.
    backoff: float = 1.0
    #: Longest single wait, also for a ``Retry-After`` the tool asks for.
    max_wait: float = 20.0
    #: No new attempt starts after this many seconds: refreshes hold the token lock meanwhile.
    budget: float = 100.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TokenPolicy:
        env = os.environ if env is None else env
        return cls(timeout=_env_float(env, "CONNECTOR_TOKEN_TIMEOUT_SECONDS", cls.timeout),
                   attempts=max(1, int(_env_float(env, "CONNECTOR_TOKEN_ATTEMPTS", cls.attempts))),
                   backoff=_env_float(env, "CONNECTOR_TOKEN_BACKOFF_SECONDS", cls.backoff),
                   max_wait=_env_float(env, "CONNECTOR_TOKEN_MAX_WAIT_SECONDS", cls.max_wait))

    def httpx_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout, connect=min(10.0, self.timeout))


@dataclass(frozen=True)
class TokenService:
    """What differs per tool when its token endpoint fails: its name, the reconnect command, its error types."""

    tool: str
    #: The one command that reconnects; ``ENTITY`` stands for the integration's name.
    command: str
    refused: type[GrantRefused]
    lost: type[AnswerLost]
    unavailable: type[TokenUnavailable]
    #: Neither transient nor a refusal (a malformed request, a wrong URL): a bug or a setup error.
    failed: type[Exception]
    #: Raised for ``access_denied`` (Exact: too early to refresh); None: ``access_denied`` is a refusal.
    too_early: type[RefreshTooEarly] | None = None


#: Connections that never opened: nothing reached the tool, so the same request can go again.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: OAuth2 error codes (RFC 6749 §5.2) that mean the grant itself is dead.
REFUSED_GRANT = ("invalid_grant", "unauthorized_client")


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


def request_token(http: httpx.Client, url: str, form: dict[str, str], service: TokenService, *,
                  policy: TokenPolicy, clock: Callable[[], float] = time.time,
                  sleep: Callable[[float], None] = time.sleep) -> tuple[dict[str, Any], float]:
    """POST one grant to a token endpoint; returns the JSON answer and when the request left (our clock)."""
    grant = form.get("grant_type", "")
    secrets = [form[k] for k in ("client_secret", "code", "refresh_token") if form.get(k)]
    retrying = Retrying(retry=retry_if_exception_type(_Retry), reraise=True, sleep=sleep, wait=_waits(policy),
                        stop=stop_after_attempt(policy.attempts) | stop_after_delay(policy.budget))
    try:
        for attempt in retrying:
            with attempt:
                sent_at = clock()
                response = _post(http, url, form, service, policy, grant)
                if response.status_code == 200:
                    return response.json(), sent_at
                _raise_for(response, service, grant, secrets)
    except _Retry as exc:
        attempts = retrying.statistics.get("attempt_number", 1)
        raise service.unavailable(f"{service.tool}'s token endpoint kept failing ({exc}) after {attempts} "
                                  "attempt(s); nothing was spent, the run can be retried later") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _post(http: httpx.Client, url: str, form: dict[str, str], service: TokenService, policy: TokenPolicy,
          grant: str) -> httpx.Response:
    try:
        return http.post(url, data=form, timeout=policy.httpx_timeout())
    except NOT_SENT as exc:
        raise _Retry(f"{type(exc).__name__}, not sent") from None
    except httpx.TransportError as exc:
        what = "refresh token" if grant == "refresh_token" else "authorization code"
        log.warning("%s token request (%s grant) lost its answer: %s", service.tool, grant, type(exc).__name__)
        raise _consent(service.lost, service,
                       f"{service.tool} may have used up the {what} (single use), but its answer was lost "
                       f"({type(exc).__name__} after sending, timeout {policy.timeout:g} s); {service.tool} "
                       f"offers no way to recover it: connect again with `{service.command}`.") from None


def _raise_for(response: httpx.Response, service: TokenService, grant: str, secrets: list[str]) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        raise _Retry(f"HTTP {status}", _retry_after(response))
    error, description = _oauth_error(response)
    detail = _scrub(f"{error}: {description}" if description else error or f"HTTP {status}", secrets)
    reason = response.headers.get("Reason")
    if error == "access_denied" and service.too_early is not None:
        raise service.too_early(f"{service.tool} refused to refresh yet ({detail}"
                                f"{'; ' + _scrub(reason, secrets) if reason else ''})")
    if error in REFUSED_GRANT or error == "access_denied":  # no too-early meaning here: a refusal
        what = "refresh token" if grant == "refresh_token" else "authorization code"
        raise _consent(service.refused, service, f"{service.tool} refused the {what} ({detail}) of the {grant} "
                                                 f"grant: connect again with `{service.command}`")
    if error == "invalid_client":
        raise _consent(service.refused, service, f"{service.tool} refused the client id or secret ({detail}) of "
                       f"the {grant} grant: check them in the connection, then connect again with `{service.command}`")
    if error is None and status in (401, 403):
        log.warning("%s token endpoint answered HTTP %s without an OAuth error", service.tool, status)
        raise service.unavailable(f"{service.tool}'s token endpoint answered HTTP {status} ({detail}) without "
                                  "refusing the grant; the run can be retried")
    raise service.failed(f"{service.tool}'s token endpoint answered HTTP {status} ({detail}) to the {grant} "
                         "grant; check the connection's host")


def _consent(kind: type[NeedsConsent], service: TokenService, message: str) -> NeedsConsent:
    error = kind(message)
    error.command = service.command
    return error


def _waits(policy: TokenPolicy) -> Callable[[Any], float]:
    """Exponential backoff, or the tool's ``Retry-After`` — each capped at ``policy.max_wait``."""

    def wait(state: Any) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = exc.wait if isinstance(exc, _Retry) else None
        backoff = policy.backoff * 2 ** (state.attempt_number - 1)
        return max(0.0, min(policy.max_wait, asked if asked is not None else backoff))

    return wait


def _retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (neither Focus nor Exact documents one; apis.md §1.3, §2.4)."""
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def _oauth_error(response: httpx.Response) -> tuple[str | None, str]:
    """RFC 6749 ``{"error", "error_description"}``; (None, text) for any other body."""
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:120].strip()
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"], str(body.get("error_description") or "")[:200]
    if isinstance(body, dict) and isinstance(body.get("error"), dict):  # Exact's API error format
        message = body["error"].get("message")
        return None, str(message.get("value") if isinstance(message, dict) else message)[:200]
    if isinstance(body, dict) and isinstance(body.get("errors"), list):  # Focus's API error format
        return None, "; ".join(str(e.get("title", "")) for e in body["errors"] if isinstance(e, dict))[:200]
    return None, ""


def _scrub(text: str, secrets: list[str]) -> str:
    """A tool may echo what it was sent: never let a secret into a message."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


# -- handing out tokens --------------------------------------------------------------------


class TokenEndpoint(Protocol):
    """What the token manager needs from a service's OAuth2 token endpoint."""

    def refresh(self, refresh_token: str) -> Token: ...


class TokenManager:
    """Hands out a valid access token, refreshing it safely when needed."""

    def __init__(self, oauth: TokenEndpoint, store: TokenStore, *, leeway: float = 60.0,
                 clock: Callable[[], float] = time.time, reconnect_hint: str = "connect it first"):
        self._oauth = oauth
        self._store = store
        self._leeway = leeway
        self._clock = clock
        self._reconnect_hint = reconnect_hint

    def _not_connected(self) -> AuthError:
        return AuthError(f"No token is stored for this connection: {self._reconnect_hint}")

    def access_token(self) -> str:
        token = self._store.load()
        if token is None:
            raise self._not_connected()
        if token.expires_within(self._leeway, self._clock()):
            token = self._refresh(stale=None)
        return token.access_token

    def after_unauthorized(self, rejected_access_token: str) -> str:
        """The service said 401 to this token: refresh unless someone already replaced it."""
        token = self._refresh(stale=rejected_access_token)
        return token.access_token

    def _refresh(self, stale: str | None) -> Token:
        try:
            with self._store.lock():
                current = self._store.load()
                if current is None:
                    raise self._not_connected()
                if stale is not None and current.access_token != stale:
                    return current  # another worker refreshed while we waited for the lock
                if stale is None and not current.expires_within(self._leeway, self._clock()):
                    return current
                try:
                    fresh = self._oauth.refresh(current.refresh_token)
                except RefreshTooEarly:
                    if stale is None and not current.expires_within(0, self._clock()):
                        return current  # the tool's clock says it still lives: use it until it does not
                    raise
                self._store.save(fresh)  # persist before first use: the old refresh token is dead now
                return fresh
        except NeedsConsent as dead:
            self._needs_consent(dead)  # after the lock: its transaction must not hold the database meanwhile
            raise

    def _needs_consent(self, dead: NeedsConsent) -> None:
        """Stores that know the integrations behind them (``DbTokenStore.needs_consent``) mark them Connecting."""
        if not hasattr(self._store, "needs_consent"):
            return
        try:
            entities = self._store.needs_consent()  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - the auth error matters more than the status
            log.warning("Could not mark the connection as needing consent: %s", type(exc).__name__)
            return
        dead.mark_connecting(entities)
        if entities:
            log.warning("Integrations %s wait for consent again: %s", ", ".join(entities), dead)
