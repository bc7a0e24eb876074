"""OAuth2 authorization-code flow with rotating refresh tokens.

The authorize step consents at once (there is no user to click) and
redirects back with ``code`` and ``state``. Paths are parameters because
every vendor names them differently. Error bodies follow RFC 6749 and never
echo a token.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sandbox.common.gate import Gate
from sandbox.common.http import json_response
from sandbox.common.state import SandboxState
from sandbox.common.tokens import InvalidGrant, TokenPair


class OAuthFailure(Exception):
    """An RFC 6749 error response."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def response(self) -> Response:
        return json_response({"error": self.error, "error_description": self.description}, self.status)


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


def oauth_router(state: SandboxState, gate: Gate, *, authorize_path: str, token_path: str) -> APIRouter:
    router = APIRouter()

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
                pair = _grant(state, await _token_params(request))
            except OAuthFailure as failure:
                return failure.response()
            return json_response(pair.as_json(), headers={"Cache-Control": "no-store"})

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


def _grant(state: SandboxState, params: dict[str, str]) -> TokenPair:
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
        raise OAuthFailure(400, "invalid_grant", str(error)) from None
