"""What the tool holds with a connector reference, as far as the connector has read it back.

Bookings the connector posted and bookings found in the tool by a
reconciliation (``sync.reconcile``) land here, keyed by tool, administration
and reference; a document is never claimed while its reference is here. The
``reconciliations`` row says from when the next read must start: none (a new
or lost state database) means a full read, an old one (a restored backup)
means everything since then is read again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors.state import clock
from connectors.state.db import write_transaction
from connectors.state.models import Reconciliation, ToolBooking
from connectors.targets.base import BookingRef, FoundBooking

_bookings = ToolBooking.__table__
_reconciliations = Reconciliation.__table__
BATCH = 500


def _upsert(connection, table, keys: list, values: dict | list[dict], update: list[str]):
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(index_elements=keys,
                                                set_={k: statement.excluded[k] for k in update})
    connection.execute(statement, values)


class ToolBookings:
    def __init__(self, engine: Engine, target: str, administration: str | None):
        self._engine = engine
        self._scope = {"target": target, "administration": administration or ""}

    def _where(self, table):
        return (table.c.target == self._scope["target"], table.c.administration == self._scope["administration"])

    # -- the reconciliation cursor -----------------------------------------------------------

    def cursor(self) -> tuple[dt.datetime, dt.date | None] | None:
        """When the last complete read started, and from which document date it covered; None: never read."""
        with self._engine.connect() as connection:
            row = connection.execute(select(_reconciliations.c.reconciled_at, _reconciliations.c.covered_from)
                                     .where(*self._where(_reconciliations))).first()
        return None if row is None else (clock.aware(row.reconciled_at), row.covered_from)

    def set_cursor(self, moment: dt.datetime, covered_from: dt.date | None) -> None:
        with write_transaction(self._engine) as connection:
            _upsert(connection, _reconciliations, [_reconciliations.c.target, _reconciliations.c.administration],
                    {**self._scope, "reconciled_at": moment, "covered_from": covered_from},
                    ["reconciled_at", "covered_from"])

    # -- bookings ----------------------------------------------------------------------------

    def save(self, found: Iterable[FoundBooking]) -> tuple[int, dict[str, list[BookingRef]]]:
        """Store what the tool holds; returns how many, and the references the tool holds more than once
        (bookings made twice, by hand or otherwise: reported, never hidden)."""
        count = 0
        batch: list[dict] = []
        seen: dict[str, list[BookingRef]] = {}
        for item in found:
            refs = seen.setdefault(item.reference, [])
            if item.ref.target_id not in {r.target_id for r in refs}:
                refs.append(item.ref)
            batch.append(self._row(item))
            count += 1
            if len(batch) >= BATCH:
                self._write(batch)
                batch = []
        if batch:
            self._write(batch)
        return count, {reference: refs for reference, refs in seen.items() if len(refs) > 1}

    def add(self, reference: str, ref: BookingRef, total: Decimal | None) -> None:
        self._write([self._row(FoundBooking(reference, ref, total))])

    def _row(self, item: FoundBooking) -> dict:
        return {**self._scope, "reference": item.reference, "target_id": item.ref.target_id,
                "booking_number": item.ref.booking_number,
                "total": None if item.total is None else str(item.total), "found_at": clock.now()}

    def _write(self, rows: list[dict]) -> None:
        with write_transaction(self._engine) as connection:
            _upsert(connection, _bookings, [_bookings.c.target, _bookings.c.administration, _bookings.c.reference],
                    rows, ["target_id", "booking_number", "total", "found_at"])

    def get(self, reference: str) -> FoundBooking | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(_bookings).where(*self._where(_bookings),
                                                             _bookings.c.reference == reference)).first()
        if row is None:
            return None
        return FoundBooking(row.reference, BookingRef(row.target_id, row.booking_number),
                            None if row.total is None else Decimal(row.total))
