"""Invoice arithmetic: line amounts, VAT per VAT type, totals; Decimal, to the cent, half up (SILENT).

Sales lines: ``ProductQuantity × SalesPrice`` rounded to the cent. Without
``VATIncluded`` that is the net amount and the VAT is computed per VAT type
on the sum of those nets (``round(base × rate / 100)``); with it, the line is
gross and is split per line (net ``round(gross × 100 / (100 + rate))``, VAT
the rest). Purchase lines carry their net ``LineAmount`` and, optionally,
their ``LineVATAmount`` (default: ``round(net × rate / 100)``). Credit notes
are the same with negative quantities or amounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class VatGroup:
    """One VAT type on an invoice: the nets it applies to and its VAT."""

    code: int
    rate: Decimal
    base: Decimal = ZERO
    #: Net amounts of VAT-excluded lines (their VAT is computed on the sum).
    excluded: Decimal = ZERO
    #: VAT already split off VAT-included lines (sales) or given/computed per line (purchases).
    fixed: Decimal = ZERO

    @property
    def vat(self) -> Decimal:
        return cents(self.excluded * self.rate / 100) + self.fixed


@dataclass
class Totals:
    nets: list[Decimal] = field(default_factory=list)
    groups: dict[int, VatGroup] = field(default_factory=dict)

    def group(self, code: int, rate: Decimal) -> VatGroup:
        return self.groups.setdefault(code, VatGroup(code, rate))

    @property
    def net(self) -> Decimal:
        return sum(self.nets, ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((group.vat for group in self.groups.values()), ZERO)

    @property
    def total(self) -> Decimal:
        return self.net + self.vat


def sales_line(totals: Totals, quantity: Decimal, price: Decimal, code: int, rate: Decimal, included: bool) -> None:
    amount = cents(quantity * price)
    group = totals.group(code, rate)
    if included:
        net = cents(amount * 100 / (100 + rate))
        group.fixed += amount - net
    else:
        net = amount
        group.excluded += net
    group.base += net
    totals.nets.append(net)


def purchase_line(totals: Totals, net: Decimal, vat: Decimal | None, code: int, rate: Decimal) -> None:
    group = totals.group(code, rate)
    group.base += net
    group.fixed += cents(net * rate / 100) if vat is None else vat
    totals.nets.append(net)
