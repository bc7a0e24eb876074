"""Octopus's ``ErrorResult`` and the error codes the sandbox answers with.

Every 4xx/5xx body is ``{"errorCode", "errorMessage", "technicalInfo"}``.
Only -79 ("Empty access token", seen on the live service) and the quota's
-99 come from the brief; the other codes are the sandbox's choice (listed in
sandbox/README.md): one code per kind of refusal, so a client can branch on
``errorCode`` instead of parsing messages. ``technicalInfo`` names the field
or operation concerned, or is empty.
"""

from __future__ import annotations

from starlette.responses import Response

from sandbox.common.gate import ApiError, ApiPolicy
from sandbox.common.http import json_response

UNEXPECTED = -1
INVALID_ELEMENTS = -2
MISSING_FIELD = -10
INVALID_VALUE = -11
BOOKYEAR_UNKNOWN = -20
BOOKYEAR_CLOSED = -21
JOURNAL_UNKNOWN = -22
NOT_BUY_OR_SELL = -23
JOURNAL_CLOSED = -24
OUTSIDE_BOOKYEAR = -25
RELATION_UNKNOWN = -26
ACCOUNT_UNKNOWN = -27
VAT_CODE_UNKNOWN = -28
VAT_CODE_MISMATCH = -29
TOTALS_MISMATCH = -30
SEQUENCE_NUMBER = -31
CURRENCY = -32
EXTERNAL_ID_TAKEN = -40
EMPTY_TOKEN = -79
INVALID_TOKEN = -80
INVALID_CREDENTIALS = -81
DOSSIER_REFUSED = -82
NOT_FOUND = -90
METHOD_NOT_ALLOWED = -91
QUOTA_EXCEEDED = -99

INVALID_ELEMENTS_MESSAGE = "Invalid elements in the passed object (eg. wrong date format)"
JOURNAL_CLOSED_MESSAGE = "Journal either closed or open by other user"
DOSSIER_REFUSED_MESSAGE = "Unauthorized or disabled dossier"

#: What ``GET /error?errorCode=N`` answers: a generic text per code.
MESSAGES = {
    UNEXPECTED: "Unexpected error",
    INVALID_ELEMENTS: INVALID_ELEMENTS_MESSAGE,
    MISSING_FIELD: "A required field or parameter is missing",
    INVALID_VALUE: "A field or parameter has an invalid value",
    BOOKYEAR_UNKNOWN: "Bookyear not found",
    BOOKYEAR_CLOSED: "Bookyear is closed",
    JOURNAL_UNKNOWN: "Journal not found",
    NOT_BUY_OR_SELL: "Journal is not a buy or sell journal",
    JOURNAL_CLOSED: JOURNAL_CLOSED_MESSAGE,
    OUTSIDE_BOOKYEAR: "Period or date outside the bookyear",
    RELATION_UNKNOWN: "Relation not found",
    ACCOUNT_UNKNOWN: "Account not found",
    VAT_CODE_UNKNOWN: "VAT code not found",
    VAT_CODE_MISMATCH: "VAT code cannot be used in this journal",
    TOTALS_MISMATCH: "Amount does not match the booking lines",
    SEQUENCE_NUMBER: "Invalid or existing document sequence number",
    CURRENCY: "Currency not supported",
    EXTERNAL_ID_TAKEN: "External relation id already used by another relation",
    EMPTY_TOKEN: "Empty access token",
    INVALID_TOKEN: "Invalid or expired access token",
    INVALID_CREDENTIALS: "Invalid user, password or software house uuid",
    DOSSIER_REFUSED: DOSSIER_REFUSED_MESSAGE,
    NOT_FOUND: "Nothing found",
    METHOD_NOT_ALLOWED: "Method not allowed",
    QUOTA_EXCEEDED: "Maximum allowed calls per day exceeded",
}

#: The code of an error only a status is known of (injected faults, the gate's own answers).
STATUS_CODES = {400: INVALID_VALUE, 401: INVALID_TOKEN, 403: DOSSIER_REFUSED, 404: NOT_FOUND,
                405: METHOD_NOT_ALLOWED, 429: QUOTA_EXCEEDED}


def error_result(status: int, code: int, message: str, technical: str = "") -> Response:
    return json_response({"errorCode": code, "errorMessage": message, "technicalInfo": technical}, status)


class OctopusError(ApiError):
    """Raised by handlers; renders itself as an ErrorResult (the gate keeps it from ``commit_then_delay``)."""

    def __init__(self, status: int, code: int, message: str, technical: str = "") -> None:
        super().__init__(status, message)
        self.code = code
        self.technical = technical

    def render(self, policy: ApiPolicy) -> Response:
        return error_result(self.status, self.code, self.title, self.technical)


def missing(field: str) -> OctopusError:
    return OctopusError(400, MISSING_FIELD, f"Field {field} is required", field)


def invalid(field: str, message: str) -> OctopusError:
    return OctopusError(400, INVALID_VALUE, message, field)


def not_found(message: str, technical: str = "") -> OctopusError:
    return OctopusError(404, NOT_FOUND, message, technical)


def malformed(field: str) -> OctopusError:
    """A wrongly typed element of a booking: the live service answers 500 for these."""
    return OctopusError(500, INVALID_ELEMENTS, INVALID_ELEMENTS_MESSAGE, field)
