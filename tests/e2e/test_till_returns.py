"""Returns and cancellations at the till: `return ORDER SKU [N]` and `cancel order ORDER`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pos.cli import app


def test_a_clerk_takes_back_a_unit_and_cancels_an_order_at_the_till(store, db_url):
    runner = CliRunner()
    sold = runner.invoke(app, ["--db", db_url, "till", "--location", "STORE-1", "--new"],
                         input="2*TSHIRT-M\npay card 4242424242424242\nCROISSANT\npay cash\n")
    assert sold.exit_code == 0, sold.output
    orders = json.loads(runner.invoke(app, ["--db", db_url, "order", "list", "--json"]).stdout)["orders"]
    croissant, shirts = (o["id"] for o in orders)  # newest first

    out = runner.invoke(app, ["--db", db_url, "till", "--location", "STORE-1", "--new"],
                        input=f"return {shirts} TSHIRT-M 1\ncancel order {croissant}\nreturn {shirts} TSHIRT-M 5\n")
    assert out.exit_code == 0, out.output
    assert "REFUND" in out.stdout and "CANCELLATION" in out.stdout
    assert f"order {shirts} is partially_refunded" in out.stdout
    assert f"order {croissant} is cancelled" in out.stdout
    assert "return_exceeds_sale" in out.stderr or "left to return" in out.stderr  # one line, the till goes on

    shown = json.loads(runner.invoke(app, ["--db", db_url, "order", "show", str(shirts), "--json"]).stdout)
    assert [r["status"] for r in shown["refunds"]] == ["approved"]
    stock = json.loads(runner.invoke(app, ["--db", db_url, "stock", "check", "TSHIRT-M", "--location", "STORE-1",
                                           "--json"]).stdout)
    assert stock["on_hand"] == 9
