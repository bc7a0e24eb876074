"""Focus amount rules, in Decimal with ROUND_HALF_UP to the cent.

The connector maps these documents into bookings and relies on them
exactly, so they live in one place and both invoices and credit notes use
them:

- line: before = round(qty * unit_price); excl = round(before * (1 - disc/100));
  incl = excl + round(excl * rate); incl_before = before + round(before * rate).
  Line totals ignore document-level discounts.
- document: factor = product of (1 - d/100) over its discounts; per tax-rate id
  taxable = round(sum(excl) * factor); ``taxes`` group those by numeric rate
  with tax = round(taxable * rate); payable = tax_inclusive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def number(value: Decimal) -> float:
    """A Decimal as a JSON number (never ``-0.0``)."""
    return float(value) + 0.0


def money(value: Decimal, currency: str = "EUR") -> dict[str, Any]:
    return {"amount": number(value), "currency": currency}


@dataclass(frozen=True)
class LineTotals:
    tax_exclusive_before_discount: Decimal
    tax_exclusive: Decimal
    tax_inclusive: Decimal
    tax_inclusive_before_discount: Decimal


def line_totals(quantity: Decimal, unit_price: Decimal, discount: Decimal | None, rate: Decimal) -> LineTotals:
    before = cents(quantity * unit_price)
    excl = cents(before * (1 - (discount or 0) / HUNDRED))
    return LineTotals(
        tax_exclusive_before_discount=before,
        tax_exclusive=excl,
        tax_inclusive=excl + cents(excl * rate),
        tax_inclusive_before_discount=before + cents(before * rate),
    )


@dataclass(frozen=True)
class TaxedLine:
    tax_rate_id: str
    rate: Decimal
    totals: LineTotals


@dataclass(frozen=True)
class TaxAmount:
    rate: Decimal
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class DocumentTotals:
    tax_exclusive: Decimal
    tax_exclusive_before_discount: Decimal
    tax_inclusive: Decimal
    tax_inclusive_before_discount: Decimal
    taxes: tuple[TaxAmount, ...]

    @property
    def payable(self) -> Decimal:
        return self.tax_inclusive


def document_totals(lines: Sequence[TaxedLine], discounts: Sequence[Decimal]) -> DocumentTotals:
    factor = Decimal(1)
    for value in discounts:
        factor *= 1 - value / HUNDRED
    excl_by_rate_id: dict[str, Decimal] = defaultdict(Decimal)
    rate_of: dict[str, Decimal] = {}
    for line in lines:
        excl_by_rate_id[line.tax_rate_id] += line.totals.tax_exclusive
        rate_of[line.tax_rate_id] = line.rate
    taxable_by_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
    for rate_id, excl in excl_by_rate_id.items():
        taxable_by_rate[rate_of[rate_id]] += cents(excl * factor)
    taxes = tuple(
        TaxAmount(rate, taxable, cents(taxable * rate))
        for rate, taxable in sorted(taxable_by_rate.items(), key=lambda item: -item[0])
    )
    tax_exclusive = sum((t.taxable for t in taxes), Decimal(0))
    return DocumentTotals(
        tax_exclusive=tax_exclusive,
        tax_exclusive_before_discount=sum((line.totals.tax_exclusive for line in lines), Decimal(0)),
        tax_inclusive=tax_exclusive + sum((t.tax for t in taxes), Decimal(0)),
        tax_inclusive_before_discount=sum((line.totals.tax_inclusive for line in lines), Decimal(0)),
        taxes=taxes,
    )


def line_total_json(totals: LineTotals) -> dict[str, Any]:
    """A line item's ``total`` as Focus writes it."""
    return {
        "tax_exclusive": money(totals.tax_exclusive),
        "tax_exclusive_before_discount": money(totals.tax_exclusive_before_discount),
        "tax_inclusive": money(totals.tax_inclusive),
        "tax_inclusive_before_discount": money(totals.tax_inclusive_before_discount),
    }


def document_total_json(totals: DocumentTotals) -> dict[str, Any]:
    """A document's ``total`` as Focus writes it (without ``due``, which payments decide)."""
    return {
        "tax_exclusive": money(totals.tax_exclusive),
        "tax_exclusive_before_discount": money(totals.tax_exclusive_before_discount),
        "tax_inclusive": money(totals.tax_inclusive),
        "tax_inclusive_before_discount": money(totals.tax_inclusive_before_discount),
        "taxes": [{"rate": number(t.rate), "taxable": money(t.taxable), "tax": money(t.tax)} for t in totals.taxes],
        "withheld_taxes": [],
        "payable": money(totals.payable),
    }
