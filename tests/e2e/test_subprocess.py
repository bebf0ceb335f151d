"""The installed `pos` console script, run as a real process against a temporary database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from schemas import check_json_output

POS = Path(sys.executable).parent / "pos"


def run(*args, env=None, check=True, timeout=120):
    result = subprocess.run([str(POS), *args], capture_output=True, text=True, env=env, timeout=timeout)
    check_json_output(list(args), result.stdout)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def env(tmp_path):
    e = {k: v for k, v in os.environ.items() if k != "POS_DATABASE_URL"}
    e.update(TMPDIR=str(tmp_path), COLUMNS="120", POS_DATABASE_URL=str(tmp_path / "till.db"))
    return e


def test_the_console_script_is_installed():
    assert POS.exists(), "pip install -e '.[test]' installs the pos command"


def test_a_sale_through_the_real_command(env, tmp_path):
    run("init", env=env)
    assert (tmp_path / "till.db").exists()
    for args in (["location", "add", "S1", "--name", "Corner Shop", "--tax-rate", "10"],
                 ["product", "add", "TEA", "--name", "Tea"],
                 ["variant", "add", "TEA-BOX", "--product", "TEA", "--price", "4.50", "--barcode", "9780201379624"],
                 ["stock", "set", "TEA-BOX", "S1", "3"],
                 ["cart", "new", "--location", "S1"]):
        run(*args, env=env)
    refused = run("cart", "add", "1", "9780201379624", "--qty", "4", env=env, check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "error: not enough TEA-BOX at S1: 3 available, 4 wanted"
    run("cart", "add", "1", "9780201379624", "--qty", "2", env=env)
    order = json.loads(run("checkout", "1", "--pay", "card", "--card", "5555555555554444", "--json", env=env).stdout)
    assert (order["status"], order["subtotal"], order["tax"], order["total"]) == ("processing", 900, 90, 990)
    assert (order["payment"]["brand"], order["payment"]["last4"]) == ("mastercard", "4444")
    stock = json.loads(run("stock", "check", "TEA-BOX", "--json", env=env).stdout)
    assert stock["levels"] == [{"location": "S1", "on_hand": 1, "reserved": 0, "available": 1}]
    receipt = run("receipt", str(order["id"]), env=env).stdout
    assert "Corner Shop" in receipt and "9.90" in receipt and "mastercard ****4444" in receipt


def test_a_declined_card_through_the_real_command_exits_1_with_one_line(env):
    run("init", env=env)
    for args in (["location", "add", "S1", "--name", "Shop"], ["product", "add", "P", "--name", "Pen"],
                 ["variant", "add", "PEN", "--product", "P", "--price", "1"], ["stock", "set", "PEN", "S1", "1"],
                 ["cart", "new", "--location", "S1"], ["cart", "add", "1", "PEN"]):
        run(*args, env=env)
    result = run("checkout", "1", "--pay", "card", "--card", "4000000000000002", env=env, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "card_declined" in result.stderr


def test_pos_help_does_not_import_sqlmodel(env):
    code = "import sys; sys.argv=['pos','--help']\ntry:\n import pos.cli; pos.cli.main()\nexcept SystemExit: pass\n" \
           "print('SQLMODEL' if 'sqlmodel' in sys.modules or 'sqlalchemy' in sys.modules else 'LEAN')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60).stdout
    assert out.strip().endswith("LEAN")


def test_pos_demo_walks_the_whole_flow_on_a_throwaway_database(env, tmp_path):
    result = run("demo", env=env)
    out = result.stdout
    assert "Demo database:" in out and str(tmp_path) in out  # a temporary file, never the user's own
    assert not (tmp_path / "till.db").exists()
    # the insufficient-stock refusal
    assert "refused (insufficient_stock)" in out
    # the declined card, and stock shown unchanged after it
    assert "refused (payment_declined)" in out and "card_declined" in out
    # the successful card sale
    assert "status: processing" in out and "Paid by visa ****4242" in out
    # the delivery line with shipping
    assert "refused (shipping_required)" in out
    assert "ships from WH-1" in out and "Ship to: Ada Lovelace" in out
    # discounts, each with its reason, and the store's limit
    assert "discount 10%: chipped glaze" in out and "Discount: loyalty card" in out and "limit is 15%" in out
    # the way back: a return to the card, and a cancellation paid back in cash with the lamps restocked
    assert "Paid back by card" in out and "status: approved  (order:" in out and "partially_refunded" in out
    assert "Cancellation" in out and "status: cancelled" in out and "Paid back by cash from the drawer" in out
    assert "refund 2 of" in out  # the restocked lamps' history row names the refund
    # the drawer: a shift opened before the sales, closed after the returns with its Z report, a quarter short
    assert "Shift 1 open on register main at STORE-1" in out and "Cash out 50.00 on shift 1" in out
    assert "Z report: shift 1" in out and "Over/short" in out and "-0.25" in out
    # a split payment: a card part leaves a balance due, cash pays the rest of the same order
    assert "Paid by mastercard ****4444" in out and "BALANCE DUE" in out and "34.92" in out
    assert "Change due" in out and "15.08" in out
    assert "unexpectedly accepted" not in out
    assert "4242424242424242" not in out and "4242 4242 4242 4242" not in out
