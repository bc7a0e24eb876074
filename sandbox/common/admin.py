"""The ``/_sandbox`` admin API every sandbox exposes (no auth, no rate limit, not logged).

Tests use it to seed data, read the manifest of what an extractor should
find, inspect the request log, inject faults, move the clock and retune
limits. Service-specific work (seeding, manifest) goes through
``SandboxService``; a service whose credentials are not OAuth token pairs
also mints them (``mint_tokens``, Octopus).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any, Protocol

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common import exactjson
from sandbox.common.clock import iso_ms, parse_datetime
from sandbox.common.http import json_response
from sandbox.common.state import SandboxState

_CENT = Decimal("0.01")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class SandboxService(Protocol):
    name: str

    def seed_params(self) -> dict[str, Any]:
        """The parameters the current data was seeded with."""
        ...

    def seed(self, params: dict[str, Any]) -> dict[str, Any]:
        """Wipe the service's data and reseed; raises ValueError on bad params."""
        ...

    def manifest(self) -> dict[str, Any]: ...

    # Optional: ``mint_tokens(body) -> dict`` answers ``POST /_sandbox/tokens`` (raises ValueError on
    # bad input) for a service whose credentials are not OAuth token pairs.


class AdminError(Exception):
    """A refused admin call: 400 unless ``status`` says otherwise (404 for something that does not exist)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


async def json_body(request: Request, *, decimals: bool = False) -> dict[str, Any]:
    """The admin request's JSON object (empty body: ``{}``); raises AdminError otherwise.
    ``decimals``: numbers with a fraction come as ``Decimal`` (amounts), else as float."""
    raw = await request.body()
    try:
        body = (exactjson.loads(raw) if decimals else json.loads(raw)) if raw.strip() else {}
    except ValueError:
        raise AdminError("body must be JSON") from None
    if not isinstance(body, dict):
        raise AdminError("body must be a JSON object")
    return body


def integer_field(body: dict[str, Any], key: str) -> int:
    """``body[key]`` as an int (bools refused), or AdminError naming the key."""
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AdminError(f"{key} must be an integer")
    return value


def amount_field(body: dict[str, Any], key: str, *, required: bool = True) -> Decimal | None:
    """A positive amount to the cent: a JSON number (read with ``json_body(decimals=True)``, so exact)
    or a numeric string, as a ``Decimal`` with two decimals; absent or null is None when not ``required``."""
    value = body.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise AdminError(f"{key} must be an amount (a number or a numeric string)")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise AdminError(f"{key} must be an amount (a number or a numeric string), not {value!r}") from None
    if not amount.is_finite() or amount <= 0:
        raise AdminError(f"{key} must be a positive amount, not {value}")
    with localcontext() as context:
        context.prec = 60
        to_cent = amount.quantize(_CENT)
    if to_cent != amount:
        raise AdminError(f"{key} must be given to the cent (at most two decimals), not {value}")
    return to_cent


def date_field(body: dict[str, Any], key: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` day, or None when absent or null."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise AdminError(f"{key} must be a YYYY-MM-DD date, not {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise AdminError(f"{key} is not a calendar date: {value}") from None


def _number(body: dict[str, Any], key: str) -> float:
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AdminError(f"{key} must be a number")
    return float(value)


def admin_router(state: SandboxState, service: SandboxService) -> APIRouter:
    router = APIRouter(prefix="/_sandbox")

    def clock_json() -> dict[str, Any]:
        return {"now": iso_ms(state.clock.now()), "offset_seconds": state.clock.offset}

    @router.get("/health")
    async def health() -> Response:
        """Also what a generic runner needs: where consent starts, and the production limits."""
        return json_response({"ok": True, "service": service.name, "authorize_path": state.authorize_path,
                              "default_config": asdict(state.config.defaults)})

    @router.post("/reset")
    async def reset() -> Response:
        state.wipe_runtime()
        return json_response({"ok": True, "seeded": service.seed(service.seed_params())})

    @router.post("/seed")
    async def seed(request: Request) -> Response:
        params = {**service.seed_params(), **await json_body(request)}
        try:
            return json_response({"ok": True, "seeded": service.seed(params)})
        except ValueError as error:
            raise AdminError(str(error)) from None

    @router.get("/manifest")
    async def manifest() -> Response:
        return json_response(service.manifest())

    @router.get("/requests")
    async def requests(since_id: int = 0, endpoint: str | None = None) -> Response:
        return json_response({"data": state.log.entries(since_id, endpoint)})

    @router.delete("/requests")
    async def clear_requests() -> Response:
        state.log.clear()
        return Response(status_code=204)

    @router.post("/faults")
    async def add_fault(request: Request) -> Response:
        try:
            rule = state.faults.add(await json_body(request))
        except ValueError as error:
            raise AdminError(str(error)) from None
        return json_response({"data": rule.as_json()}, 201)

    @router.get("/faults")
    async def list_faults() -> Response:
        return json_response({"data": [rule.as_json() for rule in state.faults.rules()]})

    @router.delete("/faults")
    async def clear_faults() -> Response:
        state.faults.clear()
        return Response(status_code=204)

    @router.delete("/faults/{rule_id}")
    async def remove_fault(rule_id: int) -> Response:
        if not state.faults.remove(rule_id):
            return json_response({"error": f"no fault rule {rule_id}"}, 404)
        return Response(status_code=204)

    @router.post("/tokens")
    async def mint_tokens(request: Request) -> Response:
        body = await json_body(request)
        own_mint = getattr(service, "mint_tokens", None)
        if own_mint is not None:
            try:
                return json_response(own_mint(body), 201)
            except ValueError as error:
                raise AdminError(str(error)) from None
        client_id = body.get("client_id", state.client.client_id)
        if not isinstance(client_id, str) or not client_id:
            raise AdminError("client_id must be a non-empty string")
        return json_response(state.tokens.issue_pair(client_id).as_json(), 201)

    @router.post("/tokens/expire")
    async def expire_tokens() -> Response:
        state.tokens.expire_access_tokens()
        return Response(status_code=204)

    @router.delete("/ratelimit")
    async def clear_rate_windows() -> Response:
        state.limiter.clear()
        return Response(status_code=204)

    @router.get("/clock")
    async def get_clock() -> Response:
        return json_response(clock_json())

    @router.post("/clock")
    async def move_clock(request: Request) -> Response:
        body = await json_body(request)
        if "advance_seconds" in body:
            state.clock.advance(_number(body, "advance_seconds"))
        elif "offset_seconds" in body:
            state.clock.set_offset(_number(body, "offset_seconds"))
        elif isinstance(body.get("set"), str):
            try:
                state.clock.set(parse_datetime(body["set"]))
            except ValueError:
                raise AdminError("set must be an ISO-8601 date-time") from None
        else:
            raise AdminError("give advance_seconds, offset_seconds or set")
        return json_response(clock_json())

    @router.get("/config")
    async def get_config() -> Response:
        return json_response(asdict(state.config.current))

    @router.post("/config")
    async def set_config(request: Request) -> Response:
        try:
            settings = state.config.update(await json_body(request))
        except ValueError as error:
            raise AdminError(str(error)) from None
        return json_response(asdict(settings))

    return router


async def admin_error_handler(_: Request, error: Exception) -> Response:
    """Install on the app: admin validation errors become 400 (or their own status) ``{"error": ...}``."""
    return json_response({"error": str(error)}, getattr(error, "status", 400))
