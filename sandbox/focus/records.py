"""What the demo-data generator hands to the store, one record at a time.

Streaming records (instead of building lists) keeps seeding 100,000 invoices
within a small, constant amount of memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

Table = Literal[
    "user", "department", "tax_rate", "product_category", "payment_term", "company", "contact",
    "invoice", "credit_note", "expense", "file",
]


class Record(NamedTuple):
    table: Table
    payload: Any


@dataclass(frozen=True)
class Expense:
    """An ``expenses.list`` item plus what the API keeps beside it."""

    doc: dict[str, Any]
    supplier_name: str | None
    payments: list[dict[str, Any]]


@dataclass(frozen=True)
class File:
    id: str
    media_type: str
    content: bytes
