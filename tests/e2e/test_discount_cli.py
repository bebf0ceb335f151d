"""`pos cart discount`, `pos cart price`, `pos location ... --max-discount` and the till's `disc`/`price`,
through the CLI on SQLite and PostgreSQL: what was taken off and why, in every view and receipt."""

from __future__ import annotations

import csv
import json

import pytest
from hostile import NAMES, stored
from rich.cells import cell_len
from typer.testing import CliRunner

from pos.cli import app
from pos.services import inventory
from schemas import check_json_output


@pytest.fixture
def pos(store):
    """`pos --db <the store> ...` on a terminal wide enough that rich wraps nothing."""

    def run(*args: object, input: str | None = None, code: int = 0):
        result = CliRunner().invoke(app, ["--db", store.url, *map(str, args)], input=input, env={"COLUMNS": "5000"})
        check_json_output([str(a) for a in args], result.stdout)  # --json output matches its published schema
        assert result.exit_code == code, (args, result.output)
        return result

    inventory.set_stock(store, sku="TSHIRT-M", location="STORE-1", quantity=200)
    inventory.set_stock(store, sku="CROISSANT", location="STORE-1", quantity=200)
    return run


def _cart(pos) -> int:
    cart = json.loads(pos("cart", "new", "--location", "STORE-1", "--json").stdout)["id"]
    pos("cart", "add", cart, "TSHIRT-M", "--qty", "3")
    pos("cart", "add", cart, "CROISSANT", "--qty", "2")
    return cart


def test_discounts_and_a_price_change_reach_the_order_and_its_receipt(pos):
    cart = _cart(pos)
    line = json.loads(pos("cart", "discount", cart, "--sku", "TSHIRT-M", "--percent", "10", "--reason", "loyal",
                          "--json").stdout)
    assert line["items"][0]["discount"] == 600 and line["subtotal"] == 5397 + 650
    priced = json.loads(pos("cart", "price", cart, "CROISSANT", "2.75", "--reason", "day old", "--json").stdout)
    assert (priced["items"][1]["unit_price"], priced["items"][1]["list_price"]) == (275, 325)
    whole = json.loads(pos("cart", "discount", cart, "--amount", "5.00", "--reason", "wait", "--json").stdout)
    assert whole["discount"] == 500 and whole["subtotal"] == 5397 + 550 - 500
    order = json.loads(pos("checkout", cart, "--pay", "cash", "--tendered", "100", "--json").stdout)
    assert order["subtotal"] == 5447 and order["total"] == 5447 + order["tax"]
    assert [i["order_discount"] for i in order["items"]] == [454, 46]  # 500 x 5397 / 5947, half-up; the rest
    assert [i["net_total"] for i in order["items"]] == [5397 - 454, 550 - 46]
    receipt = pos("receipt", order["id"], "--format", "text").stdout
    for shown in ("discount 10%: loyal", "-6.00", "price changed from 3.25: day old", "Discount: wait", "-5.00"):
        assert shown in receipt
    exported = list(csv.DictReader(pos("export", "orders").stdout.splitlines()))
    assert [(r["list_price"], r["unit_price"], r["discount"], r["order_discount"], r["net_total"]) for r in exported] \
        == [("19.99", "19.99", "6.00", "4.54", "49.43"), ("3.25", "2.75", "0.00", "0.46", "5.04")]
    back = json.loads(pos("return", order["id"], "CROISSANT=1", "--json").stdout)
    assert back["amount"] - back["tax"] == 252  # half of what the croissants were paid (5.04), never 3.25


def test_a_cleared_discount_is_gone_from_the_cart(pos):
    cart = _cart(pos)
    pos("cart", "discount", cart, "--percent", "10", "--reason", "staff")
    doc = json.loads(pos("cart", "discount", cart, "--clear", "--json").stdout)
    assert doc["discount"] == 0 and doc["discount_reason"] is None
    assert "staff" not in pos("cart", "show", cart).stdout


@pytest.mark.parametrize(("args", "message"), [
    (("--percent", "10"), "needs a reason"),
    (("--percent", "10", "--amount", "1", "--reason", "x"), "one of them"),
    (("--clear", "--percent", "10"), "--clear takes no"),
    (("--percent", "ten", "--reason", "x"), "decimal amount"),
    (("--sku", "NOPE", "--percent", "10", "--reason", "x"), "NOPE"),
])
def test_a_bad_discount_exits_1_with_one_line_and_changes_nothing(pos, args, message):
    cart = _cart(pos)
    result = pos("cart", "discount", cart, *args, code=1)
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert json.loads(pos("cart", "show", cart, "--json").stdout)["subtotal"] == 5997 + 650


def test_the_discount_limit_is_set_and_shown(pos):
    assert json.loads(pos("location", "update", "STORE-1", "--max-discount", "20", "--json").stdout)["max_discount"] == "20"
    assert json.loads(pos("location", "add", "S-9", "--name", "Nine", "--max-discount", "7.5", "--json").stdout)[
        "max_discount"] == "7.5"
    listed = pos("location", "list").stdout
    assert "Max discount %" in listed and "20" in listed and "7.5" in listed
    assert "discount limit" in pos("location", "update", "STORE-1", "--max-discount", "-1", code=1).stderr


def test_the_till_takes_discounts_and_price_changes(pos):
    done = pos("till", "--location", "STORE-1", "--new", input=(
        "2*TSHIRT-M\nCROISSANT\ndisc TSHIRT-M 50% / half off\nprice CROISSANT 3.00 / day old\n"
        "disc 1.00 / wait\ndisc 10%\npay cash 100\n"))
    assert "discount 50%: half off" in done.stdout and "price changed from 3.25: day old" in done.stdout
    assert "Discount: wait" in done.stdout and "paid. New sale." in done.stdout
    assert "say why after a slash" in done.stderr


def test_every_reason_is_shown_as_typed_in_the_cart_the_order_every_receipt_and_the_till(pos):
    for name in NAMES:
        shown = stored(name)
        cart = _cart(pos)
        pos("cart", "discount", cart, "--sku", "TSHIRT-M", "--percent", "10", "--reason", name)
        pos("cart", "price", cart, "CROISSANT", "3.00", "--reason", name)
        doc = json.loads(pos("cart", "discount", cart, "--percent", "5", "--reason", name, "--json").stdout)
        assert doc["discount_reason"] == doc["items"][0]["discount_reason"] == doc["items"][1]["price_reason"] == shown
        assert pos("cart", "show", cart).stdout.count(shown) == 3
        order = json.loads(pos("checkout", cart, "--pay", "cash", "--tendered", "100", "--json").stdout)
        assert (order["discount_reason"], order["items"][0]["discount_reason"], order["items"][1]["price_reason"]) \
            == (shown, shown, shown)
        for view in (pos("order", "show", order["id"]).stdout, pos("receipt", order["id"], "--format", "rich").stdout):
            assert view.count(shown) == 3
        for width in (32, 42, 48):
            text = pos("receipt", order["id"], "--format", "text", "--width", width).stdout
            assert max(cell_len(line) for line in text.splitlines()) <= width, text
            assert "".join(text.split()).count("".join(shown.split())) >= 3  # wrapped, but every character is there
        till = pos("till", "--location", "STORE-1", "--new", input=f"TSHIRT-M\ndisc 10% / {name}\npay cash 100\n")
        assert shown in till.stdout
