"""A till killed in the middle of a checkout loses nothing: `pos order reconcile` settles it."""

from __future__ import annotations

import json
import subprocess

import pytest
from plugins import env_with, pos_executable, write_plugin
from schemas import check_json_output

PLUGIN = """
    import os
    from pathlib import Path

    from pos.services.payments import PaymentProcessor, PaymentResult


    class ApproveThenDie(PaymentProcessor):
        '''Approves the charge at the "bank" (a ledger file), then the till process dies on the spot.'''

        description = "approves, then the till is killed"

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


    class DieAtKey(ApproveThenDie):
        '''Approves every charge at the "bank"; the process dies on the spot once it has charged KILLPAY_KEY.'''

        description = "approves, and the process is killed at one key"

        def charge(self, request):
            with open(self._ledger(), "a") as fh:
                fh.write(request.idempotency_key + "\\n")
            if request.idempotency_key == os.environ.get("KILLPAY_KEY"):
                os._exit(137)
            return PaymentResult(True, reference="bank-" + request.idempotency_key)
"""


def _pos(env, db, *args):
    result = subprocess.run([pos_executable(), "--db", db, *args], env=env, capture_output=True, text=True, timeout=120)
    check_json_output(list(args), result.stdout)
    return result


@pytest.fixture
def till(tmp_path, store, db_url):
    folder = write_plugin(tmp_path / "plugin", dist="killpay", module="killpay", source=PLUGIN,
                          processors={"killpay": "ApproveThenDie", "dieat": "DieAtKey"})
    return folder, db_url


def _stock(env, db):
    out = _pos(env, db, "stock", "check", "TSHIRT-M", "--location", "STORE-1", "--json")
    return json.loads(out.stdout)["levels"][0]


@pytest.mark.parametrize(("when", "settled_as", "on_hand", "cart_status"), [
    ("after-approval", "processing", 7, "closed"),
    ("before-approval", "payment_failed", 10, "open"),
])
def test_killed_checkout_is_settled_by_asking_the_processor(tmp_path, till, when, settled_as, on_hand, cart_status):
    folder, db = till
    env = env_with(folder, KILLPAY_LEDGER=str(tmp_path / "bank.txt"), KILLPAY_WHEN=when)
    cart_id = json.loads(_pos(env, db, "cart", "new", "--location", "STORE-1", "--json").stdout)["id"]
    assert _pos(env, db, "cart", "add", str(cart_id), "TSHIRT-M", "--qty", "3").returncode == 0

    killed = _pos(env, db, "checkout", str(cart_id), "--pay", "killpay")
    assert killed.returncode == 137

    # Nothing is lost: the order is pending, its key recorded before the charge, its stock held.
    [pending] = json.loads(_pos(env, db, "order", "list", "--status", "pending", "--json").stdout)["orders"]
    order = json.loads(_pos(env, db, "order", "show", str(pending["id"]), "--json").stdout)
    assert order["payment"]["status"] == "pending"
    assert order["idempotency_key"]
    assert _stock(env, db) == {"location": "STORE-1", "on_hand": 10, "reserved": 3, "available": 7}

    # The till that placed it is gone (same machine, no such process): one plain reconcile settles it at
    # once, however young the order is.
    done = _pos(env, db, "order", "reconcile", "--json")
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)
    assert result["order_id"] == pending["id"] and result["status"] == settled_as
    assert result["owner"]["state"] == "gone"

    assert _stock(env, db) == {"location": "STORE-1", "on_hand": on_hand, "reserved": 0, "available": on_hand}
    assert json.loads(_pos(env, db, "cart", "show", str(cart_id), "--json").stdout)["status"] == cart_status
    history = json.loads(_pos(env, db, "stock", "history", "TSHIRT-M", "--location", "STORE-1", "--json").stdout)["history"]
    sales = [h for h in history if h["source"] == "sale"]
    assert [h["change"] for h in sales] == ([-3] if settled_as == "processing" else [])

    # Reconciling again changes nothing.
    again = _pos(env, db, "order", "reconcile")
    assert json.loads(_pos(env, db, "order", "reconcile", "--json").stdout) == []
    assert again.stdout.strip() == "no pending orders"


def test_a_batch_killed_in_the_middle_of_a_window_leaves_that_window_pending_for_reconcile(tmp_path, till):
    """Windows of 3: the first is settled; the process dies charging the 5th line, so the 4th (charged)
    and 5th (charged) and 6th (reserved, never charged) are pending with their stock held; the 7th and
    8th were never placed. One reconcile settles the window by asking the processor; a re-run replays
    the first six lines and places the last two."""
    folder, db = till
    env = env_with(folder, KILLPAY_LEDGER=str(tmp_path / "bank.txt"), KILLPAY_KEY="batch:K-5")
    orders_file = tmp_path / "orders.jsonl"
    orders_file.write_text("".join(json.dumps({
        "ref": f"K-{i}", "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "qty": 1}],
        "payment": {"processor": "dieat"}}) + "\n" for i in range(1, 9)))

    killed = _pos(env, db, "batch", str(orders_file), "--window-orders", "3")
    assert killed.returncode == 137
    listed = json.loads(_pos(env, db, "order", "list", "--json").stdout)["orders"]
    assert sorted(o["status"] for o in listed) == ["pending"] * 3 + ["processing"] * 3
    assert _stock(env, db) == {"location": "STORE-1", "on_hand": 7, "reserved": 3, "available": 4}

    done = _pos(env, db, "order", "reconcile", "--json")
    assert done.returncode == 0, done.stderr
    assert sorted((r["status"], r["owner"]["state"]) for r in json.loads(done.stdout)) == [
        ("payment_failed", "gone"), ("processing", "gone"), ("processing", "gone")]
    assert _stock(env, db) == {"location": "STORE-1", "on_hand": 5, "reserved": 0, "available": 5}

    again = _pos({**env, "KILLPAY_KEY": ""}, db, "batch", str(orders_file), "--window-orders", "3", "--json")
    assert again.returncode == 1  # K-6 was never charged: its replay says payment_failed
    lines = [json.loads(line) for line in again.stdout.splitlines()][:-1]
    assert [(r["ref"], r["status"], r["replayed"]) for r in lines] == [
        ("K-1", "processing", True), ("K-2", "processing", True), ("K-3", "processing", True),
        ("K-4", "processing", True), ("K-5", "processing", True), ("K-6", "payment_failed", True),
        ("K-7", "processing", False), ("K-8", "processing", False),
    ]
    assert _stock(env, db) == {"location": "STORE-1", "on_hand": 3, "reserved": 0, "available": 3}
    history = json.loads(_pos(env, db, "stock", "history", "TSHIRT-M", "--location", "STORE-1", "--json").stdout)
    assert sorted(h["change"] for h in history["history"] if h["source"] == "sale") == [-1] * 7
