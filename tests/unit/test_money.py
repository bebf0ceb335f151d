"""Money is integers in minor units; tax is rounded half-up once per order."""

import pytest

from pos.errors import InvalidInput
from pos.money import format_money, format_tax_rate, parse_money, parse_tax_rate, tax_for
from pos.services.orders import order_totals


@pytest.mark.parametrize("text, cents", [
    ("12.50", 1250), ("12.5", 1250), ("12", 1200), ("0.01", 1), ("0", 0), (" 19.99 ", 1999),
    ("$19.99", 1999), ("1,234.56", 123456), ("0.10", 10),
])
def test_prices_typed_as_decimal_text_become_exact_cents(text, cents):
    assert parse_money(text, "USD") == cents
    assert isinstance(parse_money(text, "USD"), int)


def test_a_price_of_0_1_plus_0_2_dollars_adds_up_exactly():
    # The float classic 0.1 + 0.2 != 0.3 must not leak into money.
    assert parse_money("0.10", "USD") + parse_money("0.20", "USD") == parse_money("0.30", "USD")


@pytest.mark.parametrize("text", ["12.345", "abc", "", "-1.00", "NaN", "Infinity", "1.2.3"])
def test_unusable_amounts_are_refused_with_invalid_input(text):
    with pytest.raises(InvalidInput):
        parse_money(text, "USD")


@pytest.mark.parametrize("text", ["12,50", "1,5", "1,23,4.00"])
def test_a_decimal_comma_is_refused_rather_than_read_as_a_thousands_separator(text):
    # "12,50" typed by a clerk used to decimal commas must not become 1250.00.
    with pytest.raises(InvalidInput):
        parse_money(text, "USD")


def test_currencies_without_minor_units_parse_whole_amounts():
    assert parse_money("500", "JPY") == 500
    with pytest.raises(InvalidInput):
        parse_money("500.5", "JPY")
    assert parse_money("1.234", "KWD") == 1234


def test_zero_can_be_refused_where_an_amount_must_be_positive():
    with pytest.raises(InvalidInput, match="more than zero"):
        parse_money("0", "USD", allow_zero=False)


@pytest.mark.parametrize("cents, text", [(1250, "12.50"), (1, "0.01"), (0, "0.00"), (-305, "-3.05"), (100000, "1000.00")])
def test_cents_print_with_two_decimals(cents, text):
    assert format_money(cents, "USD") == text


def test_symbols_are_added_only_when_asked():
    assert format_money(1999, "USD", symbol=True) == "$19.99"
    assert format_money(500, "JPY", symbol=True) == "¥500"
    assert format_money(1999, "CHF", symbol=True) == "19.99 CHF"


@pytest.mark.parametrize("text, millionths, back", [("8.25", 82_500, "8.25"), ("0", 0, "0"), ("10", 100_000, "10"),
                                                    ("7.125", 71_250, "7.125")])
def test_tax_rates_round_trip_between_percent_text_and_integers(text, millionths, back):
    assert parse_tax_rate(text) == millionths
    assert format_tax_rate(millionths) == back


@pytest.mark.parametrize("text", ["-1", "101", "8.123456", "x"])
def test_impossible_tax_rates_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_tax_rate(text)


def test_tax_rounds_half_up_on_exact_half_cents():
    assert tax_for(10, parse_tax_rate("5")) == 1  # 0.5 cent -> 1
    assert tax_for(30, parse_tax_rate("5")) == 2  # 1.5 cents -> 2
    assert tax_for(9, parse_tax_rate("5")) == 0  # 0.45 cent -> 0


def test_tax_on_the_demo_sale_is_what_a_calculator_gives():
    # 2 x 19.99 at 8.25 % = 3.29835 -> 3.30
    assert tax_for(3998, parse_tax_rate("8.25")) == 330


def test_tax_is_rounded_once_per_order_not_per_line():
    # Two lines of 0.10 at 5 %: per line 0.005 -> 0.01 each (0.02); per order 0.01.
    lines = [{"price": 10, "quantity": 1}, {"price": 10, "quantity": 1}]
    assert order_totals(lines, parse_tax_rate("5")) == (20, 1, 21)


def test_order_totals_multiply_price_by_quantity_and_add_tax():
    lines = [{"price": 1999, "quantity": 2}, {"price": 325, "quantity": 3}]
    subtotal, tax, total = order_totals(lines, parse_tax_rate("8.25"))
    assert subtotal == 1999 * 2 + 325 * 3
    assert tax == tax_for(subtotal, 82_500)
    assert total == subtotal + tax


def test_a_zero_tax_rate_adds_nothing():
    assert order_totals([{"price": 4900, "quantity": 2}], 0) == (9800, 0, 9800)
