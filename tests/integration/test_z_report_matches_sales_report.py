"""The Z report of a day's only shift and `pos report sales` for that day say the same, with every kind
of sale the counter makes: cash, card, discounted, paid in parts, paid in parts and given up, returned
(SQLite and PostgreSQL). Both claim one set of definitions; this holds them to it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pos.services import cart, discounts, inventory, orders, refunds, reports, shifts
from pos.services.refunds import ReturnLine

CARD = {"card": "4242424242424242"}


def _cart(db, lines):
    c = cart.new_cart(db, location="STORE-1").id
    for code, qty in lines:
        cart.add_item(db, cart_id=c, code=code, quantity=qty)
    return c


def test_a_days_z_report_and_its_sales_report_agree(store):
    inventory.set_stock(store, sku="CROISSANT", location="STORE-1", quantity=20)
    shifts.open_shift(store, location="STORE-1", float_amount="100.00")
    cash = orders.checkout(store, cart_id=_cart(store, [("TSHIRT-M", 2)]), processor="cash",
                           params={"tendered": "100.00"})
    sale = _cart(store, [("TSHIRT-M", 1), ("CROISSANT", 3)])
    discounts.set_discount(store, cart_id=sale, code="CROISSANT", percent="10", reason="day-old")
    discounts.set_discount(store, cart_id=sale, amount="1.00", reason="loyalty")
    discounted = orders.checkout(store, cart_id=sale, processor="card", params=CARD)
    split = _cart(store, [("TSHIRT-M", 1), ("CROISSANT", 1)])
    first_part = orders.checkout(store, cart_id=split, processor="card", params=CARD, amount=1000)
    assert first_part.status == "pending" and first_part.balance_due > 0
    paid_in_parts = orders.checkout(store, cart_id=split, processor="cash", params={"tendered": "50.00"})
    assert paid_in_parts.status == "processing" and [p.amount for p in paid_in_parts.payments][0] == 1000
    given_up = _cart(store, [("CROISSANT", 2)])
    half = orders.checkout(store, cart_id=given_up, processor="card", params=CARD, amount=300)
    refunds.cancel_order(store, order_id=half.id, reason="customer left")
    back = refunds.return_items(store, order_id=cash.id, lines=[ReturnLine("TSHIRT-M", 1)], refund_to="cash")

    z = shifts.close_shift(store, counted="0.00")
    today = datetime.now(UTC).astimezone(ZoneInfo(reports.sales_report(store, location="STORE-1").timezones[0])).date()
    day = reports.sales_report(store, by="day", first=today, last=today, location="STORE-1").totals

    sales = cash.total + discounted.total + paid_in_parts.total
    assert (z.sales_count, day.sales_count) == (3, 3)  # the sale given up completed nothing
    assert z.gross == day.gross == sales + 300  # its part was taken ...
    assert z.refunds == day.refunds == back.amount + 300  # ... and paid back
    assert z.net == day.net == sales - back.amount
    assert z.tax == day.tax == cash.tax + discounted.tax + paid_in_parts.tax - back.tax

    by_tender = reports.sales_report(store, by="tender", first=today, last=today, location="STORE-1").rows
    assert {r.key: r.net for r in by_tender} == {t.method: t.amount for t in z.by_tender}

    skus = reports.sales_report(store, by="sku", first=today, last=today, location="STORE-1")
    assert sum(r.gross for r in skus.rows) == sales  # every completed sale's lines, at what was paid for them
    assert sum(r.refunds for r in skus.rows) == back.amount
    assert sum(r.tax for r in skus.rows) == z.tax
