"""Processors are found by name from the pos.payment_processors entry points."""

import pytest

from pos.errors import UnknownProcessor
from pos.services.payments import describe_processors, get_processor, installed


def test_cash_and_card_are_registered_as_entry_points_like_any_plugin():
    assert {"cash", "card"} <= set(installed())


def test_processors_are_found_by_name():
    assert get_processor("cash").name == "cash"
    assert get_processor("card").name == "card"


def test_an_unknown_processor_names_the_installed_ones():
    with pytest.raises(UnknownProcessor) as err:
        get_processor("bitcoin")
    assert err.value.code == "unknown_processor"
    assert "bitcoin" in err.value.message
    assert "cash" in err.value.message and "card" in err.value.message


def test_the_processor_list_says_what_each_one_needs():
    rows = {r["name"]: r for r in describe_processors()}
    assert "tendered" in rows["cash"]["parameters"]
    assert "card" in rows["card"]["parameters"]
    assert rows["card"]["error"] is None
    assert rows["card"]["description"]
