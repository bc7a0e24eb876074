"""Exact Online data in SQLite: every entity as its wire JSON under (entity set, division, key).

Rows are few (a demo administration, plus what tests post), so queries load
a division's rows of one set and filter in Python; the OData layer then
needs no SQL translation. The autoincrement ``hid`` of a row is stable
across updates and serves as the ``HID`` of open items. Settlements
(payments, fees, credit-note matches) live in their own table: they are
sandbox bookkeeping, not an API entity (``settlements.py`` holds their rules).
Amounts are ``Decimal`` in memory, exact number literals in the stored JSON
(``exactjson``) and decimal text in the settlements table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
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
CREATE TABLE IF NOT EXISTS settlements (
    id INTEGER PRIMARY KEY AUTOINCREMENT, division INTEGER NOT NULL, entry_id TEXT NOT NULL,
    kind TEXT NOT NULL, amount TEXT NOT NULL, day TEXT NOT NULL, late_fee TEXT,
    counterpart TEXT, link INTEGER, recorded_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS settlements_entry ON settlements (division, entry_id);
"""
#: Databases written before settlements existed kept bare payments; they are carried over once.
_LEGACY_PAYMENTS = """
INSERT INTO settlements (division, entry_id, kind, amount, day, recorded_at)
    SELECT division, entry_id, 'payment', amount, date(paid_at, 'unixepoch'), paid_at FROM payments ORDER BY id;
DROP TABLE payments;
"""


class Settlement(NamedTuple):
    """One payment, fee or side of a match, on one entry."""

    id: int
    entry_id: str
    #: ``payment`` | ``fee`` | ``match``
    kind: str
    amount: Decimal
    #: ``YYYY-MM-DD``
    day: str
    late_fee: Decimal | None = None
    #: A match: the other entry.
    counterpart: str | None = None
    #: A match: the id both of its rows share.
    link: int | None = None


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
        self._generation = 0
        self._memo: dict[Any, tuple[int, Any]] = {}
        db.executescript(_SCHEMA)
        legacy = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'payments'").fetchone()
        if legacy is not None:
            with transaction(db):
                for statement in _LEGACY_PAYMENTS.strip().split(";\n"):
                    db.execute(statement)

    @property
    def generation(self) -> int:
        """Writes to entries and settlements so far: a listing computed at one generation holds until the next
        write (the request log shares the connection, so SQLite's own change counter would not do)."""
        return self._generation

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, reused while nothing was written (a paged read computes its listing once)."""
        cached = self._memo.get(key)
        if cached is None or cached[0] != self._generation:
            cached = self._memo[key] = (self._generation, compute())
        return cached[1]

    def is_empty(self) -> bool:
        return self._db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None

    def load(self, records: Iterable[Record]) -> None:
        """Replace all data (and settlements) with ``records``."""
        self._generation += 1
        with transaction(self._db):
            self._db.execute("DELETE FROM records")
            self._db.execute("DELETE FROM settlements")
            self._db.execute("DELETE FROM sqlite_sequence WHERE name IN ('records', 'settlements')")
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
        self._generation += 1
        self._db.execute("INSERT INTO records (entity, division, key, doc) VALUES (?, ?, ?, ?)",
                         (entity, division, key, _dump(doc)))

    def insert_many(self, entity: str, division: int, docs: dict[str, dict[str, Any]]) -> None:
        """Many records in one transaction (the admin API's entry copies)."""
        self._generation += 1
        with transaction(self._db):
            self._db.executemany("INSERT INTO records (entity, division, key, doc) VALUES (?, ?, ?, ?)",
                                 ((entity, division, key, _dump(doc)) for key, doc in docs.items()))

    def update(self, entity: str, division: int, key: str, doc: dict[str, Any]) -> None:
        self._generation += 1
        self._db.execute("UPDATE records SET doc = ? WHERE entity = ? AND division = ? AND key = ?",
                         (_dump(doc), entity, division, key))

    def delete(self, entity: str, division: int, key: str) -> None:
        self._generation += 1
        self._db.execute("DELETE FROM records WHERE entity = ? AND division = ? AND key = ?",
                         (entity, division, key))

    def add_settlement(self, division: int, entry_id: str, kind: str, amount: Decimal, day: str, recorded_at: float,
                       *, late_fee: Decimal | None = None, counterpart: str | None = None,
                       link: int | None = None) -> int:
        self._generation += 1
        cursor = self._db.execute(
            "INSERT INTO settlements (division, entry_id, kind, amount, day, late_fee, counterpart, link, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (division, entry_id, kind, str(amount), day, None if late_fee is None else str(late_fee), counterpart,
             link, recorded_at))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def add_match(self, division: int, credit_id: str, invoice_id: str, amount: Decimal, day: str,
                  recorded_at: float) -> int:
        """Both sides of a credit-note match, linked by the first row's id (returned)."""
        self._generation += 1
        with transaction(self._db):
            link = self.add_settlement(division, credit_id, "match", amount, day, recorded_at, counterpart=invoice_id)
            self.add_settlement(division, invoice_id, "match", amount, day, recorded_at, counterpart=credit_id,
                                link=link)
            self._db.execute("UPDATE settlements SET link = ? WHERE id = ?", (link, link))
        return link

    def settlements(self, division: int) -> list[Settlement]:
        """Every settlement of ``division``, oldest first."""
        cursor = self._db.execute(
            "SELECT id, entry_id, kind, amount, day, late_fee, counterpart, link FROM settlements"
            " WHERE division = ? ORDER BY id", (division,))
        return [Settlement(i, entry, kind, Decimal(amount), day, None if fee is None else Decimal(fee), other, link)
                for i, entry, kind, amount, day, fee, other, link in cursor]

    def delete_settlements(self, division: int, ids: Iterable[int]) -> None:
        self._generation += 1
        self._db.executemany("DELETE FROM settlements WHERE division = ? AND id = ?", ((division, i) for i in ids))

    def forget_entry(self, division: int, entry_id: str) -> None:
        """A deleted entry's settlements go with it."""
        self._generation += 1
        self._db.execute("DELETE FROM settlements WHERE division = ? AND entry_id = ?", (division, entry_id))
