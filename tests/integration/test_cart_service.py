"""addOrUpdateItem: the variant is looked up, stock is checked at the line's location, then the line is saved."""

import pytest

from pos.errors import CartClosed, InsufficientStock, InvalidInput, NotDeliverable, NotFound
from pos.services import cart, inventory, orders


def test_adding_with_enough_stock_saves_the_line_at_the_carts_store(store):
    c = cart.new_cart(store, location="STORE-1")
    doc = cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=2)
    assert doc.plain()["items"] == [{"sku": "TSHIRT-M", "name": "T-shirt Medium", "quantity": 2, "location": "STORE-1",
                             "unit_price": 1999, "line_total": 3998, "delivery": False,
                                 "list_price": 1999, "price_reason": None, "discount": 0, "discount_percent": None,
                                 "discount_reason": None, "order_discount": 0, "net_total": 3998}]
    assert doc.subtotal == 3998
    assert cart.show_cart(store, cart_id=c.id).items[0].quantity == 2


def test_adding_the_same_variant_again_adds_to_the_line(store):
    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=2)
    doc = cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=3)
    assert [(i.sku, i.quantity) for i in doc.items] == [("TSHIRT-M", 5)]


def test_adding_more_than_is_available_saves_nothing_and_says_how_many_there_are(store):
    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=4)
    with pytest.raises(InsufficientStock) as err:
        cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=7)  # line would be 11 of 10
    assert err.value.details["available"] == 10
    assert err.value.details["requested"] == 11
    assert "10 available" in err.value.message and "STORE-1" in err.value.message
    assert cart.show_cart(store, cart_id=c.id).items[0].quantity == 4


def test_a_first_line_refused_for_stock_leaves_the_cart_empty(store):
    c = cart.new_cart(store, location="STORE-1")
    with pytest.raises(InsufficientStock):
        cart.add_item(store, cart_id=c.id, code="CROISSANT", quantity=6)
    assert cart.show_cart(store, cart_id=c.id).items == []


def test_a_variant_never_stocked_at_the_location_has_zero_available(store):
    c = cart.new_cart(store, location="WH-1")
    with pytest.raises(InsufficientStock) as err:
        cart.add_item(store, cart_id=c.id, code="CROISSANT")
    assert err.value.details["available"] == 0


def test_the_barcode_works_wherever_a_sku_is_asked_for(store):
    c = cart.new_cart(store, location="STORE-1")
    doc = cart.add_item(store, cart_id=c.id, code="4006381333948")
    assert doc.items[0].sku == "TSHIRT-M"
    doc = cart.set_item(store, cart_id=c.id, code="4006381333948", quantity=3)
    assert doc.items[0].quantity == 3
    doc = cart.remove_item(store, cart_id=c.id, code="4006381333948")
    assert doc.items == []


def test_a_deliverable_variant_can_come_from_another_location_as_a_delivery_line(store):
    c = cart.new_cart(store, location="STORE-1")
    doc = cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=20, from_location="WH-1")
    (line,) = doc.items
    assert (line.location, line.quantity, line.delivery) == ("WH-1", 20, True)


def test_a_line_from_the_store_itself_is_not_a_delivery(store):
    c = cart.new_cart(store, location="STORE-1")
    doc = cart.add_item(store, cart_id=c.id, code="CROISSANT", from_location="STORE-1")
    assert doc.items[0].delivery is False


def test_the_same_variant_from_two_locations_is_two_lines_each_checked_at_its_own_location(store):
    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=10)
    doc = cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=50, from_location="WH-1")
    assert sorted((i.location, i.quantity) for i in doc.items) == [("STORE-1", 10), ("WH-1", 50)]
    with pytest.raises(InsufficientStock):
        cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=1, from_location="WH-1")


def test_a_non_deliverable_variant_cannot_come_from_another_location(store):
    inventory.set_stock(store, sku="CROISSANT", location="WH-1", quantity=100)
    c = cart.new_cart(store, location="STORE-1")
    with pytest.raises(NotDeliverable) as err:
        cart.add_item(store, cart_id=c.id, code="CROISSANT", from_location="WH-1")
    assert err.value.code == "not_deliverable"
    assert cart.show_cart(store, cart_id=c.id).items == []


