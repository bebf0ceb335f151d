"""Several real processes sell the last units at once: exactly the stock is sold, never more."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from pos.services import inventory
from pos.services import tables as t

TILLS = 8
CHECKOUTS_EACH = 50
STOCK = 100
WORKER = Path(__file__).with_name("race_worker.py")


def test_eight_tills_racing_for_100_units_sell_exactly_100(store, db_url):
    inventory.set_stock(store, sku="TSHIRT-M", location="STORE-1", quantity=STOCK, reason="race")
    start_at = time.time() + 3.0  # every process imports pos first, then all start together
    tills = [
        subprocess.Popen([sys.executable, str(WORKER), db_url, str(CHECKOUTS_EACH), str(start_at)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(TILLS)
    ]
    results = []
    for till in tills:
        out, err = till.communicate(timeout=600)
        assert till.returncode == 0, err
        results.append(json.loads(out))

    errors = [e for r in results for e in r["errors"]]
    assert errors == [], errors[:5]  # no "database is locked", no deadlock, nothing but clean refusals
    assert sum(r["paid"] for r in results) == STOCK
    assert sum(r["insufficient_stock"] for r in results) == TILLS * CHECKOUTS_EACH - STOCK

    level = inventory.check_stock(store, sku="TSHIRT-M", location="STORE-1").levels[0].model_dump()
    assert level == {"location": "STORE-1", "on_hand": 0, "reserved": 0, "available": 0}
    with store.read() as conn:
        paid = conn.execute(select(func.count()).select_from(t.orders).where(t.orders.c.status == "processing")).scalar()
        sold = conn.execute(
            select(func.sum(t.stock_movement.c.delta)).where(t.stock_movement.c.source == "sale")
        ).scalar()
        lowest = conn.execute(select(func.min(t.stock_movement.c.on_hand_after))).scalar()
    assert paid == STOCK
    assert sold == -STOCK  # the history accounts for every unit that left
    assert lowest == 0
