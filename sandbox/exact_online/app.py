"""The Exact Online sandbox as an ASGI app: admin API, OAuth and ``/api/v1`` on one host.

Every API call goes through the shared gate (faults, bearer token, rate
limits per client *and division*, log), then: the optional error budget,
``Accept: application/json`` (else 406), the division (else 403
``Forbidden - WrongDivision``), and the entity-set handlers. Malformed
queries and bodies are 400s in Exact's error format.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common import exactjson
from sandbox.common.admin import AdminError, admin_error_handler, admin_router
from sandbox.common.gate import ApiError, Gate
from sandbox.common.http import DateHeaderMiddleware
from sandbox.common.oauth import oauth_router
from sandbox.common.state import SandboxState
from sandbox.exact_online import oauth
from sandbox.exact_online.admin import exact_admin_router
from sandbox.exact_online.errorbudget import BLOCKED_MESSAGE
from sandbox.exact_online.odata import ODataError
from sandbox.exact_online.policy import ExactPolicy
from sandbox.exact_online.ratelimit import ExactLimiter
from sandbox.exact_online.resources import Call, answer, current_user, division_codes
from sandbox.exact_online.routing import Route, route
from sandbox.exact_online.service import ExactService
from sandbox.exact_online.store import ExactStore

WRONG_DIVISION = "Forbidden - WrongDivision"


def _body(method: str, raw: bytes) -> tuple[Any, bool]:
    """(body, valid) of a POST/PUT, numbers with a fraction as exact ``Decimal``; an invalid
    body is kept as text for the request log."""
    if method not in ("POST", "PUT"):
        return None, True
    try:
        return exactjson.loads(raw), True
    except ValueError:
        return raw.decode("utf-8", "replace"), False


def create_app(state: SandboxState, store: ExactStore, service: ExactService) -> FastAPI:
    gate = Gate(state, ExactPolicy())
    limiter = state.limiter
    assert isinstance(limiter, ExactLimiter)
    app = FastAPI(title="Exact Online sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(AdminError, admin_error_handler)
    app.include_router(admin_router(state, service))
    app.include_router(exact_admin_router(store, state.clock))
    app.include_router(oauth_router(state, gate, authorize_path=oauth.AUTHORIZE_PATH, token_path=oauth.TOKEN_PATH,
                                    dialect=oauth.DIALECT))

    def respond(request: Request, target: Route, division: str, body: Any, valid: bool) -> Response:
        if "application/json" not in request.headers.get("accept", ""):
            raise ApiError(406, "Accept header must be application/json.")
        if not division.isdigit() or int(division) not in division_codes(store):
            raise ApiError(403, WRONG_DIVISION)
        if not valid:
            raise ApiError(400, "Error processing request stream. The request body is not valid JSON.")
        call = Call(store, state.clock, str(request.base_url).rstrip("/"), target, int(division), request.method,
                    request.query_params.multi_items(), body)
        try:
            return answer(call)
        except ODataError as error:
            raise ApiError(400, str(error)) from None

    @app.api_route("/api/v1/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def api(path: str, request: Request) -> Response:
        target = route(path)
        division = target.division or str(current_user(store)["CurrentDivision"])
        body, valid = _body(request.method, await request.body())

        async def handle(client_id: str | None) -> Response:
            key, now = (client_id or "", division, target.endpoint), state.clock.now()
            if limiter.errors.blocked(key, now):
                raise ApiError(429, BLOCKED_MESSAGE)
            try:
                response = respond(request, target, division, body, valid)
            except ApiError as error:
                limiter.errors.record(key, error.status, now)
                raise
            limiter.errors.record(key, response.status_code, now)
            return response

        return await gate.api(request, target.endpoint, body, handle, rate_scope=division)

    app.add_middleware(DateHeaderMiddleware, clock=state.clock)
    return app
