"""Octopus data in SQLite: every record as its wire JSON under (entity, dossier, key), plus balancings and fees.

A demo dossier is small, so reads load a dossier's rows of one entity and
filter in Python. ``modified`` is the sandbox-clock time of the last write
(what the ``/modified`` endpoints compare); rows come back in insertion order
(``hid``), which is id order for relations and booking order for bookings.
Dossiers themselves are stored under dossier 0. Balancings (payments and
credit-note matches) and fees are written through the admin API
(``settlements.py``); deleted balancings stay as tombstones, which
``balancings/modified`` reports. Numbers with a fraction
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
CREATE TABLE IF NOT EXISTS balancings (
    id INTEGER PRIMARY KEY AUTOINCREMENT, dossier INTEGER NOT NULL, kind TEXT NOT NULL, debet TEXT NOT NULL,
    credit TEXT NOT NULL, relation INTEGER NOT NULL, amount TEXT NOT NULL, late_fee TEXT, day TEXT NOT NULL,
    created REAL NOT NULL, deleted REAL
);
CREATE TABLE IF NOT EXISTS fees (
    id INTEGER PRIMARY KEY AUTOINCREMENT, dossier INTEGER NOT NULL, booking TEXT NOT NULL, amount TEXT NOT NULL,
    day TEXT NOT NULL, created REAL NOT NULL
);
"""
#: The table bare payments were kept in before balancings existed (``settlements.adopt_legacy_payments``).
LEGACY_PAYMENTS = "payments"


class Balancing(NamedTuple):
    """A payment (booking against a payment document) or a credit-note match (booking against booking).
    ``debet`` / ``credit`` are document keys ``<bookyear id>/<journalKey>/<documentSequenceNr>``."""

    id: int
    kind: str
    debet: str
    credit: str
    relation: int
    amount: Decimal
    late_fee: Decimal | None
    day: str
    created: float
    deleted: float | None


class Fee(NamedTuple):
    id: int
    booking: str
    amount: Decimal
    day: str
    created: float


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


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
        """Replace all data (balancings and fees included) with ``records``."""
        with transaction(self.db):
            self.db.execute("DELETE FROM records")
            self.db.execute("DELETE FROM balancings")
            self.db.execute("DELETE FROM fees")
            self.db.execute("DELETE FROM sqlite_sequence WHERE name IN ('records', 'balancings', 'fees')")
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

    def delete(self, entity: str, dossier: int, key: str) -> None:
        self.db.execute("DELETE FROM records WHERE entity = ? AND dossier = ? AND key = ?", (entity, dossier, key))

    def add_balancing(self, dossier: int, kind: str, debet: str, credit: str, relation: int, amount: Decimal,
                      day: str, created: float, late_fee: Decimal | None = None) -> int:
        cursor = self.db.execute(
            "INSERT INTO balancings (dossier, kind, debet, credit, relation, amount, late_fee, day, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (dossier, kind, debet, credit, relation, str(amount), None if late_fee is None else str(late_fee), day,
             created))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def balancings(self, dossier: int) -> list[Balancing]:
        """Every balancing of ``dossier``, deleted ones included, oldest first."""
        cursor = self.db.execute(
            "SELECT id, kind, debet, credit, relation, amount, late_fee, day, created, deleted FROM balancings"
            " WHERE dossier = ? ORDER BY id", (dossier,))
        return [Balancing(i, kind, debet, credit, relation, Decimal(amount), _decimal(fee), day, created, deleted)
                for i, kind, debet, credit, relation, amount, fee, day, created, deleted in cursor]

    def delete_balancings(self, dossier: int, ids: Iterable[int], deleted: float) -> None:
        """Tombstones: a deleted balancing is kept with the time it was deleted."""
        self.db.executemany("UPDATE balancings SET deleted = ? WHERE dossier = ? AND id = ?",
                            ((deleted, dossier, i) for i in ids))

    def add_fee(self, dossier: int, booking: str, amount: Decimal, day: str, created: float) -> None:
        self.db.execute("INSERT INTO fees (dossier, booking, amount, day, created) VALUES (?, ?, ?, ?, ?)",
                        (dossier, booking, str(amount), day, created))

    def fees(self, dossier: int) -> list[Fee]:
        cursor = self.db.execute("SELECT id, booking, amount, day, created FROM fees WHERE dossier = ? ORDER BY id",
                                 (dossier,))
        return [Fee(i, booking, Decimal(amount), day, created) for i, booking, amount, day, created in cursor]

    def forget_fees(self, dossier: int, booking: str) -> None:
        self.db.execute("DELETE FROM fees WHERE dossier = ? AND booking = ?", (dossier, booking))

    def legacy_payments(self) -> list[tuple[int, str, Decimal, float]]:
        """(dossier, booking key, amount, paid at) of a database written before balancings; [] otherwise."""
        if self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           (LEGACY_PAYMENTS,)).fetchone() is None:
            return []
        cursor = self.db.execute(f"SELECT dossier, booking, amount, paid_at FROM {LEGACY_PAYMENTS} ORDER BY id")
        return [(dossier, booking, Decimal(amount), paid_at) for dossier, booking, amount, paid_at in cursor]

    def drop_legacy_payments(self) -> None:
        self.db.execute(f"DROP TABLE IF EXISTS {LEGACY_PAYMENTS}")
