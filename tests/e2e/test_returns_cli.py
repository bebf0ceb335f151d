"""pos return, pos order cancel, pos refund and pos export refunds, as a clerk and a script use them."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import pytest
from plugins import env_with, pos_executable, write_plugin

from pos.textcells import cell_len

CARD = "4242424242424242"


def _sell(cli, *lines, pay=("--pay", "card", "--card", CARD)):
    cart_id = json.loads(cli("cart", "new", "--location", "STORE-1", "--json").stdout)["id"]
    for sku, qty in lines:
        assert cli("cart", "add", cart_id, sku, "--qty", qty).exit_code == 0
    done = cli("checkout", cart_id, *pay, "--json")
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def test_return_prints_the_refund_document_and_the_order_shows_it(cli, store):
    order = _sell(cli, ("TSHIRT-M", 3))
    out = cli("return", order["id"], "TSHIRT-M=1", "--reason", "too small", "--json")
    assert out.exit_code == 0, out.output
    refund = json.loads(out.stdout)
    assert {"id", "order_id", "status", "amount", "currency", "method", "reason", "items"} <= refund.keys()
    assert (refund["status"], refund["method"], refund["currency"], refund["reason"]) == (
        "approved", "card", "USD", "too small")
    assert refund["items"] == [{"sku": "TSHIRT-M", "name": "T-shirt Medium", "quantity": 1, "location": "STORE-1",
                                "restocked": True, "amount": refund["amount"]}]
    shown = json.loads(cli("order", "show", order["id"], "--json").stdout)
    assert shown["status"] == "partially_refunded" and shown["refunded"] == refund["amount"]
    assert [{k: r[k] for k in ("id", "amount", "status")} for r in shown["refunds"]] == [
        {"id": refund["id"], "amount": refund["amount"], "status": "approved"}]
    listed = json.loads(cli("refund", "list", "--order", order["id"], "--json").stdout)
    assert [r["id"] for r in listed["refunds"]] == [refund["id"]]


def test_return_all_then_nothing_is_left(cli, store):
    order = _sell(cli, ("TSHIRT-M", 2), ("CROISSANT", 1))
    out = cli("return", order["id"], "--all", "--json")
    assert json.loads(out.stdout)["amount"] == order["total"]
    again = cli("return", order["id"], "--all", "--json")
    assert again.exit_code == 1 and json.loads(again.stdout)["error"]["code"] == "not_refundable"


@pytest.mark.parametrize(("args", "code"), [
    (("TSHIRT-M=5",), "return_exceeds_sale"),
    (("CROISSANT",), "not_found"),
    (("TSHIRT-M=0",), "invalid_input"),
])
def test_bad_returns_are_one_line_errors_with_their_code(cli, store, args, code):
    order = _sell(cli, ("TSHIRT-M", 2))
    out = cli("return", order["id"], *args, "--json")
    assert out.exit_code == 1 and json.loads(out.stdout)["error"]["code"] == code
    plain = cli("return", order["id"], *args)
    assert plain.exit_code == 1 and len(plain.stderr.strip().splitlines()) == 1


def test_an_unknown_order_is_not_found(cli, store):
    out = cli("return", "999", "--all", "--json")
    assert out.exit_code == 1 and json.loads(out.stdout)["error"]["code"] == "not_found"
    assert cli("refund", "show", "999").exit_code == 1


def test_order_cancel_refunds_everything_and_the_receipt_shows_it(cli, store):
    order = _sell(cli, ("TSHIRT-M", 2), pay=("--pay", "cash", "--tendered", "100"))
    out = cli("order", "cancel", order["id"], "--reason", "changed mind", "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["status"] == "cancelled" and doc["refund"]["amount"] == order["total"]
    assert doc["refund"]["method"] == "cash"
    stock = json.loads(cli("stock", "check", "TSHIRT-M", "--location", "STORE-1", "--json").stdout)
    assert stock["on_hand"] == 10
    text = cli("receipt", order["id"], "--format", "text", "--width", "32").stdout
    assert "CANCELLED" in text and f"Refund {doc['refund']['id']} (cash)" in text
    assert all(cell_len(line) <= 32 for line in text.splitlines())
    assert "Refund" in cli("receipt", order["id"]).stdout


@pytest.mark.parametrize("width", [32, 42, 48])
def test_a_refund_receipt_fits_the_roll(cli, store, width):
    order = _sell(cli, ("TSHIRT-M", 2))
    refund = json.loads(cli("return", order["id"], "TSHIRT-M=1", "--no-restock", "--reason", "torn seam " * 8,
                            "--json").stdout)
    text = cli("refund", "show", refund["id"], "--format", "text", "--width", width).stdout
    assert "REFUND" in text and "not restocked" in text
    assert all(cell_len(line) <= width for line in text.splitlines())


def test_a_refund_receipt_goes_to_the_printer_as_escpos(cli, store, tmp_path):
    order = _sell(cli, ("TSHIRT-M", 1))
    target = tmp_path / "printer.bin"
    out = cli("return", order["id"], "--all", "--printer", f"dummy:{target}")
    assert out.exit_code == 0, out.output
    data = target.read_bytes()
    assert data.startswith(b"\x1b@") and b"REFUND" in data


def test_refund_ref_replays_and_conflicts(cli, store):
    order = _sell(cli, ("TSHIRT-M", 3))
    first = json.loads(cli("return", order["id"], "TSHIRT-M=1", "--ref", "K1", "--json").stdout)
    again = json.loads(cli("return", order["id"], "TSHIRT-M=1", "--ref", "K1", "--json").stdout)
    assert again["id"] == first["id"] and again["replayed"] is True
    other = cli("return", order["id"], "TSHIRT-M=2", "--ref", "K1", "--json")
    assert other.exit_code == 1 and json.loads(other.stdout)["error"]["code"] == "idempotency_conflict"


def test_export_refunds_writes_one_row_per_refunded_line(cli, store, tmp_path):
    order = _sell(cli, ("TSHIRT-M", 2), ("CROISSANT", 1))
    cli("return", order["id"], "CROISSANT", "--to", "WH-1")
    out = cli("export", "refunds")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["order"], r["sku"], r["quantity"], r["to_location"], r["status"]) for r in rows] == [
        (str(order["id"]), "CROISSANT", "1", "WH-1", "approved")]


def test_order_list_filters_by_the_new_statuses(cli, store):
    order = _sell(cli, ("TSHIRT-M", 2))
    cli("return", order["id"], "TSHIRT-M=1")
    listed = json.loads(cli("order", "list", "--status", "partially_refunded", "--json").stdout)["orders"]
    assert [o["id"] for o in listed] == [order["id"]]


PLUGIN = """
    import os
    from pathlib import Path

    from pos.services.payments import PaymentProcessor, PaymentResult


    class RefundThenDie(PaymentProcessor):
        '''Charges; refunds at the "bank" (a ledger file) and the till dies on the spot, or dies before.'''

        def _ledger(self):
            return Path(os.environ["KILLREFUND_LEDGER"])

        def charge(self, request):
            return PaymentResult(True, reference="bank-" + request.idempotency_key)

        def refund(self, request):
            if os.environ.get("KILLREFUND_WHEN") == "after-approval":
                with open(self._ledger(), "a") as fh:
                    fh.write(request.idempotency_key + "\\n")
            os._exit(137)

        def lookup_refund(self, request):
            ledger = self._ledger()
            if ledger.exists() and request.idempotency_key in ledger.read_text().split():
                return PaymentResult(True, reference="bank-refund-" + request.idempotency_key)
            return PaymentResult(False, reason="no_such_refund")
