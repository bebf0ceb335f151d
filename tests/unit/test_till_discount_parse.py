"""The till's `disc` and `price` lines: what the clerk types, and the reason after a slash."""

from __future__ import annotations

import pytest

from pos.errors import InvalidInput
from pos.services.till import ChangePrice, ClearDiscount, Discount, parse_line


@pytest.mark.parametrize(
    ("line", "action"),
    [
        ("disc 10% / loyal customer", Discount(None, "10%", None, "loyal customer")),
        ("disc 5.00 / sorry for the wait", Discount(None, None, "5.00", "sorry for the wait")),
        ("DISC TSHIRT-M 10% / damaged box", Discount("TSHIRT-M", "10%", None, "damaged box")),
        ("disc 4006381333948 2.50 / scuffed", Discount("4006381333948", None, "2.50", "scuffed")),
        ("disc 10%/a/b [red] 🍺", Discount(None, "10%", None, "a/b [red] 🍺")),
        ("price TSHIRT-M 9.99 / price match", ChangePrice("TSHIRT-M", "9.99", "price match")),
        ("disc clear", ClearDiscount(None)),
        ("disc clear TSHIRT-M", ClearDiscount("TSHIRT-M")),
    ],
)
def test_a_discount_or_price_line_becomes_its_action(line, action):
    assert parse_line(line) == action


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("disc 10%", "say why after a slash"),
        ("disc 10% /   ", "say why after a slash"),
        ("disc / why", "a discount is"),
        ("disc A B C / why", "a discount is"),
        ("price TSHIRT-M 9.99", "say why after a slash"),
        ("price TSHIRT-M / why", "a price change is"),
        ("disc clear A B", "remove a discount"),
    ],
)
def test_a_malformed_discount_line_is_refused_with_its_form(line, message):
    with pytest.raises(InvalidInput, match=message):
        parse_line(line)
