"""Column types that mean the same on SQLite and PostgreSQL.

``DateTime(timezone=True)`` is ``timestamptz`` on PostgreSQL, which hands
values back aware (in the session's zone), but SQLite has no zone: it stores
the wall time it is given and hands it back naive, so a watermark written at
10:00+02:00 came back as 10:00 with no zone and went to Focus without an
offset. ``UtcDateTime`` stores every timestamp as UTC and always hands back an
aware UTC datetime, on both engines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware timestamp, stored as UTC (``timestamptz`` on PostgreSQL; the schema is unchanged).

    A naive value is refused: the connector's timestamps are all aware, and guessing the zone of one
    that is not is how a watermark moves by an hour or two."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"UtcDateTime takes a datetime, not {type(value).__name__} ({value!r})")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"UtcDateTime takes an aware datetime; {value.isoformat()} has no time zone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # a value SQLite computed itself (CURRENT_TIMESTAMP is UTC)
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:  # SQLite: stored as UTC, read back without the zone
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
