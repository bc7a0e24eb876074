"""What Focus should show for one booked document, given what the tool shows: the rules, without I/O.

Focus follows the tool's open amount. What Focus counts as received from the
connector is the document's amount minus what the tool still has open, never
below zero (a late fee the tool added is not a payment); a document is paid
in Focus only once the tool settles it (its open amount is zero, or it left
the open items and the tool confirms it was settled), however much was
received. A booking the tool no longer has is missing, never paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from connectors.domain import CENT
from connectors.targets.base import Settled, Settlement

ZERO = Decimal("0.00")


class Outcome(StrEnum):
    OPEN = "open"
    PARTLY_PAID = "partly_paid"
    SETTLED = "settled"
    #: The tool has no such booking any more: reported, never taken for a payment.
    MISSING = "missing"
    #: Focus holds payments the connector did not register: the sync leaves the document alone.
    HAND_PAID = "hand_paid"
    #: A Focus write is still to do (failed, uncertain, or another worker's): looked at again next run.
    PENDING = "pending"


@dataclass(frozen=True)
class Goal:
    """What Focus should hold of the connector's payments: the amount received (a magnitude) and whether the
    document is settled."""

    received: Decimal
    settled: bool
    outcome: Outcome


def goal(amount: Decimal, open_amount: Decimal | None, settlement: Settlement | None) -> Goal | None:
    """``amount``: the document's total as Focus states it; ``open_amount``: what the tool's open items show
    (None when the document is not among them); ``settlement``: the tool's answer for a document that left
    them. None: the tool's answer is not conclusive this run."""
    whole = abs(amount).quantize(CENT)
    if open_amount is not None:
        still = abs(open_amount).quantize(CENT)
        if still == 0:
            return Goal(whole, True, Outcome.SETTLED)
        received = max(ZERO, whole - still)
        return Goal(received, False, Outcome.PARTLY_PAID if received else Outcome.OPEN)
    if settlement is None or settlement.state is Settled.OPEN:
        return None
    if settlement.state is Settled.MISSING:
        return Goal(ZERO, False, Outcome.MISSING)
    return Goal(whole, True, Outcome.SETTLED)
