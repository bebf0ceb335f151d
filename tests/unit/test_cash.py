"""Cash: the tendered amount must cover the total, and the change is worked out in cents."""

import pytest

from pos.errors import InvalidInput
from pos.services.payments import ChargeRequest
from pos.services.payments.cash import CashProcessor


def _pay(tendered: str, total: int):
    proc = CashProcessor()
    prepared = proc.prepare({"tendered": tendered}, currency="USD")
    return proc.charge(ChargeRequest(7, total, "USD", "key", prepared))


def test_change_due_is_tendered_minus_total():
    result = _pay("50.00", 4328)
    assert result.approved
    assert result.change_due == 672


def test_exact_money_gives_no_change():
    result = _pay("43.28", 4328)
    assert result.approved
    assert result.change_due == 0


def test_too_little_cash_is_declined_saying_how_much_is_short():
    result = _pay("40.00", 4328)
    assert not result.approved
    assert "3.28" in result.reason


def test_cash_without_tendered_amount_asks_for_tendered():
    with pytest.raises(InvalidInput, match="--tendered"):
        CashProcessor().prepare({}, currency="USD")


def test_a_tendered_amount_that_is_not_money_is_an_input_error():
    with pytest.raises(InvalidInput):
        CashProcessor().prepare({"tendered": "lots"}, currency="USD")
