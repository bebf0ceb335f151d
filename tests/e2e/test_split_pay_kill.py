"""Real processes killed in the middle of a sale paid in parts: `pos order reconcile` settles it, and no
customer stays charged for a sale that did not happen."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest
from plugins import env_with, pos_executable, write_plugin
from schemas import check_json_output

# The plugin of tests/e2e/test_reconcile_after_kill.py: approves at its "bank" (a file), or not, then the
# process paying dies on the spot.
PLUGIN = """
    import os
    from pathlib import Path

    from pos.services.payments import PaymentProcessor, PaymentResult


    class ApproveThenDie(PaymentProcessor):
        description = "approves (or not), then the till is killed"

        def _ledger(self):
            return Path(os.environ["KILLPAY_LEDGER"])

        def charge(self, request):
            if os.environ.get("KILLPAY_WHEN") == "after-approval":
                with open(self._ledger(), "a") as fh:
                    fh.write(request.idempotency_key + "\\n")
            os._exit(137)

        def lookup(self, request):
            ledger = self._ledger()
            approved = ledger.exists() and request.idempotency_key in ledger.read_text().split()
            if approved:
                return PaymentResult(True, reference="bank-" + request.idempotency_key)
            return PaymentResult(False, reason="no_such_charge")
"""


def _pos(env, db, *args, timeout=120):
    result = subprocess.run([pos_executable(), "--db", db, *args], env=env, capture_output=True, text=True,
                            timeout=timeout)
    check_json_output(list(args), result.stdout)
    return result


def _json(env, db, *args):
    result = _pos(env, db, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _stock(env, db):
    level = _json(env, db, "stock", "check", "TSHIRT-M", "--location", "STORE-1")["levels"][0]
    return level["on_hand"], level["reserved"]


@pytest.fixture
def env(tmp_path, store, db_url):
    folder = write_plugin(tmp_path / "plugin", dist="killpay", module="killpay", source=PLUGIN,
                          processors={"killpay": "ApproveThenDie"})
    return env_with(folder, KILLPAY_LEDGER=str(tmp_path / "bank.txt")), db_url


def _cart(env, db, qty=3):
    cart_id = _json(env, db, "cart", "new", "--location", "STORE-1")["id"]
    assert _pos(env, db, "cart", "add", str(cart_id), "TSHIRT-M", "--qty", str(qty)).returncode == 0
    return cart_id  # 3 x 19.99 + 8.25 % tax = 64.92


def test_a_till_killed_between_parts_is_given_up_by_reconcile_and_the_card_part_paid_back(env):
    env, db = env
    till = subprocess.Popen([pos_executable(), "--db", db, "till", "--location", "STORE-1"], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert till.stdin is not None
    till.stdin.write("3 TSHIRT-M\npay card 4242424242424242 30.00\n")
    till.stdin.flush()
    deadline = time.monotonic() + 60
    while True:  # the first part is paid and the till waits for the next line
        pending = _json(env, db, "order", "list", "--status", "pending")["orders"]
        if pending and _json(env, db, "order", "show", str(pending[0]["id"]))["paid"] == 3000:
            break
        assert time.monotonic() < deadline, "the till never paid its first part"
        time.sleep(0.2)
    till.send_signal(signal.SIGKILL)
    till.wait(timeout=30)
    order_id = pending[0]["id"]
    assert _stock(env, db) == (10, 3)  # held for the sale, which nobody will finish

    # Its till is gone: one plain reconcile gives the sale up at once and pays the card part back.
    [result] = _json(env, db, "order", "reconcile")
    assert (result["order_id"], result["outcome"], result["status"]) == (order_id, "abandoned", "cancelled")
    assert result["owner"]["state"] == "gone"
    order = _json(env, db, "order", "show", str(order_id))
    assert order["status"] == "cancelled" and order["refunded"] == 3000
    assert [(r["method"], r["amount"], r["status"]) for r in order["refunds"]] == [("card", 3000, "approved")]
    assert _stock(env, db) == (10, 0)
    assert _json(env, db, "order", "reconcile") == []  # nothing left to do


@pytest.mark.parametrize(("when", "outcome", "status", "stock", "refunded"), [
    ("after-approval", "paid", "processing", (7, 0), 0),
    ("before-approval", "abandoned", "cancelled", (10, 0), 3000),
])
def test_a_checkout_killed_while_paying_its_last_part_is_settled_by_asking_the_processor(
        env, when, outcome, status, stock, refunded):
    env, db = env
    env = {**env, "KILLPAY_WHEN": when}
    cart_id = _cart(env, db)
    first = _json(env, db, "checkout", str(cart_id), "--pay", "card", "--card", "4242424242424242", "--amount", "30")
    assert (first["status"], first["balance_due"]) == ("pending", 3492)

    killed = _pos(env, db, "checkout", str(cart_id), "--pay", "killpay")
    assert killed.returncode == 137
    order = _json(env, db, "order", "show", str(first["id"]))
    assert [(p["processor"], p["status"], p["amount"]) for p in order["payments"]] == [
        ("card", "approved", 3000), ("killpay", "pending", 3492)]

    [result] = _json(env, db, "order", "reconcile")
    assert (result["order_id"], result["outcome"], result["status"]) == (first["id"], outcome, status)
    order = _json(env, db, "order", "show", str(first["id"]))
    assert order["status"] == status and order["refunded"] == refunded
    assert _stock(env, db) == stock
    assert _json(env, db, "order", "reconcile") == []


def test_a_till_quitting_on_a_half_paid_sale_hands_it_back_and_says_how_to_finish_it(env):
    env, db = env
    done = subprocess.run([pos_executable(), "--db", db, "till", "--location", "STORE-1"], env=env, text=True,
                          input="3 TSHIRT-M\npay card 4242424242424242 30.00\nquit\n", capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "30.00 paid, 34.92 due" in done.stdout
    assert "is paid in part (order 1)" in done.stderr and "pos order cancel 1" in done.stderr
    # No process owns it now: reconcile waits for the next part instead of giving it up at once.
    [result] = _json(env, db, "order", "reconcile")
    assert result["outcome"] == "waiting" and result["owner"] is None
    cart_id = _json(env, db, "order", "show", "1")["cart_id"]
    paid = _json(env, db, "checkout", str(cart_id), "--pay", "cash", "--tendered", "34.92")
    assert paid["status"] == "processing" and paid["id"] == 1
