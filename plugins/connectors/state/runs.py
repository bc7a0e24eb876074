"""Sync runs and their per-document errors: what the data team and the accountant read.

Errors are kept ``CONNECTOR_ERROR_RETENTION_DAYS`` days (7 by default); runs
older than that go with them. A dry run also keeps what it would have booked
(``would_book``: number, party, amount, journal per document), stored in the
run row's ``counts`` under ``WOULD_BOOK``; ``add_counts`` hands back the
numbers only.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from sqlalchemy import Engine, delete, select, update

from connectors.state.db import write_transaction
from connectors.state.models import SyncError, SyncRun

_runs = SyncRun.__table__
_errors = SyncError.__table__
#: The key under ``sync_runs.counts`` that holds a dry run's list of what it would book.
WOULD_BOOK = "would_book"


def retention_days(env: Mapping[str, str] | None = None) -> int:
    return int((os.environ if env is None else env).get("CONNECTOR_ERROR_RETENTION_DAYS", "7"))


class RunLog:
    def __init__(self, engine: Engine):
        self._engine = engine

    def start(self, entity: str, integration_id: int | None, airflow_run_id: str | None, dry_run: bool) -> int:
        with write_transaction(self._engine) as connection:
            return connection.execute(_runs.insert().values(
                entity=entity, integration_id=integration_id, airflow_run_id=airflow_run_id, dry_run=dry_run,
                status="running", counts={}, started_at=dt.datetime.now(dt.UTC),
            ).returning(_runs.c.id)).scalar_one()

    def latest(self, entity: str, airflow_run_id: str | None = None) -> int | None:
        query = select(_runs.c.id).where(_runs.c.entity == entity).order_by(_runs.c.id.desc()).limit(1)
        if airflow_run_id is not None:
            query = query.where(_runs.c.airflow_run_id == airflow_run_id)
        with self._engine.connect() as connection:
            return connection.execute(query).scalar()

    def add_error(self, run_id: int, *, focus_id: str | None, number: str | None, code: str,
                  field: str | None, message: str) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(_errors.insert().values(run_id=run_id, focus_id=focus_id, document_number=number,
                                                       code=code, field=field, message=message))

    def errors(self, run_id: int) -> list[SyncError]:
        with self._engine.connect() as connection:
            return list(connection.execute(select(_errors).where(_errors.c.run_id == run_id)
                                           .order_by(_errors.c.id)).all())

    def counts(self, run_id: int) -> dict[str, int]:
        """The run's counts so far (numbers only)."""
        with self._engine.connect() as connection:
            current = connection.execute(select(_runs.c.counts).where(_runs.c.id == run_id)).scalar_one() or {}
        return {k: v for k, v in current.items() if isinstance(v, int)}

    def add_counts(self, run_id: int, counts: Mapping[str, int]) -> dict[str, int]:
        """Merge ``counts`` into the run's; returns all its counts (numbers only)."""
        with write_transaction(self._engine) as connection:
            current = connection.execute(select(_runs.c.counts).where(_runs.c.id == run_id)).scalar_one() or {}
            merged = {**current, **{k: int(v) for k, v in counts.items()}}
            connection.execute(update(_runs).where(_runs.c.id == run_id).values(counts=merged))
            return {k: v for k, v in merged.items() if isinstance(v, int)}

    def set_would_book(self, run_id: int, rows: list[dict[str, str]]) -> None:
        """A dry run's list of what it would book (plain strings: amounts as Decimal text)."""
        with write_transaction(self._engine) as connection:
            current = connection.execute(select(_runs.c.counts).where(_runs.c.id == run_id)).scalar_one() or {}
            connection.execute(update(_runs).where(_runs.c.id == run_id).values(
                counts={**current, WOULD_BOOK: list(rows)}))

    def would_book(self, run_id: int) -> list[dict[str, str]] | None:
        """What a dry run would book, in booking order; None for a run that recorded no such list."""
        with self._engine.connect() as connection:
            current = connection.execute(select(_runs.c.counts).where(_runs.c.id == run_id)).scalar_one() or {}
        return current.get(WOULD_BOOK)

    def finish(self, run_id: int, status: str) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(update(_runs).where(_runs.c.id == run_id).values(
                status=status, ended_at=dt.datetime.now(dt.UTC)))

    def purge(self, days: int | None = None) -> int:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=retention_days() if days is None else days)
        with write_transaction(self._engine) as connection:
            old = select(_runs.c.id).where(_runs.c.started_at < cutoff)
            connection.execute(delete(_errors).where(_errors.c.run_id.in_(old)))
            return connection.execute(delete(_runs).where(_runs.c.started_at < cutoff)).rowcount
