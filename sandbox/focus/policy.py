"""How Focus answers errors and which headers its API responses carry."""

from __future__ import annotations

from http import HTTPStatus

from starlette.responses import Response

from sandbox.common.clock import iso_ms
from sandbox.common.http import json_response
from sandbox.common.ratelimit import RateDecision

API_VERSION = "2023-09-26"
TITLES = {401: "Access token is invalid or expired", 429: "Too many requests"}


class FocusPolicy:
    def error(self, status: int, title: str | None = None) -> Response:
        """``{"errors": [{"title", "status"}]}``, the body the connector parses."""
        if title is None:
            try:
                title = TITLES.get(status) or HTTPStatus(status).phrase
            except ValueError:
                title = "Error"
        return json_response({"errors": [{"title": title, "status": status}]}, status)

    def unauthorized(self) -> Response:
        response = self.error(401)
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response

    def rate_limit_headers(self, decision: RateDecision) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(decision.limit),
            "X-RateLimit-Remaining": str(decision.remaining),
            "X-RateLimit-Reset": iso_ms(decision.reset_at),
        }

    def api_headers(self) -> dict[str, str]:
        return {"X-Api-Version": API_VERSION}
