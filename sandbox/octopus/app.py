"""The Octopus sandbox as an ASGI app: the shared admin API, Octopus's own admin calls, and the REST API.

Every API call goes through the shared gate with Octopus's caller
(``credentials``), the quota scope of its operation (``quotas``) and an
ErrorResult policy; unknown paths are answered (404/405) without
authentication or quota. Request bodies are parsed once, for the handler
and the log (passwords masked).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common import exactjson
from sandbox.common.admin import AdminError, admin_error_handler, admin_router
from sandbox.common.gate import Gate
from sandbox.common.http import DateHeaderMiddleware
from sandbox.common.state import SandboxState
from sandbox.octopus import credentials
from sandbox.octopus.admin import octopus_admin_router
from sandbox.octopus.context import Call, Identity
from sandbox.octopus.errors import OctopusError
from sandbox.octopus.policy import OctopusPolicy
from sandbox.octopus.quotas import Quotas, scope
from sandbox.octopus.routing import BASE_PATH, route
from sandbox.octopus.service import OctopusService
from sandbox.octopus.store import OctopusStore
from sandbox.octopus.tokens import SessionTokens


def _body(raw: bytes) -> tuple[Any, bool]:
    """(body, valid): no body is None; numbers with a fraction are exact ``Decimal``; an invalid
    body is kept as text for the request log."""
    if not raw.strip():
        return None, True
    try:
        return exactjson.loads(raw), True
    except ValueError:
        return raw.decode("utf-8", "replace"), False


def create_app(state: SandboxState, store: OctopusStore, service: OctopusService, identity: Identity) -> FastAPI:
    gate = Gate(state, OctopusPolicy())
    tokens, quotas = state.tokens, state.limiter
    assert isinstance(tokens, SessionTokens) and isinstance(quotas, Quotas)
    app = FastAPI(title="Octopus sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(AdminError, admin_error_handler)
    app.include_router(admin_router(state, service))
    app.include_router(octopus_admin_router(store, state.clock, quotas))

    @app.api_route(f"{BASE_PATH}/{{path:path}}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    async def api(path: str, request: Request) -> Response:
        body, valid = _body(await request.body())
        query = dict(request.query_params)
        try:
            target = route(request.method, path, query)
        except OctopusError as error:
            refusal = error

            async def refuse(_: str | None) -> Response:
                raise refusal

            return await gate.open(request, "unknown", refuse)
        call = Call(store, state.clock, tokens, identity, request.headers, query, body, valid, target.dossier,
                    target.params)

        async def handle(user: str | None) -> Response:
            call.user = user
            return target.handler(call)

        return await gate.api(request, target.operation, credentials.loggable(target.access, body), handle,
                              rate_scope=scope(target.operation, target.dossier),
                              authenticate=credentials.authenticator(target.access, tokens, body, target.dossier))

    app.add_middleware(DateHeaderMiddleware, clock=state.clock)
    return app
