"""Splitting an amount over parts to the cent: one rule for the whole connector.

VAT spread over the lines of a rate, a document-level discount spread over
the tax rate ids it reduces: both must add up exactly to the figure Focus
states, so both use this one largest-remainder routine. Shares follow the
signed weights (a negative discount line takes a negative share of VAT);
every share is first rounded down (toward minus infinity, whatever the sign),
then the cents left over go to the largest remainders, ties to the earlier
part. The result always sums to ``total``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    """A cent amount as an integer; refuses amounts with fractions of a cent (they would be lost)."""
    cents = amount / CENT
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has fractions of a cent")
    return int(cents)


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``total`` split over ``weights`` in proportion, to the cent, adding up to ``total`` exactly.

    When the weights cancel out (sum zero), their absolute values are used; when all
    are zero, the first part takes everything.
    """
    if not weights:
        raise ValueError("nothing to allocate over")
    total_cents = to_cents(total)
    base = sum(weights, Decimal(0))
    if base == 0:
        weights = [abs(w) for w in weights]
        base = sum(weights, Decimal(0))
    if base == 0:
        return [total] + [Decimal("0.00")] * (len(weights) - 1)
    exact = [Decimal(total_cents) * w / base for w in weights]
    cents = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    leftover = total_cents - sum(cents)  # 0 <= leftover < len(weights)
    order = sorted(range(len(exact)), key=lambda k: (-(exact[k] - cents[k]), k))
    for k in order[:leftover]:
        cents[k] += 1
    return [Decimal(c) * CENT for c in cents]
