"""Exact Online data in SQLite: every entity as its wire JSON under (entity set, division, key).

Rows are few (a demo administration, plus what tests post), so queries load
a division's rows of one set and filter in Python; the OData layer then
needs no SQL translation. The autoincrement ``hid`` of a row is stable
across updates and serves as the ``HID`` of open items. Payments live in
their own table: they are sandbox bookkeeping, not an API entity. Amounts are
``Decimal`` in memory and exact number literals in the stored JSON (``exactjson``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from sandbox.common import exactjson
from sandbox.common.store import transaction

#: The division under which account-wide rows (divisions, the user) are stored.
ACCOUNT_WIDE = 0
#: The entity name the division list is stored under (served as hrm/ and system/Divisions).
DIVISIONS = "Divisions"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    hid INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, division INTEGER NOT NULL,
    key TEXT NOT NULL, doc TEXT NOT NULL, UNIQUE (entity, division, key)
);
CREATE TABLE IF NOT EXISTS payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT, division INTEGER NOT NULL, entry_id TEXT NOT NULL,
    amount TEXT NOT NULL, paid_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_entry ON payments (division, entry_id);
"""


class Record(NamedTuple):
    """What the demo-data generator hands to ``ExactStore.load``."""

    entity: str
    division: int
    key: str
    doc: dict[str, Any]


def _dump(doc: Any) -> str:
    return exactjson.dumps(doc)


def _load(text: str) -> Any:
    return exactjson.loads(text)


class ExactStore:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        db.executescript(_SCHEMA)

    def is_empty(self) -> bool:
        return self._db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None

    def load(self, records: Iterable[Record]) -> None:
        """Replace all data (and payments) with ``records``."""
        with transaction(self._db):
            self._db.execute("DELETE FROM records")
            self._db.execute("DELETE FROM payments")
            self._db.execute("DELETE FROM sqlite_sequence WHERE name IN ('records', 'payments')")
            self._db.executemany(
                "INSERT INTO records (entity, division, key, doc) VALUES (?, ?, ?, ?)",
                ((r.entity, r.division, r.key, _dump(r.doc)) for r in records),
            )

    def docs(self, entity: str, division: int) -> list[dict[str, Any]]:
        cursor = self._db.execute("SELECT doc FROM records WHERE entity = ? AND division = ? ORDER BY key",
                                  (entity, division))
        return [_load(row[0]) for row in cursor]

    def docs_with_hid(self, entity: str, division: int) -> list[tuple[int, dict[str, Any]]]:
        cursor = self._db.execute("SELECT hid, doc FROM records WHERE entity = ? AND division = ? ORDER BY hid",
                                  (entity, division))
        return [(row[0], _load(row[1])) for row in cursor]

    def doc(self, entity: str, division: int, key: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT doc FROM records WHERE entity = ? AND division = ? AND key = ?",
                               (entity, division, key)).fetchone()
        return None if row is None else _load(row[0])

    def insert(self, entity: str, division: int, key: str, doc: dict[str, Any]) -> None:
        self._db.execute("INSERT INTO records (entity, division, key, doc) VALUES (?, ?, ?, ?)",
                         (entity, division, key, _dump(doc)))

    def update(self, entity: str, division: int, key: str, doc: dict[str, Any]) -> None:
        self._db.execute("UPDATE records SET doc = ? WHERE entity = ? AND division = ? AND key = ?",
                         (_dump(doc), entity, division, key))

    def delete(self, entity: str, division: int, key: str) -> None:
        self._db.execute("DELETE FROM records WHERE entity = ? AND division = ? AND key = ?",
                         (entity, division, key))

    def add_payment(self, division: int, entry_id: str, amount: Decimal, paid_at: float) -> None:
        self._db.execute("INSERT INTO payments (division, entry_id, amount, paid_at) VALUES (?, ?, ?, ?)",
                         (division, entry_id, str(amount), paid_at))

    def paid(self, division: int) -> dict[str, Decimal]:
        """Total paid per entry id in ``division``."""
        totals: dict[str, Decimal] = {}
        for entry_id, amount in self._db.execute("SELECT entry_id, amount FROM payments WHERE division = ?",
                                                 (division,)):
            totals[entry_id] = totals.get(entry_id, Decimal(0)) + Decimal(amount)
        return totals
