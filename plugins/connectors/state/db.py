"""Engine, sessions and migrations for the state database.

One setting picks the database: ``CONNECTOR_STATE_URL`` (any SQLAlchemy URL,
``postgresql+psycopg2://…`` in production). Without it the state lives in a
SQLite file, ``.state/connector.db``, shared by every task process of every
entity, so it is set up for that load:

- WAL, so readers never wait for the writer;
- every write transaction begins ``BEGIN IMMEDIATE`` (``write_transaction``):
  it takes the write lock up front and waits for it (the busy timeout),
  instead of reading first and failing with "database is locked" when it
  upgrades to writing — the SQLite failure a busy timeout cannot help;
- a ``BEGIN`` that still finds the database busy after the timeout is
  retried (nothing of the transaction has run yet);
- transactions stay short: no HTTP call happens inside one, except the
  token refresh that must hold its row (``state.tokens``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential_jitter

DEFAULT_URL = "sqlite:///.state/connector.db"
MIGRATIONS = Path(__file__).with_name("migrations")
#: How long SQLite waits for the write lock per attempt, and how long a BEGIN is retried in all.
BUSY_TIMEOUT_SECONDS = 30
BEGIN_RETRY_SECONDS = 120


def database_url(env: dict[str, str] | None = None) -> str:
    return (os.environ if env is None else env).get("CONNECTOR_STATE_URL", DEFAULT_URL)


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; let SQLAlchemy emit it (needed for BEGIN IMMEDIATE).
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # autocommit at the driver; SQLAlchemy emits BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


def _busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def _sqlite_begin(connection: Connection) -> None:
    statement = connection.info.pop("begin", "BEGIN")
    connection.info["began"] = statement
    for attempt in Retrying(retry=retry_if_exception(_busy), stop=stop_after_delay(BEGIN_RETRY_SECONDS),
                            wait=wait_exponential_jitter(multiplier=0.05, max=2), reraise=True):
        with attempt:
            connection.exec_driver_sql(statement)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One short write transaction, committed when the block ends (``BEGIN IMMEDIATE`` on SQLite)."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.info["begin"] = "BEGIN IMMEDIATE"
        with connection.begin():
            yield connection


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One write transaction for ORM work: committed when the block ends, rolled back on error."""
    with write_transaction(engine) as connection, Session(bind=connection, expire_on_commit=False) as session:
        yield session
        session.flush()
