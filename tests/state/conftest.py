"""A state database per test, on SQLite and on PostgreSQL.

PostgreSQL tests use a throw-away schema in the local server's ``test``
database (``CONNECTOR_TEST_PG_URL`` to point elsewhere). Without a server
they skip, except under ``CI=true``, where they fail: CI must prove both.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

from connectors.state.db import make_engine, migrate
from connectors.state.secrets import Cipher

PG_URL = os.environ.get("CONNECTOR_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def _postgres_schema() -> Iterator[str]:
    """A fresh schema; yields a URL whose connections use it."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and is not reachable: {exc.orig}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def state_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
    else:
        yield from _postgres_schema()


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def refuse_deferred_writes(engine: Engine) -> None:
    """On SQLite, a write inside a plain (deferred) BEGIN fails with "database is locked" as soon as another
    process wrote since it read — the failure a busy timeout cannot help. Every write must go through
    ``state.db.write_transaction`` (BEGIN IMMEDIATE); this makes a test fail where one does not."""

    @event.listens_for(engine, "before_cursor_execute")
    def check(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(WRITES) and connection.info.get("began") == "BEGIN":
            raise AssertionError(f"a write outside write_transaction (BEGIN IMMEDIATE): {statement[:80]}")


@pytest.fixture
def engine(state_url) -> Iterator[Engine]:
    engine = make_engine(state_url)
    if engine.dialect.name == "sqlite":
        refuse_deferred_writes(engine)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def cipher() -> Cipher:
    return Cipher(Fernet.generate_key())
