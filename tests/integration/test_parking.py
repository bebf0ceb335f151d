"""Parked sales: set aside at one till, listed, and resumed by exactly one till of the same store."""

from __future__ import annotations

import threading

import pytest

from pos.errors import CartClosed, EmptyCart, InvalidInput, NotParked
from pos.services import cart, catalog
from pos.services.db import Database
from pos.services.parking import parked_sales, resume_parked
from pos.services.till import TillSession


def test_park_sets_the_sale_aside_and_the_next_line_starts_a_new_sale(store):
    till = TillSession(store, location="STORE-1")
    first = till.handle("2*TSHIRT-M").sale.id
    parked = till.handle("park  Mrs Lee, back in 5 minutes ")
    assert parked.kind == "parked" and parked.sale.id == first
    assert parked.sale.park_note == "Mrs Lee, back in 5 minutes" and parked.sale.parked_at
    nxt = till.handle("CROISSANT").sale
    assert nxt.id != first and [i.sku for i in nxt.items] == ["CROISSANT"]

    listed = till.handle("parked")
    assert listed.kind == "parked_list"
    assert [(s.id, s.park_note, s.total) for s in listed.parked] == [(first, "Mrs Lee, back in 5 minutes",
                                                                      parked.sale.total)]


def test_another_till_of_the_store_resumes_a_parked_sale(store, fake_processor):
    one, two = TillSession(store, location="STORE-1"), TillSession(store, location="STORE-1")
    sale = one.handle("3*TSHIRT-M").sale.id
    one.handle("park")
    resumed = two.handle(f"resume {sale}")
    assert resumed.kind == "resumed" and resumed.sale.id == sale and resumed.sale.parked_at is None
    assert [i.quantity for i in resumed.sale.items] == [3]
    assert parked_sales(store, location="STORE-1") == []
    paid = two.handle("pay fake")
    assert paid.kind == "paid" and paid.order.cart_id == sale


def test_parked_sales_are_ordinary_open_carts_and_listed_as_parked(store):
    till = TillSession(store, location="STORE-1")
    sale = till.handle("TSHIRT-M").sale.id
    till.handle("park by the window")
    open_ids = [c.id for c in cart.list_carts(store)]
    assert sale in open_ids
    assert [(c.id, c.park_note) for c in cart.list_carts(store, parked=True)] == [(sale, "by the window")]
    cart.add_item(store, cart_id=sale, code="CROISSANT")  # `pos cart add` works on it as on any open cart
    assert len(cart.show_cart(store, cart_id=sale).items) == 2


def test_a_parked_sale_is_not_offered_as_the_stores_unfinished_sale(store):
    till = TillSession(store, location="STORE-1")
    till.handle("TSHIRT-M")
    till.handle("park")
    assert TillSession(store, location="STORE-1").open_sale() is None


def test_an_empty_sale_cannot_be_parked(store):
    till = TillSession(store, location="STORE-1")
    with pytest.raises(EmptyCart):
        till.handle("park")
    till.handle("TSHIRT-M")
    till.handle("cancel")
    with pytest.raises(EmptyCart):
        till.handle("park")


def test_resume_refuses_while_a_sale_is_in_progress_and_keeps_both(store):
    till = TillSession(store, location="STORE-1")
    sale = till.handle("TSHIRT-M").sale.id
    till.handle("park")
    now = till.handle("CROISSANT").sale.id
    with pytest.raises(InvalidInput, match=f"sale {now} is in progress"):
        till.handle(f"resume {sale}")
    assert [s.id for s in parked_sales(store, location="STORE-1")] == [sale]
    till.handle("park")
    assert till.handle(f"resume {sale}").sale.id == sale


def test_resume_refuses_a_sale_of_another_store_one_never_parked_and_a_paid_one(store, fake_processor):
    catalog.add_location(store, code="STORE-2", name="Second store", tax_rate="0")
    inv = TillSession(store, location="STORE-2")
    other = inv.handle("from STORE-1 TSHIRT-M").sale.id
    inv.handle("ship A / B")
    inv.handle("park")
    till = TillSession(store, location="STORE-1")
    with pytest.raises(InvalidInput, match="not a sale of STORE-1"):
        till.handle(f"resume {other}")
    live = TillSession(store, location="STORE-1")
    sale = live.handle("TSHIRT-M").sale.id
    with pytest.raises(NotParked):
        till.handle(f"resume {sale}")
    live.handle("pay fake")
    with pytest.raises(CartClosed):
        till.handle(f"resume {sale}")
    with pytest.raises(Exception, match="no sale 999"):
        till.handle("resume 999")


def test_hostile_park_notes_are_kept_verbatim_and_a_long_one_is_refused(store):
    from hostile import NAMES, stored

    till = TillSession(store, location="STORE-1")
    for name in NAMES:
        till.handle("TSHIRT-M")
        assert till.handle(f"park {name}").sale.park_note == stored(name)
    assert [s.park_note for s in parked_sales(store, location="STORE-1")] == [stored(n) for n in NAMES]
    till.handle("TSHIRT-M")
    with pytest.raises(InvalidInput, match="at most 200"):
        till.handle("park " + "n" * 201)


ROUNDS = 12


def _race(till, sale, barrier, got):
    barrier.wait()
    try:
        result = till.handle(f"resume {sale}")
        got.append("won" if result.sale.id == sale and till.cart_id == sale else "wrong")
    except NotParked as err:
        got.append("told" if f"sale {sale} is not parked" in err.message else err.message)
    except BaseException as exc:  # noqa: BLE001 - anything else fails the test
        got.append(repr(exc))


def test_two_tills_resuming_the_same_parked_sale_at_once_one_wins_the_other_is_told(store, db_url):
    """Each round, a sale is parked and two tills (own connections, own threads) resume it at the same
    moment: exactly one gets it, the other a clear NotParked, on either engine."""
    parker = TillSession(store, location="STORE-1")
    dbs = [Database(db_url), Database(db_url)]
    tills = [TillSession(db, location="STORE-1") for db in dbs]
    outcomes: list[list[str]] = []
    for _ in range(ROUNDS):
        parker.handle("TSHIRT-M")
        sale = parker.handle("park").sale.id
        for till in tills:
            till.cart_id = None  # each round, both tills start with an empty sale
        barrier = threading.Barrier(2)
        got: list[str] = []
        threads = [threading.Thread(target=_race, args=(till, sale, barrier, got)) for till in tills]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=60)
        outcomes.append(sorted(got))
        assert parked_sales(store, location="STORE-1") == []
    for db in dbs:
        db.dispose()
    assert outcomes == [["told", "won"]] * ROUNDS


def test_resume_parked_by_id_is_refused_after_it_is_taken(store):
    till = TillSession(store, location="STORE-1")
    sale = till.handle("TSHIRT-M").sale.id
    till.handle("park")
    resume_parked(store, cart_id=sale, location="STORE-1")
    with pytest.raises(NotParked):
        resume_parked(store, cart_id=sale, location="STORE-1")
