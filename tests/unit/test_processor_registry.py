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
    rows = {r.name: r for r in describe_processors()}
    assert "tendered" in rows["cash"].parameters
    assert "card" in rows["card"].parameters
    assert rows["card"].error is None
    assert rows["card"].description


def test_a_registered_processor_is_found_in_place_of_the_installed_one_and_forgotten_after():
    from pos.services.payments import PaymentProcessor, PaymentResult, registered

    class Stand(PaymentProcessor):
        name = "card"

        def charge(self, request):
            return PaymentResult(True)

    stand = Stand()
    with registered(stand):
        assert get_processor("card") is stand
    assert get_processor("card") is not stand and get_processor("card").name == "card"


def test_a_processor_registered_under_a_new_name_is_listed_when_a_name_is_unknown():
    from fakes import FakeProcessor, install

    install(FakeProcessor("giftcard"))
    assert get_processor("giftcard").name == "giftcard"
    with pytest.raises(UnknownProcessor) as err:
        get_processor("bitcoin")
    assert "giftcard" in err.value.message
