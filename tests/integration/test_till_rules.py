"""The till sells by the cart and order services' rules: the same totals and the same refusals as checkout."""

from __future__ import annotations

import pytest

from pos.errors import EmptyCart, NotDeliverable, ShippingRequired
from pos.services import catalog, orders
from pos.services.db import Database
from pos.services.till import TillSession


def test_a_tax_rate_changed_mid_shift_is_the_one_exact_cash_pays(store, db_url):
    till = TillSession(store, location="STORE-1")
    assert till.handle("2*TSHIRT-M").sale.total == 3998 + 330  # 8.25 % of 39.98, rounded half-up
    office = Database(db_url)  # the back office, on a connection of its own
    try:
        catalog.update_location(office, code="STORE-1", tax_rate="10")
    finally:
        office.dispose()
    assert till.handle("total").sale.total == 3998 + 400
    order = till.handle("pay cash").order
    assert order.status == "processing"
    assert (order.tax, order.total) == (400, 4398)
    assert (order.payment.tendered, order.payment.change) == (4398, 0)


def test_the_sale_shown_has_the_totals_checkout_charges(store):
    till = TillSession(store, location="STORE-1")
    till.handle("3 TSHIRT-M")
    shown = till.handle("CROISSANT").sale
    order = till.handle("pay cash 100").order
    assert (shown.subtotal, shown.tax, shown.total) == (order.subtotal, order.tax, order.total)


def test_paying_for_nothing_is_checkouts_own_empty_cart_refusal(store):
    till = TillSession(store, location="STORE-1")
    with pytest.raises(EmptyCart) as at_till:
        till.handle("pay cash")
    with pytest.raises(EmptyCart) as at_checkout:
        orders.checkout(store, cart_id=till.cart_id, processor="cash", params={"tendered": "1"})
    assert at_till.value.code == at_checkout.value.code == "empty_cart"
    assert at_till.value.message == at_checkout.value.message
    assert orders.list_orders(store) == []


@pytest.mark.parametrize("pay", ["pay cash", "pay cash 100", "pay card 4242424242424242"])
def test_a_delivery_without_shipping_is_checkouts_own_refusal(store, pay):
    till = TillSession(store, location="STORE-1")
    till.handle("from WH-1 TSHIRT-M")
    with pytest.raises(ShippingRequired) as at_till:
        till.handle(pay)
    with pytest.raises(ShippingRequired) as at_checkout:
        orders.checkout(store, cart_id=till.cart_id, processor="cash", params={"tendered": "100"})
    assert at_till.value.code == at_checkout.value.code == "shipping_required"
    # the same sentence; each front end then names its own way to give the details
    assert at_till.value.message == at_checkout.value.message + " (`ship NAME / ADDRESS`)"
    assert orders.list_orders(store) == []
    till.handle("ship Ada / 1 Way")
    assert till.handle(pay).order.status == "processing"


def test_checkout_total_refuses_what_checkout_refuses(store):
    from pos.services.cart import add_or_update_item, new_cart

    cart_id = new_cart(store, location="STORE-1").id
    with store.write() as conn:  # a line that slipped past the cart's check, as an old database may hold
        add_or_update_item(conn, cart_id=cart_id, code="TSHIRT-M", quantity=1, from_location="WH-1")
        conn.exec_driver_sql("UPDATE variant SET is_deliverable = false WHERE sku = 'TSHIRT-M'")
    with pytest.raises(NotDeliverable):
        orders.checkout_total(store, cart_id=cart_id)
    with pytest.raises(NotDeliverable):
        orders.checkout(store, cart_id=cart_id, processor="cash", params={"tendered": "100"})
