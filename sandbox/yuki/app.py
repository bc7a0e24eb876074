"""The Yuki sandbox as an ASGI app: the shared admin API, Yuki's own admin calls and the ``.asmx`` services.

``GET /ws/<Service>.asmx?WSDL`` serves the WSDL (request-log endpoint
``<Service>.WSDL``; without ``?WSDL`` a short help page). ``POST
/ws/<Service>.asmx`` is a SOAP call: the SOAPAction picks the operation
(unknown or missing: ``soap:Client`` fault, endpoint ``<Service>.unknown``),
the envelope is read with the operation's parameters, then the shared gate
runs faults, authentication (access key or session: ``credentials``), the
daily cap and the web method; the answer is the operation's response
envelope. Requests the framework refuses before authentication (SOAPAction,
content type, unreadable XML) are logged but never counted. Unknown paths
under ``/ws`` are a 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from lxml import etree
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from sandbox.common.admin import AdminError, admin_error_handler, admin_router
from sandbox.common.gate import Gate
from sandbox.common.http import DateHeaderMiddleware
from sandbox.common.state import SandboxState
from sandbox.yuki import catalog, credentials
from sandbox.yuki.admin import yuki_admin_router
from sandbox.yuki.catalog import STRING, Operation
from sandbox.yuki.context import Call
from sandbox.yuki.params import loggable, read_params
from sandbox.yuki.policy import YukiPolicy
from sandbox.yuki.quotas import DailyCap
from sandbox.yuki.service import YukiService
from sandbox.yuki.sessions import Sessions
from sandbox.yuki.soap import (
    CLIENT,
    SoapFault,
    action_name,
    fragment,
    operation_element,
    result_response,
    text,
    unknown_action,
)
from sandbox.yuki.store import YukiStore
from sandbox.yuki.wsdl import wsdl

NOT_FOUND = "<html><body><h1>The resource cannot be found.</h1></body></html>"


def _service(name: str) -> str | None:
    if not name.lower().endswith(".asmx"):
        return None
    return catalog.service_name(name[: -len(".asmx")])


def _content(op: Operation, result: Any) -> str | None:
    """The ``<OperationResult>`` content: escaped text, or XML fragments."""
    if op.result == STRING:
        return None if result is None else text(result)
    if result is None:
        return ""
    elements = result if isinstance(result, list) else [result]
    return "".join(fragment(element) for element in elements)


def _log_body(op: Operation, params: dict[str, Any]) -> dict[str, Any]:
    """Parameters (secrets masked) and, for an invoice import, the number of invoices sent (the batch size)."""
    body: dict[str, Any] = {"params": loggable(params, catalog.SECRETS)}
    document = params.get("xmlDoc")
    if op.name.startswith("Process") and isinstance(document, etree._Element):
        body["batch"] = sum(1 for item in document if isinstance(item.tag, str))
    return body


def create_app(state: SandboxState, store: YukiStore, service: YukiService) -> FastAPI:
    sessions, cap = state.tokens, state.limiter
    assert isinstance(sessions, Sessions) and isinstance(cap, DailyCap)
    gate = Gate(state, YukiPolicy(cap))
    app = FastAPI(title="Yuki sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(AdminError, admin_error_handler)
    app.include_router(admin_router(state, service))
    app.include_router(yuki_admin_router(store, state.clock, cap))

    async def refuse(request: Request, endpoint: str, fault: SoapFault) -> Response:
        async def answer(_: str | None) -> Response:
            raise fault

        return await gate.open(request, endpoint, answer)

    @app.get("/ws/{name}")
    async def describe(name: str, request: Request) -> Response:
        found = _service(name)
        if found is None:
            return HTMLResponse(NOT_FOUND, 404)
        if not any(key.lower() == "wsdl" for key in request.query_params):
            ops = "".join(f"<li>{op.name}</li>" for op in catalog.SERVICES[found])
            return HTMLResponse(f"<html><body><h1>{found}</h1><ul>{ops}</ul></body></html>")
        address = f"{request.url.scheme}://{request.url.netloc}/ws/{found}.asmx"

        async def document(_: str | None) -> Response:
            return Response(wsdl(found, address), media_type="text/xml; charset=utf-8")

        return await gate.open(request, f"{found}.WSDL", document)

    @app.post("/ws/{name}")
    async def soap(name: str, request: Request) -> Response:
        found = _service(name)
        if found is None:
            return HTMLResponse(NOT_FOUND, 404)
        raw = await request.body()
        header = request.headers.get("soapaction")
        op_name = action_name(header)
        op = catalog.operation(found, op_name) if op_name else None
        if op is None:
            return await refuse(request, f"{found}.unknown", unknown_action((header or "").strip('"')))
        endpoint = f"{found}.{op.name}"
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "text/xml":
            return await refuse(request, endpoint, SoapFault(
                f"Unsupported content type {media or '(none)'}: the sandbox speaks SOAP 1.1 (text/xml) only",
                code=CLIENT, status=415))
        try:
            params = read_params(op.params, operation_element(raw, op.name))
        except SoapFault as fault:
            return await refuse(request, endpoint, fault)
        call = Call(store, state.clock, sessions, state.client, op.name, params)

        async def handle(_: str | None) -> Response:
            return result_response(op.name, _content(op, op.handler(call)))

        return await gate.api(request, endpoint, _log_body(op, params), handle, rate_scope=endpoint,
                              authenticate=credentials.authenticator(op, call))

    app.add_middleware(DateHeaderMiddleware, clock=state.clock)
    return app
