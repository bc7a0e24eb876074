"""Steps 1-3 of the authentication: user token, whoami, the dossier list, a dossier token; and ``/error``.

``POST /authentication`` checks the body first (400 without ``user`` or
``password``), then the ``softwareHouseUuid`` header (compared ignoring
case) and the credentials together (401 -81, one message, as a login should
not tell which part was wrong). ``POST /dossiers`` answers
``{"Dossiertoken": ...}`` (capital D, lower-case t); ``localeId`` (0..4,
default 0) is recorded with the token and otherwise ignored: messages are
English.
"""

from __future__ import annotations

from starlette.responses import Response

from sandbox.octopus.books import dossier_doc
from sandbox.octopus.context import Call, ok
from sandbox.octopus.errors import (
    DOSSIER_REFUSED,
    DOSSIER_REFUSED_MESSAGE,
    INVALID_CREDENTIALS,
    MESSAGES,
    OctopusError,
    invalid,
    missing,
    not_found,
)
from sandbox.octopus.store import ALL_DOSSIERS, DOSSIER

LOCALES = range(5)


def authenticate(call: Call) -> Response:
    body = call.json_object()
    for field in ("user", "password"):
        if not isinstance(body.get(field), str) or not body[field]:
            raise missing(field)
    uuid = call.headers.get("softwareHouseUuid", "").strip().lower()
    identity = call.identity
    if (uuid, body["user"], body["password"]) != (identity.software_house_uuid.lower(), identity.user,
                                                  identity.password):
        raise OctopusError(401, INVALID_CREDENTIALS, MESSAGES[INVALID_CREDENTIALS])
    return ok({"token": call.tokens.issue_user(body["user"])})


def whoami(call: Call) -> Response:
    return ok({"user": call.user, "softwareHouseUuid": call.identity.software_house_uuid})


def dossiers(call: Call) -> Response:
    return ok([doc["wire"] for doc in call.store.docs(DOSSIER, ALL_DOSSIERS)])


def locale(call: Call) -> int:
    value = call.int_param("localeId")
    if value is None:
        return 0
    if value not in LOCALES:
        raise invalid("localeId", "Parameter localeId must be between 0 and 4")
    return value


def dossier_token(call: Call) -> Response:
    dossier_id = call.int_param("dossierId", required=True)
    assert dossier_id is not None
    language = locale(call)
    dossier = dossier_doc(call.store, dossier_id)
    if dossier is None:
        raise not_found(f"Dossier {dossier_id} not found", "dossierId")
    if dossier["disabled"]:
        raise OctopusError(403, DOSSIER_REFUSED, DOSSIER_REFUSED_MESSAGE, "dossierId")
    assert call.user is not None
    return ok({"Dossiertoken": call.tokens.issue_dossier(call.user, dossier_id, language)})


def error_sample(call: Call) -> Response:
    """``GET /error?errorCode=N&localeId=L``: the ErrorResult of code N, answered with 200."""
    code = call.int_param("errorCode", required=True)
    locale(call)
    message = MESSAGES.get(code or 0, f"Unknown error code {code}")
    return ok({"errorCode": code, "errorMessage": message, "technicalInfo": ""})
