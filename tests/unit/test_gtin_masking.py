"""Masking of card numbers hides cards where they can be, and never a GTIN given as a code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from pos.redact import luhn_ok, mask_card_numbers, mask_stray_card_numbers
from pos.services.till import redact

# A valid GTIN-14 whose digits also pass the Luhn check: today's masking hid such codes as ****9148.
LUHN_GTIN14 = "15199619839148"


def test_the_luhn_passing_gtin14_really_is_both():
    assert ean.is_valid(LUHN_GTIN14) and luhn_ok(LUHN_GTIN14)


@pytest.mark.parametrize("line", ["4 5012345678900", "5012345678900 4", "qty 5012345678900 4",
                                  "from WH-1 4 5012345678900", LUHN_GTIN14, "3 " + LUHN_GTIN14, "3*" + LUHN_GTIN14])
def test_a_gtin_alone_or_with_a_quantity_is_echoed_at_the_till_as_typed(line):
    assert redact(line) == line


def test_an_error_naming_a_luhn_passing_gtin_shows_it_outside_a_payment():
    message = f"no variant with SKU or barcode '{LUHN_GTIN14}': see `pos product list`"
    assert mask_stray_card_numbers(message) == message


@pytest.mark.parametrize(("line", "shown"), [
    ("4242424242424242", "****4242"),
    ("4242 4242 4242 4242", "****4242"),
    ("2 4242424242424242", "2 ****4242"),
    ("4242424242424242 2", "****4242 2"),
    ("3*4242424242424242", "3*****4242"),
    ("1519 961983 9148", "****9148"),  # grouped as a card is typed, though its digits make a GTIN-14
])
def test_a_card_number_typed_where_a_code_belongs_is_still_masked(line, shown):
    assert redact(line) == shown


@pytest.mark.parametrize("line", [f"pay card {LUHN_GTIN14}", "pay card 4 5012345678900"])
def test_on_a_pay_line_every_card_shaped_number_is_masked(line):
    assert "****" in redact(line) and LUHN_GTIN14 not in redact(line) and "5012345678900" not in redact(line)


def test_where_a_card_can_be_a_luhn_passing_gtin_shaped_number_is_masked():
    assert mask_card_numbers(f"card {LUHN_GTIN14} refused") == "card ****9148 refused"


def _gtin(body: str) -> str:
    return body + ean.calc_check_digit(body)


gtins = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n)).map(_gtin)
quantities = st.integers(min_value=1, max_value=99_999).map(str)


@given(gtins, quantities, st.sampled_from([" ", "*", "x", " * "]))
def test_no_valid_gtin_alone_or_after_a_quantity_is_masked_in_a_till_echo(gtin, quantity, joint):
    assert redact(gtin) == gtin
    line = f"{quantity}{joint}{gtin}"
    assert redact(line) == line


@given(gtins, quantities)
def test_no_valid_gtin_alone_or_after_a_quantity_is_masked_in_an_error_outside_a_payment(gtin, quantity):
    for code in (gtin, f"{quantity} {gtin}"):
        message = f"no variant with SKU or barcode '{code}': see `pos product list`"
        assert mask_stray_card_numbers(message) == message
