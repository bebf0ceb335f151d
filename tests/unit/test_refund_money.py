"""Refunds add up to the order's total, to the cent, however the units go back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pos.money import tax_for
from pos.refund_money import refund_tax, split, tax_share

# Odd rates: 0 % to 27.5 % to four decimals of a percent (8.875 %, 7.3333 %...), in millionths.
rates = st.integers(min_value=0, max_value=275_000)
lines = st.lists(
    st.tuples(st.integers(min_value=0, max_value=250_000), st.integers(min_value=1, max_value=6)),
    min_size=1, max_size=10,
)


def _refund_all(prices_qty, rate, draw_parts, declined=()):
    """Return every unit in the parts drawn; returns the amounts of the refunds that went through."""
    subtotal = sum(p * q for p, q in prices_qty)
    tax = tax_for(subtotal, rate)
    units_left = sum(q for _, q in prices_qty)
    before = tax_before = 0
    paid = []
    for n, part in enumerate(draw_parts):
        this = sum(prices_qty[i][0] for i in part)
        last = units_left - len(part) == 0
        t = refund_tax(order_subtotal=subtotal, order_tax=tax, before=before, this=this, tax_before=tax_before, last=last)
        assert 0 <= t <= tax - tax_before
        if n in declined:
            continue  # nothing moved: the units are returnable again and come back in a later part
        before += this
        tax_before += t
        units_left -= len(part)
        paid.append(this + t)
    return subtotal + tax, paid


@settings(max_examples=300, deadline=None)
@given(prices_qty=lines, rate=rates, data=st.data())
def test_returning_every_unit_in_any_order_refunds_exactly_the_total(prices_qty, rate, data):
    units = [i for i, (_, q) in enumerate(prices_qty) for _ in range(q)]
    order = data.draw(st.permutations(units))
    cuts = sorted(data.draw(st.sets(st.integers(min_value=1, max_value=max(1, len(order) - 1)), max_size=len(order))))
    parts, start = [], 0
    for cut in [*cuts, len(order)]:
        if cut > start:
            parts.append(order[start:cut])
            start = cut
    total, paid = _refund_all(prices_qty, rate, parts)
    assert sum(paid) == total


@settings(max_examples=200, deadline=None)
@given(prices_qty=lines, rate=rates, data=st.data())
def test_a_declined_refund_in_between_does_not_change_the_sum(prices_qty, rate, data):
    units = [i for i, (_, q) in enumerate(prices_qty) for _ in range(q)]
    order = data.draw(st.permutations(units))
    k = data.draw(st.integers(min_value=0, max_value=len(order)))
    # The first attempt at the first k units is declined; then they go back for real, then the rest.
    parts = [order[:k], order[:k], order[k:]] if k else [order]
    total, paid = _refund_all(prices_qty, rate, [p for p in parts if p], declined={0} if k else set())
    assert sum(paid) == total


def test_one_unit_of_three_at_8_25_percent_rounds_half_up():
    # 3 x 19.99 = 59.97, tax 4.95 (4.9475 rounded half-up). One unit carries 1.649..., so 1.65.
    assert tax_for(5997, 82_500) == 495
    assert refund_tax(order_subtotal=5997, order_tax=495, before=0, this=1999, tax_before=0, last=False) == 165
    # Two more, one by one: 1.65 and the last takes the remainder, 1.65.
    assert refund_tax(order_subtotal=5997, order_tax=495, before=1999, this=1999, tax_before=165, last=False) == 165
    assert refund_tax(order_subtotal=5997, order_tax=495, before=3998, this=1999, tax_before=330, last=True) == 165


def test_tax_share_of_the_whole_subtotal_is_the_whole_tax():
    assert tax_share(5997, 495, 5997) == 495
    assert tax_share(0, 0, 0) == 0


@given(amount=st.integers(min_value=0, max_value=10**9),
       weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=10))
def test_split_parts_add_up_to_the_amount(amount, weights):
    parts = split(amount, weights)
    assert sum(parts) == amount
    assert all(p >= 0 for p in parts)