"""


def _pos(env, db, *args):
    return subprocess.run([pos_executable(), "--db", db, *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize(("when", "refund_status", "order_status", "on_hand"), [
    ("after-approval", "approved", "partially_refunded", 9),
    ("before-approval", "declined", "processing", 8),
])
def test_a_killed_refund_is_settled_by_reconcile(tmp_path, store, db_url, when, refund_status, order_status, on_hand):
    folder = write_plugin(tmp_path / "plugin", dist="killrefund", module="killrefund", source=PLUGIN,
                          processors={"killrefund": "RefundThenDie"})
    env = env_with(folder, KILLREFUND_LEDGER=str(tmp_path / "bank.txt"), KILLREFUND_WHEN=when)
    cart_id = json.loads(_pos(env, db_url, "cart", "new", "--location", "STORE-1", "--json").stdout)["id"]
    assert _pos(env, db_url, "cart", "add", cart_id, "TSHIRT-M", "--qty", "2").returncode == 0
    order = json.loads(_pos(env, db_url, "checkout", cart_id, "--pay", "killrefund", "--json").stdout)

    killed = _pos(env, db_url, "return", order["id"], "TSHIRT-M=1")
    assert killed.returncode == 137
    [pending] = json.loads(_pos(env, db_url, "refund", "list", "--json").stdout)["refunds"]
    assert pending["status"] == "pending" and pending["idempotency_key"]
    stock = json.loads(_pos(env, db_url, "stock", "check", "TSHIRT-M", "--location", "STORE-1", "--json").stdout)
    assert stock["on_hand"] == 8  # nothing moved while the refund is unknown

    done = _pos(env, db_url, "order", "reconcile", "--json")
    assert done.returncode == 0, done.stderr
    [row] = [r for r in json.loads(done.stdout) if r.get("refund_id") == pending["id"]]
    assert (row["outcome"], row["status"]) == (refund_status, refund_status)
    shown = json.loads(_pos(env, db_url, "order", "show", order["id"], "--json").stdout)
    assert shown["status"] == order_status
    stock = json.loads(_pos(env, db_url, "stock", "check", "TSHIRT-M", "--location", "STORE-1", "--json").stdout)
    assert stock["on_hand"] == on_hand


def test_a_reason_with_markup_is_shown_as_typed(cli, store):
    order = _sell(cli, ("TSHIRT-M", 1))
    out = cli("return", order["id"], "--all", "--reason", "[bold]torn[/] :smile:")
    assert out.exit_code == 0, out.output
    assert "[bold]torn[/] :smile:" in out.stdout
