"""Checkouts racing for the same stock: each unit is sold once and nobody is charged for the rest."""

from concurrent.futures import ThreadPoolExecutor

from pos.errors import InsufficientStock
from pos.services import cart, inventory, orders
from pos.services.db import Database


def test_eight_tills_racing_for_five_croissants_sell_exactly_five(store, db_url, fake_processor):
    carts = []
    for _ in range(8):
        c = cart.new_cart(store, location="STORE-1")
        cart.add_item(store, cart_id=c.id, code="CROISSANT")  # each fits on its own: 5 on hand
        carts.append(c.id)

    def till(cart_id):
        own = Database(db_url)  # a till of its own: its own engine and connections
        try:
            orders.checkout(own, cart_id=cart_id, processor="fake")
            return "sold"
        except InsufficientStock:
            return "refused"
        finally:
            own.dispose()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(till, carts))
    assert outcomes.count("sold") == 5 and outcomes.count("refused") == 3
    assert len(fake_processor.calls) == 5  # the three refused were never charged
    level = inventory.check_stock(store, sku="CROISSANT", location="STORE-1").levels[0]
    assert (level.on_hand, level.reserved) == (0, 0)
    sales = [h for h in inventory.stock_history(store, sku="CROISSANT") if h.source == "sale"]
    assert sorted(h.on_hand for h in sales) == [0, 1, 2, 3, 4]

