"""How the gate's own answers look on Yuki: SOAP faults, no rate-limit or version headers.

Web methods raise ``SoapFault``; this policy covers what only has a status:
an injected ``error`` fault (a ``soap:Server`` fault with the rule's HTTP
status and its ``title``, or the status phrase), an injected ``rate_limit``
fault (answered like the daily cap: Yuki has no other throttle), a missing
caller and an unhandled exception (ASP.NET's "Server was unable to process
request.").
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.responses import Response

from sandbox.yuki.quotas import DailyCap, cap_fault
from sandbox.yuki.soap import SERVER, fault_response

INVALID_SESSION = "Invalid session"


class YukiPolicy:
    def __init__(self, cap: DailyCap) -> None:
        self._cap = cap

    def error(self, status: int, title: str | None = None) -> Response:
        if status == 429:
            fault = cap_fault(self._cap.limit)
            return fault_response(fault.code, fault.title, fault.status)
        if title is None:
            try:
                phrase = HTTPStatus(status).phrase
            except ValueError:
                phrase = "Internal error"
            title = "Server was unable to process request. ---> " + phrase
        return fault_response(SERVER, title, status)

    def unauthorized(self) -> Response:
        return fault_response(SERVER, INVALID_SESSION)

    def rate_limit_headers(self, decision: Any) -> dict[str, str]:
        return {}

    def api_headers(self) -> dict[str, str]:
        return {}
