"""The Focus sandbox as an ASGI app: admin API (shared, plus Focus's test hooks), OAuth, file links and
the RPC endpoints."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.admin import AdminError, admin_error_handler, admin_router
from sandbox.common.gate import ApiError, Gate
from sandbox.common.http import DateHeaderMiddleware, json_response
from sandbox.common.oauth import oauth_router
from sandbox.common.state import SandboxState
from sandbox.focus.admin import focus_admin_router
from sandbox.focus.api import HANDLERS, files
from sandbox.focus.api.base import Context, Created, Reply
from sandbox.focus.api.params import Params
from sandbox.focus.policy import FocusPolicy
from sandbox.focus.service import FocusService
from sandbox.focus.store import FocusStore


def _response(reply: Reply) -> Response:
    if reply is None:
        return Response(status_code=204)
    if isinstance(reply, Created):
        return json_response({"data": {"type": reply.type, "id": reply.id}}, 201)
    return json_response(reply)


def _parse_body(raw: bytes) -> tuple[Any, bool]:
    """(body, valid): an invalid body is kept as text for the request log."""
    try:
        return (json.loads(raw) if raw.strip() else {}), True
    except ValueError:
        return raw.decode("utf-8", "replace"), False


def create_app(state: SandboxState, store: FocusStore, service: FocusService) -> FastAPI:
    gate = Gate(state, FocusPolicy())
    app = FastAPI(title="Teamleader Focus sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(AdminError, admin_error_handler)
    app.include_router(admin_router(state, service))
    app.include_router(focus_admin_router(store, state.clock))
    app.include_router(oauth_router(state, gate, authorize_path="/oauth2/authorize", token_path="/oauth2/access_token"))

    @app.get(f"{files.FILES_PATH}/{{token}}")
    async def get_file(token: str, request: Request) -> Response:
        async def handle(_: str | None) -> Response:
            return files.fetch(store, state.clock, token)

        return await gate.open(request, files.FILES_PATH.lstrip("/"), handle)

    @app.post("/{endpoint}")
    async def rpc(endpoint: str, request: Request) -> Response:
        body, valid = _parse_body(await request.body())

        async def handle(_: str | None) -> Response:
            if not valid:
                raise ApiError(400, "The request body is not valid JSON")
            handler = HANDLERS.get(endpoint)
            if handler is None:
                raise ApiError(404, f"Endpoint {endpoint} does not exist")
            context = Context(store, state.clock, str(request.base_url).rstrip("/"), state.config.current)
            return _response(handler(context, Params(body)))

        return await gate.api(request, endpoint, body, handle)

    app.add_middleware(DateHeaderMiddleware, clock=state.clock)
    return app
