"""Engine, sessions and migrations for the state database.

One setting picks the database: ``CONNECTOR_STATE_URL`` (any SQLAlchemy URL,
``postgresql+psycopg2://…`` in production). Without it the state lives in a
SQLite file, ``.state/connector.db``, with WAL and a busy timeout so several
task processes can share it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///.state/connector.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(env: dict[str, str] | None = None) -> str:
    return (os.environ if env is None else env).get("CONNECTOR_STATE_URL", DEFAULT_URL)


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; let SQLAlchemy emit it (needed for BEGIN IMMEDIATE).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(conn.info.pop("begin", "BEGIN")))
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # autocommit at the driver; SQLAlchemy emits BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on error."""
    with sessions(engine)() as session, session.begin():
        yield session
