"""Wire values: ``/Date(ms)/`` dates, typed literals (``guid'..'``, ``123L``) and the property types.

Exact sends dates as ``"/Date(<epoch ms>)/"`` (UTC) and accepts zone-less
ISO-8601 text on input; keys appear in URLs as typed literals.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from sandbox.exact_online.odata import ODataError

GUID, STRING, INT, INT64, DECIMAL, BOOL, DATETIME = "Guid", "String", "Int32", "Int64", "Decimal", "Boolean", "DateTime"

_WIRE_DATE = re.compile(r"^/Date\((-?\d+)\)/$")


def wire_date(moment: dt.datetime | dt.date) -> str:
    """``/Date(ms)/`` for a UTC moment; a date is midnight UTC."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.UTC)
    return f"/Date({round(moment.timestamp() * 1000)})/"


def wire_timestamp(ts: float) -> str:
    return f"/Date({round(ts * 1000)})/"


def wire_ms(value: str) -> int:
    """The epoch milliseconds inside ``/Date(ms)/``."""
    match = _WIRE_DATE.match(value)
    if match is None:
        raise ValueError(f"not a /Date()/ value: {value!r}")
    return int(match.group(1))


def date_of(value: str) -> dt.date:
    """The UTC calendar day of a ``/Date(ms)/`` value."""
    return dt.datetime.fromtimestamp(wire_ms(value) / 1000, dt.UTC).date()


def parse_input_datetime(text: str) -> dt.datetime:
    """What clients may send: zone-less ISO-8601 (taken as UTC), with an offset, or ``/Date(ms)/``."""
    if _WIRE_DATE.match(text):
        return dt.datetime.fromtimestamp(wire_ms(text) / 1000, dt.UTC)
    moment = dt.datetime.fromisoformat(text)
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def normal_guid(text: str) -> str:
    """Lower-case canonical form; raises ODataError when ``text`` is no GUID."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise ODataError(f"Invalid Guid value: '{text}'.") from None


def literal(value: object, kind: str) -> str:
    """A key as it appears in URLs: ``guid'..'``, ``123L`` or ``123``."""
    if kind == GUID:
        return f"guid'{value}'"
    if kind == INT64:
        return f"{value}L"
    return str(value)