def test_setting_a_line_to_zero_removes_it(store):
    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=2)
    assert cart.set_item(store, cart_id=c.id, code="TSHIRT-M", quantity=0).items == []


def test_setting_a_line_checks_stock_for_the_new_quantity_not_the_sum(store):
    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=8)
    assert cart.set_item(store, cart_id=c.id, code="TSHIRT-M", quantity=10).items[0].quantity == 10
    with pytest.raises(InsufficientStock):
        cart.set_item(store, cart_id=c.id, code="TSHIRT-M", quantity=11)
    assert cart.show_cart(store, cart_id=c.id).items[0].quantity == 10


@pytest.mark.parametrize("qty", [0, -1])
def test_adding_zero_or_fewer_is_refused(store, qty):
    c = cart.new_cart(store, location="STORE-1")
    with pytest.raises(InvalidInput):
        cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=qty)
    assert cart.show_cart(store, cart_id=c.id).items == []


def test_a_negative_set_quantity_is_refused(store):
    c = cart.new_cart(store, location="STORE-1")
    with pytest.raises(InvalidInput):
        cart.set_item(store, cart_id=c.id, code="TSHIRT-M", quantity=-2)


@pytest.mark.parametrize("call", [
    lambda db, cid: cart.add_item(db, cart_id=cid, code="NOPE"),
    lambda db, cid: cart.add_item(db, cart_id=cid, code="TSHIRT-M", from_location="NOWHERE"),
    lambda db, cid: cart.add_item(db, cart_id=cid + 1000, code="TSHIRT-M"),
    lambda db, cid: cart.remove_item(db, cart_id=cid, code="TSHIRT-M"),
    lambda db, cid: cart.new_cart(db, location="NOWHERE"),
], ids=["unknown sku", "unknown location", "unknown cart", "line not in cart", "cart at unknown store"])
def test_unknown_things_are_not_found(store, call):
    c = cart.new_cart(store, location="STORE-1")
    with pytest.raises(NotFound):
        call(store, c.id)


def test_a_paid_cart_is_closed_to_changes(store):
    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M")
    orders.checkout(store, cart_id=c.id, processor="cash", params={"tendered": "50"})
    for change in (
        lambda: cart.add_item(store, cart_id=c.id, code="TSHIRT-M"),
        lambda: cart.set_item(store, cart_id=c.id, code="TSHIRT-M", quantity=3),
        lambda: cart.remove_item(store, cart_id=c.id, code="TSHIRT-M"),
        lambda: cart.clear_cart(store, cart_id=c.id),
        lambda: cart.set_shipping(store, cart_id=c.id, name="A", address="B"),
    ):
        with pytest.raises(CartClosed):
            change()
    assert cart.show_cart(store, cart_id=c.id).status == "closed"


def test_shipping_details_saved_on_the_cart_are_used_at_checkout(store):
    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", from_location="WH-1")
    cart.set_shipping(store, cart_id=c.id, name="Ada", address="1 Way")
    order = orders.checkout(store, cart_id=c.id, processor="cash", params={"tendered": "50"})
    assert order.plain()["shipping"] == {"name": "Ada", "address": "1 Way"}


def test_setting_the_quantity_of_a_delivery_line_sets_that_line(store):
    from pos.errors import InvalidInput

    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=2, from_location="WH-1")
    doc = cart.set_item(store, cart_id=c.id, code="TSHIRT-M", quantity=1)
    assert [(i.location, i.quantity) for i in doc.items] == [("WH-1", 1)]
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M")
    with pytest.raises(InvalidInput, match="on 2 lines"):
        cart.set_item(store, cart_id=c.id, code="TSHIRT-M", quantity=3)
    doc = cart.set_item(store, cart_id=c.id, code="TSHIRT-M", quantity=3, from_location="STORE-1")
    assert sorted((i.location, i.quantity) for i in doc.items) == [("STORE-1", 3), ("WH-1", 1)]
