"""Web-service access keys and the sessions ``Authenticate`` hands out for them.

An access key (Yuki's "WebserviceAccessKey", made in the portal) covers one
domain and may be limited to one administration of it; the sandbox mints them
through the admin API. ``Authenticate(accessKey)`` answers a session id (a
GUID); ``AuthenticateClient(clientID, clientSecret, accessKey)`` does the same
and marks the session as an API client's, which ``ProcessPurchaseInvoices``
requires. A session is valid on every service and lapses after
``session_idle_seconds`` without a call (each call renews it). Sessions and
keys sit beside the shared OAuth tables (a ``TokenStore`` subclass), so the
gate's ``expire_tokens`` fault and ``POST /_sandbox/tokens/expire`` lapse
every session, and a reset forgets keys and sessions. Only SHA-256 hashes of
keys and session ids are stored.
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

from sandbox.common.clock import Clock
from sandbox.common.config import RuntimeConfig
from sandbox.common.tokens import DEFAULT_RULES, TokenRules, TokenStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS yuki_access_keys (
    hash TEXT PRIMARY KEY, domain TEXT NOT NULL, administration TEXT, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS yuki_sessions (
    hash TEXT PRIMARY KEY, domain TEXT NOT NULL, administration TEXT, client INTEGER NOT NULL,
    last_used REAL NOT NULL
);
"""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.strip().lower().encode()).hexdigest()


@dataclass(frozen=True)
class Grant:
    """What a key or session gives access to."""

    domain: str
    #: The one administration a limited key covers (None: every administration of the domain).
    administration: str | None
    #: Authenticated with API client credentials (``AuthenticateClient``).
    client: bool = False


class Sessions(TokenStore):
    def __init__(self, db: sqlite3.Connection, clock: Clock, config: RuntimeConfig[Any],
                 rules: TokenRules = DEFAULT_RULES) -> None:
        super().__init__(db, clock, config, rules)
        db.executescript(_SCHEMA)

    def mint_key(self, domain: str, administration: str | None = None) -> str:
        key = str(uuid.uuid4())
        self._db.execute("INSERT INTO yuki_access_keys (hash, domain, administration, created) VALUES (?, ?, ?, ?)",
                         (_digest(key), domain, administration, self._clock.now()))
        return key

    def key_grant(self, access_key: str | None) -> Grant | None:
        if not access_key:
            return None
        row = self._db.execute("SELECT domain, administration FROM yuki_access_keys WHERE hash = ?",
                               (_digest(access_key),)).fetchone()
        return None if row is None else Grant(row[0], row[1])

    def open(self, grant: Grant) -> str:
        session = str(uuid.uuid4())
        self._db.execute(
            "INSERT INTO yuki_sessions (hash, domain, administration, client, last_used) VALUES (?, ?, ?, ?, ?)",
            (_digest(session), grant.domain, grant.administration, int(grant.client), self._clock.now()))
        return session

    def use(self, session: str | None) -> Grant | None:
        """The grant of a live session, renewed; None when unknown or lapsed."""
        if not session:
            return None
        now = self._clock.now()
        idle = self._config.current.session_idle_seconds
        row = self._db.execute("SELECT domain, administration, client, last_used FROM yuki_sessions WHERE hash = ?",
                               (_digest(session),)).fetchone()
        if row is None or row[3] + idle <= now:
            return None
        self._db.execute("UPDATE yuki_sessions SET last_used = ? WHERE hash = ?", (max(now, row[3]), _digest(session)))
        return Grant(row[0], row[1], bool(row[2]))

    def expire_access_tokens(self) -> None:
        """Every session lapses now (keys keep working: authenticate again)."""
        super().expire_access_tokens()
        self._db.execute("UPDATE yuki_sessions SET last_used = -1e12")

    def clear(self) -> None:
        super().clear()
        self._db.execute("DELETE FROM yuki_sessions")
        self._db.execute("DELETE FROM yuki_access_keys")
