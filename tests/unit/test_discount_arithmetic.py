"""Discount arithmetic (pos.discounts): lines add up to the order to the cent, tax is on what is left,
and returns of a discounted line give back exactly what was paid for it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos.discounts import FULL, Off, over_limit, price_lines, refund_subtotal, taken
from pos.errors import InvalidInput
from pos.money import parse_percent, tax_for
from pos.refund_money import refund_tax
from pos.services.discounts import needs_approval

PCT = 10_000  # one percent, in millionths

offs = st.one_of(
    st.none(),
    st.builds(lambda p: Off(percent=p), st.integers(1, FULL)),
    st.builds(lambda a: Off(amount=a), st.integers(1, 10**7)),
)
lines = st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(1, 50), offs), min_size=1, max_size=8,
)
rates = st.integers(0, 30 * PCT)


def test_a_percent_is_taken_half_up_from_the_line_total():
    priced, order = price_lines([(1999, 1999, 3, Off(percent=10 * PCT))], None)
    assert (priced[0].line_total, priced[0].discount, priced[0].net, order) == (5997, 600, 5397, 0)  # 599.7 -> 600


def test_an_order_discount_is_spread_in_proportion_and_the_last_line_takes_the_remainder():
    priced, order = price_lines([(100, 100, 1, None)] * 3, Off(amount=100))
    assert order == 100
    assert [p.order_discount for p in priced] == [33, 34, 33]  # cumulative: 33, 67, 100
    assert sum(p.net for p in priced) == 200


def test_an_order_percent_comes_off_what_the_lines_cost_after_their_own_discounts():
    priced, order = price_lines([(1000, 1000, 1, Off(amount=500)), (1000, 1000, 1, None)], Off(percent=10 * PCT))
    assert order == 150  # 10 % of 500 + 1000
    assert [p.net for p in priced] == [450, 900]


def test_a_changed_price_is_what_the_line_total_and_its_discounts_start_from():
    priced, _ = price_lines([(1999, 999, 2, Off(percent=50 * PCT))], None)
    assert (priced[0].list_price, priced[0].line_total, priced[0].discount) == (1999, 1998, 999)


def test_an_amount_never_takes_more_than_there_is():
    assert taken(300, Off(amount=500)) == 300
    priced, order = price_lines([(100, 100, 1, Off(amount=500))], Off(amount=50))
    assert (priced[0].net, order) == (0, 0)


@settings(max_examples=300)
@given(lines, offs, rates)
def test_the_lines_add_up_to_the_order_to_the_cent(rows, order_off, rate):
    priced, order = price_lines(rows, order_off)
    assert sum(p.order_discount for p in priced) == order
    assert sum(p.line_total for p in priced) - sum(p.discount for p in priced) - order == sum(p.net for p in priced)
    for p, (_lp, unit, qty, _off) in zip(priced, rows, strict=True):
        assert p.line_total == unit * qty
        assert 0 <= p.discount <= p.line_total
        assert p.order_discount >= 0 and p.net >= 0  # no share is more than its line has left
    subtotal = sum(p.net for p in priced)
    # Tax is on the discounted amount, once for the order.
    assert tax_for(subtotal, rate) <= tax_for(sum(p.line_total for p in priced), rate)


@settings(max_examples=300)
@given(st.integers(0, 10**7), st.integers(1, 40), st.data())
def test_returns_of_a_discounted_line_add_up_to_what_was_paid_for_it(net, quantity, data):
    units_before = paid_before = 0
    while units_before < quantity:
        n = data.draw(st.integers(1, quantity - units_before))
        back = refund_subtotal(net=net, quantity=quantity, units_before=units_before, paid_before=paid_before, units=n)
        assert 0 <= back <= net - paid_before
        units_before, paid_before = units_before + n, paid_before + back
    assert paid_before == net


@settings(max_examples=200)
@given(lines, offs, rates, st.data())
def test_returning_every_unit_of_a_discounted_order_in_any_split_gives_back_its_total(rows, order_off, rate, data):
    """The refund service's arithmetic, replayed: each line's units go back in random batches; each batch
    gets its share of what the line was paid and its share of the order's tax; they add up to the total."""
    priced, _order = price_lines(rows, order_off)
    subtotal = sum(p.net for p in priced)
    tax = tax_for(subtotal, rate)
    left = [p.quantity for p in priced]
    units = [0] * len(priced)
    paid = [0] * len(priced)
    refunded_subtotal = refunded_tax = 0
    while any(left):
        i = data.draw(st.sampled_from([k for k, n in enumerate(left) if n]))
        n = data.draw(st.integers(1, left[i]))
        back = refund_subtotal(net=priced[i].net, quantity=priced[i].quantity, units_before=units[i],
                               paid_before=paid[i], units=n)
        left[i] -= n
        units[i] += n
        paid[i] += back
        back_tax = refund_tax(order_subtotal=subtotal, order_tax=tax, before=refunded_subtotal, this=back,
                              tax_before=refunded_tax, last=not any(left))
        refunded_subtotal += back
        refunded_tax += back_tax
    assert paid == [p.net for p in priced]
    assert refunded_subtotal + refunded_tax == subtotal + tax


def test_an_undiscounted_line_gives_back_its_unit_price_a_unit():
    assert [refund_subtotal(net=5997, quantity=3, units_before=k, paid_before=1999 * k, units=1) for k in range(3)] \
        == [1999, 1999, 1999]


def test_a_discount_above_the_locations_limit_or_any_price_change_needs_a_manager():
    limit = 20 * PCT
    assert not needs_approval(Off(percent=20 * PCT), 1000, limit, price_changed=False)
    assert needs_approval(Off(percent=20 * PCT + 1), 1000, limit, price_changed=False)
    assert not needs_approval(Off(amount=200), 1000, limit, price_changed=False)  # exactly 20 %
    assert needs_approval(Off(amount=201), 1000, limit, price_changed=False)
    assert needs_approval(None, 0, FULL, price_changed=True)
    assert not needs_approval(None, 0, 0, price_changed=False)
    assert over_limit(Off(amount=1), 1000, 0)


@pytest.mark.parametrize(("text", "millionths"), [("10", 100_000), ("10%", 100_000), ("12.5", 125_000), ("100", FULL)])
def test_a_percent_is_read_as_typed(text, millionths):
    assert parse_percent(text) == millionths


@pytest.mark.parametrize("text", ["0", "-5", "101", "ten", "1.00001", "12,5"])
def test_a_percent_outside_0_to_100_or_not_a_number_is_refused(text):
    with pytest.raises(InvalidInput):
        parse_percent(text)


def test_a_discount_is_a_percent_or_an_amount_never_both():
    with pytest.raises(ValueError):
        Off(percent=1, amount=1)
    with pytest.raises(ValueError):
        Off()
