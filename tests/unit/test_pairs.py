"""KEY=VALUE words read one way wherever pos takes them: --pay-option, --option and `pay NAME KEY=VALUE` at the till."""

import pytest

from pos.commands._common import parse_pairs
from pos.errors import InvalidInput
from pos.pairs import key_value
from pos.services.catalog import parse_options
from pos.services.till import parse_line


@pytest.mark.parametrize(("word", "pair"), [
    ("size=M", ("size", "M")),
    (" size = M ", ("size", "M")),
    ("token=a=b", ("token", "a=b")),  # only the first = separates
    ("note=", ("note", "")),
    ("=M", None),
    ("4242424242424242", None),
])
def test_a_word_is_a_pair_only_with_a_key_before_its_equals_sign(word, pair):
    assert key_value(word) == pair


def test_the_pay_option_and_the_till_read_the_same_pairs():
    assert parse_pairs(["Token = abc", "ref=1=2"], "--pay-option") == {"Token": "abc", "ref": "1=2"}
    assert parse_line("pay acme token=abc ref=1=2").params == {"token": "abc", "ref": "1=2"}


def test_a_word_without_a_key_is_refused_everywhere_without_being_repeated():
    with pytest.raises(InvalidInput) as option:
        parse_pairs(["=4242424242424242"], "--pay-option")
    assert "4242" not in option.value.message
    with pytest.raises(InvalidInput):
        parse_options(["=M"])
    with pytest.raises(InvalidInput) as till:
        parse_line("pay acme =4242424242424242")
    assert "4242" not in till.value.message


def test_a_variant_option_needs_a_value():
    with pytest.raises(InvalidInput, match="name=value"):
        parse_options(["size="])


def test_the_till_refuses_a_zero_quantity_and_says_how_to_remove_a_line():
    with pytest.raises(InvalidInput, match="above 0, not 0 .use `void SKU` to remove a line"):
        parse_line("0*TSHIRT-M")
