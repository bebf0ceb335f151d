"""pos batch in windows (group commit): each line ends exactly as it would one order at a time."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from pos.services import auth, cart, clerks, inventory, orders, shifts
from pos.services.batch import run_batch
from pos.services.batch_lines import windows
from pos.services.db import Database

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


def order_line(ref, items, card=GOOD_CARD, **extra):
    return json.dumps({"ref": ref, "location": "STORE-1", "items": items,
                       "payment": {"processor": "card", "card": card}, **extra})


def levels(db):
    with db.read() as conn:
        return sorted(conn.execute(text(
            "SELECT v.sku, l.code, s.on_hand, s.reserved FROM stock_level s JOIN variant v ON v.id = s.variant_id "
            "JOIN location l ON l.id = s.location_id")).all())


def history(db):
    """Every stock movement in the order written: what a clerk reads in `pos stock history`."""
    with db.read() as conn:
        return conn.execute(text(
            "SELECT v.sku, l.code, m.delta, m.on_hand_after, m.source, m.source_ref FROM stock_movement m "
            "JOIN variant v ON v.id = m.variant_id JOIN location l ON l.id = m.location_id ORDER BY m.id")).all()


def outcomes(results):
    return [(r.line, r.ref, r.status, r.error.code if r.error else None, r.replayed) for r in results]


def test_a_refused_line_in_a_window_fails_alone_and_gives_back_what_it_had_reserved(store):
    lines = [
        order_line("W-1", [{"sku": "TSHIRT-M", "qty": 2}]),
        # The T-shirts would fit, the croissants do not: the T-shirts reserved first are given back.
        order_line("W-2", [{"sku": "TSHIRT-M", "qty": 3}, {"sku": "CROISSANT", "qty": 6}]),
        order_line("W-3", [{"sku": "NOPE", "qty": 1}]),
        order_line("W-4", [{"sku": "TSHIRT-M", "qty": 1}], card=DECLINED_CARD),
        order_line("W-5", [{"sku": "TSHIRT-M", "qty": 8}]),
    ]
    results = list(run_batch(store, lines, window_orders=10))
    assert outcomes(results) == [
        (1, "W-1", "processing", None, False),
        (2, "W-2", "error", "insufficient_stock", False),
        (3, "W-3", "error", "not_found", False),
        (4, "W-4", "payment_failed", "payment_declined", False),
        (5, "W-5", "processing", None, False),  # the declined W-4's unit came back before W-5 was refused
    ]
    assert "not enough CROISSANT at STORE-1: 5 available, 6 wanted" in results[1].error.message
    assert levels(store) == [("CROISSANT", "STORE-1", 5, 0), ("TSHIRT-M", "STORE-1", 0, 0),
                             ("TSHIRT-M", "WH-1", 50, 0)]


def test_a_window_taking_one_level_for_several_orders_writes_each_sale_its_own_history_row(store):
    """The window takes its stock one UPDATE per level; the history still reads as sale after sale."""
    lines = [order_line(f"H-{i}", [{"sku": "TSHIRT-M", "qty": i}, {"sku": "CROISSANT", "qty": 1}]) for i in (1, 2, 3)]
    results = list(run_batch(store, lines, window_orders=10))
    assert [r.status for r in results] == ["processing"] * 3
    sales = [row[:5] for row in history(store) if row[4] == "sale"]
    assert sales == [
        ("TSHIRT-M", "STORE-1", -1, 9, "sale"), ("CROISSANT", "STORE-1", -1, 4, "sale"),
        ("TSHIRT-M", "STORE-1", -2, 7, "sale"), ("CROISSANT", "STORE-1", -1, 3, "sale"),
        ("TSHIRT-M", "STORE-1", -3, 4, "sale"), ("CROISSANT", "STORE-1", -1, 2, "sale"),
    ]
    refs = [row[5] for row in history(store) if row[4] == "sale"]
    assert refs == [f"order {r.order_id}" for r in results for _ in range(2)]
    assert levels(store) == [("CROISSANT", "STORE-1", 2, 0), ("TSHIRT-M", "STORE-1", 4, 0), ("TSHIRT-M", "WH-1", 50, 0)]


def test_the_same_ref_twice_in_one_window_replays_the_first(store):
    line = order_line("SAME", [{"sku": "TSHIRT-M", "qty": 1}])
    first, second = run_batch(store, [line, line], window_orders=10)
    assert (first.status, first.replayed) == ("processing", False)
    assert (second.order_id, second.status, second.replayed) == (first.order_id, "processing", True)
    assert levels(store)[1] == ("TSHIRT-M", "STORE-1", 9, 0)


def test_a_return_in_a_window_sees_the_order_placed_above_it(store):
    sold = order_line("S-1", [{"sku": "TSHIRT-M", "qty": 2}])
    [placed] = run_batch(store, [sold])
    back = json.dumps({"ref": "R-1", "return": {"order": placed.order_id + 1,
                                                 "items": [{"sku": "TSHIRT-M", "qty": 1}], "restock": True}})
    results = list(run_batch(store, [order_line("S-2", [{"sku": "TSHIRT-M", "qty": 2}]), back,
                                     order_line("S-3", [{"sku": "TSHIRT-M", "qty": 1}])], window_orders=10))
    assert [(r.ref, r.error) for r in results] == [("S-2", None), ("R-1", None), ("S-3", None)]
    assert results[1].order_id == results[0].order_id
    assert levels(store)[1] == ("TSHIRT-M", "STORE-1", 10 - 2 - 2 + 1 - 1, 0)


def _rows(db, query, **params):
    with db.read() as conn:
        return [dict(r) for r in conn.execute(text(query), params).mappings()]


def test_a_batch_order_records_what_a_checkout_records(store):
    """Clerk, drawer shift, audit row, prices and discount columns, stock history: the same rows as `pos
    checkout` writes for the same sale, apart from ids, keys and times."""
    clerks.add_clerk(store, name="Boss", role="manager", pin="73915284")
    boss = clerks.sign_in(store, "Boss", "73915284")
    items = [{"sku": "TSHIRT-M", "qty": 2}, {"sku": "CROISSANT", "qty": 1}, {"sku": "TSHIRT-M", "qty": 1, "from": "WH-1"},
             {"sku": "TSHIRT-M", "qty": 1}]
    ship = {"name": "Ada \u202e Lovelace 🧮", "address": "[bold]1 Analytical Way[/bold]"}
    with auth.acting(boss):
        shifts.open_shift(store, location="STORE-1", float_amount="100.00")
        cart_id = cart.new_cart(store, location="STORE-1").id
        for item in items:
            cart.add_item(store, cart_id=cart_id, code=item["sku"], quantity=item["qty"], from_location=item.get("from"))
        by_hand = orders.checkout(store, cart_id=cart_id, processor="card", params={"card": GOOD_CARD},
                                  shipping=orders.Shipping(ship["name"], ship["address"]))
        [batched] = run_batch(store, [order_line("B-1", items, shipping=ship)])
    assert batched.status == "processing"
    ids = {"hand": by_hand.id, "batch": batched.order_id}

    def order_rows(order_id):
        return {
            "order": _rows(store, "SELECT status, location_id, currency, subtotal, tax, total, tax_rate, ship_name, "
                           "ship_address, clerk_id, approver_id, discount, discount_percent, discount_reason "
                           "FROM orders WHERE id = :id", id=order_id),
            "items": _rows(store, "SELECT variant_id, location_id, sku, name, quantity, unit_price, line_total, "
                           "list_price, price_reason, discount, discount_percent, discount_reason, order_discount "
                           "FROM order_item WHERE order_id = :id ORDER BY id", id=order_id),
            "payment": _rows(store, "SELECT part, processor, status, amount, currency, brand, last4, tendered, "
                             "change_due, reason, clerk_id, shift_id, completes FROM payment WHERE order_id = :id", id=order_id),
            "history": _rows(store, "SELECT variant_id, location_id, delta, reason, source, clerk_id, approver_id "
                             "FROM stock_movement WHERE source_ref = :ref ORDER BY id", ref=f"order {order_id}"),
            "audit": _rows(store, "SELECT action, clerk_id, clerk_name, approver_id, location_id, amount, detail "
                           "FROM audit_log WHERE order_id = :id", id=order_id),
            "cart": _rows(store, "SELECT c.status, c.location_id FROM cart c JOIN orders o ON o.cart_id = c.id "
                          "WHERE o.id = :id", id=order_id),
        }

    hand, batch = order_rows(ids["hand"]), order_rows(ids["batch"])
    assert batch == hand
    assert batch["payment"][0]["shift_id"] is not None and batch["order"][0]["clerk_id"] is not None
    assert len(batch["items"]) == 3 and len(batch["audit"]) == 1
    shown = orders.show_order(store, order_id=ids["batch"])
    assert (shown.shipping.name, shown.shipping.address) == (ship["name"], ship["address"])  # verbatim


def test_windows_close_after_n_lines_or_t_milliseconds():
    def trickle():
        yield "a\n"
        yield "  \n"  # blank lines are skipped, but keep their numbers
        yield "b\n"
        time.sleep(0.4)
        yield "c\n"
        yield from (f"{i}\n" for i in range(5))

    cut = [[n for n, _ in w] for w in windows(trickle(), size=3, wait_ms=100)]
    assert cut == [[1, 3], [4, 5, 6], [7, 8, 9]]
    assert [[n for n, _ in w] for w in windows(["x", "y", "z"], size=2, wait_ms=0)] == [[1, 2], [3]]


def test_a_file_on_disk_is_cut_by_size_alone_and_a_pipe_by_time_too(tmp_path):
    """Every line of a file on disk is there already: no window waits for the clock or a reader thread. A
    pipe may trickle, so its windows also close on time."""
    import os
    import threading

    path = tmp_path / "orders.jsonl"
    path.write_text("".join(f"{i}\n" for i in range(7)))
    with open(path) as fh:
        before = threading.active_count()
        cut = windows(fh, size=3, wait_ms=0)
        first = next(cut)
        assert threading.active_count() == before  # no reader thread for a file
        assert [[n for n, _ in w] for w in [first, *cut]] == [[1, 2, 3], [4, 5, 6], [7]]
    read_end, write_end = os.pipe()
    os.write(write_end, b"a\n")
    with open(read_end) as pipe:
        cut = windows(pipe, size=3, wait_ms=50)
        assert [n for n, _ in next(cut)] == [1]  # closed on time, the pipe still open
        os.close(write_end)
        assert list(cut) == []


# -- for every input: a window ends each line as one order at a time would ---------------------------------


def _small_store(folder: Path, name: str) -> Database:
    from pos.services import catalog
    from pos.services.settings import init_store

    db = Database(f"sqlite:///{folder / name}")
    init_store(db, currency="USD")
    catalog.add_location(db, code="STORE-1", name="Store", tax_rate="8.25")
    catalog.add_location(db, code="WH-1", name="Warehouse", tax_rate="0")
    catalog.add_product(db, code="TSHIRT", name="T-shirt")
    catalog.add_variant(db, sku="TSHIRT-M", product="TSHIRT", price="19.99", name="Medium")
    catalog.add_product(db, code="CROISSANT", name="Croissant")
    catalog.add_variant(db, sku="CROISSANT", product="CROISSANT", price="3.25", deliverable=False)
    inventory.set_stock(db, sku="TSHIRT-M", location="STORE-1", quantity=6)
    inventory.set_stock(db, sku="TSHIRT-M", location="WH-1", quantity=3)
    inventory.set_stock(db, sku="CROISSANT", location="STORE-1", quantity=4)
    return db


items_st = st.lists(st.fixed_dictionaries({
    "sku": st.sampled_from(["TSHIRT-M", "CROISSANT", "NOPE"]),
    "qty": st.integers(1, 4),
    "from": st.sampled_from([None, None, "WH-1"]),
}), min_size=1, max_size=3)
lines_st = st.lists(st.tuples(st.sampled_from(["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"]), items_st,
                              st.sampled_from([GOOD_CARD, GOOD_CARD, DECLINED_CARD])), min_size=1, max_size=10)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=lines_st, size=st.integers(2, 6))
def test_any_file_ends_the_same_in_windows_as_one_order_at_a_time(lines, size):
    text_lines = []
    for ref, items, card in lines:
        clean = [{k: v for k, v in item.items() if v is not None} for item in items]
        shipping = {"shipping": {"name": "A", "address": "B"}} if any("from" in i for i in clean) else {}
        text_lines.append(order_line(ref, clean, card=card, **shipping))
    with tempfile.TemporaryDirectory() as tmp:
        one, grouped = _small_store(Path(tmp), "one.db"), _small_store(Path(tmp), "grouped.db")
        try:
            alone = outcomes(run_batch(one, text_lines, window_orders=1))
            together = outcomes(run_batch(grouped, text_lines, window_orders=size))
            assert together == alone
            assert levels(grouped) == levels(one)
            assert history(grouped) == history(one)  # each sale's row, with the on-hand its own sale left
            assert all(reserved == 0 for *_, reserved in levels(grouped))
        finally:
            one.dispose()
            grouped.dispose()


# -- a reconcile that settles a window's order while its processor is still answering -----------------------


def _settled_while_charging(store, settle_as: str):
    """A processor that approves, but first has the order settled as `settle_as` by another transaction,
    as `pos order reconcile` settles it (pos.services.orders.settle), while the charge is under way."""
    from fakes import FakeProcessor, install

    from pos.plugin import PaymentResult
    from pos.services.orders import settle

    def answer(request):
        with store.write() as conn:
            settle(conn, order_id=request.order_id, payment_status=settle_as,
                   result=PaymentResult(settle_as == "approved", reason="settled by reconcile"))
        return PaymentResult(True, reference=f"fake-{request.order_id}")

    return install(FakeProcessor("fake", answer))


def _fake_line(ref, qty):
    return json.dumps({"ref": ref, "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "qty": qty}],
                       "payment": {"processor": "fake"}})


def _statuses(store):
    with store.read() as conn:
        return conn.execute(text("SELECT o.status, p.status FROM orders o JOIN payment p ON p.order_id = o.id "
                                 "ORDER BY o.id")).all()


def test_an_order_failed_by_a_reconcile_while_its_card_was_approved_is_a_settle_conflict_alone(store):
    _settled_while_charging(store, "failed")
    lines = [order_line("RC-1", [{"sku": "TSHIRT-M", "qty": 1}]), _fake_line("RC-2", 2),
             order_line("RC-3", [{"sku": "TSHIRT-M", "qty": 3}])]
    first, second, third = run_batch(store, lines, window_orders=10)
    assert (second.status, second.error.code) == ("payment_failed", "settle_conflict")
    assert "check the payment with the processor" in second.error.message
    assert [(r.status, r.error) for r in (first, third)] == [("processing", None)] * 2  # the window goes on
    assert _statuses(store) == [("processing", "approved"), ("payment_failed", "failed"), ("processing", "approved")]
    # The reconcile gave back RC-2's two units; the window took RC-1's and RC-3's: 10 - 1 - 3.
    assert levels(store)[1] == ("TSHIRT-M", "STORE-1", 6, 0)


def test_an_order_a_reconcile_settled_as_the_processor_answered_is_reported_as_settled(store):
    _settled_while_charging(store, "approved")
    first, second = run_batch(store, [_fake_line("RC-4", 2), order_line("RC-5", [{"sku": "TSHIRT-M", "qty": 1}])],
                              window_orders=10)
    assert [(r.status, r.error) for r in (first, second)] == [("processing", None)] * 2
    assert levels(store)[1] == ("TSHIRT-M", "STORE-1", 7, 0)  # RC-4's two taken once (by the reconcile)
    with store.read() as conn:
        sales = conn.execute(text("SELECT delta FROM stock_movement WHERE source = 'sale' ORDER BY id")).scalars().all()
    assert sales == [-2, -1]


# -- text no database can keep: a line fails alone, with a one-line reason -----------------------------------


@pytest.mark.parametrize("line", [
    '{"ref": "\\ud800", "location": "STORE-1", "items": [{"sku": "TSHIRT-M"}], "payment": {"processor": "cash"}}',
    '{"ref": "N-1", "location": "STORE-1", "items": [{"sku": "TSHIRT-M\\u0000"}], "payment": {"processor": "cash"}}',
    '{"ref": "N-2", "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "from": "WH-1"}], '
    '"payment": {"processor": "card", "card": "4242424242424242"}, "shipping": {"name": "A\\udc80", "address": "B"}}',
    '{"ref": "N-3", "return": {"order": 1, "all": true, "reason": "bad\\u0000box"}}',
    '{"ref": "N-4\\udfff", "cancel": {"order": 1}}',
])
def test_a_nul_or_half_a_surrogate_pair_fails_its_own_line_and_nothing_else(store, line):
    first = order_line("OK-1", [{"sku": "TSHIRT-M", "qty": 1}])
    last = order_line("OK-2", [{"sku": "TSHIRT-M", "qty": 1}])
    results = list(run_batch(store, [first, line, last], window_orders=10,
                             approval=lambda: auth.current()))
    assert [r.error for r in (results[0], results[2])] == [None, None]
    assert results[1].error.code == "invalid_input"
    assert "NUL" in results[1].error.message or "surrogate" in results[1].error.message
    (results[1].ref or "").encode("utf-8")  # the line's ref as it is reported is text, whatever it held
    assert levels(store)[1] == ("TSHIRT-M", "STORE-1", 8, 0)  # the two good orders, and nothing else
