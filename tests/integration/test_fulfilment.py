"""Shipping what was sold for delivery: pick lists, fulfilment to `completed`, and how it meets refunds."""

from __future__ import annotations

import pytest

from pos.errors import InvalidInput, NotFound, NotFulfillable, PaymentDeclined
from pos.services import cart, catalog, inventory, orders, refunds
from pos.services.fulfilment import fulfil_order, pick_list


def _sell(db, lines, *, ship=("Ann Lee", "1 Road, Town"), processor="fake"):
    """An order at STORE-1 of (sku, qty, from_location) lines."""
    cid = cart.new_cart(db, location="STORE-1").id
    for sku, qty, src in lines:
        cart.add_item(db, cart_id=cid, code=sku, quantity=qty, from_location=src)
    params = {"tendered": "1000"} if processor == "cash" else None
    return orders.checkout(db, cart_id=cid, processor=processor, params=params,
                           shipping=orders.Shipping(*ship) if ship else None)


@pytest.fixture
def shop(store):
    catalog.add_location(store, code="WH-2", name="North warehouse", tax_rate="0")
    inventory.set_stock(store, sku="TSHIRT-M", location="WH-2", quantity=20)
    return store


def _states(order):
    return [(i.sku, i.location, i.fulfilment.state) for i in order.items]


def test_a_paid_order_shows_store_lines_handed_over_and_delivery_lines_to_ship(shop, fake_processor):
    order = _sell(shop, [("CROISSANT", 1, None), ("TSHIRT-M", 2, "WH-1")])
    assert order.status == "processing"
    assert _states(order) == [("CROISSANT", "STORE-1", "at_sale"), ("TSHIRT-M", "WH-1", "to_ship")]


def test_the_pick_list_holds_the_lines_to_ship_from_a_location_oldest_first(shop, fake_processor):
    first = _sell(shop, [("TSHIRT-M", 2, "WH-1"), ("CROISSANT", 1, None)])
    other = _sell(shop, [("TSHIRT-M", 1, "WH-2")])
    second = _sell(shop, [("TSHIRT-M", 3, "WH-1")], ship=("Bo", "2 Lane"))
    store_only = _sell(shop, [("TSHIRT-M", 1, None)], ship=None)

    wh1 = pick_list(shop, location="WH-1")
    assert [(p.order_id, p.sku, p.quantity, p.store, p.ship_name) for p in wh1.lines] == [
        (first.id, "TSHIRT-M", 2, "STORE-1", "Ann Lee"), (second.id, "TSHIRT-M", 3, "STORE-1", "Bo")]
    assert [p.order_id for p in pick_list(shop, location="WH-2").lines] == [other.id]
    assert store_only.id not in [p.order_id for p in wh1.lines]
    assert pick_list(shop, location="STORE-1").lines == []


def test_unpaid_orders_are_not_on_the_pick_list(shop, fake_processor):
    fake_processor.approve = False
    with pytest.raises(PaymentDeclined):
        _sell(shop, [("TSHIRT-M", 2, "WH-1")])
    assert pick_list(shop, location="WH-1").lines == []


def test_fulfilling_every_delivery_line_completes_the_order(shop, fake_processor):
    order = _sell(shop, [("CROISSANT", 1, None), ("TSHIRT-M", 2, "WH-1"), ("TSHIRT-M", 1, "WH-2")])

    part = fulfil_order(shop, order_id=order.id, location="WH-1", tracking="DHL 0042")
    assert [(p.sku, p.quantity) for p in part.shipped] == [("TSHIRT-M", 2)]
    assert part.status == "processing"  # WH-2's line still to ship
    assert _states(part.order) == [("CROISSANT", "STORE-1", "at_sale"), ("TSHIRT-M", "WH-1", "shipped"),
                                   ("TSHIRT-M", "WH-2", "to_ship")]
    assert part.order.items[1].fulfilment.tracking == "DHL 0042"
    assert pick_list(shop, location="WH-1").lines == []

    done = fulfil_order(shop, order_id=order.id, location="WH-2", tracking="UPS 7")
    assert done.status == "completed"
    assert orders.show_order(shop, order_id=order.id).status == "completed"
    assert pick_list(shop, location="WH-2").lines == []


def test_fulfil_without_a_location_ships_every_line_left(shop, fake_processor):
    order = _sell(shop, [("TSHIRT-M", 2, "WH-1"), ("TSHIRT-M", 1, "WH-2")])
    done = fulfil_order(shop, order_id=order.id)
    assert len(done.shipped) == 2 and done.status == "completed"


def test_fulfilling_twice_is_refused_and_changes_nothing(shop, fake_processor):
    order = _sell(shop, [("TSHIRT-M", 2, "WH-1"), ("TSHIRT-M", 1, "WH-2")])
    fulfil_order(shop, order_id=order.id, location="WH-1", tracking="first")
    with pytest.raises(NotFulfillable, match="nothing left to ship from WH-1"):
        fulfil_order(shop, order_id=order.id, location="WH-1", tracking="second")
    assert orders.show_order(shop, order_id=order.id).items[0].fulfilment.tracking == "first"


