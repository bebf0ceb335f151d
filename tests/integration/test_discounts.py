"""Discounts and changed prices through the services, on SQLite and PostgreSQL: the cart, the order, its
tax, the refunds of discounted lines, and each location's limit."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlalchemy import select

from pos.errors import ApprovalRequired, CartClosed, InvalidInput, NotFound
from pos.money import parse_tax_rate, tax_for
from pos.services import auth, cart, catalog, clerks, discounts, inventory, orders, pins, refunds
from pos.services import tables as t


@pytest.fixture
def sale(store):
    """Cart 1 at STORE-1 (8.25 %): 3 T-shirts at 19.99 and 2 croissants at 3.25."""
    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=3)
    cart.add_item(store, cart_id=c.id, code="CROISSANT", quantity=2)
    return c.id


def _pay(store, cart_id):
    return orders.checkout(store, cart_id=cart_id, processor="cash", params={"tendered": "1000"})


def test_a_line_discount_comes_off_that_line_and_tax_is_on_what_is_left(store, sale):
    doc = discounts.set_discount(store, cart_id=sale, code="TSHIRT-M", percent="10", reason="loyal customer")
    shirt = doc.items[0]
    assert (shirt.line_total, shirt.discount, shirt.discount_percent, shirt.net_total) == (5997, 600, "10", 5397)
    assert shirt.discount_reason == "loyal customer"
    assert doc.subtotal == 5397 + 650
    order = _pay(store, sale)
    assert order.subtotal == 6047 and order.tax == tax_for(6047, 82_500) and order.total == 6047 + order.tax
    item = order.items[0]
    assert (item.list_price, item.unit_price, item.discount, item.net_total) == (1999, 1999, 600, 5397)
    assert item.discount_reason == "loyal customer"


def test_an_order_discount_is_spread_over_the_lines_which_add_up_to_the_order(store, sale):
    discounts.set_discount(store, cart_id=sale, amount="5.00", reason="sorry for the wait")
    order = _pay(store, sale)
    assert order.discount == 500 and order.discount_reason == "sorry for the wait" and order.discount_percent is None
    assert sum(i.order_discount for i in order.items) == 500
    assert sum(i.net_total for i in order.items) == order.subtotal == 5997 + 650 - 500
    assert order.total == order.subtotal + tax_for(order.subtotal, 82_500)


def test_a_changed_price_keeps_the_list_price_beside_it_with_the_reason(store, sale):
    doc = discounts.change_price(store, cart_id=sale, code="TSHIRT-M", price="9.99", reason="price match")
    assert (doc.items[0].unit_price, doc.items[0].list_price, doc.items[0].line_total) == (999, 1999, 2997)
    order = _pay(store, sale)
    assert (order.items[0].unit_price, order.items[0].list_price, order.items[0].price_reason) == (999, 1999, "price match")


def test_the_list_price_puts_a_changed_line_back(store, sale):
    discounts.change_price(store, cart_id=sale, code="TSHIRT-M", price="9.99", reason="price match")
    doc = discounts.change_price(store, cart_id=sale, code="TSHIRT-M", price="19.99", reason="mistake")
    assert (doc.items[0].unit_price, doc.items[0].price_reason) == (1999, None)


def test_a_percent_discount_follows_the_line_when_its_quantity_changes(store, sale):
    discounts.set_discount(store, cart_id=sale, code="TSHIRT-M", percent="50", reason="half off")
    doc = cart.set_item(store, cart_id=sale, code="TSHIRT-M", quantity=1)
    assert (doc.items[0].discount, doc.items[0].net_total) == (1000, 999)  # 999.5 half-up


def test_clearing_removes_the_discount_asked_and_nothing_else(store, sale):
    discounts.set_discount(store, cart_id=sale, code="TSHIRT-M", percent="10", reason="a")
    discounts.set_discount(store, cart_id=sale, percent="5", reason="b")
    doc = discounts.clear_discount(store, cart_id=sale, code="TSHIRT-M")
    assert doc.items[0].discount == 0 and doc.discount_percent == "5"
    doc = discounts.clear_discount(store, cart_id=sale)
    assert doc.discount == 0 and doc.discount_reason is None and doc.subtotal == 5997 + 650


def test_the_till_total_is_what_checkout_charges(store, sale):
    discounts.set_discount(store, cart_id=sale, percent="12.5", reason="staff")
    total = orders.checkout_total(store, cart_id=sale)
    assert orders.show_priced_cart(store, cart_id=sale).total == total == _pay(store, sale).total


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"percent": "10", "reason": ""}, "needs a reason"),
    ({"percent": "10", "amount": "1.00", "reason": "x"}, "one of them"),
    ({"reason": "x"}, "one of them"),
    ({"percent": "101", "reason": "x"}, "at most 100"),
    ({"amount": "0", "reason": "x"}, "more than zero"),
    ({"amount": "60.00", "reason": "x", "code": "TSHIRT-M"}, "more than TSHIRT-M's line total (59.97)"),
    ({"amount": "70.00", "reason": "x"}, "more than the sale (66.47)"),
    ({"percent": "10", "reason": "two\nlines"}, "control characters"),
    ({"percent": "10", "reason": "x" * 501}, "at most 500"),
])
def test_a_bad_discount_is_refused_with_a_clear_message_and_changes_nothing(store, sale, kwargs, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        discounts.set_discount(store, cart_id=sale, **kwargs)
    assert cart.show_cart(store, cart_id=sale).subtotal == 5997 + 650


def test_a_discount_on_a_line_the_cart_does_not_have_is_not_found(store, sale):
    catalog.add_variant(store, sku="TSHIRT-L", product="TSHIRT", price="19.99")
    with pytest.raises(NotFound, match="no line for TSHIRT-L"):
        discounts.set_discount(store, cart_id=sale, code="TSHIRT-L", percent="10", reason="x")


def test_a_paid_cart_takes_no_discount(store, sale):
    _pay(store, sale)
    with pytest.raises(CartClosed):
        discounts.set_discount(store, cart_id=sale, percent="10", reason="too late")


def test_a_clerk_needs_a_manager_above_the_limit_and_for_every_price_change(store, sale, monkeypatch):
    monkeypatch.setattr(pins, "N", 2**10)  # a cheap hash for the test; the cost is checked in test_pins
    clerks.add_clerk(store, name="Boss", role="manager", pin="5551")
    boss = clerks.sign_in(store, "Boss", "5551")
    with auth.acting(boss):
        clerks.add_clerk(store, name="Ann", role="clerk", pin="5552")
        catalog.update_location(store, code="STORE-1", max_discount="20")
    ann = clerks.sign_in(store, "Ann", "5552")
    with auth.acting(ann):
        discounts.set_discount(store, cart_id=sale, percent="20", reason="at the limit")  # within it: no manager
        with pytest.raises(ApprovalRequired, match="above STORE-1's limit of 20%") as above:
            discounts.set_discount(store, cart_id=sale, code="TSHIRT-M", amount="15.00", reason="above it")  # 25 %
        assert "above it" in str(above.value)
        with pytest.raises(ApprovalRequired, match=r"CROISSANT at 3.50 instead of 3.25.*a price change"):
            discounts.change_price(store, cart_id=sale, code="CROISSANT", price="3.50", reason="new price")
    assert [i.discount for i in cart.show_cart(store, cart_id=sale).items if i.sku == "TSHIRT-M"] == [0]  # refused: unsaved
    with auth.acting(clerks.approve(store, ann, "Boss", "5551")):
        discounts.set_discount(store, cart_id=sale, code="TSHIRT-M", amount="15.00", reason="above it")
    with auth.acting(boss):  # a manager approves their own
        discounts.change_price(store, cart_id=sale, code="CROISSANT", price="3.50", reason="new price")
    items = {i.sku: i for i in cart.show_cart(store, cart_id=sale).items}
    assert (items["TSHIRT-M"].discount, items["CROISSANT"].unit_price) == (1500, 350)
    with store.read() as conn:
        rows = conn.execute(select(t.audit_log.c.action, t.audit_log.c.clerk_id, t.audit_log.c.approver_id)
                            .where(t.audit_log.c.action.in_(["discount", "price_change"])).order_by(t.audit_log.c.id)).all()
    assert [tuple(r) for r in rows] == [
        ("discount", ann.clerk_id, None), ("discount", ann.clerk_id, boss.clerk_id), ("price_change", boss.clerk_id, None),
    ]


def test_a_store_without_clerks_saves_any_discount(store, sale):
    discounts.set_discount(store, cart_id=sale, code="TSHIRT-M", amount="15.00", reason="above the 0% limit")
    assert [i.discount for i in cart.show_cart(store, cart_id=sale).items if i.sku == "TSHIRT-M"] == [1500]


def test_the_limit_is_stored_and_reported(store):
    assert {loc.code: loc.max_discount for loc in catalog.list_locations(store)} == {"STORE-1": "0", "WH-1": "0"}
    assert catalog.update_location(store, code="STORE-1", max_discount="12.5").max_discount == "12.5"
    assert catalog.add_location(store, code="S-2", name="Two", max_discount="100").max_discount == "100"
    with pytest.raises(InvalidInput, match="discount limit"):
        catalog.update_location(store, code="STORE-1", max_discount="120")
    assert {loc.code: loc.max_discount for loc in catalog.list_locations(store)}["STORE-1"] == "12.5"


def test_a_partial_return_of_a_discounted_line_gives_back_its_discounted_price_and_tax(store, sale):
    discounts.set_discount(store, cart_id=sale, code="TSHIRT-M", amount="10.00", reason="damaged box")
    order = _pay(store, sale)
    first = refunds.return_items(store, order_id=order.id, lines=[refunds.ReturnLine("TSHIRT-M", 1)])
    assert first.amount - first.tax == 1666  # (59.97 - 10.00) / 3, half-up, never the list price 19.99
    rest = refunds.return_items(store, order_id=order.id, lines=None)
    assert first.amount + rest.amount == order.total
    assert orders.show_order(store, order_id=order.id).refunded == order.total


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(st.sampled_from(["TSHIRT-M", "CROISSANT"]), st.integers(1, 3)), min_size=1, max_size=2,
             unique_by=lambda t: t[0]),
    st.one_of(st.none(), st.sampled_from(["7.5", "33", "100"])),
    st.one_of(st.none(), st.sampled_from(["0.01", "1.99", "4.00"])),
    st.sampled_from(["0", "7.375", "8.25", "19.6"]),
    st.data(),
)
def test_returns_of_a_discounted_order_in_any_split_add_up_to_exactly_what_was_paid(
    store, rows, line_pct, order_amount, tax_rate, data,
):
    catalog.update_location(store, code="STORE-1", tax_rate=tax_rate)
    inventory.set_stock(store, sku="TSHIRT-M", location="STORE-1", quantity=50)
    inventory.set_stock(store, sku="CROISSANT", location="STORE-1", quantity=50)
    c = cart.new_cart(store, location="STORE-1").id
    for sku, qty in rows:
        cart.add_item(store, cart_id=c, code=sku, quantity=qty)
    if line_pct:
        discounts.set_discount(store, cart_id=c, code=rows[0][0], percent=line_pct, reason="line")
    if order_amount and cart.show_cart(store, cart_id=c).subtotal >= 400:
        discounts.set_discount(store, cart_id=c, amount=order_amount, reason="order")
    order = _pay(store, c)
    assert sum(i.net_total for i in order.items) == order.subtotal
    assert order.tax == tax_for(order.subtotal, parse_tax_rate(tax_rate))  # tax on the discounted amounts
    left = {sku: qty for sku, qty in rows}
    back = 0
    while any(left.values()):
        sku = data.draw(st.sampled_from(sorted(k for k, n in left.items() if n)))
        n = data.draw(st.integers(1, left[sku]))
        back += refunds.return_items(store, order_id=order.id, lines=[refunds.ReturnLine(sku, n)]).amount
        left[sku] -= n
    assert back == order.total
    assert orders.show_order(store, order_id=order.id).status == "refunded"


def test_an_order_sold_before_discounts_keeps_its_price_as_list_price_and_stays_append_only(db_url):
    from sqlalchemy import text

    from pos.migrations import upgrade
    from pos.services.db import Database

    old = Database(db_url)
    upgrade(old.engine, "0009")
    with old.engine.begin() as conn:
        for statement in (
            "INSERT INTO setting (key, value) VALUES ('currency', 'USD')",
            "INSERT INTO location (id, code, name, tax_rate, address, receipt_footer, created_at) "
            "VALUES (1, 'S1', 'Shop', 0, '', '', CURRENT_TIMESTAMP)",
            "INSERT INTO product (id, code, name, created_at) VALUES (1, 'P', 'Pen', CURRENT_TIMESTAMP)",
            "INSERT INTO variant (id, sku, name, price, options, is_deliverable, product_id, created_at) "
            "VALUES (1, 'PEN', '', 150, '{}', true, 1, CURRENT_TIMESTAMP)",
            "INSERT INTO cart (id, location_id, status, created_at, updated_at) "
            "VALUES (1, 1, 'closed', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            "INSERT INTO orders (id, cart_id, location_id, status, currency, subtotal, tax, total, tax_rate, "
            "idempotency_key, created_at, updated_at) VALUES (1, 1, 1, 'processing', 'USD', 300, 0, 300, 0, "
            "'k1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            "INSERT INTO order_item (id, order_id, variant_id, location_id, sku, name, quantity, unit_price, line_total) "
            "VALUES (1, 1, 1, 1, 'PEN', 'Pen', 2, 150, 300)",
        ):
            conn.execute(text(statement))
    upgrade(old.engine)
    item = orders.show_order(old, order_id=1).items[0]
    assert (item.list_price, item.unit_price, item.discount, item.order_discount, item.net_total) == (150, 150, 0, 0, 300)
    assert catalog.list_locations(old)[0].max_discount == "0"
    with pytest.raises(Exception, match="append-only"), old.engine.begin() as conn:
        conn.execute(text("UPDATE order_item SET list_price = 1"))
    old.dispose()
