"""Token pairs in the state database, refreshed under a row lock.

``lock()`` opens a transaction that holds the connection's row —
``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` (the database
write lock) on SQLite — and ``load``/``save`` inside it use that same
transaction, so two tasks can never spend the same single-use refresh token:
the second one waits, re-reads, and finds the pair the first one stored.
The new pair is committed when the lock is released, before it is used.

``needs_consent`` marks the integrations behind the connection as
"Connecting" when its tokens are dead (``connectors.oauth.NeedsConsent``);
``TokenManager`` calls it after the lock is released.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors.oauth import Token
from connectors.state.consent import mark_connecting
from connectors.state.db import write_transaction
from connectors.state.models import OAuthToken
from connectors.state.secrets import Cipher

_table = OAuthToken.__table__


class DbTokenStore:
    """The TokenStore of one connection id, backed by ``oauth_tokens``."""

    def __init__(self, engine: Engine, connection_id: str, cipher: Cipher):
        self._engine = engine
        self._id = connection_id
        self._cipher = cipher
        self._held: ContextVar[Connection | None] = ContextVar(f"held-{connection_id}", default=None)

    def load(self) -> Token | None:
        held = self._held.get()
        if held is not None:
            return self._read(held)
        with self._engine.connect() as connection:
            return self._read(connection)

    def save(self, token: Token) -> None:
        held = self._held.get()
        if held is not None:
            self._write(held, token)
            return
        with write_transaction(self._engine) as connection:
            self._write(connection, token)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        if self._held.get() is not None:  # re-entrant within one context
            yield
            return
        with write_transaction(self._engine) as connection:
            if connection.dialect.name != "sqlite":
                connection.execute(select(_table.c.connection_id)
                                   .where(_table.c.connection_id == self._id).with_for_update())
            marker = self._held.set(connection)
            try:
                yield
            finally:
                self._held.reset(marker)

    def needs_consent(self) -> list[str]:
        """The tokens are dead: the integrations using this connection wait for consent (their names)."""
        return mark_connecting(self._engine, self._id)

    def _read(self, connection: Connection) -> Token | None:
        row = connection.execute(select(_table).where(_table.c.connection_id == self._id)).first()
        if row is None:
            return None
        return Token(self._cipher.decrypt(row.access_token), self._cipher.decrypt(row.refresh_token), row.expires_at)

    def _write(self, connection: Connection, token: Token) -> None:
        values = {
            "connection_id": self._id,
            "access_token": self._cipher.encrypt(token.access_token),
            "refresh_token": self._cipher.encrypt(token.refresh_token),
            "expires_at": token.expires_at,
        }
        insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        statement = insert(_table).values(**values, refreshed_at=dt.datetime.now(dt.UTC))
        connection.execute(statement.on_conflict_do_update(
            index_elements=[_table.c.connection_id],
            set_={k: statement.excluded[k] for k in ("access_token", "refresh_token", "expires_at", "refreshed_at")},
        ))
