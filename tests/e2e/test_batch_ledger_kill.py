"""`pos batch` writes the card simulator's books once per window, after the window's charges and before its
settlement. A real process killed on either side of that write leaves what one reconcile repairs: before
it, no books, so no charge happened and the orders fail with their stock released; after it, the books,
so reconcile settles the orders by them. SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap

import pytest
from plugins import pos_executable
from sqlalchemy import text

from pos.services import inventory

APPROVED_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"

# Kills the process with SIGKILL (nothing flushed, nothing cleaned up) at the books' write of the window.
KILL_AT_BOOKS = """
    import os
    import signal

    if os.environ.get("POS_TEST_KILL_AT_BOOKS"):
        from pos.services.payments.ledger import Ledger

        real = Ledger._write

        def write(self, held):
            if os.environ["POS_TEST_KILL_AT_BOOKS"] == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            overtaken = real(self, held)
            os.kill(os.getpid(), signal.SIGKILL)
            return overtaken

        Ledger._write = write
"""


def _pos(env, url, *args):
    return subprocess.run([pos_executable(), "--db", url, *args], env=env, capture_output=True, text=True, timeout=120)


def _count(db, statement: str) -> int:
    with db.read() as conn:
        return conn.execute(text(statement)).scalar() or 0


@pytest.mark.parametrize(("when", "statuses", "on_hand"), [
    ("before", ["payment_failed"] * 4, 10),
    ("after", ["payment_failed", "processing", "processing", "processing"], 10 - 1 - 2 - 1),
])
def test_a_batch_killed_at_its_windows_books_is_repaired_by_one_reconcile(store, tmp_path, when, statuses, on_hand):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(KILL_AT_BOOKS))
    env = {**os.environ, "POS_TEST_KILL_AT_BOOKS": when,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}
    orders = tmp_path / "orders.jsonl"
    orders.write_text("".join(json.dumps({
        "ref": f"W-{i}", "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "qty": qty}],
        "payment": {"processor": "card", "card": DECLINED_CARD if i == 1 else APPROVED_CARD},
    }) + "\n" for i, qty in enumerate([3, 1, 2, 1], start=1)))

    killed = _pos(env, store.url, "batch", str(orders), "--window-orders", "10")
    assert killed.returncode in (-9, 137), killed.stderr
    assert _count(store, "SELECT count(*) FROM orders WHERE status = 'pending'") == 4
    level = inventory.check_stock(store, sku="TSHIRT-M", location="STORE-1").levels[0]
    assert (level.on_hand, level.reserved) == (10, 7)  # held for the window, nothing taken yet
    books = _count(store, "SELECT count(*) FROM processor_ledger")
    assert books == (0 if when == "before" else 4)  # the window's books are written whole or not at all

    done = _pos({**env, "POS_TEST_KILL_AT_BOOKS": ""}, store.url, "order", "reconcile", "--json")
    assert done.returncode == 0, done.stderr
    assert sorted(r["status"] for r in json.loads(done.stdout)) == sorted(statuses)
    level = inventory.check_stock(store, sku="TSHIRT-M", location="STORE-1").levels[0]
    assert (level.on_hand, level.reserved) == (on_hand, 0)
    sold = _count(store, "SELECT -COALESCE(SUM(delta), 0) FROM stock_movement WHERE source = 'sale'")
    assert sold == 10 - on_hand  # every unit that left has its history row
    assert _count(store, "SELECT count(*) FROM processor_ledger") == books  # reconcile asked; it charged nothing
