"""OAuth2 authorization-code flow with rotating refresh tokens.

The authorize step consents at once (there is no user to click) and
redirects back with ``code`` and ``state``. Paths are parameters because
every vendor names them differently, and an ``OAuthDialect`` says how the
token endpoint talks (body formats, ``expires_in`` type, error answers).
Error bodies follow RFC 6749 and never echo a token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sandbox.common.gate import Gate
from sandbox.common.http import json_response
from sandbox.common.state import SandboxState
from sandbox.common.tokens import InvalidGrant, TokenPair


class OAuthFailure(Exception):
    """An RFC 6749 error response (plus any vendor headers)."""

    def __init__(self, status: int, error: str, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers

    def response(self) -> Response:
        body = {"error": self.error, "error_description": self.description}
        return json_response(body, self.status, self.headers)


@dataclass(frozen=True)
class OAuthDialect:
    """How a vendor's token endpoint talks; the defaults are Focus's."""

    #: Refuse JSON bodies (only ``application/x-www-form-urlencoded``).
    form_only: bool = False
    expires_in_as_string: bool = False
    token_type: str = "Bearer"

    def token_json(self, pair: TokenPair) -> dict[str, object]:
        return {**pair.as_json(), "token_type": self.token_type,
                "expires_in": str(pair.expires_in) if self.expires_in_as_string else pair.expires_in}

    def grant_failure(self, error: InvalidGrant) -> OAuthFailure:
        """A refused code or refresh token; vendors override to answer their own way."""
        return OAuthFailure(400, "invalid_grant", str(error))


DEFAULT_DIALECT = OAuthDialect()


async def _token_params(request: Request) -> dict[str, str]:
    """Form-encoded or JSON body, as the token endpoint accepts both."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            parsed = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return {k: str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}
    return dict(parse_qsl(raw.decode("utf-8", "replace")))


def oauth_router(state: SandboxState, gate: Gate, *, authorize_path: str, token_path: str,
                 dialect: OAuthDialect = DEFAULT_DIALECT) -> APIRouter:
    router = APIRouter()
    state.authorize_path = authorize_path

    @router.get(authorize_path)
    async def authorize(request: Request) -> Response:
        async def handle(_: str | None) -> Response:
            try:
                return _authorize(state, request)
            except OAuthFailure as failure:
                return failure.response()

        return await gate.open(request, authorize_path.lstrip("/"), handle)

    @router.post(token_path)
    async def access_token(request: Request) -> Response:
        async def handle(_: str | None) -> Response:
            try:
                if dialect.form_only and not request.headers.get("content-type", "").startswith(
                        "application/x-www-form-urlencoded"):
                    raise OAuthFailure(400, "invalid_request",
                                       "The body must be application/x-www-form-urlencoded.")
                pair = _grant(state, await _token_params(request), dialect)
            except OAuthFailure as failure:
                return failure.response()
            return json_response(dialect.token_json(pair), headers={"Cache-Control": "no-store"})

        return await gate.open(request, token_path.lstrip("/"), handle)

    return router


def _authorize(state: SandboxState, request: Request) -> Response:
    """Consent at once: redirect back with a fresh code and the caller's state."""
    query = request.query_params
    if query.get("client_id") != state.client.client_id:
        raise OAuthFailure(400, "invalid_client", "Unknown client_id.")
    if query.get("response_type") != "code":
        raise OAuthFailure(400, "unsupported_response_type", "Only response_type=code is supported.")
    redirect_uri = query.get("redirect_uri")
    if not redirect_uri:
        raise OAuthFailure(400, "invalid_request", "redirect_uri is required.")
    params = {"code": state.tokens.issue_code(state.client.client_id, redirect_uri)}
    if "state" in query:
        params["state"] = query["state"]
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode(params)}", status_code=302)


def _grant(state: SandboxState, params: dict[str, str], dialect: OAuthDialect) -> TokenPair:
    client = state.client
    if (params.get("client_id"), params.get("client_secret")) != (client.client_id, client.client_secret):
        raise OAuthFailure(401, "invalid_client", "Client authentication failed")
    grant_type = params.get("grant_type")
    needed = {"authorization_code": ("code", "redirect_uri"), "refresh_token": ("refresh_token",)}.get(grant_type or "")
    if needed is None:
        raise OAuthFailure(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token.")
    missing = [name for name in needed if not params.get(name)]
    if missing:
        raise OAuthFailure(400, "invalid_request", f"Missing parameter: {missing[0]}.")
    try:
        if grant_type == "authorization_code":
            return state.tokens.redeem_code(client.client_id, params["code"], params["redirect_uri"])
        return state.tokens.refresh(client.client_id, params["refresh_token"])
    except InvalidGrant as error:
        raise dialect.grant_failure(error) from None
