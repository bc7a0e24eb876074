"""Wire formats: ``yyyy-MM-dd`` dates, Brussels-local timestamps, amounts to the cent, VAT numbers.

Octopus is a Belgian service: the ``/modified`` endpoints take their
``yyyy-MM-dd HH:mm:ss.SSS`` stamps in Europe/Brussels local time and the
quotas count Brussels calendar days, while the sandbox clock is epoch
seconds. Numbers must be JSON numbers (a string or boolean is a malformed
element); bodies are parsed with exact decimals, so amounts are compared and
stored as the Decimals of their JSON text.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
CENT = Decimal("0.01")
INT32 = range(-(2**31), 2**31)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?")


def parse_date(value: Any) -> dt.date:
    """``yyyy-MM-dd`` only; raises ValueError on anything else."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError(f"not a yyyy-MM-dd date: {value!r}")
    return dt.date.fromisoformat(value)


def date_text(day: dt.date) -> str:
    return day.isoformat()


def parse_stamp(text: str) -> float:
    """``yyyy-MM-dd HH:mm:ss[.SSS]`` in Brussels local time -> epoch seconds; raises ValueError."""
    match = _STAMP.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a yyyy-MM-dd HH:mm:ss.SSS timestamp: {text!r}")
    day, hour, minute, second, millis = match.groups()
    moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(int(hour), int(minute), int(second)),
                                 BRUSSELS)
    return moment.timestamp() + int((millis or "0").ljust(3, "0")) / 1000


def stamp_text(ts: float) -> str:
    """Epoch seconds -> ``yyyy-MM-dd HH:mm:ss.SSS`` in Brussels local time."""
    return dt.datetime.fromtimestamp(ts, BRUSSELS).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def brussels_day(ts: float) -> dt.date:
    return dt.datetime.fromtimestamp(ts, BRUSSELS).date()


def brussels_moment(day: dt.date, hour: int) -> float:
    """Epoch seconds of ``hour``:00 Brussels time on ``day`` (demo stamps)."""
    return dt.datetime.combine(day, dt.time(hour), BRUSSELS).timestamp()


def is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """A JSON number: bodies are parsed with exact decimals, so ``Decimal`` (or int; float for
    Python callers); a string or boolean is not one."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def decimal(value: Any) -> Decimal:
    """A JSON number as a Decimal of exactly its digits (121.0 -> Decimal("121.0"))."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def vat_key(text: str) -> str:
    """``BE 0477.472-701`` and ``be0477472701`` compare equal: no spaces, dots or dashes, upper case."""
    return re.sub(r"[\s.\-]", "", text).upper()


def octopus_vat(number: str) -> str:
    """Belgian numbers in Octopus's ``BE0xxx.xxx.xxx`` format; others as they are."""
    if number.startswith("BE") and len(number) == 12:
        digits = number[2:]
        return f"BE{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    return number


def month_number(day: dt.date) -> int:
    """The ``bookyearPeriod`` of a monthly period: yyyymm as an int (202603)."""
    return day.year * 100 + day.month
