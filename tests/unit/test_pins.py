"""PIN hashes: salted, self-describing, never containing the PIN; only the same PIN matches."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pos.services import pins

PINS = st.text(alphabet="0123456789", min_size=4, max_size=8)


def test_the_same_pin_hashes_differently_each_time_and_both_match():
    first, second = pins.hash_pin("73915284"), pins.hash_pin("73915284")
    assert first != second
    assert first.startswith("scrypt$32768$8$1$")
    assert pins.verify_pin("73915284", first) and pins.verify_pin("73915284", second)


def test_a_malformed_stored_hash_never_matches():
    for stored in ("", "1234", "bcrypt$x", "scrypt$1$2$3$$", "scrypt$x$8$1$AAAA$BBBB"):
        assert not pins.verify_pin("1234", stored)


@settings(max_examples=15, deadline=None)
@given(pin=PINS, other=PINS)
def test_only_the_pin_that_was_hashed_matches_and_the_hash_never_holds_it(pin, other):
    stored = pins.hash_pin(pin)
    assert pins.verify_pin(pin, stored)
    assert pins.verify_pin(other, stored) == (other == pin)
    assert f"${pin}$" not in stored


@given(st.text(max_size=10))
def test_a_pin_is_exactly_four_to_eight_ascii_digits(text):
    expected = 4 <= len(text) <= 8 and all(c in "0123456789" for c in text)
    assert pins.is_valid_pin(text) == expected
