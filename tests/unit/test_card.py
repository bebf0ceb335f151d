"""The simulated card terminal: Luhn, brand, expiry, the test numbers, and nothing but last 4 kept."""

from datetime import UTC, datetime

import pytest

from pos.errors import InvalidInput
from pos.services.payments import ChargeRequest
from pos.redact import luhn_ok
from pos.services.payments.card import CardProcessor, brand_of, check_expiry


@pytest.mark.parametrize("number", ["4242424242424242", "4000000000000002", "4000000000009995", "5555555555554444",
                                    "378282246310005", "6011111111111117"])
def test_well_known_test_numbers_pass_the_luhn_check(number):
    assert luhn_ok(number)


@pytest.mark.parametrize("number", ["4242424242424241", "1234567812345678", "4000000000000001"])
def test_mistyped_numbers_fail_the_luhn_check(number):
    assert not luhn_ok(number)


@pytest.mark.parametrize("number, brand", [
    ("4242424242424242", "visa"), ("5555555555554444", "mastercard"), ("2223003122003222", "mastercard"),
    ("378282246310005", "amex"), ("6011111111111117", "discover"), ("3566002020360505", "card"),
])
def test_the_brand_is_read_from_the_number(number, brand):
    assert brand_of(number) == brand


NOW = datetime(2026, 6, 15, tzinfo=UTC)


@pytest.mark.parametrize("text", ["06/26", "6/26", "12/30", "01/2031", " 07 / 26 "])
def test_cards_valid_this_month_or_later_are_accepted(text):
    check_expiry(text, NOW)


@pytest.mark.parametrize("text, message", [("05/26", "expired"), ("12/25", "expired"), ("13/30", "01 to 12"),
                                           ("00/30", "01 to 12"), ("1230", "MM/YY"), ("ab/cd", "MM/YY")])
def test_expired_or_malformed_expiry_is_an_input_error(text, message):
    with pytest.raises(InvalidInput, match=message):
        check_expiry(text, NOW)


def test_prepare_keeps_only_brand_and_last4_where_they_could_be_stored():
    prepared = CardProcessor().prepare({"card": "4242 4242-4242 4242", "expiry": "12/40"}, currency="USD")
    assert (prepared.brand, prepared.last4) == ("visa", "4242")
    assert "4242424242424242" not in repr(prepared)
    assert "12/40" not in repr(prepared)


def test_an_invalid_number_is_refused_without_echoing_it():
    with pytest.raises(InvalidInput) as err:
        CardProcessor().prepare({"card": "4242424242424241"}, currency="USD")
    assert "4242424242424241" not in str(err.value)


@pytest.mark.parametrize("number", ["42424242", "4242x24242424242", "42424242424242424242"])
def test_numbers_of_the_wrong_shape_are_refused(number):
    with pytest.raises(InvalidInput, match="not valid"):
        CardProcessor().prepare({"card": number}, currency="USD")


def test_paying_by_card_without_a_number_says_which_option_is_missing():
    with pytest.raises(InvalidInput, match="--card"):
        CardProcessor().prepare({}, currency="USD")


def _charge(number):
    proc = CardProcessor()
    prepared = proc.prepare({"card": number}, currency="USD")
    return proc.charge(ChargeRequest(1, 1000, "USD", "key-1", prepared))


@pytest.mark.parametrize("number, reason", [("4000000000000002", "card_declined"),
                                            ("4000000000009995", "insufficient_funds")])
def test_the_decline_test_numbers_are_declined_with_their_reason(number, reason):
    result = _charge(number)
    assert result.approved is False
    assert result.reason == reason


def test_any_other_valid_number_is_approved_with_a_reference():
    result = _charge("5555555555554444")
    assert result.approved is True
    assert result.reference
    assert "5555555555554444" not in result.reference
