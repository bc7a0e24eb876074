"""Exact Online's OAuth2 rules, on top of the shared code flow.

Codes live 3 minutes and, like refresh tokens, look like ``XTzM!IAAAA...``:
the ``!`` arrives URL-encoded (``%21``) in the redirect and must be sent
form-encoded to the token endpoint, which takes form bodies only. Tokens
answer ``expires_in`` as a string. A refresh earlier than 30 s before the
access token expires is refused (400 ``access_denied``, header ``Reason:
TooEarlyToRefreshTokens``, old tokens stay valid); a rotated-away refresh
token answers 401 ``unauthorized_client`` "Old refresh token used.";
refresh tokens expire after 30 days.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sandbox.common.oauth import OAuthDialect, OAuthFailure
from sandbox.common.tokens import InvalidGrant, ReusedRefreshToken, TokenRules, TooEarlyToRefresh

AUTHORIZE_PATH = "/api/oauth2/auth"
TOKEN_PATH = "/api/oauth2/token"
REFRESH_TOKEN_DAYS = 30
REFRESH_WINDOW_SECONDS = 30


def exact_secret(kind: str) -> str:
    """Codes and refresh tokens carry a ``!`` as Exact's do; access tokens are opaque."""
    if kind == "access":
        return "gAAAA" + secrets.token_urlsafe(64)
    return f"{secrets.token_urlsafe(3)}!IAAAA{secrets.token_urlsafe(48 if kind == 'refresh' else 32)}"


TOKEN_RULES = TokenRules(code_ttl=180, refresh_ttl=REFRESH_TOKEN_DAYS * 86400,
                         refresh_window=REFRESH_WINDOW_SECONDS, new_secret=exact_secret)


@dataclass(frozen=True)
class ExactOAuthDialect(OAuthDialect):
    form_only: bool = True
    expires_in_as_string: bool = True
    token_type: str = "bearer"

    def grant_failure(self, error: InvalidGrant) -> OAuthFailure:
        if isinstance(error, TooEarlyToRefresh):
            return OAuthFailure(400, "access_denied", "Rate limit exceeded: access_token not expired",
                                {"Reason": "TooEarlyToRefreshTokens"})
        if isinstance(error, ReusedRefreshToken):
            return OAuthFailure(401, "unauthorized_client", "Old refresh token used.")
        return super().grant_failure(error)


DIALECT = ExactOAuthDialect()
