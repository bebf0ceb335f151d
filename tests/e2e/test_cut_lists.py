"""`pos order list` and `pos stock history` say when they are cut, and page through everything."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos.services import cart, inventory, orders


def _sell(store, n: int) -> None:
    for _ in range(n):
        c = cart.new_cart(store, location="STORE-1")
        cart.add_item(store, cart_id=c.id, code="CROISSANT", quantity=1)
        orders.checkout(store, cart_id=c.id, processor="cash", params={"tendered": "10"})


def _adjust(store, n: int) -> None:
    for i in range(n):
        inventory.adjust_stock(store, sku="TSHIRT-M", location="WH-1", delta=1, reason=f"delivery {i}")


@pytest.fixture
def sold(store):
    inventory.set_stock(store, sku="CROISSANT", location="STORE-1", quantity=100)
    _sell(store, 5)
    return store


def test_a_cut_order_list_says_so_on_stderr_and_in_json(cli, sold):
    human = cli("order", "list", "--limit", "2")
    assert human.exit_code == 0
    assert "showing 2 of 5 orders" in human.stderr and "--after 4" in human.stderr and "--all" in human.stderr
    assert "showing" not in human.stdout

    doc = json.loads(cli("order", "list", "--limit", "2", "--json").stdout)
    assert [o["id"] for o in doc["orders"]] == [5, 4]
    assert (doc["truncated"], doc["next_after"], doc["count"], doc["total"]) == (True, 4, 2, 5)


def test_a_whole_order_list_says_nothing_and_has_no_cursor(cli, sold):
    result = cli("order", "list", "--json")
    doc = json.loads(result.stdout)
    assert (doc["truncated"], doc["next_after"], doc["count"], doc["total"]) == (False, None, 5, 5)
    assert result.stderr == ""
    assert cli("order", "list", "--limit", "5").stderr == ""


def test_after_pages_through_every_order_newest_first_without_gaps_or_repeats(cli, sold):
    seen, after = [], None
    while True:
        args = ["order", "list", "--limit", "2", "--json"] + (["--after", str(after)] if after else [])
        doc = json.loads(cli(*args).stdout)
        seen += [o["id"] for o in doc["orders"]]
        if not doc["truncated"]:
            break
        after = doc["next_after"]
    assert seen == [5, 4, 3, 2, 1]


def test_all_lists_past_the_default_of_fifty_orders(cli, store):
    inventory.set_stock(store, sku="CROISSANT", location="STORE-1", quantity=100)
    _sell(store, 52)
    default = cli("order", "list", "--json")
    assert json.loads(default.stdout)["count"] == 50
    assert "showing 50 of 52 orders" in default.stderr
    everything = cli("order", "list", "--all", "--json")
    assert [o["id"] for o in json.loads(everything.stdout)["orders"]] == list(range(52, 0, -1))
    assert everything.stderr == ""


def test_after_keeps_the_status_filter(cli, sold):
    doc = json.loads(cli("order", "list", "--status", "processing", "--after", "3", "--json").stdout)
    assert [o["id"] for o in doc["orders"]] == [2, 1]


def test_a_cut_stock_history_says_so_and_pages_on(cli, store):
    _adjust(store, 3)  # plus the fixture's count of 50: four changes at WH-1
    cut = cli("stock", "history", "TSHIRT-M", "--location", "WH-1", "--limit", "3")
    assert "showing 3 of 4 changes" in cut.stderr
    doc = json.loads(cli("stock", "history", "TSHIRT-M", "--location", "WH-1", "--limit", "3", "--json").stdout)
    assert [h["reason"] for h in doc["history"]] == ["delivery 2", "delivery 1", "delivery 0"]
    assert doc["truncated"] is True
    rest = json.loads(cli("stock", "history", "TSHIRT-M", "--location", "WH-1", "--after", str(doc["next_after"]),
                          "--json").stdout)
    assert [h["change"] for h in rest["history"]] == [50] and rest["truncated"] is False


def test_stock_history_lists_past_its_default_of_a_hundred_with_all(cli, store):
    _adjust(store, 100)
    default = json.loads(cli("stock", "history", "TSHIRT-M", "--location", "WH-1", "--json").stdout)
    assert (default["count"], default["total"], default["truncated"]) == (100, 101, True)
    everything = json.loads(cli("stock", "history", "TSHIRT-M", "--location", "WH-1", "--all", "--json").stdout)
    assert everything["count"] == 101 and everything["history"][-1]["source"] == "set"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(min_value=1, max_value=7))
def test_paging_with_any_limit_returns_each_order_exactly_once(sold, limit):
    seen, after = [], None
    while True:
        page = orders.order_page(sold, limit=limit, after=after)
        assert page.count <= limit
        seen += [o.id for o in page.orders]
        if not page.truncated:
            break
        after = page.next_after
    assert seen == [5, 4, 3, 2, 1]
