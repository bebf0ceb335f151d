"""A processor that declines, raises, hangs or answers nonsense never costs stock or leaves a reservation."""

from __future__ import annotations

import sqlite3

import pytest
from fakes import FakeProcessor, garbage, hanging, install, raising

from pos.models.order import OrderPublic
from pos.errors import InsufficientStock, PaymentDeclined
from pos.services import cart, inventory, orders
from pos.services.payments import PaymentResult


def _cart_with(store, qty=2):
    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=qty)
    return c.id


def _level(store):
    return inventory.check_stock(store, sku="TSHIRT-M", location="STORE-1").levels[0].model_dump()


@pytest.mark.parametrize(
    ("answer", "timeout", "reason_starts"),
    [
        (raising, 5, "processor_error: ConnectionError"),
        (garbage, 5, "processor_error: fake gave an invalid answer"),
        (hanging(3), 0.2, "timeout: no answer from fake in 0.2s"),
    ],
    ids=["raises", "garbage", "times-out"],
)
def test_processor_fault_fails_the_order_and_releases_the_reservation(store, monkeypatch, answer, timeout, reason_starts):
    install(FakeProcessor("fake", answer))
    cart_id = _cart_with(store)
    with pytest.raises(PaymentDeclined) as caught:
        orders.checkout(store, cart_id=cart_id, processor="fake", timeout=timeout)
    order = OrderPublic.model_validate(caught.value.details["order"])
    assert order.status == "payment_failed"
    assert order.payment.status == "failed"
    assert order.payment.reason.startswith(reason_starts)
    assert _level(store) == {"location": "STORE-1", "on_hand": 10, "reserved": 0, "available": 10}
    assert cart.show_cart(store, cart_id=cart_id).status == "open"
    assert inventory.stock_history(store, sku="TSHIRT-M", location="STORE-1")[0].source == "set"


def test_stock_is_reserved_while_the_processor_decides_and_no_lock_is_held(store, monkeypatch):
    seen = {}

    def answer(request):
        # Another till's view while this payment is in flight: the two units are held, not sold.
        seen["level"] = _level(store)
        # And the database is free: a different connection can start a write at once.
        raw = sqlite3.connect(store.sqlite_path, timeout=0.05) if store.is_sqlite else None
        if raw is not None:
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("ROLLBACK")
            raw.close()
        else:
            inventory.adjust_stock(store, sku="TSHIRT-M", location="WH-1", delta=1, reason="during payment")
        return PaymentResult(True)

    install(FakeProcessor("fake", answer))
    order = orders.checkout(store, cart_id=_cart_with(store), processor="fake")
    assert seen["level"] == {"location": "STORE-1", "on_hand": 10, "reserved": 2, "available": 8}
    assert order.status == "processing"
    assert _level(store) == {"location": "STORE-1", "on_hand": 8, "reserved": 0, "available": 8}


def test_stock_gone_between_adding_and_paying_charges_nobody(store, monkeypatch):
    fake = install(FakeProcessor("fake"))
    cart_id = _cart_with(store, qty=3)
    inventory.adjust_stock(store, sku="TSHIRT-M", location="STORE-1", delta=-9, reason="breakage")
    with pytest.raises(InsufficientStock) as caught:
        orders.checkout(store, cart_id=cart_id, processor="fake")
    assert "1 available, 3 wanted" in caught.value.message
    assert fake.charges == []
    assert orders.list_orders(store) == []
    assert cart.show_cart(store, cart_id=cart_id).status == "open"
    assert _level(store)["reserved"] == 0


def test_a_declined_order_is_kept_and_another_payment_can_follow(store, monkeypatch):
    install(FakeProcessor("fake", lambda r: PaymentResult(False, reason="do_not_honor")))
    cart_id = _cart_with(store)
    with pytest.raises(PaymentDeclined):
        orders.checkout(store, cart_id=cart_id, processor="fake")
    paid = orders.checkout(store, cart_id=cart_id, processor="cash", params={"tendered": "50"})
    statuses = sorted(o.status for o in orders.list_orders(store))
    assert statuses == ["payment_failed", "processing"]
    assert paid.payment.change == 5000 - paid.total
    assert _level(store)["on_hand"] == 8


def test_an_approved_payment_is_recorded_even_if_the_database_is_busy_for_a_while(store, monkeypatch):
    from pos.errors import DatabaseBusy

    real_settle, calls = orders.settle, []

    def busy_twice(conn, **kwargs):
        calls.append(kwargs["order_id"])
        if len(calls) <= 2:
            raise DatabaseBusy("the database stayed busy")
        return real_settle(conn, **kwargs)

    monkeypatch.setattr(orders, "settle", busy_twice)
    monkeypatch.setattr(orders.time, "sleep", lambda s: None)
    order = orders.checkout(store, cart_id=_cart_with(store), processor="cash", params={"tendered": "50"})
    assert order.status == "processing" and len(calls) == 3
    assert _level(store) == {"location": "STORE-1", "on_hand": 8, "reserved": 0, "available": 8}


def test_an_approved_payment_that_cannot_be_recorded_says_do_not_charge_again(store, monkeypatch):
    from pos.errors import DatabaseBusy, PaymentUnrecorded

    def always_busy(conn, **kwargs):
        raise DatabaseBusy("the database stayed busy")

    monkeypatch.setattr(orders, "settle", always_busy)
    monkeypatch.setattr(orders.time, "sleep", lambda s: None)
    with pytest.raises(PaymentUnrecorded) as caught:
        orders.checkout(store, cart_id=_cart_with(store), processor="cash", params={"tendered": "50"})
    assert "do not charge again" in caught.value.message
    [pending] = orders.list_orders(store, status="pending")
    assert _level(store)["reserved"] == 2  # held for the reconcile, not released


def test_a_plugin_with_only_charge_works_and_a_slow_one_without_lookup_times_out_cleanly(store, monkeypatch):
    class ChargeOnly:
        name = "bare"

        def charge(self, request):
            return PaymentResult(True)

    class Slow:
        name = "slow"

        def charge(self, request):
            import time as _time

            _time.sleep(2)
            return PaymentResult(True)

    install(ChargeOnly())
    install(Slow())
    assert orders.checkout(store, cart_id=_cart_with(store, qty=1), processor="bare").status == "processing"
    with pytest.raises(PaymentDeclined) as caught:
        orders.checkout(store, cart_id=_cart_with(store, qty=1), processor="slow", timeout=0.2)
    assert caught.value.details["order"]["payment"]["reason"].startswith("timeout")
