"""Yuki data in SQLite: domains, administrations, contacts and documents as JSON, plus settlements.

Every record is its JSON under (entity, scope, key): domains under scope
``""``, administrations and contacts under their domain, documents (sales and
purchase invoices, booked or draft) under their administration. Demo data is
small, so reads load a scope's rows and filter in Python; ``hid`` (insertion
order) is the HID the contact search sorts on. Settlements (payments and
credit-note matches, written through the admin API) are rows of their own;
a reversed one stays with its ``reversed`` time. Amounts with a fraction are
``Decimal`` in memory and exact literals in the stored JSON.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from sandbox.common import exactjson
from sandbox.common.store import transaction

Doc = dict[str, Any]

DOMAIN = "domain"
ADMINISTRATION = "administration"
CONTACT = "contact"
DOCUMENT = "document"
PAYMENT, MATCH = "payment", "match"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS yuki_records (
    hid INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,
    doc TEXT NOT NULL, created REAL NOT NULL DEFAULT 0, modified REAL NOT NULL DEFAULT 0,
    UNIQUE (entity, scope, key)
);
CREATE TABLE IF NOT EXISTS yuki_settlements (
    id INTEGER PRIMARY KEY AUTOINCREMENT, administration TEXT NOT NULL, kind TEXT NOT NULL,
    document TEXT NOT NULL, counterpart TEXT, amount TEXT NOT NULL, day TEXT NOT NULL,
    created REAL NOT NULL, reversed REAL
);
"""


class Record(NamedTuple):
    entity: str
    scope: str
    key: str
    doc: Doc
    created: float = 0.0
    modified: float = 0.0
    hid: int = 0


class Settlement(NamedTuple):
    """A payment on ``document``, or a match of ``document`` (the invoice) with ``counterpart`` (the
    credit note); ``amount`` is the positive amount settled on each."""

    id: int
    administration: str
    kind: str
    document: str
    counterpart: str | None
    amount: Decimal
    day: str
    created: float
    reversed: float | None


class YukiStore:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(_SCHEMA)

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM yuki_records LIMIT 1").fetchone() is None

    def load(self, records: Iterable[Record]) -> None:
        """Replace all data (settlements included) with ``records``."""
        with transaction(self.db):
            self.db.execute("DELETE FROM yuki_records")
            self.db.execute("DELETE FROM yuki_settlements")
            self.db.execute("DELETE FROM sqlite_sequence WHERE name IN ('yuki_records', 'yuki_settlements')")
            self.db.executemany(
                "INSERT INTO yuki_records (entity, scope, key, doc, created, modified) VALUES (?, ?, ?, ?, ?, ?)",
                ((r.entity, r.scope, r.key, exactjson.dumps(r.doc), r.created, r.modified) for r in records))

    def rows(self, entity: str, scope: str | None = None) -> list[Record]:
        """The records of ``entity`` (in ``scope``, or all scopes), in insertion order."""
        sql = "SELECT entity, scope, key, doc, created, modified, hid FROM yuki_records WHERE entity = ?"
        args: list[Any] = [entity]
        if scope is not None:
            sql += " AND scope = ?"
            args.append(scope)
        cursor = self.db.execute(sql + " ORDER BY hid", args)
        return [Record(e, s, k, exactjson.loads(d), c, m, h) for e, s, k, d, c, m, h in cursor]

    def docs(self, entity: str, scope: str | None = None) -> list[Doc]:
        return [row.doc for row in self.rows(entity, scope)]

    def row(self, entity: str, key: str) -> Record | None:
        found = self.db.execute(
            "SELECT entity, scope, key, doc, created, modified, hid FROM yuki_records WHERE entity = ? AND key = ?",
            (entity, key)).fetchone()
        if found is None:
            return None
        e, s, k, d, c, m, h = found
        return Record(e, s, k, exactjson.loads(d), c, m, h)

    def doc(self, entity: str, key: str) -> Doc | None:
        found = self.row(entity, key)
        return None if found is None else found.doc

    def put(self, entity: str, scope: str, key: str, doc: Doc, now: float) -> None:
        """Insert (created = modified = ``now``) or replace (modified = ``now``)."""
        self.db.execute(
            "INSERT INTO yuki_records (entity, scope, key, doc, created, modified) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (entity, scope, key) DO UPDATE SET doc = excluded.doc, modified = excluded.modified",
            (entity, scope, key, exactjson.dumps(doc), now, now))

    def delete(self, entity: str, key: str) -> None:
        self.db.execute("DELETE FROM yuki_records WHERE entity = ? AND key = ?", (entity, key))

    def add_settlement(self, administration: str, kind: str, document: str, counterpart: str | None,
                       amount: Decimal, day: str, now: float) -> int:
        cursor = self.db.execute(
            "INSERT INTO yuki_settlements (administration, kind, document, counterpart, amount, day, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", (administration, kind, document, counterpart, str(amount), day, now))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def settlements(self, administration: str, *, live: bool = True) -> list[Settlement]:
        """The administration's settlements, oldest first (``live``: not reversed)."""
        sql = ("SELECT id, administration, kind, document, counterpart, amount, day, created, reversed"
               " FROM yuki_settlements WHERE administration = ?")
        if live:
            sql += " AND reversed IS NULL"
        cursor = self.db.execute(sql + " ORDER BY id", (administration,))
        return [Settlement(i, a, k, d, c, Decimal(amount), day, created, rev)
                for i, a, k, d, c, amount, day, created, rev in cursor]

    def reverse_settlements(self, ids: Iterable[int], now: float) -> None:
        self.db.executemany("UPDATE yuki_settlements SET reversed = ? WHERE id = ?", ((now, i) for i in ids))
