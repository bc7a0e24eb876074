"""One rule splits an amount over parts to the cent, whatever the signs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.money import allocate

D = Decimal


def test_shares_add_up_exactly_to_the_total():
    assert allocate(D("0.06"), [D("0.10"), D("0.10"), D("0.10")]) == [D("0.02"), D("0.02"), D("0.02")]
    assert allocate(D("0.05"), [D("1"), D("1"), D("1")]) == [D("0.02"), D("0.02"), D("0.01")]


def test_a_negative_weight_takes_a_negative_share():
    assert allocate(D("18.90"), [D("100.00"), D("-10.00")]) == [D("21.00"), D("-2.10")]


def test_a_negative_total_is_split_by_the_same_rule():
    assert allocate(D("-0.05"), [D("1"), D("1"), D("1")]) == [D("-0.01"), D("-0.02"), D("-0.02")]


def test_weights_that_cancel_out_split_by_their_size():
    assert allocate(D("0.10"), [D("5"), D("-5")]) == [D("0.05"), D("0.05")]


def test_all_zero_weights_give_everything_to_the_first_part():
    assert allocate(D("1.00"), [D("0"), D("0")]) == [D("1.00"), D("0.00")]


def test_fractions_of_a_cent_are_refused_rather_than_lost():
    with pytest.raises(ValueError, match="fractions of a cent"):
        allocate(D("0.005"), [D("1")])
