"""pos batch: every line through the checkout flow, idempotent by ref."""

from __future__ import annotations

import json

import pytest

from pos.errors import IdempotencyConflict, InvalidInput
from pos.services import inventory, orders
from pos.services.batch import parse_request, place_order, run_batch

GOOD_CARD = "4242424242424242"


def line(ref, qty=1, sku="TSHIRT-M", card=GOOD_CARD, **extra):
    doc = {"ref": ref, "location": "STORE-1", "items": [{"sku": sku, "qty": qty}],
           "payment": {"processor": "card", "card": card}, **extra}
    return json.dumps(doc)


def on_hand(store, location="STORE-1"):
    return inventory.check_stock(store, sku="TSHIRT-M", location=location).levels[0].on_hand


def test_each_line_reports_its_own_outcome_and_bad_lines_do_not_stop_the_rest(store):
    lines = [
        line("A-1", qty=2),
        "{not json",
        line("A-2", sku="NOPE"),
        line("A-3", card="4000000000000002"),
        line("A-4", qty=99),
        json.dumps({"ref": "A-5", "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "qty": 1, "from": "WH-1"}],
                    "payment": {"processor": "cash", "tendered": "30"},
                    "shipping": {"name": "Ann", "address": "1 Road"}}),
    ]
    results = [r.plain() for r in run_batch(store, lines)]
    assert [(r["line"], r["ref"], r["status"], (r["error"] or {}).get("code")) for r in results] == [
        (1, "A-1", "processing", None),
        (2, None, "error", "invalid_input"),
        (3, "A-2", "error", "not_found"),
        (4, "A-3", "payment_failed", "payment_declined"),
        (5, "A-4", "error", "insufficient_stock"),
        (6, "A-5", "processing", None),
    ]
    assert on_hand(store) == 8 and on_hand(store, "WH-1") == 49
    shipped = orders.show_order(store, order_id=results[5]["order_id"])
    assert shipped.plain()["shipping"] == {"name": "Ann", "address": "1 Road"}
    assert shipped.items[0].location == "WH-1"


def test_running_the_same_file_twice_changes_nothing_the_second_time(store):
    lines = [line("B-1", qty=2), line("B-2", card="4000000000009995"), line("B-3", qty=1)]
    first = [r.plain() for r in run_batch(store, lines)]
    stock_after_first = on_hand(store)
    orders_after_first = orders.list_orders(store)
    second = [r.plain() for r in run_batch(store, lines)]
    assert on_hand(store) == stock_after_first == 7
    assert orders.list_orders(store) == orders_after_first
    assert [(r["order_id"], r["status"]) for r in second] == [(r["order_id"], r["status"]) for r in first]
    assert all(r["replayed"] for r in second)
    assert second[1]["error"]["code"] == "payment_declined"


def test_a_ref_reused_for_a_different_order_is_an_idempotency_conflict(store):
    place_order(store, parse_request(line("C-1", qty=1)))
    with pytest.raises(IdempotencyConflict):
        place_order(store, parse_request(line("C-1", qty=2)))
    with pytest.raises(IdempotencyConflict):
        place_order(store, parse_request(line("C-1", qty=1, card="5555555555554444")))
    assert on_hand(store) == 9


def test_stop_on_error_stops_at_the_first_failed_line(store):
    results = list(run_batch(store, [line("D-1"), line("D-2", sku="NOPE"), line("D-3")], stop_on_error=True))
    assert [r.ref for r in results] == ["D-1", "D-2"]
    assert on_hand(store) == 9


@pytest.mark.parametrize(("doc", "message"), [
    ({"location": "STORE-1", "items": [{"sku": "X"}], "payment": {"processor": "cash"}}, "ref is required"),
    ({"ref": "x", "location": "STORE-1", "items": [], "payment": {"processor": "cash"}}, "items must be"),
    ({"ref": "x", "location": "STORE-1", "items": [{"sku": "X", "qty": -1}], "payment": {"processor": "cash"}},
     "qty must be a whole number above 0"),
    ({"ref": "x", "location": "STORE-1", "items": [{"sku": "X", "qty": 1.5}], "payment": {"processor": "cash"}},
     "qty must be a whole number above 0"),
    ({"ref": "x", "location": "STORE-1", "items": [{"sku": "X"}]}, "payment.processor is required"),
    ([1, 2], "must be a JSON object"),
])
def test_malformed_lines_say_what_is_wrong(doc, message):
    with pytest.raises(InvalidInput) as caught:
        parse_request(json.dumps(doc))
    assert message in caught.value.message


def test_a_declined_batch_order_leaves_no_open_cart_for_a_till_to_resume(store):
    from pos.services import cart

    [result] = list(run_batch(store, [line("E-1", card="4000000000000002")]))
    assert result.status == "payment_failed"
    assert cart.list_carts(store, status="open") == []
    assert on_hand(store) == 10


def test_batch_processes_sending_the_same_ref_at_once_make_one_order(store, db_url):
    """Two batch runs (each its own connections) given the same line: on PostgreSQL the one that loses the
    race to insert the ref meets the unique key, and must replay the winner's order, not crash."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from pos.services.db import Database

    tills = 4
    for round_ in range(5):
        start = Barrier(tills)
        ref = f"SAME-{round_}"

        def till(_, ref=ref, start=start):
            own = Database(db_url)
            try:
                start.wait()
                order, replayed = place_order(own, parse_request(line(ref)))
                return order.id, replayed
            finally:
                own.dispose()

        with ThreadPoolExecutor(max_workers=tills) as pool:
            outcomes = list(pool.map(till, range(tills)))
        assert len({order_id for order_id, _ in outcomes}) == 1, outcomes
        assert sorted(replayed for _, replayed in outcomes) == [False] + [True] * (tills - 1)
    assert on_hand(store) == 10 - 5  # one unit per ref, never two
