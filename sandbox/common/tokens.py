"""OAuth2 authorization codes and token pairs, stored only as SHA-256 hashes.

Refresh tokens are single use and rotate: redeeming one revokes it together
with the access token issued beside it, which is exactly the behaviour that
makes concurrent refreshes race in real clients. ``TokenRules`` holds what
differs per vendor (code lifetime, refresh-token lifetime, a refusal to
refresh too early, the look of the secrets); the defaults are Focus's.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.common.clock import Clock
from sandbox.common.config import RuntimeConfig

#: Authorization codes are valid for ten minutes unless a vendor says otherwise.
CODE_TTL_SECONDS = 600


def url_safe_secret(kind: str) -> str:
    """A random secret for ``kind`` ("code", "access" or "refresh")."""
    return secrets.token_urlsafe(24 if kind == "code" else 32)


@dataclass(frozen=True)
class TokenRules:
    code_ttl: float = CODE_TTL_SECONDS
    #: Refresh tokens expire this long after they were issued (None: never).
    refresh_ttl: float | None = None
    #: Refuse a refresh while the grant's access token has more than this many
    #: seconds to live (None: refresh any time).
    refresh_window: float | None = None
    new_secret: Callable[[str], str] = url_safe_secret


DEFAULT_RULES = TokenRules()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY, kind TEXT NOT NULL, client_id TEXT NOT NULL,
    grant_id TEXT NOT NULL, expires_at REAL, revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tokens_grant ON tokens (grant_id);
CREATE TABLE IF NOT EXISTS auth_codes (
    hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    expires_at REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0
);
"""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvalidGrant(Exception):
    """A code or refresh token that is unknown, used, expired or not this client's."""


class ReusedRefreshToken(InvalidGrant):
    """A refresh token that was already redeemed (rotated away)."""


class TooEarlyToRefresh(InvalidGrant):
    """The grant's access token still has longer to live than ``TokenRules.refresh_window``."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int

    def as_json(self) -> dict[str, Any]:
        return {
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
        }


class TokenStore:
    def __init__(self, db: sqlite3.Connection, clock: Clock, config: RuntimeConfig[Any],
                 rules: TokenRules = DEFAULT_RULES) -> None:
        self._db = db
        self._clock = clock
        self._config = config
        self._rules = rules
        db.executescript(_SCHEMA)

    def issue_code(self, client_id: str, redirect_uri: str) -> str:
        code = self._rules.new_secret("code")
        self._db.execute(
            "INSERT INTO auth_codes (hash, client_id, redirect_uri, expires_at) VALUES (?, ?, ?, ?)",
            (_digest(code), client_id, redirect_uri, self._clock.now() + self._rules.code_ttl),
        )
        return code

    def redeem_code(self, client_id: str, code: str, redirect_uri: str) -> TokenPair:
        row = self._db.execute(
            "SELECT client_id, redirect_uri, expires_at, used FROM auth_codes WHERE hash = ?", (_digest(code),)
        ).fetchone()
        if row is None or row[0] != client_id or row[3] or row[2] <= self._clock.now():
            raise InvalidGrant("The authorization code is invalid.")
        if row[1] != redirect_uri:
            raise InvalidGrant("The redirect_uri does not match the one used for authorization.")
        self._db.execute("UPDATE auth_codes SET used = 1 WHERE hash = ?", (_digest(code),))
        return self.issue_pair(client_id)

    def refresh(self, client_id: str, refresh_token: str) -> TokenPair:
        row = self._db.execute(
            "SELECT client_id, grant_id, revoked, expires_at FROM tokens WHERE hash = ? AND kind = 'refresh'",
            (_digest(refresh_token),),
        ).fetchone()
        now = self._clock.now()
        if row is None or row[0] != client_id:
            raise InvalidGrant("The refresh token is invalid.")
        if row[2]:
            raise ReusedRefreshToken("The refresh token is invalid.")
        if row[3] is not None and row[3] <= now:
            raise InvalidGrant("The refresh token has expired.")
        if self._rules.refresh_window is not None:
            access = self._db.execute(
                "SELECT MAX(expires_at) FROM tokens WHERE grant_id = ? AND kind = 'access'", (row[1],)
            ).fetchone()
            if access[0] is not None and access[0] - now > self._rules.refresh_window:
                raise TooEarlyToRefresh("The access token has not expired yet.")
        self._db.execute("UPDATE tokens SET revoked = 1 WHERE grant_id = ?", (row[1],))
        return self.issue_pair(client_id)

    def issue_pair(self, client_id: str) -> TokenPair:
        ttl = self._config.current.token_ttl
        pair = TokenPair(self._rules.new_secret("access"), self._rules.new_secret("refresh"), ttl)
        grant_id = secrets.token_hex(8)
        now = self._clock.now()
        refresh_expires = None if self._rules.refresh_ttl is None else now + self._rules.refresh_ttl
        self._db.executemany(
            "INSERT INTO tokens (hash, kind, client_id, grant_id, expires_at) VALUES (?, ?, ?, ?, ?)",
            [
                (_digest(pair.access_token), "access", client_id, grant_id, now + ttl),
                (_digest(pair.refresh_token), "refresh", client_id, grant_id, refresh_expires),
            ],
        )
        return pair

    def client_for(self, access_token: str) -> str | None:
        """The client a live access token belongs to, or None."""
        row = self._db.execute(
            "SELECT client_id FROM tokens WHERE hash = ? AND kind = 'access' AND revoked = 0 AND expires_at > ?",
            (_digest(access_token), self._clock.now()),
        ).fetchone()
        return None if row is None else str(row[0])

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working now; refresh tokens still work."""
        now = self._clock.now()
        self._db.execute("UPDATE tokens SET expires_at = MIN(expires_at, ?) WHERE kind = 'access'", (now,))

    def clear(self) -> None:
        self._db.execute("DELETE FROM tokens")
        self._db.execute("DELETE FROM auth_codes")
