"""`pos checkout CART --amount`: a sale paid in parts from the command line, and given up."""

from __future__ import annotations

import json

import pytest
from hostile import NAMES, stored

CARD = ("--pay", "card", "--card", "4242424242424242")


def _cart(cli, qty=3):
    cart_id = json.loads(cli("cart", "new", "--location", "STORE-1", "--json").stdout)["id"]
    assert cli("cart", "add", cart_id, "TSHIRT-M", "--qty", qty).exit_code == 0
    return cart_id  # 3 x 19.99 + 8.25 % tax = 64.92


def _stock(cli):
    level = json.loads(cli("stock", "check", "TSHIRT-M", "--location", "STORE-1", "--json").stdout)["levels"][0]
    return level["on_hand"], level["reserved"]


def test_paying_a_cart_in_parts_shows_what_is_paid_and_due_then_completes_the_same_order(cli, store):
    cart_id = _cart(cli)
    first = cli("checkout", cart_id, *CARD, "--amount", "30.00")
    assert first.exit_code == 0, first.stderr
    assert "BALANCE DUE" in first.stdout and "34.92" in first.stdout and "Paid so far" in first.stdout
    part = json.loads(cli("order", "show", "1", "--json").stdout)
    assert (part["status"], part["paid"], part["balance_due"]) == ("pending", 3000, 3492)
    assert _stock(cli) == (10, 3)

    done = cli("checkout", cart_id, "--pay", "cash", "--amount", "40", "--json")
    assert done.exit_code == 0, done.stderr
    order = json.loads(done.stdout)
    assert order["id"] == part["id"] and order["status"] == "processing" and order["balance_due"] == 0
    assert [(p["processor"], p["amount"], p.get("last4"), p.get("change")) for p in order["payments"]] == [
        ("card", 3000, "4242", None), ("cash", 3492, None, 508)]
    assert order["payment"] == order["payments"][0]
    assert _stock(cli) == (7, 0)
    receipt = cli("receipt", order["id"]).stdout
    assert "visa ****4242" in receipt and "Change due" in receipt and "BALANCE DUE" not in receipt


def test_a_card_amount_above_the_balance_due_is_a_one_line_error_that_changes_nothing(cli, store):
    cart_id = _cart(cli)
    cli("checkout", cart_id, *CARD, "--amount", "30")
    refused = cli("checkout", cart_id, *CARD, "--amount", "40", "--json")
    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "invalid_input" and "34.92 due" in error["message"]
    assert json.loads(cli("order", "show", "1", "--json").stdout)["payments"][-1]["amount"] == 3000
    assert cli("checkout", cart_id, *CARD, "--amount", "0").exit_code == 1


def test_a_declined_part_says_what_is_still_due_and_keeps_the_sale(cli, store):
    cart_id = _cart(cli)
    cli("checkout", cart_id, *CARD, "--amount", "30")
    declined = cli("checkout", cart_id, "--pay", "card", "--card", "4000000000000002")
    assert declined.exit_code == 1
    assert "34.92 due" in declined.stderr and "still open" not in declined.stderr
    assert json.loads(cli("order", "show", "1", "--json").stdout)["status"] == "pending"


@pytest.mark.parametrize("reason", NAMES[:4] + NAMES[13:16])
def test_order_cancel_gives_up_a_split_sale_and_pays_every_part_back(cli, store, reason):
    cart_id = _cart(cli)
    cli("checkout", cart_id, *CARD, "--amount", "30")
    cli("checkout", cart_id, "--pay", "cash", "--amount", "10")
    done = cli("order", "cancel", "1", "--reason", reason, "--json")
    assert done.exit_code == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["status"] == "cancelled"
    assert [(r["method"], r["amount"], r["status"], r["kind"], r["reason"]) for r in doc["refunds"]] == [
        ("card", 3000, "approved", "abandon", stored(reason)), ("cash", 1000, "approved", "abandon", stored(reason))]
    assert _stock(cli) == (10, 0)
    shown = cli("order", "cancel", "1")  # again: a replay, in words this time, the reason as typed
    assert shown.exit_code == 0 and "Sale given up" in shown.stdout
    assert f"Reason: {stored(reason)}" in shown.stdout
    assert json.loads(cli("order", "cancel", "1", "--json").stdout)["replayed"] is True
    refund = json.loads(cli("refund", "show", doc["refunds"][0]["id"], "--json").stdout)
    assert refund["reason"] == stored(reason)


def test_reconcile_waits_for_the_next_part_of_a_checkout_then_gives_it_up(cli, store):
    cart_id = _cart(cli)
    cli("checkout", cart_id, *CARD, "--amount", "30")
    [waiting] = json.loads(cli("order", "reconcile", "--json").stdout)
    assert waiting["outcome"] == "waiting" and "next part" in waiting["reason"] and waiting["eligible_at"]
    [given_up] = json.loads(cli("order", "reconcile", "--older-than", "0", "--json").stdout)
    assert (given_up["outcome"], given_up["status"]) == ("abandoned", "cancelled")
    assert "30.00 by card" in given_up["reason"]
    assert _stock(cli) == (10, 0)
    assert cli("checkout", cart_id, *CARD).exit_code == 1  # the sale is over: its cart is closed
