"""Requests to OAuth2 token endpoints (code exchange, refresh), shared by every service.

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

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, stop_after_delay

from connectors.oauth import AnswerLost, GrantRefused, NeedsConsent, RefreshTooEarly, TokenUnavailable

log = logging.getLogger(__name__)


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
