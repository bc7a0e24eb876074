"""Timestamps come back aware (UTC) on SQLite and PostgreSQL, and the watermark reaches Focus with an offset.

SQLite has no time zone: before ``UtcDateTime`` it kept the wall time it was
given and handed it back naive, so the extract watermark went to Focus's
``updated_since`` without an offset.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from connectors.focus import streams
from connectors.state.db import write_transaction
from connectors.state.models import Integration, SyncError, SyncRun
from connectors.sync.run import load_entity

BRUSSELS = ZoneInfo("Europe/Brussels")
#: 10:30 in Brussels in summer = 08:30 UTC.
SUMMER = dt.datetime(2026, 7, 1, 10, 30, 15, 123456, tzinfo=BRUSSELS)


def add_integration(engine, name="acme_be", watermark=None) -> int:
    with write_transaction(engine) as connection, Session(bind=connection) as session:
        row = Integration(entity=name, focus_department_id=f"dept-{name}", target="exact_online",
                          target_connection_id="exact_default", extract_watermark=watermark)
        session.add(row)
        session.flush()
        return row.id


def watermark(engine, name="acme_be") -> dt.datetime | None:
    with Session(engine) as session:
        return session.scalars(select(Integration.extract_watermark).where(Integration.entity == name)).one()


def test_the_watermark_round_trip_keeps_the_instant_the_zone_and_the_offset(engine):
    add_integration(engine, watermark=SUMMER)
    back = watermark(engine)
    assert back.tzinfo is not None and back.utcoffset() == dt.timedelta(0)
    assert back == SUMMER  # the same instant
    assert back.isoformat() == "2026-07-01T08:30:15.123456+00:00"


def test_a_watermark_written_by_core_update_in_another_zone_is_stored_as_utc(engine):
    """The sync writes the watermark with a Core UPDATE on the table; on SQLite the stored text must be UTC,
    or comparisons in SQL (and the reporting queries) are off by the zone's offset."""
    add_integration(engine)
    with write_transaction(engine) as connection:
        connection.execute(update(Integration.__table__).where(Integration.__table__.c.entity == "acme_be")
                           .values(extract_watermark=SUMMER))
    assert watermark(engine) == SUMMER
    with engine.connect() as connection:
        column = Integration.__table__.c.extract_watermark
        later = connection.execute(select(Integration.entity).where(
            column > dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC))).all()
        earlier = connection.execute(select(Integration.entity).where(
            column > dt.datetime(2026, 7, 1, 10, 0, tzinfo=BRUSSELS))).all()  # 08:00 UTC
        not_after = connection.execute(select(Integration.entity).where(
            column > dt.datetime(2026, 7, 1, 10, 31, tzinfo=BRUSSELS))).all()  # 08:31 UTC
    assert later == earlier == [("acme_be",)]
    assert not_after == []
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT extract_watermark FROM integrations")).scalar_one()
        assert str(stored).startswith("2026-07-01 08:30:15")


def test_a_naive_timestamp_is_refused(engine):
    with pytest.raises(StatementError, match="has no time zone"):
        add_integration(engine, watermark=dt.datetime(2026, 7, 1, 10, 30))


def test_a_timestamp_the_database_sets_itself_comes_back_aware(engine):
    """``sync_errors.created_at`` is filled by the server (``now()`` / SQLite's CURRENT_TIMESTAMP, both UTC)."""
    add_integration(engine)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=1)
    with write_transaction(engine) as connection, Session(bind=connection) as session:
        integration_id = session.scalars(select(Integration.id)).one()
        run = SyncRun(integration_id=integration_id, entity="acme_be")
        session.add(run)
        session.flush()
        session.add(SyncError(run_id=run.id, code="test", message="a problem"))
        session.flush()
    with Session(engine) as session:
        created = session.scalars(select(SyncError.created_at)).one()
        started = session.scalars(select(SyncRun.started_at)).one()
    for value in (created, started):
        assert value.utcoffset() == dt.timedelta(0)
        assert before <= value <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)


class RecordingFocus:
    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.includes_refused: set[str] = set()

    def call(self, method: str, body: dict) -> dict:
        self.calls.append((method, body))
        return {"data": [], "meta": {"matches": 0}}

    def paginate(self, method: str, body: dict):
        self.calls.append((method, body))
        yield from ()


def test_the_entity_watermark_goes_to_focus_with_an_offset(engine):
    add_integration(engine, watermark=SUMMER)
    entity = load_entity(engine, "acme_be")
    since = entity.watermark
    assert since.utcoffset() == dt.timedelta(0) and since == SUMMER
    focus = RecordingFocus()
    list(streams.booked_invoices(focus, "dept-acme_be", since=since))
    list(streams.credit_notes(focus, "dept-acme_be", since=since))
    sent = [body["filter"]["updated_since"] for _, body in focus.calls if "updated_since" in body.get("filter", {})]
    assert sent, focus.calls
    for value in sent:
        parsed = dt.datetime.fromisoformat(value)
        assert parsed.utcoffset() is not None, f"updated_since {value!r} has no offset"
        assert parsed == SUMMER
