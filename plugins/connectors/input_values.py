"""The values an operator types, checked where they enter: dates, time zones, cron expressions, mapping keys.

A bad value must be refused with the value, what was expected and an example
of a good one, before it is stored: a time zone or schedule that cannot build
a DAG would otherwise reach the DAG file at parse time. The same checks run
in ``integrations`` (whatever the caller) and in the command line's argument
types (so argparse names the option).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal, InvalidOperation

from croniter import croniter

from connectors.domain import DocumentKind

JOURNAL_KINDS = tuple(kind.value for kind in DocumentKind)
DIRECTIONS = ("sales", "purchase")
#: The presets Airflow's cron timetables accept besides five fields.
CRON_PRESETS = ("@hourly", "@daily", "@weekly", "@monthly", "@yearly")


ENTITY_NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


class InvalidValue(ValueError):
    """A typed value that cannot be used; the message says what is expected."""


def entity_name(text: str) -> str:
    """Lower case letters, digits and _ (2–41 characters): the name becomes part of a DAG id."""
    if not ENTITY_NAME.match(text):
        raise InvalidValue(f"entity name {text!r} must be 2–41 lower case letters, digits and _, starting with a "
                           "letter (it names the DAG), e.g. acme_be")
    return text


def iso_date(text: str) -> dt.date:
    """A day as YYYY-MM-DD (2026-01-31); anything else is refused with the format."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(f"{text!r} is not a date in the form YYYY-MM-DD (e.g. 2026-01-31)") from None


def iso_timestamp(text: str) -> dt.datetime:
    """An ISO 8601 moment (2026-01-31T08:00:00+01:00, or a day); a time without a zone is read as UTC."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(f"{text!r} is not an ISO 8601 timestamp (e.g. 2026-01-31T08:00:00+01:00 or "
                           "2026-01-31)") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def time_zone(text: str) -> str:
    """A name of the tz database (Europe/Brussels), as Airflow's timetables need it."""
    name = text.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidValue(f"{text!r} is not a time zone of the tz database (e.g. Europe/Brussels, "
                           "Europe/Amsterdam, UTC)") from None
    return name


def cron_expression(text: str) -> str:
    """Five cron fields (minute hour day month weekday), e.g. ``0 2 * * *`` for 02:00 every night."""
    expression = " ".join(text.split())
    fields = 1 if expression in CRON_PRESETS else 5
    if len(expression.split(" ")) != fields or not croniter.is_valid(expression):
        raise InvalidValue(f"{text!r} is not a cron expression of five fields (minute hour day month weekday), "
                           "e.g. \"0 2 * * *\" for 02:00 every night, or @daily")
    return expression


def journal_kind(text: str) -> str:
    if text not in JOURNAL_KINDS:
        raise InvalidValue(f"{text!r} is not a document kind; journals are set for {', '.join(JOURNAL_KINDS)}")
    return text


def direction(text: str, what: str) -> str:
    if text not in DIRECTIONS:
        raise InvalidValue(f"{what}: {text!r} is not a direction; use sales or purchase (e.g. sales:0.21=701000)")
    return text


def vat_rate(text: str, what: str) -> str:
    """A VAT rate as a fraction (0.21 for 21 %), kept as the text the mapping stores."""
    try:
        rate = Decimal(text)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not Decimal(0) <= rate < Decimal(1):
        raise InvalidValue(f"{what}: {text!r} is not a VAT rate as a fraction (0.21 for 21 %, 0 for exempt)")
    return text


def key_value(text: str, what: str, example: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise InvalidValue(f"{what} must look like {example}, got {text!r}")
    return key.strip(), value.strip()
