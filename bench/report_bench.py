"""Benchmark: `pos report sales` on 1,000,000 orders, against plain sqlite3 queries over the same file.

    .venv/bin/python bench/report_bench.py                  # 1,000,000 orders over 90 days
    .venv/bin/python bench/report_bench.py --orders 100000  # a quick look
    .venv/bin/python bench/report_bench.py --explain        # also the query plans of the report's statements

The store is made with `pos init` and `pos location add` (three stores: two in New York, one in Berlin),
50 SKUs; the sales are then written straight into its SQLite file with INSERT ... SELECT from a recursive
CTE: 1 to 3 lines per order, payments by card and cash (1 % declined), six clerks and some sales by no
clerk, a cash shift per store, 2 % of orders partly refunded one to three days later, spread over the 90
days before today. Then `pos report sales --from FIRST --to LAST --by X` runs as a child process, the way a
person runs it, for each --by, over all 90 days (the whole table), best of --runs. The baselines run in this
process on the same file with sqlite3: `SELECT COUNT(*), SUM(total) FROM orders` (one pass over the
orders) and the same sum grouped by UTC day over approved payments joined to their orders (what a report
without local time costs), and the start-up floor of `pos report sales` on a day without sales.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

POS = [sys.executable, "-m", "pos"]
SKUS = 50
DAYS = 90
BYS = ("day", "hour", "sku", "clerk", "tender", "location", "shift")


def pos(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*POS, "--db", str(db), *args], check=True, capture_output=True, text=True)


def make_store(db: Path, orders: int) -> tuple[date, date]:
    pos(db, "init", "--currency", "USD", "--timezone", "America/New_York")
    pos(db, "location", "add", "NY-1", "--name", "Broadway", "--tax-rate", "8")
    pos(db, "location", "add", "NY-2", "--name", "Brooklyn", "--tax-rate", "8")
    pos(db, "location", "add", "BE-1", "--name", "Berlin", "--tax-rate", "8", "--timezone", "Europe/Berlin")
    catalog = db.with_name("catalog.csv")
    catalog.write_text("product,product_name,sku,price\n" + "".join(
        f"P{s:02d},Product {s},SKU-{s:02d},{1 + s % 20}.00\n" for s in range(SKUS)))
    pos(db, "import", "catalog", str(catalog))
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=DAYS)
    span = DAYS * 86400
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    variants = dict(conn.execute("SELECT sku, id FROM variant"))
    conn.execute("CREATE TEMP TABLE sku (s INTEGER PRIMARY KEY, variant_id INTEGER, sku TEXT, price INTEGER)")
    conn.executemany("INSERT INTO sku VALUES (?, ?, ?, ?)",
                     [(s, variants[f"SKU-{s:02d}"], f"SKU-{s:02d}", 100 * (1 + s % 20)) for s in range(SKUS)])
    for i in range(6):
        conn.execute("INSERT INTO clerk (name, role, pin_hash, active, failed_attempts, created_at, updated_at) "
                     "VALUES (?, 'clerk', 'bench', 1, 0, ?, ?)", (f"Clerk {i + 1}", str(now), str(now)))
    locations = [r[0] for r in conn.execute("SELECT id FROM location ORDER BY id")]
    shifts = []
    for loc in locations:
        reg = conn.execute("INSERT INTO register (location_id, name, created_at) VALUES (?, 'main', ?)",
                           (loc, str(now))).lastrowid
        shifts.append(conn.execute(
            "INSERT INTO shift (register_id, location_id, status, float_amount, opened_at) VALUES (?, ?, 'open', 0, ?)",
            (reg, loc, str(start)),
        ).lastrowid)
    conn.execute("INSERT INTO cart (location_id, status, created_at, updated_at) VALUES (?, 'closed', ?, ?)",
                 (locations[0], str(now), str(now)))
    # One row per order: its location, clerk, moment (more sales by day than by night) and number of lines.
    conn.execute("""
        CREATE TEMP TABLE gen AS
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :orders)
        SELECT i, CASE i % 3 WHEN 0 THEN :l0 WHEN 1 THEN :l1 ELSE :l2 END AS loc,
               CASE WHEN i % 7 = 0 THEN NULL ELSE 1 + i % 6 END AS clerk,
               strftime('%Y-%m-%d %H:%M:%S', :start, '+' || ((i * :span / :orders) / 86400 * 86400
                        + 43200 + ((i * 7919) % 86400 - 43200) * ((i * 7919) % 3) / 3) || ' seconds')
                 || '.000000' AS at,
               1 + (i % 3 = 0) + (i % 5 = 0) AS lines
        FROM n
    """, {"orders": orders, "start": str(start.replace(tzinfo=None)), "span": span,
          "l0": locations[0], "l1": locations[1], "l2": locations[2]})
    for k in range(3):
        conn.execute("""
            INSERT INTO order_item (order_id, variant_id, location_id, sku, name, quantity, unit_price, line_total)
            SELECT g.i, s.variant_id, g.loc, s.sku, 'Product ' || s.s, 1 + (g.i + :k) % 3, s.price,
                   (1 + (g.i + :k) % 3) * s.price
            FROM gen g JOIN sku s ON s.s = (g.i * 7 + :k * 13) % :skus WHERE g.lines > :k
        """, {"k": k, "skus": SKUS})
    conn.execute("""
        INSERT INTO orders (id, cart_id, location_id, status, currency, subtotal, tax, total, tax_rate,
                            idempotency_key, clerk_id, created_at, updated_at)
        SELECT g.i, 1, g.loc, CASE WHEN g.i % 100 = 0 THEN 'payment_failed' ELSE 'processing' END, 'USD', s.sub,
               (s.sub * 80000 + 500000) / 1000000, s.sub + (s.sub * 80000 + 500000) / 1000000, 80000,
               'bench-' || g.i, g.clerk, g.at, g.at
        FROM gen g JOIN (SELECT order_id, SUM(line_total) AS sub FROM order_item GROUP BY order_id) s
          ON s.order_id = g.i
    """)
    conn.execute("""
        INSERT INTO payment (order_id, processor, status, amount, currency, idempotency_key, clerk_id, shift_id,
                             created_at, updated_at, completes)
        SELECT o.id, CASE WHEN o.id % 3 = 0 THEN 'cash' ELSE 'card' END,
               CASE WHEN o.id % 100 = 0 THEN 'declined' ELSE 'approved' END, o.total, 'USD', 'bench-' || o.id,
               o.clerk_id, CASE WHEN o.id % 3 = 0 THEN (SELECT id FROM shift WHERE location_id = o.location_id) END,
               o.created_at, o.created_at, CASE WHEN o.id % 100 = 0 THEN 0 ELSE 1 END
        FROM orders o
    """)
    # 2 % of the orders: their first line back, one to three days later (the last days' refunds fall after
    # the report's range, as they would).
    conn.execute("""
        INSERT INTO refund (id, order_id, kind, status, method, amount, tax, currency, reason, idempotency_key,
                            clerk_id, shift_id, created_at, updated_at)
        SELECT o.id, o.id, 'return', 'approved', p.processor, oi.line_total + (oi.line_total * 80000 + 500000) / 1000000,
               (oi.line_total * 80000 + 500000) / 1000000, 'USD', '', 'bench-refund-' || o.id, o.clerk_id, p.shift_id,
               strftime('%Y-%m-%d %H:%M:%f', o.created_at, '+' || (1 + o.id % 3) || ' days') || '000',
               o.created_at
        FROM orders o JOIN payment p ON p.order_id = o.id
        JOIN order_item oi ON oi.order_id = o.id AND oi.id = (SELECT MIN(id) FROM order_item WHERE order_id = o.id)
        WHERE o.id % 50 = 1 AND p.status = 'approved'
    """)
    conn.execute("""
        INSERT INTO refund_item (refund_id, order_item_id, sku, quantity, location_id, restocked, subtotal, tax, amount)
        SELECT r.id, oi.id, oi.sku, oi.quantity, oi.location_id, 1, oi.line_total, r.tax, r.amount
        FROM refund r JOIN order_item oi ON oi.order_id = r.order_id
         AND oi.id = (SELECT MIN(id) FROM order_item WHERE order_id = r.order_id)
    """)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    first = (start + timedelta(days=1)).date()  # whole local days inside the data in every zone
    return first, now.date()


def timed(fn, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def baselines(db: Path, runs: int) -> dict[str, float]:
    conn = sqlite3.connect(db)
    found = {
        "SELECT COUNT(*), SUM(total) FROM orders": timed(
            lambda: conn.execute("SELECT COUNT(*), SUM(total) FROM orders").fetchall(), runs),
        "the same by UTC day, approved payments joined to orders": timed(lambda: conn.execute(
            "SELECT substr(p.created_at, 1, 10), COUNT(*), SUM(p.amount), SUM(o.tax) FROM payment p "
            "JOIN orders o ON o.id = p.order_id WHERE p.status = 'approved' GROUP BY 1").fetchall(), runs),
    }
    conn.close()
    return found


def explain(db: Path, first: date, last: date) -> None:
    """The plan SQLite chose for each statement the report ran (captured as it ran, with its parameters)."""
    from sqlalchemy import event

    from pos.services.db import Database
    from pos.services.reports import sales_report

    database = Database(f"sqlite:///{db}")
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "buckets" in statement:
            seen.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    for by in ("day", "sku"):
        seen.clear()
        sales_report(database, by=by, first=first, last=last)
        raw = sqlite3.connect(db)
        for statement, parameters in seen:
            print(f"\n-- --by {by}: {' '.join(statement.split())[:160]}...")
            for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters):
                print("   ", row[-1])
        raw.close()
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", metavar="FOLDER", help="build the database here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pos-report-bench-") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "pos.db"
        for leftover in folder.glob("pos.db*"):
            leftover.unlink()
        started = time.perf_counter()
        first, last = make_store(db, args.orders)
        built = time.perf_counter() - started
        counts = sqlite3.connect(db).execute(
            "SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM order_item), (SELECT COUNT(*) FROM refund)"
        ).fetchone()
        print(f"built in {built:.1f} s: {counts[0]:,} orders, {counts[1]:,} lines, {counts[2]:,} refunds, "
              f"{DAYS} days, {os.path.getsize(db) / 2**20:.0f} MiB")
        base = baselines(db, args.runs)
        floor = timed(lambda: pos(db, "report", "sales", "--from", "2000-01-01", "--to", "2000-01-01"), args.runs)
        span = ("--from", str(first), "--to", str(last))
        print(f"report range: {first} to {last} (every order but the first day's), best of {args.runs}\n")
        for what, seconds in base.items():
            print(f"baseline  {what:<60} {seconds:6.2f} s")
        print(f"floor     {'pos report sales on a day without sales (start-up)':<60} {floor:6.2f} s")
        utc_day = base["the same by UTC day, approved payments joined to orders"]
        for by in BYS:
            seconds = timed(lambda by=by: pos(db, "report", "sales", "--by", by, *span, "--json"), args.runs)
            print(f"pos       report sales --by {by:<34} {seconds:6.2f} s   "
                  f"{seconds / utc_day:5.1f}x the UTC-day query, {max(seconds - floor, 0) / utc_day:5.1f}x "
                  f"without start-up")
        if args.explain:
            explain(db, first, last)


if __name__ == "__main__":
    main()
