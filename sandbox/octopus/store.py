"""Octopus data in SQLite: every record as its wire JSON under (entity, dossier, key), plus payments.

A demo dossier is small, so reads load a dossier's rows of one entity and
filter in Python. ``modified`` is the sandbox-clock time of the last write
(what the ``/modified`` endpoints compare); rows come back in insertion order
(``hid``), which is id order for relations and booking order for bookings.
Dossiers themselves are stored under dossier 0. Payments are sandbox
bookkeeping (``POST /_sandbox/payments``), not an API entity. Numbers with a fraction
are ``Decimal`` in memory and exact literals in the stored JSON (``exactjson``), so an
amount is kept to its last digit exactly as it was sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from sandbox.common import exactjson
from sandbox.common.store import transaction

Doc = dict[str, Any]

DOSSIER = "dossier"
BOOKYEAR = "bookyear"
JOURNAL = "journal"
ACCOUNT = "account"
VAT_CODE = "vatcode"
RELATION = "relation"
BOOKING = "booking"
#: The dossier column of the dossier rows themselves.
ALL_DOSSIERS = 0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    hid INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, dossier INTEGER NOT NULL, key TEXT NOT NULL,
    doc TEXT NOT NULL, modified REAL NOT NULL DEFAULT 0, UNIQUE (entity, dossier, key)
);
CREATE TABLE IF NOT EXISTS payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT, dossier INTEGER NOT NULL, booking TEXT NOT NULL,
    amount TEXT NOT NULL, paid_at REAL NOT NULL
);
"""


class Record(NamedTuple):
    entity: str
    dossier: int
    key: str
    doc: Doc
    modified: float = 0.0


def _dump(doc: Doc) -> str:
    return exactjson.dumps(doc)


class OctopusStore:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(_SCHEMA)

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None

    def load(self, records: Iterable[Record]) -> None:
        """Replace all data (and payments) with ``records``."""
        with transaction(self.db):
            self.db.execute("DELETE FROM records")
            self.db.execute("DELETE FROM payments")
            self.db.execute("DELETE FROM sqlite_sequence WHERE name IN ('records', 'payments')")
            self.db.executemany(
                "INSERT INTO records (entity, dossier, key, doc, modified) VALUES (?, ?, ?, ?, ?)",
                ((r.entity, r.dossier, r.key, _dump(r.doc), r.modified) for r in records),
            )

    def rows(self, entity: str, dossier: int) -> list[Record]:
        cursor = self.db.execute(
            "SELECT key, doc, modified FROM records WHERE entity = ? AND dossier = ? ORDER BY hid", (entity, dossier))
        return [Record(entity, dossier, key, exactjson.loads(doc), modified) for key, doc, modified in cursor]

    def docs(self, entity: str, dossier: int) -> list[Doc]:
        return [row.doc for row in self.rows(entity, dossier)]

    def doc(self, entity: str, dossier: int, key: str) -> Doc | None:
        row = self.db.execute("SELECT doc FROM records WHERE entity = ? AND dossier = ? AND key = ?",
                              (entity, dossier, key)).fetchone()
        return None if row is None else exactjson.loads(row[0])

    def put(self, entity: str, dossier: int, key: str, doc: Doc, modified: float | None = None) -> None:
        """Insert or replace; ``modified`` None keeps the stored stamp."""
        self.db.execute(
            "INSERT INTO records (entity, dossier, key, doc, modified) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (entity, dossier, key) DO UPDATE SET doc = excluded.doc, "
            "modified = COALESCE(?, records.modified)",
            (entity, dossier, key, _dump(doc), modified or 0.0, modified),
        )

    def add_payment(self, dossier: int, booking: str, amount: Decimal, paid_at: float) -> None:
        self.db.execute("INSERT INTO payments (dossier, booking, amount, paid_at) VALUES (?, ?, ?, ?)",
                        (dossier, booking, str(amount), paid_at))

    def paid(self, dossier: int) -> dict[str, Decimal]:
        """Total paid per booking key in ``dossier``."""
        totals: dict[str, Decimal] = {}
        for booking, amount in self.db.execute("SELECT booking, amount FROM payments WHERE dossier = ?",
                                               (dossier,)):
            totals[booking] = totals.get(booking, Decimal(0)) + Decimal(amount)
        return totals
