"""Sandbox time: real time plus a persisted offset.

Tests move the clock instead of sleeping, so token expiry, rate-limit windows,
file-link expiry and ``updated_at`` stamps all read time from here.
"""

from __future__ import annotations

import datetime as dt
import time
from email.utils import formatdate

from sandbox.common.store import Meta

_OFFSET_KEY = "clock.offset_seconds"


class Clock:
    def __init__(self, meta: Meta) -> None:
        self._meta = meta
        self._offset = float(meta.get(_OFFSET_KEY, 0.0))

    @property
    def offset(self) -> float:
        return self._offset

    def now(self) -> float:
        """Seconds since the epoch, as the sandbox sees it."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._store(self._offset + seconds)

    def set(self, moment: dt.datetime) -> None:
        self._store(moment.timestamp() - time.time())

    def set_offset(self, seconds: float) -> None:
        self._store(seconds)

    def _store(self, offset: float) -> None:
        self._offset = offset
        self._meta.put(_OFFSET_KEY, offset)


def iso_ms(ts: float) -> str:
    """``2026-11-21T10:51:23.035+00:00`` (rate-limit reset, admin stamps)."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds")


def iso_seconds(ts: float) -> str:
    """``2026-11-21T10:51:23+00:00``, the way API documents stamp times."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def http_date(ts: float) -> str:
    """RFC 7231 ``Date`` header value."""
    return formatdate(ts, usegmt=True)


def parse_datetime(text: str) -> dt.datetime:
    """ISO-8601 date-time; a value without offset is taken as UTC.

    Raises ValueError on anything else.
    """
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
