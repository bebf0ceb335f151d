"""Scan-to-updated-sale latency inside till mode, on SQLite, against a catalog of 100,000 variants.

    .venv/bin/python bench/till_latency_bench.py [--variants 100000] [--scans 1000] [--db PATH]

Builds a throwaway SQLite database (default settings: WAL, synchronous=FULL, as `pos` runs), a store with
100,000 variants each stocked there, then plays sales of 20 scans (half by SKU, half by barcode) through
`TillSession.handle`, the function `pos till` calls for every line, and pays each sale in cash (payment
is not timed). Prints median, 99th percentile and worst of:
  * handle      the line through the cart service, one transaction, returning the updated sale;
  * + text      that plus the plain-text view (what piped runs print);
  * + rich      that plus the rich view rendered to a terminal-less console (what a clerk sees).
and, as the baseline measured in the same run, the median of a bare durable SQLite write on this disk.
Goals (issue 5): median under 5 ms and 99th percentile under 20 ms for the whole path (+ rich).
Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

MEDIAN_GOAL_MS = 5.0
P99_GOAL_MS = 20.0
SALE_SIZE = 20


def build_catalog(db, variants: int) -> None:
    from pos.models._common import utcnow
    from pos.services import catalog
    from pos.services import tables as t

    catalog.add_location(db, code="STORE-1", name="Bench Store", tax_rate="8.25", address="1 Bench Road")
    now = utcnow()
    with db.write() as conn:
        store_id = catalog.location_by_code(conn, "STORE-1")["id"]
        products = max(1, variants // 10)
        conn.execute(t.product.insert(), [
            {"code": f"P{p:06d}", "name": f"Product {p}", "created_at": now} for p in range(products)
        ] if "created_at" in t.product.c else [{"code": f"P{p:06d}", "name": f"Product {p}"} for p in range(products)])
        product_ids = [row.id for row in conn.execute(t.product.select().order_by(t.product.c.id))]
        chunk = 10_000
        for start in range(0, variants, chunk):
            conn.execute(t.variant.insert(), [
                {"product_id": product_ids[v // 10], "sku": f"SKU-{v:06d}", "name": f"V{v % 10}",
                 "price": 100 + v % 5000, "barcode": f"{2000000000000 + v}", "options": "{}",
                 "is_deliverable": True, "created_at": now}
                for v in range(start, min(start + chunk, variants))
            ])
        ids = [row.id for row in conn.execute(t.variant.select().with_only_columns(t.variant.c.id))]
        for start in range(0, len(ids), chunk):
            conn.execute(t.stock_level.insert(), [
                {"variant_id": vid, "location_id": store_id, "on_hand": 1_000, "reserved": 0}
                for vid in ids[start:start + chunk]
            ])


def durable_write_floor(path: Path, n: int = 1_000) -> float:
    """Median ms of the smallest durable write on this disk: BEGIN IMMEDIATE, one INSERT, COMMIT, with the
    standard library's sqlite3 and the pragmas `pos` sets (WAL, synchronous=FULL). The baseline."""
    import os
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {os.environ.get('POS_SQLITE_SYNCHRONOUS', 'FULL')}")
    conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, v INTEGER)")
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO bench_floor (v) VALUES (?)", (i,))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return statistics.median(times)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=1_000)
    parser.add_argument("--db", help="SQLite file to build (default: a temporary one)")
    args = parser.parse_args()

    from pos.commands._common import plain
    from pos.commands.till import sale_view, till_console
    from pos.receipt_text import sale_text
    from pos.services.db import Database
    from pos.services.settings import init_store
    from pos.services.till import TillSession

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        db = Database(f"sqlite:///{path}")
        started = time.perf_counter()
        init_store(db, currency="USD")
        build_catalog(db, args.variants)
        print(f"catalog: {args.variants:,} variants stocked at STORE-1, built in {time.perf_counter() - started:.1f} s")

        rng = random.Random(5)
        session = TillSession(db, location="STORE-1")
        # The till's own console settings, rendering colours as at a terminal, into memory.
        sink = till_console(io.StringIO(), force_terminal=True)
        handle_ms: list[float] = []
        text_ms: list[float] = []
        rich_ms: list[float] = []
        for scan in range(args.scans):
            v = rng.randrange(args.variants)
            line = f"SKU-{v:06d}" if scan % 2 else f"{2000000000000 + v}"
            t0 = time.perf_counter()
            result = session.handle(line)
            t1 = time.perf_counter()
            sale_text(plain(result.sale))  # the views take the sale as JSON has it, as `pos till` gives it
            t2 = time.perf_counter()
            sink.print(sale_view(plain(result.sale)))
            t3 = time.perf_counter()
            sink.file.seek(0)
            sink.file.truncate()
            handle_ms.append((t1 - t0) * 1000)
            text_ms.append((t2 - t0) * 1000)
            rich_ms.append((t1 - t0 + t3 - t2) * 1000)
            if scan % SALE_SIZE == SALE_SIZE - 1:
                session.handle("pay cash")
        db.dispose()
        floor = durable_write_floor(Path(tmp) / "floor.db")

    print(f"{args.scans:,} scans in sales of {SALE_SIZE}, SQLite (WAL, synchronous=FULL)")
    print(f"{'path':<10} {'median ms':>10} {'p99 ms':>8} {'max ms':>8}")
    for name, values in (("handle", handle_ms), ("+ text", text_ms), ("+ rich", rich_ms)):
        print(f"{name:<10} {statistics.median(values):>10.2f} {percentile(values, 99):>8.2f} {max(values):>8.2f}")
    median, p99 = statistics.median(rich_ms), percentile(rich_ms, 99)
    print(f"baseline: one bare durable SQLite write (sqlite3, same pragmas) {floor:.2f} ms; "
          f"a scan costs {median / floor:.1f}x that")
    ok = median < MEDIAN_GOAL_MS and p99 < P99_GOAL_MS
    print(f"\ngoal median < {MEDIAN_GOAL_MS:g} ms and p99 < {P99_GOAL_MS:g} ms (+ rich): "
          f"{median:.2f} / {p99:.2f} ms -> {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
