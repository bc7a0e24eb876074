"""How the gate's own answers look on Octopus: ErrorResult bodies, no rate-limit or version headers.

Handlers raise ``OctopusError`` (with its own code); this policy covers what
only has a status: injected ``error`` / ``rate_limit`` faults, a missing
caller, an unhandled exception.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.responses import Response

from sandbox.octopus.errors import INVALID_TOKEN, MESSAGES, STATUS_CODES, UNEXPECTED, error_result


class OctopusPolicy:
    def error(self, status: int, title: str | None = None) -> Response:
        code = STATUS_CODES.get(status, UNEXPECTED)
        if title is None:
            try:
                title = MESSAGES[code] if status in STATUS_CODES else HTTPStatus(status).phrase
            except ValueError:
                title = MESSAGES[UNEXPECTED]
        return error_result(status, code, title)

    def unauthorized(self) -> Response:
        return error_result(401, INVALID_TOKEN, MESSAGES[INVALID_TOKEN])

    def rate_limit_headers(self, decision: Any) -> dict[str, str]:
        return {}

    def api_headers(self) -> dict[str, str]:
        return {}
