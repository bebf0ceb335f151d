"""The amount a part of a split payment pays: never more than is due."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.errors import InvalidInput
from pos.services.payments import PreparedPayment
from pos.services.split_pay import part_amount

CARD = PreparedPayment(brand="visa", last4="4242")
CASH = PreparedPayment(tendered=5000)


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_a_cash_part_is_what_was_handed_over_up_to_the_balance_due(amount, due):
    assert part_amount(amount, balance_due=due, processor="cash", payment=CASH) == min(amount, due)


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_a_card_part_above_the_balance_due_is_refused_and_any_other_is_paid_as_asked(amount, due):
    if amount > due:
        with pytest.raises(InvalidInput, match="more than"):
            part_amount(amount, balance_due=due, processor="card", payment=CARD, currency="USD")
    else:
        assert part_amount(amount, balance_due=due, processor="card", payment=CARD) == amount


def test_no_amount_pays_all_that_is_due_and_nothing_is_not_a_part():
    assert part_amount(None, balance_due=6492, processor="card", payment=CARD) == 6492
    with pytest.raises(InvalidInput, match="above 0"):
        part_amount(0, balance_due=6492, processor="card", payment=CARD)
