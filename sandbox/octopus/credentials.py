"""Who is calling: the caller of each step of Octopus's 3-step authentication, for the gate.

- ``login`` (``POST /authentication``): nobody yet; the quota is charged to
  the ``user`` the body names, so wrong passwords count too;
- ``user``: the ``Token`` header (whoami, the dossier list, a dossier token);
- ``dossier``: the ``dossierToken`` header, valid only for its own dossier;
- ``open``: ``GET /error`` needs no token (its quota is shared by all callers).

A missing header answers 401 -79 "Empty access token" (what the live service
answers a client that sends ``Token`` to a dossier endpoint); an unknown or
expired token, or another dossier's, 401 -80.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from sandbox.common.gate import Authenticate
from sandbox.octopus.errors import EMPTY_TOKEN, INVALID_TOKEN, MESSAGES, OctopusError
from sandbox.octopus.tokens import SessionTokens

LOGIN, USER, DOSSIER, OPEN = "login", "user", "dossier", "open"
USER_HEADER = "Token"
DOSSIER_HEADER = "dossierToken"


def _header(request: Request, name: str) -> str:
    token = request.headers.get(name, "").strip()
    if not token:
        raise OctopusError(401, EMPTY_TOKEN, MESSAGES[EMPTY_TOKEN], name)
    return token


def authenticator(access: str, tokens: SessionTokens, body: Any, dossier: int | None) -> Authenticate:
    def login(_: Request) -> str:
        user = body.get("user") if isinstance(body, dict) else None
        return user if isinstance(user, str) else ""

    def user(request: Request) -> str:
        found = tokens.user_for(_header(request, USER_HEADER))
        if found is None:
            raise OctopusError(401, INVALID_TOKEN, "Invalid or expired token", USER_HEADER)
        return found

    def dossier_user(request: Request) -> str:
        found = tokens.dossier_for(_header(request, DOSSIER_HEADER))
        if found is None:
            raise OctopusError(401, INVALID_TOKEN, "Invalid or expired dossier token", DOSSIER_HEADER)
        if found[1] != dossier:
            raise OctopusError(401, INVALID_TOKEN, f"The dossier token is not valid for dossier {dossier}",
                               DOSSIER_HEADER)
        return found[0]

    def anonymous(_: Request) -> str:
        return ""

    return {LOGIN: login, USER: user, DOSSIER: dossier_user, OPEN: anonymous}[access]


def loggable(access: str, body: Any) -> Any:
    """The body as the request log keeps it: never a password."""
    if access == LOGIN and isinstance(body, dict) and "password" in body:
        return {**body, "password": "***"}
    return body
