"""createOrder as the seed diagram draws it: order and items as pending, payment, then stock and status."""

import pytest
from sqlalchemy import select

from pos.errors import (
    CartClosed, EmptyCart, InsufficientStock, InvalidInput, NotFound, PaymentDeclined, ShippingRequired,
    UnknownProcessor,
)
from pos.models.order import OrderPublic
from pos.services import cart, inventory, orders
from pos.services import tables as t

GOOD_CARD = {"card": "4242424242424242", "expiry": "12/40"}


def levels(db, sku):
    return {lv.location: (lv.on_hand, lv.reserved) for lv in inventory.check_stock(db, sku=sku).levels}


def new_cart(db, *lines, location="STORE-1"):
    c = cart.new_cart(db, location=location)
    for sku, qty, *where in lines:
        cart.add_item(db, cart_id=c.id, code=sku, quantity=qty, from_location=where[0] if where else None)
    return c.id


def test_a_card_sale_sets_the_order_processing_and_takes_stock(store):
    cid = new_cart(store, ("TSHIRT-M", 2), ("CROISSANT", 3))
    order = orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD)
    assert order.status == "processing"
    assert order.cart_id == cid and order.location == "STORE-1"
    assert order.subtotal == 2 * 1999 + 3 * 325
    assert order.tax == 410  # 49.73 * 8.25 % = 4.102725, rounded once
    assert order.total == order.subtotal + order.tax
    assert order.payment.processor == "card"
    assert order.payment.status == "approved"
    assert (order.payment.brand, order.payment.last4) == ("visa", "4242")
    assert levels(store, "TSHIRT-M")["STORE-1"] == (8, 0)
    assert levels(store, "CROISSANT")["STORE-1"] == (2, 0)
    assert cart.show_cart(store, cart_id=cid).status == "closed"


def test_order_items_copy_each_lines_location_and_unit_price(store):
    cid = new_cart(store, ("TSHIRT-M", 1), ("TSHIRT-M", 4, "WH-1"))
    order = orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "200"},
                            shipping=orders.Shipping("Ada", "1 Way"))
    assert [(i.sku, i.quantity, i.location, i.unit_price, i.delivery) for i in order.items] == [
        ("TSHIRT-M", 1, "STORE-1", 1999, False), ("TSHIRT-M", 4, "WH-1", 1999, True)]
    assert levels(store, "TSHIRT-M") == {"STORE-1": (9, 0), "WH-1": (46, 0)}


def test_the_unit_price_is_the_one_at_checkout_and_later_price_changes_do_not_touch_the_order(store):
    cid = new_cart(store, ("TSHIRT-M", 1))
    order = orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "50"})
    with store.write() as conn:
        conn.execute(t.variant.update().where(t.variant.c.sku == "TSHIRT-M").values(price=2599))
    assert orders.show_order(store, order_id=order.id).items[0].unit_price == 1999


def test_each_sale_writes_stock_history_with_source_sale_and_the_order(store):
    cid = new_cart(store, ("TSHIRT-M", 2), ("TSHIRT-M", 5, "WH-1"))
    order = orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD,
                            shipping=orders.Shipping("Ada", "1 Way"))
    sales = [h for h in inventory.stock_history(store, sku="TSHIRT-M") if h.source == "sale"]
    assert sorted((h.location, h.change, h.on_hand, h.ref) for h in sales) == [
        ("STORE-1", -2, 8, f"order {order.id}"), ("WH-1", -5, 45, f"order {order.id}")]


def test_the_order_exists_as_pending_with_its_items_before_the_processor_is_asked(store, fake_processor):
    seen = {}

    def look(request):
        doc = orders.show_order(store, order_id=request.order_id)
        seen.update(status=doc.status, items=[(i.sku, i.location) for i in doc.items],
                    payment=doc.payment.status, levels=levels(store, "TSHIRT-M"))

    fake_processor.on_charge = look
    cid = new_cart(store, ("TSHIRT-M", 3))
    order = orders.checkout(store, cart_id=cid, processor="fake")
    assert seen == {"status": "pending", "items": [("TSHIRT-M", "STORE-1")], "payment": "pending",
                    "levels": {"STORE-1": (10, 3), "WH-1": (50, 0)}}
    assert order.status == "processing"
    (call,) = fake_processor.calls
    assert (call.order_id, call.amount, call.currency) == (order.id, order.total, "USD")


@pytest.mark.parametrize("number, reason", [("4000000000000002", "card_declined"),
                                            ("4000000000009995", "insufficient_funds")])
