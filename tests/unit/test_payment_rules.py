"""What Focus should show for a document, from what the tool shows (the rules, no I/O)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connectors.payments.decide import Goal, Outcome, goal
from connectors.targets.base import Settled, Settlement

D = Decimal
SETTLED = Settlement("e1", Settled.SETTLED, dt.date(2026, 11, 20))


def test_an_untouched_booking_is_open_with_nothing_received():
    assert goal(D("121.00"), D("121.00"), None) == Goal(D("0.00"), False, Outcome.OPEN)


def test_a_partly_paid_booking_shows_what_the_tool_no_longer_has_open():
    assert goal(D("121.00"), D("21.00"), None) == Goal(D("100.00"), False, Outcome.PARTLY_PAID)


def test_a_credit_note_is_read_by_its_magnitude():
    assert goal(D("50.00"), D("-20.00"), None) == Goal(D("30.00"), False, Outcome.PARTLY_PAID)


def test_a_late_fee_left_open_keeps_the_document_open_even_when_its_amount_was_received():
    # 100 invoiced, 15 fee charged, 100 received: 15 still open in the tool
    assert goal(D("100.00"), D("15.00"), None) == Goal(D("85.00"), False, Outcome.PARTLY_PAID)


def test_a_fee_larger_than_what_was_paid_counts_nothing_as_received():
    assert goal(D("100.00"), D("115.00"), None) == Goal(D("0.00"), False, Outcome.OPEN)


def test_a_booking_the_tool_confirms_settled_is_paid_in_full_whatever_was_received():
    assert goal(D("100.00"), None, SETTLED) == Goal(D("100.00"), True, Outcome.SETTLED)


def test_a_booking_that_left_the_open_items_without_a_settlement_is_missing_not_paid():
    assert goal(D("100.00"), None, Settlement("e1", Settled.MISSING)) == Goal(D("0.00"), False, Outcome.MISSING)


def test_no_conclusion_when_the_tool_still_calls_a_vanished_booking_open():
    assert goal(D("100.00"), None, Settlement("e1", Settled.OPEN)) is None
    assert goal(D("100.00"), None, None) is None


def test_an_open_item_at_zero_is_settled():
    assert goal(D("100.00"), D("0.00"), None) == Goal(D("100.00"), True, Outcome.SETTLED)
