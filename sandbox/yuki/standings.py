"""A document with what settled it: the open amount every open-item read and admin call works from.

The open amount is signed like the document (invoices positive, credit
notes negative) and moves towards zero with each live settlement on it: a
payment (``document``) or a credit-note match (the invoice is ``document``,
the credit note ``counterpart``; the amount counts on both). Only booked
documents have one; drafts are never open.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.yuki.amounts import ZERO
from sandbox.yuki.store import DOCUMENT, MATCH, PAYMENT, Doc, Record, Settlement, YukiStore


@dataclass(frozen=True)
class Standing:
    record: Record
    settlements: tuple[Settlement, ...] = ()

    @property
    def doc(self) -> Doc:
        return self.record.doc

    @property
    def amount(self) -> Decimal:
        return Decimal(self.doc["Amount"])

    @property
    def booked(self) -> bool:
        return self.doc["Status"] == "booked"

    def _sum(self, kind: str | None = None) -> Decimal:
        return sum((s.amount for s in self.settlements if kind is None or s.kind == kind), ZERO)

    @property
    def open(self) -> Decimal:
        if not self.booked:
            return ZERO
        magnitude = abs(self.amount) - self._sum()
        return magnitude if self.amount >= 0 else ZERO - magnitude

    def listing(self) -> dict[str, Any]:
        """What the admin document listing adds to a document."""
        return {"Open": self.open, "Paid": self._sum(PAYMENT), "Matched": self._sum(MATCH), "Settlements": [
            {"id": s.id, "kind": s.kind, "amount": s.amount, "date": s.day,
             "counterpart": (s.counterpart if s.document == self.doc["ID"] else s.document) if s.kind == MATCH
             else None} for s in self.settlements]}


def standings(store: YukiStore, administration: str, kind: str | None = None) -> list[Standing]:
    """Every document of the administration (of ``kind``: sales or purchase), in booking order."""
    live = store.settlements(administration)
    return [Standing(row, tuple(s for s in live if row.key in (s.document, s.counterpart)))
            for row in store.rows(DOCUMENT, administration) if kind is None or row.doc["Kind"] == kind]
