"""The path every non-admin request takes, in the order a real API gateway uses.

1. ``expire_tokens`` faults act (so the request sees its token die);
2. the caller is identified (401): the bearer token, or the service's own
   ``authenticate`` (Octopus reads a ``Token`` or ``dossierToken`` header);
3. ``rate_limit`` faults answer 429 without counting, as a throttling
   gateway would;
4. the client's sliding window counts the request, or answers 429 (a
   limiter may explain its refusal as ``decision.error``);
5. ``slow`` faults stall and ``error`` faults answer, *after* counting: a
   failing backend still costs the client a request;
6. the handler runs;
7. ``commit_then_delay`` faults stall the answer of a handler that completed
   (its writes are committed): a client with a short timeout gives up
   although the work was done.

OAuth and file links skip steps 2 and 4. Each service supplies an
``ApiPolicy`` for what its error bodies and headers look like; an ``ApiError``
whose body carries more than a title renders itself. The limiter key is the
client id, or ``client id|scope`` when the service passes a ``rate_scope``
(Exact Online limits per client *and* division, Octopus per operation).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.clock import iso_ms
from sandbox.common.faults import FaultRule
from sandbox.common.ratelimit import Decision
from sandbox.common.requestlog import LogEntry
from sandbox.common.state import SandboxState

logger = logging.getLogger(__name__)

Handler = Callable[[str | None], Awaitable[Response]]
#: Who is calling: a client id, or None for the policy's 401 (it may raise ``ApiError`` instead).
Authenticate = Callable[[Request], str | None]


class ApiError(Exception):
    """Raised by handlers; the policy renders it in the service's error format."""

    def __init__(self, status: int, title: str) -> None:
        super().__init__(title)
        self.status = status
        self.title = title

    def render(self, policy: ApiPolicy) -> Response:
        """The error response; vendors whose errors carry more than a title override this."""
        return policy.error(self.status, self.title)


class ApiPolicy(Protocol):
    def error(self, status: int, title: str | None = None) -> Response: ...

    def unauthorized(self) -> Response: ...

    def rate_limit_headers(self, decision: Decision) -> dict[str, str]: ...

    def api_headers(self) -> dict[str, str]: ...


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


class _Call:
    """One request on its way through the gate."""

    def __init__(self, endpoint: str, at: float, log_generation: int, rate_scope: str | None,
                 method: str | None = None) -> None:
        self.endpoint = endpoint
        self.method = method
        self.rate_scope = rate_scope
        #: Arrival time on the sandbox clock: counted by the limiter and logged.
        self.at = at
        self.log_generation = log_generation
        self.client_id: str | None = None
        self.injected: list[str] = []
        self.decision: Decision | None = None

    @property
    def rate_key(self) -> str:
        client = self.client_id or ""
        return client if self.rate_scope is None else f"{client}|{self.rate_scope}"


class Gate:
    def __init__(self, state: SandboxState, policy: ApiPolicy) -> None:
        self._state = state
        self._policy = policy

    async def api(self, request: Request, endpoint: str, body: Any, handler: Handler, *,
                  rate_scope: str | None = None, authenticate: Authenticate | None = None) -> Response:
        """An authenticated, rate-limited API call; ``body`` goes to the log. Without
        ``authenticate`` the caller is the client of the bearer token."""
        return await self._run(request, endpoint, body, handler, api=True, rate_scope=rate_scope,
                               authenticate=authenticate)

    async def open(self, request: Request, endpoint: str, handler: Handler) -> Response:
        """OAuth and file downloads: faults and log only, no body logged."""
        return await self._run(request, endpoint, None, handler, api=False)

    async def _run(self, request: Request, endpoint: str, body: Any, handler: Handler, *, api: bool,
                   rate_scope: str | None = None, authenticate: Authenticate | None = None) -> Response:
        started = time.perf_counter()
        call = _Call(endpoint, self._state.clock.now(), self._state.log.generation, rate_scope, request.method)
        try:
            response = await self._serve(request, call, handler, api=api, authenticate=authenticate)
        except ApiError as error:
            response = error.render(self._policy)
        except Exception:
            logger.exception("unhandled error in %s", endpoint)
            response = self._policy.error(500)
        if call.decision is not None:
            response.headers.update(self._policy.rate_limit_headers(call.decision))
        if api:
            response.headers.update(self._policy.api_headers())
        self._state.log.record(LogEntry(
            at=iso_ms(call.at),
            method=request.method,
            path=request.url.path + (f"?{request.url.query}" if api and request.url.query else ""),
            endpoint=endpoint,
            status=response.status_code,
            client_id=call.client_id,
            body=body,
            injected=",".join(call.injected) or None,
            duration_ms=(time.perf_counter() - started) * 1000,
        ), call.log_generation)
        return response

    def _faults(self, call: _Call, *kinds: str) -> list[FaultRule]:
        fired = self._state.faults.draw(call.endpoint, kinds, call.method)
        call.injected += [rule.kind for rule in fired]
        return fired

    def _bearer_client(self, request: Request) -> str | None:
        token = bearer_token(request)
        return self._state.tokens.client_for(token) if token else None

    def _refusal(self, decision: Decision) -> Response:
        """The limiter's own explanation (``decision.error``, an ``ApiError``), else the plain 429."""
        error = getattr(decision, "error", None)
        return error.render(self._policy) if isinstance(error, ApiError) else self._policy.error(429)

    async def _serve(self, request: Request, call: _Call, handler: Handler, *, api: bool,
                     authenticate: Authenticate | None) -> Response:
        state, policy = self._state, self._policy
        if self._faults(call, "expire_tokens"):
            state.tokens.expire_access_tokens()
        if api:
            call.client_id = (authenticate or self._bearer_client)(request)
            if call.client_id is None:
                call.decision = state.limiter.peek(None, call.at)
                return policy.unauthorized()
        for rule in self._faults(call, "rate_limit"):
            call.decision = state.limiter.throttled(call.at + rule.retry_after_seconds)
            return policy.error(429)
        if api:
            call.decision = state.limiter.hit(call.rate_key, call.at)
            if not call.decision.allowed:
                return self._refusal(call.decision)
        for rule in self._faults(call, "slow", "error"):
            if rule.kind == "slow":
                await asyncio.sleep(rule.delay_seconds)
            else:
                return policy.error(rule.status, rule.title)
        response = await handler(call.client_id)
        for rule in self._faults(call, "commit_then_delay"):
            await asyncio.sleep(rule.delay_seconds)
        return response
