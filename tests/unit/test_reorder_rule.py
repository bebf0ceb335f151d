"""How many to order, as `pos stock low` says it: a rule with no database."""

from hypothesis import given
from hypothesis import strategies as st

from pos.services.stock_moves import to_order


def test_above_the_level_nothing_is_ordered():
    assert to_order(11, 10, None) == 0
    assert to_order(11, 10, 24) == 0


def test_without_a_level_nothing_is_ordered():
    assert to_order(0, None, 24) == 0


def test_at_the_level_the_reorder_quantity_is_ordered_when_set():
    assert to_order(10, 10, 24) == 24


def test_without_a_reorder_quantity_enough_to_bring_available_above_the_level():
    assert to_order(10, 10, None) == 1
    assert to_order(0, 12, None) == 13


@given(available=st.integers(0, 10**9), level=st.integers(0, 10**9))
def test_the_default_order_always_lifts_available_just_above_the_level(available, level):
    n = to_order(available, level, None)
    if available > level:
        assert n == 0
    else:
        assert available + n == level + 1


@given(available=st.integers(0, 10**9), level=st.integers(0, 10**9), quantity=st.integers(1, 10**9))
def test_a_set_reorder_quantity_is_ordered_exactly_when_low(available, level, quantity):
    assert to_order(available, level, quantity) == (quantity if available <= level else 0)
