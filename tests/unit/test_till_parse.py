"""The till's line language: what a scanner or a clerk types becomes one action."""

from __future__ import annotations

import pytest

from pos.errors import InvalidInput
from pos.services.till import Add, Command, Remove, SetQuantity, Ship, parse_line, redact


@pytest.mark.parametrize(
    ("line", "action"),
    [
        ("4006381333948", Add("4006381333948")),
        ("  TSHIRT-M  ", Add("TSHIRT-M")),
        ("3*TSHIRT-M", Add("TSHIRT-M", 3)),
        ("3 TSHIRT-M", Add("TSHIRT-M", 3)),
        ("12x4006381333948", Add("4006381333948", 12)),
        ("-TSHIRT-M", Remove("TSHIRT-M")),
        ("void TSHIRT-M", Remove("TSHIRT-M")),
        ("VOID TSHIRT-M", Remove("TSHIRT-M")),
        ("qty TSHIRT-M 4", SetQuantity("TSHIRT-M", 4)),
        ("qty TSHIRT-M 0", SetQuantity("TSHIRT-M", 0)),
        ("from WH-1 TSHIRT-M", Add("TSHIRT-M", 1, from_location="WH-1")),
        ("from WH-1 2*TSHIRT-M", Add("TSHIRT-M", 2, from_location="WH-1")),
        ("from WH-1 2 TSHIRT-M", Add("TSHIRT-M", 2, from_location="WH-1")),
        ("ship Ada Lovelace / 1 Analytical Way, London", Ship("Ada Lovelace", "1 Analytical Way, London")),
        ("total", Command("total")),
        ("Cancel", Command("cancel")),
        ("help", Command("help")),
        ("?", Command("help")),
        ("quit", Command("quit")),
        ("exit", Command("quit")),
        ("", Command("nothing")),
        ("   ", Command("nothing")),
    ],
)
def test_a_line_becomes_the_action_the_clerk_meant(line, action):
    assert parse_line(line) == action


def test_cash_takes_the_tendered_amount_or_none_for_exact_cash():
    assert parse_line("pay cash 50").params == {"tendered": "50"}
    assert parse_line("pay cash").params == {}


def test_a_card_number_typed_in_groups_is_one_number_and_the_expiry_is_recognised():
    pay = parse_line("pay card 4242 4242 4242 4242 12/30")
    assert pay.processor == "card"
    assert pay.params == {"card": "4242424242424242", "expiry": "12/30"}


def test_a_card_part_is_the_word_with_a_decimal_point_after_the_number():
    pay = parse_line("pay card 4242 4242 4242 4242 12/30 30.00")
    assert pay.params == {"card": "4242424242424242", "expiry": "12/30", "amount": "30.00"}
    assert parse_line("pay card 4242424242424242 amount=12.5").params["amount"] == "12.5"
    assert parse_line("pay cash 20 amount=20").params == {"tendered": "20", "amount": "20"}
    assert redact("pay card 4242 4242 4242 4242 30.00") == "pay card ****4242 30.00"


@pytest.mark.parametrize("line", ["pay card 4242424242424242 30.00 10.00", "pay card 4242424242424242 1.00 amount=2"])
def test_two_amounts_for_one_card_part_are_refused(line):
    with pytest.raises(InvalidInput, match="one amount"):
        parse_line(line)


def test_any_installed_processor_takes_key_value_parameters():
    pay = parse_line("pay giftcard code=ABC pin=1234")
    assert pay.processor == "giftcard" and pay.params == {"code": "ABC", "pin": "1234"}


def test_a_payment_action_never_shows_its_card_number_in_repr():
    assert "4242424242424242" not in repr(parse_line("pay card 4242424242424242"))


@pytest.mark.parametrize(
    "line",
    ["0*TSHIRT-M", "qty TSHIRT-M many", "qty TSHIRT-M", "void", "from WH-1", "ship Ada Lovelace", "ship / x",
     "pay", "pay cash 10 20", "TSHIRT-M CROISSANT", "3 TSHIRT-M CROISSANT"],
)
def test_a_line_that_is_not_understood_is_a_one_line_error(line):
    with pytest.raises(InvalidInput) as err:
        parse_line(line)
    assert "\n" not in err.value.message


def test_bare_words_after_a_plugin_processor_are_refused_without_repeating_them():
    with pytest.raises(InvalidInput) as err:
        parse_line("pay giftcard 4242424242424242")
    assert "4242" not in err.value.message


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("pay card 4242424242424242", "pay card ****4242"),
        ("pay card 4242 4242 4242 4242 12/30", "pay card ****4242 **/**"),
        ("pay card 4000-0000-0000-0002", "pay card ****0002"),
        ("pay stripe card=4242424242424242 cvc=123", "pay stripe card=**** cvc=****"),
        ("pay gift code=123456789012", "pay gift code=****"),
        ("pay cash 50", "pay cash 50"),
        ("4006381333948", "4006381333948"),
        ("4242424242424242", "****4242"),
        ("3*4242424242424242", "3*****4242"),
        ("12345678901234567", "12345678901234567"),
    ],
)
def test_a_payment_line_is_shown_again_with_only_the_last_four_digits(line, shown):
    assert redact(line) == shown


def test_a_card_number_in_a_message_is_masked_but_barcodes_are_not():
    from pos.redact import mask_card_numbers

    message = "no variant with SKU or barcode '4242424242424242'; 4006381333948 is fine"
    assert mask_card_numbers(message) == "no variant with SKU or barcode '****4242'; 4006381333948 is fine"


@pytest.mark.parametrize("typed", ["4242 4242 4242 4242", "4242-4242-4242-4242", "pay card4012888888881881"])
def test_card_numbers_typed_in_groups_or_glued_to_a_word_are_not_echoed(typed):
    shown = redact(typed)
    assert "4242 4242" not in shown and "42424242" not in shown.replace("-", "") and "888888881881" not in shown
    assert shown.endswith(("****4242", "****1881"))
