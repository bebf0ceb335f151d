"""Real `pos batch`, `pos checkout` and `pos till` processes killed at random points; one reconcile repairs all.

Built-in processors only (cash and the card simulator). A small sitecustomize on PYTHONPATH widens the
moment of each charge (a pause before and after it, as a slow terminal would) so that the kills land
inside payments rather than only before or after them. The kill times are drawn from a seeded random
generator: the seed is printed, and POS_KILL_SEED=<seed> replays a run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import textwrap
import time

import pytest
from plugins import pos_executable
from sqlalchemy import text

from pos.services import inventory

ROUNDS = 3
MAX_ROUNDS = 6  # more rounds only while no kill has yet landed inside a payment
APPROVED_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
PENDING = "SELECT count(*) FROM orders WHERE status = 'pending'"
STOCK = {("TSHIRT-M", "STORE-1"): 300, ("TSHIRT-M", "WH-1"): 300, ("CROISSANT", "STORE-1"): 300}

SLOW_CHARGES = """
    import os
    import random
    import time

    if os.environ.get("POS_TEST_CHARGE_PAUSE"):
        from pos.services.payments import card, cash

        low, high = (float(x) for x in os.environ["POS_TEST_CHARGE_PAUSE"].split(","))
        pause = random.Random(os.getpid())

        def slowed(real):
            def charge(self, request):
                time.sleep(pause.uniform(low, high))  # the card is being read: nothing charged yet
                result = real(self, request)
                time.sleep(pause.uniform(low, high))  # charged (in the ledger), the order not yet settled
                return result
            return charge

        for cls in (card.CardProcessor, cash.CashProcessor):
            cls.charge = slowed(cls.charge)
"""

TILL_SCRIPT = "\n".join([
    "TSHIRT-M", f"pay card {APPROVED_CARD}",
    "2*CROISSANT", "pay cash",
    "TSHIRT-M", f"pay card {DECLINED_CARD}", "pay cash 100",
    "3*CROISSANT", f"pay card {APPROVED_CARD}",
    "TSHIRT-M", "pay cash",
    "CROISSANT", f"pay card {APPROVED_CARD}",
    "2*TSHIRT-M", "pay cash 50",
]) + "\n"


def _batch_lines(round_no: int) -> str:
    payments = [
        {"processor": "card", "card": APPROVED_CARD},
        {"processor": "cash", "tendered": "500.00"},
        {"processor": "card", "card": DECLINED_CARD},
    ]
    lines = []
    for i in range(8):
        item = {"sku": "TSHIRT-M", "qty": 1 + i % 2}
        order = {"ref": f"kill-{round_no}-{i}", "location": "STORE-1", "items": [item, {"sku": "CROISSANT", "qty": 1}],
                 "payment": payments[i % 3]}
        if i % 4 == 3:
            item["from"] = "WH-1"
            order["shipping"] = {"name": "Ada", "address": "1 Analytical Way"}
        lines.append(json.dumps(order))
    return "\n".join(lines) + "\n"


def _new_cart(db, qty: int) -> int:
    from pos.services.cart import add_item, new_cart

    cart_id = new_cart(db, location="STORE-1").id
    add_item(db, cart_id=cart_id, code="TSHIRT-M", quantity=qty)
    return cart_id


def _scalar(db, statement: str) -> int:
    with db.read() as conn:
        return conn.execute(text(statement)).scalar() or 0


@pytest.fixture
def stocked(store):
    for (sku, location), quantity in STOCK.items():
        inventory.set_stock(store, sku=sku, location=location, quantity=quantity)
    return store


def test_killed_batch_checkout_and_till_processes_are_all_settled_by_one_reconcile(stocked, db_url, tmp_path):
    db = stocked
    seed = int(os.environ.get("POS_KILL_SEED") or random.SystemRandom().randrange(10**6))
    print(f"kill seed: {seed} (POS_KILL_SEED={seed} replays these kill times)")
    rng = random.Random(seed)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(SLOW_CHARGES))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])),
           "POS_TEST_CHARGE_PAUSE": "0.2,0.6"}
    pos = [pos_executable(), "--db", db_url]
    # How long a `pos` process takes to start and reach the database on this machine right now: kills are
    # aimed after that, where the work (and the payments) happen.
    began = time.monotonic()
    subprocess.run(pos + ["order", "list", "--limit", "1"], env=env, capture_output=True, check=True, timeout=60)
    startup = time.monotonic() - began

    round_no = 0
    while round_no < ROUNDS or (round_no < MAX_ROUNDS and not _scalar(db, PENDING)):
        batch_file = tmp_path / f"orders-{round_no}.jsonl"
        batch_file.write_text(_batch_lines(round_no))
        till_input = tmp_path / f"till-{round_no}.txt"
        till_input.write_text(TILL_SCRIPT)
        commands = [
            (pos + ["batch", str(batch_file)], None),
            (pos + ["checkout", str(_new_cart(db, 2)), "--pay", "card", "--card", APPROVED_CARD], None),
            (pos + ["checkout", str(_new_cart(db, 1)), "--pay", "cash", "--tendered", "100"], None),
            (pos + ["till", "--location", "STORE-1", "--new"], till_input),
        ]
        procs = []
        for args, stdin in commands:
            with open(stdin or os.devnull) as source:
                procs.append(subprocess.Popen(args, env=env, stdin=source, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))
        started = time.monotonic()
        kills = sorted(((rng.uniform(0.8 * startup, startup + 3.0), p) for p in procs), key=lambda pair: pair[0])
        for delay, proc in kills:
            time.sleep(max(0.0, started + delay - time.monotonic()))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
        for proc in procs:
            proc.wait(timeout=60)
        round_no += 1

    pending_before = _scalar(db, PENDING)
    charged_before = _scalar(db, "SELECT count(*) FROM processor_ledger l JOIN orders o ON o.idempotency_key = "
                                 "l.idempotency_key WHERE o.status = 'pending' AND l.status = 'approved'")
    print(f"after {round_no} rounds (start-up {startup:.2f}s): {pending_before} pending orders, "
          f"{charged_before} of them charged")
    assert pending_before > 0, "no kill landed inside a payment: the test proved nothing (try another seed)"

    # Exactly one reconcile, no age override, no guessing.
    done = subprocess.run(pos + ["order", "reconcile", "--json"], env={**os.environ}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == pending_before
    assert [r for r in results if r["status"] == "pending"] == []

    assert _scalar(db, PENDING) == 0
    assert _scalar(db, "SELECT sum(reserved) FROM stock_level") == 0
    with db.read() as conn:
        levels = {(sku, loc): on_hand for sku, loc, on_hand in conn.execute(text(
            "SELECT v.sku, l.code, s.on_hand FROM stock_level s JOIN variant v ON v.id = s.variant_id "
            "JOIN location l ON l.id = s.location_id"))}
        sold = {(sku, loc): int(qty) for sku, loc, qty in conn.execute(text(
            "SELECT i.sku, l.code, sum(i.quantity) FROM order_item i JOIN orders o ON o.id = i.order_id "
            "JOIN location l ON l.id = i.location_id WHERE o.status = 'processing' GROUP BY i.sku, l.code"))}
        # Every charge the processors took belongs to a paid order, and every paid order was charged.
        charged = set(conn.execute(text(
            "SELECT idempotency_key FROM processor_ledger WHERE status = 'approved'")).scalars())
        paid = set(conn.execute(text("SELECT idempotency_key FROM orders WHERE status = 'processing'")).scalars())
    assert {key: levels[key] for key in STOCK} == {key: STOCK[key] - sold.get(key, 0) for key in STOCK}
    assert charged == paid
