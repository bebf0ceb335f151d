"""Stock set/adjust/check/history, the catalog lookups, and `init` on an existing database."""

import pytest

from pos.errors import AlreadyExists, InsufficientStock, InvalidInput, NotFound, NotInitialised
from pos.services import cart, catalog, inventory
from pos.services.db import Database
from pos.services.settings import init_store


def test_setting_stock_records_the_change_and_the_reason(store):
    doc = inventory.set_stock(store, sku="TSHIRT-M", location="STORE-1", quantity=7, reason="count")
    assert doc.change == -3
    assert {lv.location: lv.on_hand for lv in doc.levels} == {"STORE-1": 7, "WH-1": 50}
    latest = inventory.stock_history(store, sku="TSHIRT-M", location="STORE-1")[0]
    assert (latest.change, latest.on_hand, latest.source, latest.reason) == (-3, 7, "set", "count")


def test_setting_the_same_count_again_writes_no_history(store):
    before = inventory.stock_history(store, sku="TSHIRT-M")
    assert inventory.set_stock(store, sku="TSHIRT-M", location="STORE-1", quantity=10).change == 0
    assert inventory.stock_history(store, sku="TSHIRT-M") == before


def test_adjusting_adds_and_removes_with_history(store):
    inventory.adjust_stock(store, sku="TSHIRT-M", location="STORE-1", delta=5, reason="delivery")
    doc = inventory.adjust_stock(store, sku="TSHIRT-M", location="STORE-1", delta=-2, reason="breakage")
    assert {lv.location: lv.on_hand for lv in doc.levels}["STORE-1"] == 13
    hist = inventory.stock_history(store, sku="TSHIRT-M", location="STORE-1")
    assert [(h.change, h.on_hand, h.source, h.reason) for h in hist[:2]] == [
        (-2, 13, "adjust", "breakage"), (5, 15, "adjust", "delivery")]


def test_stock_never_goes_below_zero_by_adjustment(store):
    with pytest.raises(InsufficientStock) as err:
        inventory.adjust_stock(store, sku="CROISSANT", location="STORE-1", delta=-6)
    assert err.value.details["available"] == 5
    assert inventory.check_stock(store, sku="CROISSANT", location="STORE-1").levels[0].on_hand == 5


def test_removing_stock_where_there_never_was_any_is_refused(store):
    with pytest.raises(InsufficientStock):
        inventory.adjust_stock(store, sku="CROISSANT", location="WH-1", delta=-1)


def test_a_negative_count_is_refused_and_changes_nothing(store):
    with pytest.raises(InvalidInput):
        inventory.set_stock(store, sku="TSHIRT-M", location="STORE-1", quantity=-1)
    assert inventory.check_stock(store, sku="TSHIRT-M", location="STORE-1").levels[0].on_hand == 10


def test_an_adjustment_of_zero_is_refused(store):
    with pytest.raises(InvalidInput):
        inventory.adjust_stock(store, sku="TSHIRT-M", location="STORE-1", delta=0)


@pytest.mark.parametrize("call", [
    lambda db: inventory.set_stock(db, sku="NOPE", location="STORE-1", quantity=1),
    lambda db: inventory.set_stock(db, sku="TSHIRT-M", location="NOWHERE", quantity=1),
    lambda db: inventory.adjust_stock(db, sku="NOPE", location="STORE-1", delta=1),
    lambda db: inventory.check_stock(db, sku="NOPE"),
    lambda db: inventory.check_stock(db, sku="TSHIRT-M", location="NOWHERE"),
    lambda db: inventory.stock_history(db, sku="NOPE"),
], ids=["set sku", "set location", "adjust sku", "check sku", "check location", "history sku"])
def test_unknown_skus_and_locations_are_not_found(store, call):
    with pytest.raises(NotFound):
        call(store)


def test_barcodes_work_for_stock_commands(store):
    inventory.adjust_stock(store, sku="4006381333948", location="STORE-1", delta=1)
    assert inventory.check_stock(store, sku="4006381333948").sku == "TSHIRT-M"
    assert inventory.stock_history(store, sku="4006381333948")[0].change == 1


def test_check_shows_a_location_where_the_variant_was_never_stocked_as_zero(store):
    doc = inventory.check_stock(store, sku="CROISSANT", location="WH-1")
    assert [lv.model_dump() for lv in doc.levels] == [{"location": "WH-1", "on_hand": 0, "reserved": 0, "available": 0}]


def test_history_can_be_limited_to_one_location_newest_first(store):
    inventory.adjust_stock(store, sku="TSHIRT-M", location="WH-1", delta=1)
    inventory.adjust_stock(store, sku="TSHIRT-M", location="WH-1", delta=2)
    hist = inventory.stock_history(store, sku="TSHIRT-M", location="WH-1")
    assert {h.location for h in hist} == {"WH-1"}
    assert [h.change for h in hist] == [2, 1, 50]


def test_stock_held_by_a_pending_checkout_cannot_be_counted_away(store, fake_processor):
    from pos.services import orders

    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=4)
    with store.write() as conn:
        orders.begin_checkout(conn, cart_id=c.id, processor="fake", payment=fake_processor.prepare({}, currency="USD"),
                              shipping=None, idempotency_key="k")
    with pytest.raises(InvalidInput):
        inventory.set_stock(store, sku="TSHIRT-M", location="STORE-1", quantity=3)
    with pytest.raises(InsufficientStock):
        inventory.adjust_stock(store, sku="TSHIRT-M", location="STORE-1", delta=-7)


def test_a_sku_or_barcode_cannot_be_used_twice(store):
    with pytest.raises(AlreadyExists):
        catalog.add_variant(store, sku="TSHIRT-M", product="TSHIRT", price="1")
    with pytest.raises(AlreadyExists):
        catalog.add_variant(store, sku="TSHIRT-L", product="TSHIRT", price="1", barcode="4006381333948")
    with pytest.raises(AlreadyExists):  # a new SKU equal to an existing barcode would make lookups ambiguous
        catalog.add_variant(store, sku="4006381333948", product="TSHIRT", price="1")


def test_a_variant_price_is_parsed_exactly(store):
    doc = catalog.add_variant(store, sku="TSHIRT-L", product="TSHIRT", price="21.10")
    assert doc.price == 2110
    with pytest.raises(InvalidInput):
        catalog.add_variant(store, sku="TSHIRT-XL", product="TSHIRT", price="21.105")


def test_init_twice_is_harmless_and_keeps_the_data(store):
    again = init_store(store)
    assert again.created is False
    assert again.currency == "USD"
    assert inventory.check_stock(store, sku="TSHIRT-M", location="STORE-1").levels[0].on_hand == 10


def test_the_currency_cannot_change_once_there_are_products(store):
    with pytest.raises(InvalidInput):
        init_store(store, currency="EUR")


def test_using_a_database_before_init_says_not_initialised(db_url):
    fresh = Database(db_url)
    try:
        with pytest.raises(NotInitialised, match="pos init"):
            catalog.list_locations(fresh)
    finally:
        fresh.dispose()
