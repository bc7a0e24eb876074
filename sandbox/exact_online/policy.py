"""How Exact Online answers errors, and the rate-limit headers on every API response.

Errors: ``{"error": {"code": "", "message": {"lang": "", "value": "<text>"}}}``
(clients read ``error.message.value``). Rate-limit resets are UTC epoch
milliseconds; the daily headers are left out when the minutely limit refused.
"""

from __future__ import annotations

from http import HTTPStatus

from starlette.responses import Response

from sandbox.common.http import json_response
from sandbox.common.ratelimit import RateDecision
from sandbox.exact_online.ratelimit import ExactDecision

MESSAGES = {401: "Access token is invalid or expired.", 403: "Forbidden - WrongDivision",
            429: "API rate limit exceeded.", 406: "Accept header must be application/json."}


def _ms(ts: float) -> str:
    return str(round(ts * 1000))


def error_body(message: str) -> dict[str, object]:
    return {"error": {"code": "", "message": {"lang": "", "value": message}}}


class ExactPolicy:
    def error(self, status: int, title: str | None = None) -> Response:
        if title is None:
            try:
                title = MESSAGES.get(status) or HTTPStatus(status).phrase
            except ValueError:
                title = "Error"
        return json_response(error_body(title), status)

    def unauthorized(self) -> Response:
        response = self.error(401)
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response

    def rate_limit_headers(self, decision: ExactDecision) -> dict[str, str]:
        minutely: RateDecision = decision.minutely
        headers = {
            "X-RateLimit-Minutely-Limit": str(minutely.limit),
            "X-RateLimit-Minutely-Remaining": str(minutely.remaining),
            "X-RateLimit-Minutely-Reset": _ms(minutely.reset_at),
        }
        if decision.daily is not None:
            headers.update({
                "X-RateLimit-Limit": str(decision.daily.limit),
                "X-RateLimit-Remaining": str(decision.daily.remaining),
                "X-RateLimit-Reset": _ms(decision.daily.reset_at),
            })
        return headers

    def api_headers(self) -> dict[str, str]:
        return {}
