"""pos shift, as a shop uses it: open, sell, return, cash in and out, the X and Z reports on screen, on
roll paper and on a printer; clerks named in them; hostile reasons shown as typed (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from hostile import NAMES
from typer.testing import CliRunner

from pos.cli import app
from pos.textcells import cell_len
from schemas import check_json_output

CARD = "4242424242424242"
BOSS_PIN, ANN_PIN = "73915284", "60418273"


def _sell(cli, sku, qty, *pay, register=None):
    cart_id = json.loads(cli("cart", "new", "--location", "STORE-1", "--json").stdout)["id"]
    assert cli("cart", "add", cart_id, sku, "--qty", qty).exit_code == 0
    more = ("--register", register) if register else ()
    done = cli("checkout", cart_id, *(pay or ("--pay", "card", "--card", CARD)), *more, "--json")
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def test_a_day_at_the_drawer_ends_in_a_z_report_that_adds_up(cli, store):
    opened = cli("shift", "open", "--location", "STORE-1", "--float", "150.00", "--json")
    assert opened.exit_code == 0, opened.output
    cash = _sell(cli, "TSHIRT-M", 2, "--pay", "cash", "--tendered", "50")  # 39.98 + 3.30 tax = 43.28
    _sell(cli, "CROISSANT", 2)  # 6.50 + 0.54 = 7.04
    back = cli("return", cash["id"], "TSHIRT-M=1", "--refund-to", "cash", "--json")  # 21.64 out of the drawer
    assert back.exit_code == 0, back.output
    assert cli("shift", "cash-in", "20.00", "--reason", "change", "--json").exit_code == 0
    assert cli("shift", "cash-out", "10.00", "--reason", "bank drop", "--json").exit_code == 0
    x = json.loads(cli("shift", "x", "--json").stdout)
    closed = cli("shift", "close", "--counted", "181.00", "--json")
    assert closed.exit_code == 0, closed.output
    z = json.loads(closed.stdout)

    expected = 15000 + 4328 - 2164 + 2000 - 1000
    assert (x["status"], x["counted"], x["over_short"], x["expected_cash"]) == ("open", None, None, expected)
    assert z["id"] == json.loads(opened.stdout)["id"] and z["status"] == "closed"
    assert (z["sales_count"], z["gross"], z["refunds"], z["net"], z["tax"]) == (
        2, 4328 + 704, 2164, 4328 + 704 - 2164, 330 + 54 - 165)
    assert z["by_tender"] == [{"method": "card", "count": 1, "amount": 704},
                              {"method": "cash", "count": 1, "amount": 4328 - 2164}]
    assert (z["cash_in"], z["cash_out"], z["expected_cash"], z["counted"], z["over_short"]) == (
        2000, 1000, expected, 18100, 18100 - expected)
    assert z["float"] == 15000 and z["register"] == "main" and z["location"] == "STORE-1"
    assert z["by_clerk"] == [{"clerk": None, "count": 2, "amount": 4328 + 704 - 2164}]

    again = cli("shift", "close", "--counted", "181.00")
    assert (again.exit_code, again.stdout) == (1, "")
    assert "no shift is open" in again.stderr
    shown = json.loads(cli("shift", "show", z["id"], "--json").stdout)
    assert shown == z
    listed = json.loads(cli("shift", "list", "--json").stdout)
    assert [(s["id"], s["status"], s["over_short"]) for s in listed["shifts"]] == [(z["id"], "closed", z["over_short"])]
    screen = cli("shift", "show", z["id"]).stdout
    assert "Z report: shift" in screen and "Over/short" in screen and "-0.64" in screen  # 181.00 counted, 181.64 expected
    assert "Sales by hour" not in screen  # the chart is drawn only on a terminal


def test_cash_is_refused_with_no_open_shift_but_cards_are_taken(cli, store):
    assert cli("shift", "open", "--location", "STORE-1", "--float", "0").exit_code == 0
    assert cli("shift", "close", "--counted", "0").exit_code == 0
    cart_id = json.loads(cli("cart", "new", "--location", "STORE-1", "--json").stdout)["id"]
    cli("cart", "add", cart_id, "CROISSANT")
    refused = cli("checkout", cart_id, "--pay", "cash", "--tendered", "10", "--json")
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["error"]["code"] == "no_open_shift"
    assert json.loads(cli("order", "list", "--json").stdout)["orders"] == []  # nothing was recorded
    assert cli("checkout", cart_id, "--pay", "card", "--card", CARD).exit_code == 0


def test_two_registers_need_the_register_named(cli, store):
    for name, amount in (("front", "100"), ("back", "50")):
        assert cli("shift", "open", "--location", "STORE-1", "--register", name, "--float", amount).exit_code == 0
    twice = cli("shift", "open", "--location", "STORE-1", "--register", "front", "--float", "1", "--json")
    assert (twice.exit_code, json.loads(twice.stdout)["error"]["code"]) == (1, "shift_already_open")
    cart_id = json.loads(cli("cart", "new", "--location", "STORE-1", "--json").stdout)["id"]
    cli("cart", "add", cart_id, "CROISSANT")
    which = cli("checkout", cart_id, "--pay", "cash", "--tendered", "10", "--json")
    assert json.loads(which.stdout)["error"]["code"] == "register_required"
    sold = _sell(cli, "CROISSANT", 1, "--pay", "cash", "--tendered", "10", register="back")
    front = json.loads(cli("shift", "x", "--location", "STORE-1", "--register", "front", "--json").stdout)
    back = json.loads(cli("shift", "x", "--location", "STORE-1", "--register", "back", "--json").stdout)
    assert (front["sales_count"], front["expected_cash"]) == (0, 10000)
    assert (back["sales_count"], back["expected_cash"]) == (1, 5000 + sold["total"])
    ambiguous = cli("shift", "x", "--json")
    assert json.loads(ambiguous.stdout)["error"]["code"] == "register_required"


@pytest.mark.parametrize("args", [
    ("shift", "open", "--location", "STORE-1", "--float", "-5"),
    ("shift", "open", "--location", "NOPE", "--float", "5"),
    ("shift", "open", "--location", "STORE-1", "--float", "5", "--register", " "),
    ("shift", "open", "--location", "STORE-1", "--float", "5", "--register", "a\x1b[31mb"),
])
def test_a_bad_open_is_one_line_and_opens_nothing(cli, store, args):
    result = cli(*args)
    assert result.exit_code == 1 and result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert json.loads(cli("shift", "list", "--json").stdout)["shifts"] == []


def test_every_hostile_reason_is_shown_as_typed_in_the_rich_and_text_reports(cli, db_url, store, tmp_path):
    assert cli("shift", "open", "--location", "STORE-1", "--float", "500").exit_code == 0
    for name in NAMES:
        assert cli("shift", "cash-in", "1.00", "--reason", name).exit_code == 0
    _sell(cli, "CROISSANT", 1, "--pay", "cash", "--tendered", "5")
    screen = CliRunner().invoke(app, ["--db", db_url, "shift", "x"], env={"COLUMNS": "5000"}).stdout
    texts = {width: cli("shift", "x", "--format", "text", "--width", width).stdout for width in (32, 42, 48)}
    printed = tmp_path / "drawer.bin"
    assert cli("shift", "x", "--printer", f"dummy:{printed}", "--width", "32").exit_code == 0
    assert printed.read_bytes().endswith(b"\x1dVA\x00") or b"\x1dV" in printed.read_bytes()
    for name in NAMES:
        assert name in screen
    for width, text in texts.items():
        assert max(cell_len(line) for line in text.splitlines()) <= width, text
        flat = "".join(text.split())
        for name in NAMES:
            assert "".join(name.split()) in flat  # wrapped at display width, but every character is there
            if cell_len(name) <= width - 4:
                assert name in text


def test_clerks_are_named_and_a_no_sale_needs_a_manager(db_url, store):
    def pos(*args, **env):
        result = CliRunner().invoke(app, ["--db", db_url, *map(str, args)], env={"COLUMNS": "200", **env})
        check_json_output(list(map(str, args)), result.stdout)
        assert result.exit_code != 70, result.output
        return result

    from pos.services import auth, clerks

    clerks.add_clerk(store, name="Boss", role="manager", pin=BOSS_PIN)
    with auth.acting(clerks.sign_in(store, "Boss", BOSS_PIN)):
        clerks.add_clerk(store, name="Ann Lee", role="clerk", pin=ANN_PIN)
    ann = {"POS_CLERK": "Ann Lee", "POS_PIN": ANN_PIN}
    boss = {"POS_CLERK": "Boss", "POS_PIN": BOSS_PIN}
    assert pos("shift", "open", "--location", "STORE-1", "--float", "10").exit_code == 1  # nobody signed in
    assert pos("shift", "open", "--location", "STORE-1", "--float", "10", **ann).exit_code == 0
    refused = pos("shift", "no-sale", "--json", **ann)
    assert (refused.exit_code, json.loads(refused.stdout)["error"]["code"]) == (1, "approval_required")
    approved = pos("shift", "no-sale", "--approve", "Boss", "--json", **ann, POS_APPROVER_PIN=BOSS_PIN)
    assert approved.exit_code == 0, approved.output
    assert json.loads(approved.stdout) | {"created_at": None, "id": None} == {
        "id": None, "shift_id": 1, "kind": "no_sale", "amount": 0, "reason": "", "clerk": "Ann Lee",
        "approver": "Boss", "created_at": None, "expected_cash": 1000, "currency": "USD"}
    from pos.services import cart, orders

    with auth.acting(clerks.sign_in(store, "Ann Lee", ANN_PIN)):  # a sale Ann rings up (at the till, say)
        cart_id = cart.new_cart(store, location="STORE-1").id
        cart.add_item(store, cart_id=cart_id, code="CROISSANT", quantity=1)
        orders.checkout(store, cart_id=cart_id, processor="cash", params={"tendered": "5"})
    z = json.loads(pos("shift", "close", "--counted", "13.52", "--json", **boss).stdout)
    assert (z["opened_by"], z["closed_by"], z["over_short"]) == ("Ann Lee", "Boss", 0)
    assert z["by_clerk"] == [{"clerk": "Ann Lee", "count": 1, "amount": 352}]
    assert "Ann Lee" in pos("shift", "show", z["id"]).stdout
    assert BOSS_PIN not in pos("shift", "show", z["id"], "--json").stdout


def test_the_till_takes_cash_into_its_own_register_and_refuses_it_with_no_shift(cli, db_url, store):
    def till(*args, input):
        return CliRunner().invoke(app, ["--db", db_url, "till", "--location", "STORE-1", "--new", *args], input=input)

    for name in ("front", "back"):
        assert cli("shift", "open", "--location", "STORE-1", "--register", name, "--float", "0").exit_code == 0
    sold = till("--register", "back", input="CROISSANT\npay cash 10\n")
    assert "paid. New sale." in sold.stdout, sold.output
    assert json.loads(cli("shift", "x", "--location", "STORE-1", "--register", "back", "--json").stdout)["sales_count"] == 1
    assert json.loads(cli("shift", "x", "--location", "STORE-1", "--register", "front", "--json").stdout)["sales_count"] == 0
    guess = till(input="CROISSANT\npay cash 10\n")
    assert "register_required" in guess.stderr or "several open registers" in guess.stderr
    for name in ("front", "back"):
        cli("shift", "close", "--location", "STORE-1", "--register", name, "--counted", "0")
    closed = till(input="CROISSANT\npay cash 10\npay card 4242424242424242\n")
    assert "no shift is open" in closed.stderr and "paid. New sale." in closed.stdout
