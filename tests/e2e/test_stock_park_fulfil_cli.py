"""`pos stock transfer/reorder/low`, `pos order pick/fulfil`, `pos cart list --parked` and the till's
park/parked/resume, through the CLI (--json is checked against each command's published schema)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hostile import NAMES, stored
from pos.services import cart, orders

POS = str(Path(sys.executable).parent / "pos")


def ok(result):
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def as_json(result):
    return json.loads(ok(result).stdout)


def failed(result, code):
    assert result.exit_code == 1, result.stdout + result.stderr
    assert json.loads(result.stdout)["error"]["code"] == code


# -- stock ----------------------------------------------------------------------------------------------------


def test_stock_transfer_moves_units_and_shows_both_ends(store, cli):
    doc = as_json(cli("stock", "transfer", "TSHIRT-M", "WH-1", "STORE-1", "4", "--reason", "restock", "--json"))
    assert (doc["from"]["on_hand"], doc["to"]["on_hand"], doc["quantity"]) == (46, 14, 4)
    shown = ok(cli("stock", "transfer", "TSHIRT-M", "STORE-1", "WH-1", "1", "--reason", "Mug [/] 🍺"))
    assert "Transferred 1 x TSHIRT-M" in shown.stdout and "Mug [/] 🍺" in shown.stdout
    history = as_json(cli("stock", "history", "TSHIRT-M", "--json"))["history"]
    moved = [(h["location"], h["change"], h["reason"]) for h in history if h["source"] == "transfer"]
    assert sorted(moved[:2]) == [("STORE-1", -1, "Mug [/] 🍺"), ("WH-1", 1, "Mug [/] 🍺")]  # newest first
    assert sorted(moved[2:]) == [("STORE-1", 4, "restock"), ("WH-1", -4, "restock")]


@pytest.mark.parametrize(("args", "code"), [
    (("TSHIRT-M", "STORE-1", "WH-1", "11"), "insufficient_stock"),
    (("TSHIRT-M", "STORE-1", "WH-1", "-2"), "invalid_input"),
    (("TSHIRT-M", "STORE-1", "STORE-1", "1"), "invalid_input"),
    (("NOPE", "STORE-1", "WH-1", "1"), "not_found"),
])
def test_a_bad_transfer_fails_with_one_line_and_changes_nothing(store, cli, args, code):
    failed(cli("stock", "transfer", *args, "--json"), code)
    plain = cli("stock", "transfer", *args)
    assert plain.exit_code == 1 and plain.stderr.count("\n") == 1 and plain.stderr.startswith("error: ")
    levels = as_json(cli("stock", "check", "TSHIRT-M", "--json"))["levels"]
    assert {lv["location"]: lv["on_hand"] for lv in levels} == {"STORE-1": 10, "WH-1": 50}


def test_reorder_levels_and_the_low_stock_list_as_json_csv_and_table(store, cli):
    rule = as_json(cli("stock", "reorder", "TSHIRT-M", "STORE-1", "--level", "12", "--json"))
    assert (rule["reorder_level"], rule["reorder_quantity"], rule["to_order"]) == (12, None, 3)
    ok(cli("stock", "reorder", "CROISSANT", "STORE-1", "--level", "5", "--quantity", "24"))
    ok(cli("stock", "reorder", "TSHIRT-M", "WH-1", "--level", "5"))

    low = as_json(cli("stock", "low", "--json"))
    assert [(i["sku"], i["location"], i["to_order"]) for i in low["items"]] == [
        ("CROISSANT", "STORE-1", 24), ("TSHIRT-M", "STORE-1", 3)]
    rows = list(csv.DictReader(io.StringIO(ok(cli("stock", "low", "--location", "STORE-1", "--csv")).stdout)))
    assert [(r["sku"], r["available"], r["reorder_level"], r["reorder_quantity"], r["to_order"]) for r in rows] == [
        ("CROISSANT", "5", "5", "24", "24"), ("TSHIRT-M", "10", "12", "", "3")]
    table = ok(cli("stock", "low")).stdout
    assert "CROISSANT" in table and "T-shirt" in table and "auto" in table
    assert "nothing is at or below" in ok(cli("stock", "low", "--location", "WH-1")).stdout
    assert cli("stock", "low", "--json", "--csv").exit_code == 2
    failed(cli("stock", "reorder", "TSHIRT-M", "STORE-1", "--level", "-1", "--json"), "invalid_input")


def test_the_low_stock_csv_guards_text_a_spreadsheet_would_run(store, cli):
    from pos.services import catalog, inventory

    catalog.add_product(store, code="F", name="=SUM(A1:A9)")
    catalog.add_variant(store, sku="F-1", product="F", price="1")
    inventory.set_stock(store, sku="F-1", location="STORE-1", quantity=1)
    ok(cli("stock", "reorder", "F-1", "STORE-1", "--level", "3"))
    (row,) = csv.DictReader(io.StringIO(ok(cli("stock", "low", "--csv")).stdout))
    assert row["name"] == "'=SUM(A1:A9)"


# -- pick lists and fulfilment --------------------------------------------------------------------------------


def _delivery_order(db, ship_name="Ann Lee"):
    cid = cart.new_cart(db, location="STORE-1").id
    cart.add_item(db, cart_id=cid, code="CROISSANT")
    cart.add_item(db, cart_id=cid, code="TSHIRT-M", quantity=2, from_location="WH-1")
    return orders.checkout(db, cart_id=cid, processor="cash", params={"tendered": "100"},
                           shipping=orders.Shipping(ship_name, "1 Road, Town")).id


def test_pick_then_fulfil_completes_the_order(store, cli):
    first, second = _delivery_order(store), _delivery_order(store, ship_name="Bo")
    pick = as_json(cli("order", "pick", "--location", "WH-1", "--json"))
    assert [(p["order_id"], p["sku"], p["quantity"], p["ship_name"]) for p in pick["lines"]] == [
        (first, "TSHIRT-M", 2, "Ann Lee"), (second, "TSHIRT-M", 2, "Bo")]
    rows = list(csv.DictReader(io.StringIO(ok(cli("order", "pick", "--location", "WH-1", "--csv")).stdout)))
    assert [(int(r["order"]), r["quantity"], r["ship_address"]) for r in rows] == [
        (first, "2", "1 Road, Town"), (second, "2", "1 Road, Town")]

    done = as_json(cli("order", "fulfil", first, "--location", "WH-1", "--tracking", "DHL 123", "--json"))
    assert done["status"] == "completed" and done["order"]["status"] == "completed"
    assert [i["fulfilment"]["state"] for i in done["order"]["items"]] == ["at_sale", "shipped"]
    assert done["order"]["items"][1]["fulfilment"]["tracking"] == "DHL 123"
    shown = as_json(cli("order", "show", first, "--json"))
    assert shown["items"][1]["fulfilment"]["state"] == "shipped"
    assert [p["order_id"] for p in as_json(cli("order", "pick", "--location", "WH-1", "--json"))["lines"]] == [second]
    assert [o["id"] for o in as_json(cli("order", "list", "--status", "completed", "--json"))["orders"]] == [first]

    failed(cli("order", "fulfil", first, "--json"), "not_fulfillable")
    text = ok(cli("order", "fulfil", second, "--tracking", "UPS 9")).stdout
    assert "UPS 9" in text and "completed" in text
    assert "nothing to ship from WH-1" in ok(cli("order", "pick", "--location", "WH-1")).stdout


@pytest.mark.parametrize("tracking", NAMES)
def test_tracking_text_is_shown_verbatim_in_every_view(store, db_url, tracking):
    from typer.testing import CliRunner

    from pos.cli import app

    def wide(*args):  # a wide terminal: a 200-character text is not cut by rich
        return ok(CliRunner().invoke(app, ["--db", db_url, *map(str, args)], env={"COLUMNS": "5000"})).stdout

    order = _delivery_order(store)
    views = [wide("order", "fulfil", order, "--tracking", tracking), wide("order", "show", order),
             wide("receipt", order), wide("receipt", order, "--format", "text", "--width", "42")]
    as_text = stored(tracking)
    for view in views:  # wrapped on paper, but every character as typed
        assert _flat(as_text) in _flat(view)
    shown = json.loads(wide("order", "show", order, "--json"))
    assert shown["items"][1]["fulfilment"]["tracking"] == as_text


def _flat(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch not in "│")


# -- parked sales -----------------------------------------------------------------------------------------------


def run_till(db_url: str, script: str) -> subprocess.CompletedProcess:
    return subprocess.run([POS, "--db", db_url, "till", "--location", "STORE-1", "--new"],
                          input=script, capture_output=True, text=True, timeout=120)


def test_a_sale_parked_at_one_till_is_resumed_and_paid_at_another(store, cli):
    one = run_till(store.url, "2*TSHIRT-M\npark Mrs [bold]Lee[/bold] 🍺\nCROISSANT\nparked\npay cash 10\n")
    assert one.returncode == 0, one.stderr
    assert "parked; `resume 1` brings it back" in one.stdout
    assert "Mrs [bold]Lee[/bold] 🍺" in one.stdout  # the `parked` list shows the note as typed

    listed = as_json(cli("cart", "list", "--parked", "--json"))
    assert [(c["id"], c["park_note"]) for c in listed] == [(1, "Mrs [bold]Lee[/bold] 🍺")]
    assert "Mrs [bold]Lee[/bold] 🍺" in ok(cli("cart", "list", "--parked")).stdout

    two = run_till(store.url, "resume 1\npay cash 50\nresume 1\n")
    assert two.returncode == 0, two.stderr
    assert "resuming parked sale 1" in two.stdout and "paid" in two.stdout
    assert "sale 1 is" in two.stderr  # resuming it again: told, one line
    assert as_json(cli("cart", "list", "--parked", "--json")) == []
    assert sorted(o.cart_id for o in orders.list_orders(store)) == [1, 2]
