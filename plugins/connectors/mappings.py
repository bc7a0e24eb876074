"""An integration's mapping settings, and how a document's lines resolve through them.

The settings live in the state database (``state.models.Integration``); this
is the plain, immutable view validation and booking read. Resolution is
deterministic and shared: validation checks exactly what booking will use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from connectors.domain import Document, DocumentKind, Line, LineKind


def direction(kind: DocumentKind) -> str:
    return "sales" if kind.is_sales else "purchase"


def rate_key(rate: Decimal) -> str:
    """0.21 → "0.21", 0 → "0": one spelling per rate, whatever the source wrote."""
    return format(rate.normalize(), "f")


def purchase_vat_key(line: Line) -> str:
    """Purchase lines have no Focus tax rate id: they are keyed by UBL category and percent, e.g. ``S:21``."""
    return f"{line.vat_category or 'S'}:{format((line.tax_rate * 100).normalize(), 'f')}"


@dataclass(frozen=True)
class MappingSettings:
    start_date: dt.date | None = None
    journals: dict[str, str] = field(default_factory=dict)  # document kind → journal code
    #: (direction, source key) → target VAT code; sales key = Focus tax rate id, purchase key = purchase_vat_key
    vat_links: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (direction, rate_key) → ledger account, for lines that have none
    ledger_by_rate: dict[tuple[str, str], str] = field(default_factory=dict)
    fill_ledger_by_vat_rate: bool = False
    sales_discount_account: str | None = None
    purchase_discount_account: str | None = None

    def journal_for(self, kind: DocumentKind) -> str | None:
        return self.journals.get(kind.value)

    def vat_source_key(self, document: Document, line: Line) -> str | None:
        if document.kind.is_sales:
            return line.tax_rate_id
        return purchase_vat_key(line)

    def vat_code_for(self, document: Document, line: Line) -> str | None:
        key = self.vat_source_key(document, line)
        return self.vat_links.get((direction(document.kind), key)) if key else None

    def ledger_for(self, document: Document, line: Line) -> str | None:
        """The ledger account a line books on, or None when nothing provides one."""
        side = direction(document.kind)
        if line.kind is LineKind.DISCOUNT:
            return self.sales_discount_account if side == "sales" else self.purchase_discount_account
        if line.ledger_account:
            return line.ledger_account
        # Focus has no ledger accounts for purchases at all: those always go by VAT rate.
        if self.fill_ledger_by_vat_rate or side == "purchase":
            return self.ledger_by_rate.get((side, rate_key(line.tax_rate)))
        return None