def test_a_declined_card_leaves_stock_and_cart_as_they_were(store, number, reason):
    cid = new_cart(store, ("TSHIRT-M", 2), ("TSHIRT-M", 1, "WH-1"))
    before = levels(store, "TSHIRT-M")
    history_before = inventory.stock_history(store, sku="TSHIRT-M")
    with pytest.raises(PaymentDeclined) as err:
        orders.checkout(store, cart_id=cid, processor="card", params={"card": number},
                        shipping=orders.Shipping("Ada", "1 Way"))
    assert err.value.code == "payment_declined"
    assert err.value.details["reason"] == reason
    failed = OrderPublic.model_validate(err.value.details["order"])
    assert failed.status == "payment_failed"
    assert failed.payment.status == "declined"
    assert failed.payment.reason == reason
    assert orders.show_order(store, order_id=failed.id).payment.reason == reason
    assert levels(store, "TSHIRT-M") == before  # on hand untouched, reservation released
    assert inventory.stock_history(store, sku="TSHIRT-M") == history_before
    after = cart.show_cart(store, cart_id=cid)
    assert after.status == "open"
    assert [(i.sku, i.quantity, i.location) for i in after.items] == [
        ("TSHIRT-M", 2, "STORE-1"), ("TSHIRT-M", 1, "WH-1")]


def test_after_a_decline_the_same_cart_can_be_paid_another_way(store):
    cid = new_cart(store, ("TSHIRT-M", 2))
    with pytest.raises(PaymentDeclined) as err:
        orders.checkout(store, cart_id=cid, processor="card", params={"card": "4000000000000002"})
    paid = orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "100.00"})
    assert paid.status == "processing"
    assert paid.id != err.value.details["order"]["id"]
    assert paid.payment.change == 10000 - paid.total
    assert levels(store, "TSHIRT-M")["STORE-1"] == (8, 0)
    statuses = {o.id: o.status for o in orders.list_orders(store)}
    assert statuses == {err.value.details["order"]["id"]: "payment_failed", paid.id: "processing"}


def test_cash_short_of_the_total_fails_and_takes_no_stock(store):
    cid = new_cart(store, ("TSHIRT-M", 1))  # 19.99 + 1.65 tax = 21.64
    with pytest.raises(PaymentDeclined) as err:
        orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "20.00"})
    assert "1.64" in err.value.details["reason"]
    assert err.value.details["order"]["status"] == "payment_failed"
    assert levels(store, "TSHIRT-M")["STORE-1"] == (10, 0)
    assert cart.show_cart(store, cart_id=cid).status == "open"


def test_cash_records_tendered_and_change(store):
    cid = new_cart(store, ("TSHIRT-M", 1))
    order = orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "50"})
    assert order.total == 2164
    assert (order.payment.tendered, order.payment.change) == (5000, 2836)


def test_a_paid_cart_cannot_be_checked_out_again(store, fake_processor):
    cid = new_cart(store, ("TSHIRT-M", 1))
    orders.checkout(store, cart_id=cid, processor="fake")
    with pytest.raises(CartClosed):
        orders.checkout(store, cart_id=cid, processor="fake")
    assert len(fake_processor.calls) == 1
    assert levels(store, "TSHIRT-M")["STORE-1"] == (9, 0)


def test_stock_that_ran_out_after_adding_fails_the_checkout_and_nobody_is_charged(store, fake_processor):
    cid = new_cart(store, ("TSHIRT-M", 4))
    inventory.set_stock(store, sku="TSHIRT-M", location="STORE-1", quantity=3, reason="breakage")
    with pytest.raises(InsufficientStock) as err:
        orders.checkout(store, cart_id=cid, processor="fake")
    assert err.value.details["available"] == 3
    assert fake_processor.calls == []
    assert orders.list_orders(store) == []
    assert levels(store, "TSHIRT-M")["STORE-1"] == (3, 0)
    assert cart.show_cart(store, cart_id=cid).status == "open"


def test_two_carts_racing_for_the_last_units_sell_them_once(store, fake_processor):
    first = new_cart(store, ("CROISSANT", 5))
    second = new_cart(store, ("CROISSANT", 5))  # both fit when added: 5 on hand
    orders.checkout(store, cart_id=first, processor="fake")
    with pytest.raises(InsufficientStock):
        orders.checkout(store, cart_id=second, processor="fake")
    assert len(fake_processor.calls) == 1
    assert levels(store, "CROISSANT")["STORE-1"] == (0, 0)


