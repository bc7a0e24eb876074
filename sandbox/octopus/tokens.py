"""Octopus's session tokens: a user token, then per dossier a dossier token; both live ``token_ttl`` seconds.

There is no refresh: a client authenticates again. Tokens sit beside the
shared OAuth tables (a ``TokenStore`` subclass), so the gate's
``expire_tokens`` fault, ``POST /_sandbox/tokens/expire`` and reset reach
them unchanged. They look like JWTs (``sub``, ``iat``, ``exp`` and, for a
dossier token, ``dossier`` in the payload) but the signature is random: the
sandbox only looks a token up by its SHA-256 hash, as for every sandbox.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sqlite3
from typing import Any

from sandbox.common.clock import Clock
from sandbox.common.config import RuntimeConfig
from sandbox.common.tokens import DEFAULT_RULES, TokenRules, TokenStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS session_tokens (
    hash TEXT PRIMARY KEY, kind TEXT NOT NULL, user TEXT NOT NULL, dossier INTEGER, locale INTEGER,
    expires_at REAL NOT NULL
);
"""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionTokens(TokenStore):
    def __init__(self, db: sqlite3.Connection, clock: Clock, config: RuntimeConfig[Any],
                 rules: TokenRules = DEFAULT_RULES) -> None:
        super().__init__(db, clock, config, rules)
        db.executescript(_SCHEMA)

    def _issue(self, kind: str, user: str, dossier: int | None = None, locale: int | None = None) -> str:
        now = self._clock.now()
        expires = now + self._config.current.token_ttl
        claims: dict[str, Any] = {"sub": user, "iat": int(now), "exp": int(expires), "jti": secrets.token_hex(8)}
        if dossier is not None:
            claims["dossier"] = dossier
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        token = f"{header}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}.{_b64(secrets.token_bytes(32))}"
        self._db.execute(
            "INSERT INTO session_tokens (hash, kind, user, dossier, locale, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (_digest(token), kind, user, dossier, locale, expires),
        )
        return token

    def issue_user(self, user: str) -> str:
        return self._issue("user", user)

    def issue_dossier(self, user: str, dossier: int, locale: int = 0) -> str:
        return self._issue("dossier", user, dossier, locale)

    def _live(self, token: str, kind: str) -> tuple[str, int | None] | None:
        row = self._db.execute(
            "SELECT user, dossier FROM session_tokens WHERE hash = ? AND kind = ? AND expires_at > ?",
            (_digest(token), kind, self._clock.now()),
        ).fetchone()
        return None if row is None else (str(row[0]), row[1])

    def user_for(self, token: str) -> str | None:
        """The user of a live user token."""
        found = self._live(token, "user")
        return None if found is None else found[0]

    def dossier_for(self, token: str) -> tuple[str, int] | None:
        """(user, dossier) of a live dossier token."""
        found = self._live(token, "dossier")
        return None if found is None or found[1] is None else (found[0], int(found[1]))

    def expire_access_tokens(self) -> None:
        """User and dossier tokens expire now (and OAuth access tokens, of which Octopus has none)."""
        super().expire_access_tokens()
        self._db.execute("UPDATE session_tokens SET expires_at = MIN(expires_at, ?)", (self._clock.now(),))

    def clear(self) -> None:
        super().clear()
        self._db.execute("DELETE FROM session_tokens")
