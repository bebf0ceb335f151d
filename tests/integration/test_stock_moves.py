"""Transfers between locations, reorder levels and the low-stock list, against both databases."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pos.errors import InsufficientStock, InvalidInput, NotFound
from pos.services import inventory
from pos.services import tables as t
from pos.services.db import Database
from pos.services.stock_moves import low_stock, set_reorder, transfer_stock


def _level(db, sku, location):
    return inventory.check_stock(db, sku=sku, location=location).levels[0]


def _hold(db, sku, location, quantity):
    """Units reserved by a checkout awaiting payment."""
    from pos.services.catalog import get_variant, location_by_code

    with db.write() as conn:
        v, loc = get_variant(conn, sku), location_by_code(conn, location)
        inventory.reserve(conn, [inventory.Need(v["id"], loc["id"], quantity, sku, location)])


def test_a_transfer_moves_units_and_writes_history_at_both_ends(store):
    doc = transfer_stock(store, sku="TSHIRT-M", from_location="WH-1", to_location="STORE-1", quantity=7,
                         reason="weekend restock")
    assert (doc.from_.location, doc.from_.on_hand, doc.to.location, doc.to.on_hand) == ("WH-1", 43, "STORE-1", 17)
    assert _level(store, "TSHIRT-M", "WH-1").on_hand == 43
    assert _level(store, "TSHIRT-M", "STORE-1").on_hand == 17
    rows = {r.location: r for r in inventory.stock_history(store, sku="TSHIRT-M") if r.source == "transfer"}
    assert rows["WH-1"].change == -7 and rows["WH-1"].on_hand == 43
    assert rows["STORE-1"].change == 7 and rows["STORE-1"].on_hand == 17
    assert rows["WH-1"].reason == rows["STORE-1"].reason == "weekend restock"
    assert rows["WH-1"].ref == "transfer WH-1 -> STORE-1"


def test_a_transfer_to_a_location_that_never_stocked_the_variant_creates_its_level(store):
    from pos.services import catalog

    catalog.add_location(store, code="WH-2", name="Second warehouse", tax_rate="0")
    transfer_stock(store, sku="TSHIRT-M", from_location="WH-1", to_location="WH-2", quantity=5)
    assert _level(store, "TSHIRT-M", "WH-2").on_hand == 5


def test_a_transfer_cannot_take_reserved_units(store):
    _hold(store, "TSHIRT-M", "WH-1", 45)  # 5 left available of 50
    with pytest.raises(InsufficientStock) as err:
        transfer_stock(store, sku="TSHIRT-M", from_location="WH-1", to_location="STORE-1", quantity=6)
    assert "only 5 available" in err.value.message and "45 more are held" in err.value.message
    assert _level(store, "TSHIRT-M", "WH-1").on_hand == 50
    assert _level(store, "TSHIRT-M", "STORE-1").on_hand == 10
    transfer_stock(store, sku="TSHIRT-M", from_location="WH-1", to_location="STORE-1", quantity=5)
    wh = _level(store, "TSHIRT-M", "WH-1")
    assert (wh.on_hand, wh.reserved, wh.available) == (45, 45, 0)


@pytest.mark.parametrize(("args", "error"), [
    (dict(from_location="WH-1", to_location="WH-1", quantity=1), InvalidInput),
    (dict(from_location="WH-1", to_location="STORE-1", quantity=0), InvalidInput),
    (dict(from_location="WH-1", to_location="STORE-1", quantity=-3), InvalidInput),
    (dict(from_location="WH-1", to_location="NOWHERE", quantity=1), NotFound),
    (dict(from_location="STORE-1", to_location="WH-1", quantity=11), InsufficientStock),
])
def test_a_bad_transfer_is_refused_and_changes_nothing(store, args, error):
    with pytest.raises(error):
        transfer_stock(store, sku="TSHIRT-M", **args)
    assert _level(store, "TSHIRT-M", "WH-1").on_hand == 50
    assert _level(store, "TSHIRT-M", "STORE-1").on_hand == 10
    assert not [r for r in inventory.stock_history(store, sku="TSHIRT-M") if r.source == "transfer"]


def test_transfers_racing_with_sales_create_and_lose_no_stock(store, db_url, fake_processor):
    """Transfers both ways and checkouts from both locations at once, with units held by a checkout
    awaiting payment: every unit is accounted for, each transfer has its two history rows, and the held
    units are never moved."""
    from pos.services import cart, inventory, orders

    # Enough at both ends that neither side runs dry whatever the interleaving: a busy machine can let one
    # mover drain a location before a seller runs, and then nothing would be sold and nothing raced.
    for loc in ("WH-1", "STORE-1"):
        inventory.set_stock(store, sku="TSHIRT-M", location=loc, quantity=200)
    _hold(store, "TSHIRT-M", "WH-1", 20)
    start = {loc: _level(store, "TSHIRT-M", loc).on_hand for loc in ("WH-1", "STORE-1")}
    barrier = threading.Barrier(4)
    done = {"transfers": 0, "sold": 0}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def mover(src, dst):
        db = Database(db_url)
        barrier.wait()
        for _ in range(25):
            try:
                transfer_stock(db, sku="TSHIRT-M", from_location=src, to_location=dst, quantity=3)
                with lock:
                    done["transfers"] += 1
            except InsufficientStock:
                pass
            except BaseException as exc:  # noqa: BLE001 - any other error fails the test
                errors.append(exc)
        db.dispose()

    def seller(source):
        db = Database(db_url)
        barrier.wait()
        for _ in range(15):
            try:
                cid = cart.new_cart(db, location="STORE-1").id
                cart.add_item(db, cart_id=cid, code="TSHIRT-M", quantity=2, from_location=source)
                ship = orders.Shipping("Ann", "1 Road") if source == "WH-1" else None
                orders.checkout(db, cart_id=cid, processor="fake", shipping=ship)
                with lock:
                    done["sold"] += 2
            except InsufficientStock:
                pass
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
        db.dispose()

    threads = [threading.Thread(target=mover, args=("WH-1", "STORE-1")),
               threading.Thread(target=mover, args=("STORE-1", "WH-1")),
               threading.Thread(target=seller, args=("STORE-1",)),
               threading.Thread(target=seller, args=("WH-1",))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    assert errors == []
    assert done["transfers"] > 0 and done["sold"] > 0

    end = {loc: _level(store, "TSHIRT-M", loc) for loc in ("WH-1", "STORE-1")}
    assert sum(lv.on_hand for lv in end.values()) == sum(start.values()) - done["sold"]
    assert end["WH-1"].reserved == 20 and end["WH-1"].on_hand >= 20  # the held units never moved
    M = t.stock_movement
    with store.read() as conn:
        moved = conn.execute(select(M.c.location_id, func.count(), func.sum(M.c.delta))
                             .where(M.c.source == "transfer").group_by(M.c.location_id)).all()
        net = dict(conn.execute(select(t.location.c.code, func.sum(M.c.delta))
                                .join(t.location, t.location.c.id == M.c.location_id)
                                .where(M.c.source.in_(["transfer", "sale"])).group_by(t.location.c.code)).all())
    assert sum(count for _loc, count, _sum in moved) == 2 * done["transfers"]  # a row at each end
    assert sum(total for _loc, _count, total in moved) == 0  # transfers create and lose nothing
    for loc in ("WH-1", "STORE-1"):  # the history adds up to the level
        assert start[loc] + net.get(loc, 0) == end[loc].on_hand


# -- reorder levels and low stock ---------------------------------------------------------------------------


def test_reorder_level_and_low_stock_list_say_how_many_to_order(store):
    line = set_reorder(store, sku="TSHIRT-M", location="STORE-1", reorder_level=12)
    assert (line.available, line.reorder_level, line.reorder_quantity, line.to_order) == (10, 12, None, 3)
    set_reorder(store, sku="CROISSANT", location="STORE-1", reorder_level=5, reorder_quantity=24)
    set_reorder(store, sku="TSHIRT-M", location="WH-1", reorder_level=10)  # 50 on hand: not low

    low = low_stock(store)
    assert [(i.sku, i.location, i.to_order) for i in low.items] == [("CROISSANT", "STORE-1", 24),
                                                                     ("TSHIRT-M", "STORE-1", 3)]
    assert low_stock(store, location="WH-1").items == []


def test_low_stock_counts_available_not_on_hand(store):
    set_reorder(store, sku="TSHIRT-M", location="WH-1", reorder_level=10)
    _hold(store, "TSHIRT-M", "WH-1", 40)  # 10 available of 50 on hand: at the level
    (line,) = low_stock(store, location="WH-1").items
    assert (line.on_hand, line.available, line.to_order) == (50, 10, 1)


def test_setting_a_reorder_level_again_replaces_it(store):
    set_reorder(store, sku="TSHIRT-M", location="STORE-1", reorder_level=12, reorder_quantity=6)
    line = set_reorder(store, sku="TSHIRT-M", location="STORE-1", reorder_level=2)
    assert (line.reorder_level, line.reorder_quantity, line.to_order) == (2, None, 0)
    assert low_stock(store).items == []


@pytest.mark.parametrize(("level", "quantity"), [(-1, None), (5, 0), (5, -2)])
def test_a_bad_reorder_rule_is_refused(store, level, quantity):
    with pytest.raises(InvalidInput):
        set_reorder(store, sku="TSHIRT-M", location="STORE-1", reorder_level=level, reorder_quantity=quantity)
    assert low_stock(store).items == []


# -- every sequence of transfers ----------------------------------------------------------------------------

LOCS = ("STORE-1", "WH-1")
_moves = st.lists(st.tuples(st.sampled_from(LOCS), st.sampled_from(LOCS), st.integers(-2, 70)), min_size=1,
                  max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=_moves)
def test_any_sequence_of_transfers_keeps_every_unit_and_every_reservation(store, moves):
    """Whatever is asked, a transfer happens exactly when the units are available at the source; the total
    on hand never changes, reserved units never move, and each level's history adds up to it."""
    if _level(store, "TSHIRT-M", "WH-1").reserved == 0:
        _hold(store, "TSHIRT-M", "WH-1", 7)  # once per database: held units that must stay put
    for src, dst, qty in moves:
        before = {loc: _level(store, "TSHIRT-M", loc) for loc in LOCS}
        try:
            transfer_stock(store, sku="TSHIRT-M", from_location=src, to_location=dst, quantity=qty)
            moved = True
        except (InsufficientStock, InvalidInput):
            moved = False
        assert moved == (src != dst and 0 < qty <= before[src].available)
        after = {loc: _level(store, "TSHIRT-M", loc) for loc in LOCS}
        assert sum(lv.on_hand for lv in after.values()) == sum(lv.on_hand for lv in before.values())
        assert {loc: lv.reserved for loc, lv in after.items()} == {loc: lv.reserved for loc, lv in before.items()}
        if moved:
            assert (after[src].on_hand, after[dst].on_hand) == (before[src].on_hand - qty, before[dst].on_hand + qty)
    for loc in LOCS:
        history = inventory.stock_history(store, sku="TSHIRT-M", location=loc, limit=None)
        assert sum(h.change for h in history) == _level(store, "TSHIRT-M", loc).on_hand
