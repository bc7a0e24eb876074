"""Reading single Focus values — amounts, numbers, dates — with errors that name the document and field.

Focus sends money as JSON numbers (``{"amount": 123.3}``); the client parses
them as Decimal, never float. A value Focus should never send (``"100,00"``,
a date ``2025-02-30``) must not crash the whole extraction: it becomes a
``MappingError`` naming the document, the field and the fix, that document
waits in the ledger, and the others proceed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from connectors.domain import CENT

ZERO = Decimal("0.00")


class MappingError(ValueError):
    """A Focus document that cannot be mapped; the message names document, field and fix."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def number(value: Any, where: str, field: str) -> Decimal:
    """An exact number (quantity, rate, percentage): a Decimal, an int or numeric text."""
    if isinstance(value, float):
        raise TypeError(f"{where}: {field} arrived as a float; Focus JSON must be parsed with parse_float=Decimal")
    if isinstance(value, bool) or value is None:
        raise MappingError(f"{where}: {field} is missing or not a number; correct it in Focus", field)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise MappingError(f"{where}: {field} {value!r} is not a number; correct it in Focus", field) from None
    else:
        raise MappingError(f"{where}: {field} {value!r} is not a number; correct it in Focus", field)
    if not result.is_finite():
        raise MappingError(f"{where}: {field} {value!r} is not a number; correct it in Focus", field)
    return result


def amount(value: Any, where: str, field: str, default: Decimal | None = ZERO) -> Decimal:
    """A Focus Money object (``{"amount": …}``) or a bare number, to the cent; ``default`` when absent."""
    if isinstance(value, Mapping):
        value = value.get("amount")
    if value is None:
        if default is None:
            raise MappingError(f"{where}: {field} is missing; correct the document in Focus", field)
        return default
    return number(value, where, field).quantize(CENT, rounding=ROUND_HALF_UP)


def optional_amount(value: Any, where: str, field: str) -> Decimal | None:
    if isinstance(value, Mapping):
        value = value.get("amount")
    return None if value is None else amount(value, where, field)


def date(value: Any, where: str, field: str) -> dt.date | None:
    """``YYYY-MM-DD`` (or the date part of a timestamp); None when empty."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise MappingError(f"{where}: {field} {value!r} is not a valid date (YYYY-MM-DD); correct it in Focus",
                           field) from None


def moment(value: Any, where: str, field: str) -> dt.datetime | None:
    """An ISO-8601 timestamp, UTC when it carries no offset; None when empty."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise MappingError(f"{where}: {field} {value!r} is not a valid date and time; correct it in Focus",
                           field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
