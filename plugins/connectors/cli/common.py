"""What every command shares: the state database (migrated on first use) and typed arguments.

Argument types turn a checker of ``connectors.input_values`` into an argparse
type, so a malformed value is refused by argparse with the option's name, in
one line, before any command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from connectors import input_values
from connectors.state.db import database_url, make_engine, migrate

T = TypeVar("T")


class StateDatabaseError(RuntimeError):
    """The state database cannot be opened (wrong URL, server down, no permission)."""


def state_engine() -> Engine:
    """The state database, created or brought to the newest schema by whichever command needs it first."""
    try:
        engine = make_engine()
        migrate(engine)
    except (ArgumentError, OperationalError, OSError) as exc:
        try:
            where = make_url(database_url()).render_as_string(hide_password=True)
        except ArgumentError:
            where = "(not a database URL)"
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StateDatabaseError(f"cannot open the state database {where}: {reason}; check CONNECTOR_STATE_URL "
                                 "(e.g. sqlite:///.state/connector.db or postgresql+psycopg2://user@host/db)") from None
    return engine


def arg_type(check: Callable[[str], T], name: str) -> Callable[[str], T]:
    """An argparse ``type=`` whose error message is the checker's own (what is wrong, an example)."""

    def parse(text: str) -> T:
        try:
            return check(text)
        except input_values.InvalidValue as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = name
    return parse


def _journal(text: str) -> tuple[str, str]:
    kind, code = input_values.key_value(text, "--journal", "KIND=CODE (e.g. sales_invoice=70)")
    return input_values.journal_kind(kind), code


def _vat_link(text: str) -> tuple[tuple[str, str], str]:
    example = "DIR:KEY=CODE (e.g. sales:<Focus tax rate id>=1 or purchase:S:21=81)"
    key, code = input_values.key_value(text, "--vat-link", example)
    direction, sep, source = key.partition(":")
    if not sep or not source:
        raise input_values.InvalidValue(f"--vat-link must look like {example}, got {text!r}")
    return (input_values.direction(direction, "--vat-link"), source), code


def _ledger_by_rate(text: str) -> tuple[tuple[str, str], str]:
    example = "DIR:RATE=ACCOUNT (e.g. sales:0.21=701000)"
    key, account = input_values.key_value(text, "--ledger-by-rate", example)
    direction, sep, rate = key.partition(":")
    if not sep:
        raise input_values.InvalidValue(f"--ledger-by-rate must look like {example}, got {text!r}")
    return (input_values.direction(direction, "--ledger-by-rate"),
            input_values.vat_rate(rate, "--ledger-by-rate")), account


ENTITY_NAME = arg_type(input_values.entity_name, "entity name")
ISO_DATE = arg_type(input_values.iso_date, "date")
ISO_TIMESTAMP = arg_type(input_values.iso_timestamp, "timestamp")
TIME_ZONE = arg_type(input_values.time_zone, "time zone")
CRON = arg_type(input_values.cron_expression, "cron expression")
JOURNAL = arg_type(_journal, "journal")
VAT_LINK = arg_type(_vat_link, "VAT code link")
LEDGER_BY_RATE = arg_type(_ledger_by_rate, "ledger account per VAT rate")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value
