"""Small HTTP helpers shared by the sandboxes."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.common import exactjson
from sandbox.common.clock import Clock, http_date


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Compact JSON (names like Müller readable); a ``Decimal`` is written as the exact number literal."""
    content = exactjson.dumps(body).encode()
    return Response(content, status_code=status, headers=headers, media_type="application/json")


class DateHeaderMiddleware:
    """Stamp every response with ``Date`` from the sandbox clock.

    uvicorn's own Date header is switched off (``date_header=False``) so a
    client that derives time from responses sees the moved clock too.
    """

    def __init__(self, app: ASGIApp, clock: Clock) -> None:
        self._app = app
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                headers.append((b"date", http_date(self._clock.now()).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self._app(scope, receive, send_with_date)