def test_a_cart_with_a_delivery_line_needs_shipping_details(store, fake_processor):
    cid = new_cart(store, ("TSHIRT-M", 1, "WH-1"))
    with pytest.raises(ShippingRequired) as err:
        orders.checkout(store, cart_id=cid, processor="fake")
    assert err.value.code == "shipping_required"
    assert fake_processor.calls == []
    assert orders.list_orders(store) == []
    order = orders.checkout(store, cart_id=cid, processor="fake", shipping=orders.Shipping("Ada", "1 Way"))
    assert order.plain()["shipping"] == {"name": "Ada", "address": "1 Way"}
    assert order.items[0].delivery is True


def test_a_cart_sold_from_its_own_store_needs_no_shipping(store):
    cid = new_cart(store, ("CROISSANT", 1))
    assert orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "5"}).shipping is None


def test_an_empty_cart_cannot_be_checked_out(store, fake_processor):
    cid = new_cart(store)
    with pytest.raises(EmptyCart):
        orders.checkout(store, cart_id=cid, processor="fake")
    assert fake_processor.calls == []


def test_an_invalid_card_number_creates_no_order(store):
    cid = new_cart(store, ("TSHIRT-M", 1))
    with pytest.raises(InvalidInput):
        orders.checkout(store, cart_id=cid, processor="card", params={"card": "4242424242424241"})
    assert orders.list_orders(store) == []
    assert cart.show_cart(store, cart_id=cid).status == "open"


def test_an_unknown_processor_creates_no_order(store):
    cid = new_cart(store, ("TSHIRT-M", 1))
    with pytest.raises(UnknownProcessor):
        orders.checkout(store, cart_id=cid, processor="bitcoin")
    assert orders.list_orders(store) == []


def test_an_unknown_cart_or_order_is_not_found(store):
    with pytest.raises(NotFound):
        orders.checkout(store, cart_id=999, processor="cash", params={"tendered": "1"})
    with pytest.raises(NotFound):
        orders.show_order(store, order_id=999)


def test_a_processor_that_crashes_fails_the_payment_and_releases_the_stock(store, fake_processor):
    def boom(request):
        raise RuntimeError("network down")

    fake_processor.on_charge = boom
    cid = new_cart(store, ("TSHIRT-M", 2))
    with pytest.raises(PaymentDeclined) as err:
        orders.checkout(store, cart_id=cid, processor="fake")
    assert err.value.details["order"]["payment"]["status"] == "failed"
    assert "RuntimeError" in err.value.details["reason"]
    assert levels(store, "TSHIRT-M")["STORE-1"] == (10, 0)
    assert cart.show_cart(store, cart_id=cid).status == "open"


def test_begin_and_settle_can_be_driven_step_by_step_with_a_fake(store, fake_processor):
    """The two transactions around the processor call, as `pos batch` / `pos till` would reuse them."""
    cid = new_cart(store, ("CROISSANT", 2))
    prepared = fake_processor.prepare({}, currency="USD")
    with store.write() as conn:
        pending = orders.begin_checkout(conn, cart_id=cid, processor="fake", payment=prepared, shipping=None,
                                        idempotency_key="test-key-1")
    assert levels(store, "CROISSANT")["STORE-1"] == (5, 2)
    fake_processor.approve = False
    with pytest.raises(PaymentDeclined):
        orders.pay_and_settle(store, fake_processor, pending, prepared, timeout=None)
    assert levels(store, "CROISSANT")["STORE-1"] == (5, 0)
    assert fake_processor.calls[0].idempotency_key == "test-key-1"


def test_list_orders_filters_by_status_and_location(store):
    paid_cart = new_cart(store, ("CROISSANT", 1))
    orders.checkout(store, cart_id=paid_cart, processor="cash", params={"tendered": "10"})
    failed_cart = new_cart(store, ("CROISSANT", 1))
    with pytest.raises(PaymentDeclined):
        orders.checkout(store, cart_id=failed_cart, processor="card", params={"card": "4000000000000002"})
    assert [o.status for o in orders.list_orders(store, status="payment_failed")] == ["payment_failed"]
    assert [o.status for o in orders.list_orders(store, status="processing")] == ["processing"]
    assert len(orders.list_orders(store, location="STORE-1")) == 2
    assert orders.list_orders(store, location="WH-1") == []
    with pytest.raises(InvalidInput):
        orders.list_orders(store, status="shipped")


def test_no_order_ever_leaves_the_stock_level_negative_or_over_reserved(store):
    cid = new_cart(store, ("TSHIRT-M", 10))
    orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "500"})
    with store.read() as conn:
        rows = conn.execute(select(t.stock_level.c.on_hand, t.stock_level.c.reserved)).all()
    assert all(on_hand >= 0 and 0 <= reserved <= on_hand for on_hand, reserved in rows)
    assert levels(store, "TSHIRT-M")["STORE-1"] == (0, 0)
