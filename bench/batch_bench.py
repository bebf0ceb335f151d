"""Batch checkout throughput: `pos batch` against a plain stdlib sqlite3 loop doing the same writes.

    python bench/batch_bench.py [--orders 10000] [--synchronous FULL|NORMAL]

Both run on SQLite files in one temporary folder, in the same run, with the same journal mode (WAL) and
synchronous level. The baseline does per order, in one transaction: insert the order, insert its items,
one conditional stock decrement per item, update the order's status. `pos batch` runs the whole clerk
flow a window at a time (its defaults: 100 orders or 200 ms): one transaction records the window's orders
pending (idempotency look-up, cart, stock reservation, order, items, payment record), each card is charged
with no transaction open (the card simulator commits its ledger row per charge, as a bank keeps its books),
and one transaction settles the window (payments, stock taken with history, audit rows). Prints
orders/second for both and the ratio; the goal (issue 13) is pos within 1.5x of the loop at FULL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = 300
LINES = 3


def make_orders(path: Path, n: int) -> None:
    rng = random.Random(7)
    with open(path, "w") as fh:
        for i in range(n):
            skus = rng.sample(range(VARIANTS), LINES)
            fh.write(json.dumps({
                "ref": f"bench-{i}",
                "location": "STORE-1",
                "items": [{"sku": f"SKU-{s:04d}", "qty": 1 + (s % 2)} for s in skus],
                "payment": {"processor": "card", "card": "4242424242424242"},
            }) + "\n")


def baseline(folder: Path, orders_file: Path, synchronous: str) -> float:
    db = sqlite3.connect(folder / "baseline.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.executescript("""
        CREATE TABLE stock (sku TEXT PRIMARY KEY, on_hand INTEGER NOT NULL CHECK (on_hand >= 0));
        CREATE TABLE orders (id INTEGER PRIMARY KEY, ref TEXT UNIQUE, status TEXT, total INTEGER);
        CREATE TABLE order_item (id INTEGER PRIMARY KEY, order_id INTEGER, sku TEXT, qty INTEGER, price INTEGER);
    """)
    db.executemany("INSERT INTO stock VALUES (?, ?)", [(f"SKU-{i:04d}", 10**7) for i in range(VARIANTS)])
    requests = [json.loads(line) for line in orders_file.read_text().splitlines()]
    started = time.perf_counter()
    for req in requests:
        db.execute("BEGIN IMMEDIATE")
        items = [(it["sku"], it["qty"]) for it in req["items"]]
        oid = db.execute("INSERT INTO orders (ref, status, total) VALUES (?, 'pending', ?)",
                         (req["ref"], 1999 * len(items))).lastrowid
        db.executemany("INSERT INTO order_item (order_id, sku, qty, price) VALUES (?, ?, ?, 1999)",
                       [(oid, s, q) for s, q in items])
        for s, q in items:
            if db.execute("UPDATE stock SET on_hand = on_hand - ? WHERE sku = ? AND on_hand >= ?", (q, s, q)).rowcount != 1:
                raise SystemExit("baseline ran out of stock")
        db.execute("UPDATE orders SET status = 'processing' WHERE id = ?", (oid,))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return len(requests) / elapsed


def pos_batch(folder: Path, orders_file: Path, synchronous: str) -> tuple[float, float]:
    pos = str(Path(sys.executable).with_name("pos"))
    env = {**os.environ, "POS_DATABASE_URL": str(folder / "pos.db"), "POS_SQLITE_SYNCHRONOUS": synchronous}
    run = lambda *args, **kw: subprocess.run([pos, *args], env=env, check=True, **kw)  # noqa: E731
    run("init", capture_output=True)
    run("location", "add", "STORE-1", "--name", "Bench store", "--tax-rate", "8.25", capture_output=True)
    catalog = folder / "catalog.csv"
    stock = folder / "stock.csv"
    catalog.write_text("product,product_name,sku,price\n" + "".join(
        f"P{i:04d},Product {i},SKU-{i:04d},19.99\n" for i in range(VARIANTS)))
    stock.write_text("sku,location,quantity\n" + "".join(f"SKU-{i:04d},STORE-1,10000000\n" for i in range(VARIANTS)))
    from pos.services.db import Database  # the catalog goes in through the services, whatever the CLI offers
    from pos.services.sample import load_sample_files

    load_sample_files(Database(f"sqlite:///{folder / 'pos.db'}"), catalog=catalog, inventory=stock)
    started = time.perf_counter()
    out = run("batch", str(orders_file), "--json", capture_output=True, text=True)
    wall = time.perf_counter() - started
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    if summary["ok"] != summary["lines"]:
        raise SystemExit(f"pos batch failed some orders: {summary}")
    return summary["orders_per_second"], summary["lines"] / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pos-bench-") as tmp:
        folder = Path(tmp)
        orders_file = folder / "orders.jsonl"
        make_orders(orders_file, args.orders)
        base = baseline(folder, orders_file, args.synchronous)
        pos_rate, pos_wall_rate = pos_batch(folder, orders_file, args.synchronous)
    print(f"orders: {args.orders} x {LINES} lines, SQLite WAL, synchronous={args.synchronous}")
    print(f"stdlib sqlite3 loop : {base:8.0f} orders/s")
    print(f"pos batch           : {pos_rate:8.0f} orders/s  ({pos_wall_rate:.0f}/s counting process start-up)")
    print(f"ratio (baseline/pos): {base / pos_rate:8.2f}x   goal: within 1.5x")


if __name__ == "__main__":
    main()