@pytest.mark.parametrize("kind", ["unpaid", "store_only", "unknown"])
def test_orders_with_nothing_to_ship_are_refused(shop, fake_processor, kind):
    if kind == "unknown":
        with pytest.raises(NotFound):
            fulfil_order(shop, order_id=999)
        return
    if kind == "unpaid":
        fake_processor.approve = False
        with pytest.raises(PaymentDeclined):
            _sell(shop, [("TSHIRT-M", 1, "WH-1")])
        order_id = orders.list_orders(shop)[0].id
    else:
        order_id = _sell(shop, [("TSHIRT-M", 1, None)], ship=None).id
    with pytest.raises(NotFulfillable):
        fulfil_order(shop, order_id=order_id)
    assert orders.show_order(shop, order_id=order_id).status == ("payment_failed" if kind == "unpaid" else "processing")


def test_units_returned_before_shipping_are_not_shipped(shop, fake_processor):
    order = _sell(shop, [("TSHIRT-M", 3, "WH-1"), ("CROISSANT", 1, None)])
    refunds.return_items(shop, order_id=order.id, lines=[refunds.ReturnLine("TSHIRT-M", 1)], refund_to="cash")
    (line,) = pick_list(shop, location="WH-1").lines
    assert line.quantity == 2
    done = fulfil_order(shop, order_id=order.id)
    assert done.shipped[0].quantity == 2
    assert done.status == "partially_refunded"  # the refund's status stays; fulfilment is per item
    assert done.order.items[0].fulfilment.state == "shipped"


def test_a_delivery_line_returned_whole_before_shipping_leaves_nothing_to_ship(shop, fake_processor):
    order = _sell(shop, [("TSHIRT-M", 2, "WH-1"), ("CROISSANT", 1, None)])
    refunds.return_items(shop, order_id=order.id, lines=[refunds.ReturnLine("TSHIRT-M")], refund_to="cash")
    assert pick_list(shop, location="WH-1").lines == []
    with pytest.raises(NotFulfillable):
        fulfil_order(shop, order_id=order.id)
    shown = orders.show_order(shop, order_id=order.id)
    assert [i.fulfilment.state for i in shown.items] == ["none", "at_sale"]


def test_a_completed_order_can_be_returned_from_like_any_other(shop, fake_processor):
    order = _sell(shop, [("TSHIRT-M", 2, "WH-1")])
    fulfil_order(shop, order_id=order.id, tracking="T1")
    refund = refunds.return_items(shop, order_id=order.id, lines=[refunds.ReturnLine("TSHIRT-M", 1)], refund_to="cash")
    assert refund.order_status == "partially_refunded"
    refund = refunds.return_items(shop, order_id=order.id, lines=[refunds.ReturnLine("TSHIRT-M", 1)], refund_to="cash")
    assert refund.order_status == "refunded"
    shown = orders.show_order(shop, order_id=order.id)
    assert shown.items[0].fulfilment.state == "shipped"  # shipped stays true of the line


def test_a_completed_order_can_be_cancelled_whole(shop, fake_processor):
    order = _sell(shop, [("TSHIRT-M", 2, "WH-1")], processor="cash")
    fulfil_order(shop, order_id=order.id)
    assert refunds.cancel_order(shop, order_id=order.id).status == "cancelled"


def test_tracking_text_is_kept_verbatim_and_limited_in_length(shop, fake_processor):
    order = _sell(shop, [("TSHIRT-M", 1, "WH-1"), ("TSHIRT-M", 1, "WH-2")])
    with pytest.raises(InvalidInput):
        fulfil_order(shop, order_id=order.id, tracking="x" * 201)
    text = "[bold]DHL[/bold] 追跡 🍺 שלום =SUM(A1)"
    done = fulfil_order(shop, order_id=order.id, location="WH-1", tracking=text)
    assert done.tracking == text
    assert orders.show_order(shop, order_id=order.id).items[0].fulfilment.tracking == text


def test_two_warehouse_clerks_fulfilling_one_order_at_once_ship_it_once(shop, db_url, fake_processor):
    import threading

    from pos.services.db import Database

    order = _sell(shop, [("TSHIRT-M", 2, "WH-1")])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def clerk(tracking):
        db = Database(db_url)
        barrier.wait()
        try:
            fulfil_order(db, order_id=order.id, tracking=tracking)
            outcomes.append("shipped")
        except NotFulfillable:
            outcomes.append("told")
        except BaseException as exc:  # noqa: BLE001 - anything else fails the test
            outcomes.append(repr(exc))
        finally:
            db.dispose()

    threads = [threading.Thread(target=clerk, args=(t,)) for t in ("A", "B")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sorted(outcomes) == ["shipped", "told"]
    shown = orders.show_order(shop, order_id=order.id)
    assert shown.status == "completed" and shown.items[0].fulfilment.tracking in ("A", "B")
