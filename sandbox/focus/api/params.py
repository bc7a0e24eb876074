"""Typed reading of an RPC body; malformed input becomes a 400 naming the field.

The real API validates strictly (``filter.status`` must be an array, page
sizes are bounded); the sandbox does too, so client bugs surface here
rather than in production.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.common.clock import iso_seconds, parse_datetime
from sandbox.common.gate import ApiError
from sandbox.focus.amounts import cents

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


def bad(title: str) -> ApiError:
    return ApiError(400, title)


@dataclass(frozen=True)
class Page:
    size: int
    number: int

    @property
    def offset(self) -> int:
        return self.size * (self.number - 1)


class Fields:
    """Getters over one JSON object; ``prefix`` names it in error titles."""

    def __init__(self, values: Any, prefix: str = "") -> None:
        if not isinstance(values, dict):
            raise bad(f"{prefix.rstrip('.') or 'The request body'} must be an object")
        self.values = values
        self.prefix = prefix

    def _name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def string(self, key: str, *, required: bool = False) -> str | None:
        value = self.values.get(key)
        if value is None:
            if required:
                raise bad(f"{self._name(key)} is required")
            return None
        if not isinstance(value, str):
            raise bad(f"{self._name(key)} must be a string")
        return value

    def required(self, key: str) -> str:
        value = self.string(key, required=True)
        assert value is not None
        return value

    def strings(self, key: str) -> list[str] | None:
        value = self.values.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad(f"{self._name(key)} must be an array of strings")
        return value

    def choices(self, key: str, allowed: Collection[str]) -> list[str] | None:
        values = self.strings(key)
        if values is not None and any(v not in allowed for v in values):
            raise bad(f"{self._name(key)} values must be one of: {', '.join(allowed)}")
        return values

    def date(self, key: str) -> str | None:
        value = self.string(key)
        if value is not None:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise bad(f"{self._name(key)} must be a date (YYYY-MM-DD)") from None
        return value

    def timestamp(self, key: str) -> float | None:
        value = self.string(key)
        if value is None:
            return None
        try:
            return parse_datetime(value).timestamp()
        except ValueError:
            raise bad(f"{self._name(key)} must be an ISO-8601 date-time") from None

    def datetime_text(self, key: str) -> str:
        """A required date-time, normalised to ``YYYY-MM-DDTHH:MM:SS+00:00``."""
        value = self.values.get(key)
        if not isinstance(value, str):
            raise bad(f"{self._name(key)} is required and must be an ISO-8601 date-time")
        stamp = self.timestamp(key)
        assert stamp is not None
        return iso_seconds(stamp)

    def object(self, key: str) -> Fields | None:
        value = self.values.get(key)
        return None if value is None else Fields(value, f"{self._name(key)}.")

    def reference(self, key: str, types: Collection[str]) -> tuple[str, str] | None:
        """A ``{type, id}`` pointer such as ``filter.customer``."""
        ref = self.object(key)
        if ref is None:
            return None
        kind = ref.required("type")
        if kind not in types:
            raise bad(f"{self._name(key)}.type must be one of: {', '.join(types)}")
        return kind, ref.required("id")

    def money(self, key: str) -> tuple[Decimal, str]:
        """``{amount, currency}``; the amount is kept to the cent (half up)."""
        money = self.object(key)
        if money is None:
            raise bad(f"{self._name(key)} is required")
        amount = money.values.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise bad(f"{self._name(key)}.amount must be a number")
        return cents(Decimal(str(amount))), money.required("currency")


class Params(Fields):
    """The whole RPC body."""

    def id(self) -> str:
        return self.required("id")

    def filter(self) -> Fields:
        return self.object("filter") or Fields({}, "filter.")

    def page(self) -> Page:
        page = self.object("page") or Fields({}, "page.")
        size, number = page.values.get("size", DEFAULT_PAGE_SIZE), page.values.get("number", 1)
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
            raise bad(f"page.size must be an integer between 1 and {MAX_PAGE_SIZE}")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise bad("page.number must be an integer of at least 1")
        return Page(size, number)

    def sort(self, allowed: Collection[str]) -> list[tuple[str, bool]]:
        """``(field, descending)`` pairs in the order given."""
        value = self.values.get("sort")
        if value is None:
            return []
        if not isinstance(value, list):
            raise bad("sort must be an array")
        result = []
        for entry in value:
            item = Fields(entry, "sort[].")
            field, order = item.required("field"), item.string("order") or "asc"
            if field not in allowed:
                raise bad(f"sort field must be one of: {', '.join(allowed)}")
            if order not in ("asc", "desc"):
                raise bad("sort order must be asc or desc")
            result.append((field, order == "desc"))
        return result

    def includes(self, allowed: Collection[str]) -> frozenset[str]:
        value = self.string("includes")
        names = frozenset(part.strip() for part in (value or "").split(",") if part.strip())
        unknown = names - set(allowed)
        if unknown:
            raise bad(f"includes must be a comma-separated list of: {', '.join(sorted(allowed))}")
        return names
