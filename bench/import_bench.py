"""Benchmark: `pos import inventory --mode set` against a plain stdlib baseline, in the same run.

    .venv/bin/python bench/import_bench.py            # 200,000 SKUs x 5 locations = 1,000,000 rows
    .venv/bin/python bench/import_bench.py --skus 20000   # a quick look

The baseline is what the issue names: csv.reader plus sqlite3 `executemany` of
`INSERT ... ON CONFLICT DO UPDATE` into a (sku, location, quantity) table, in one transaction.
The pos import runs as a child process (`pos --db FILE import inventory FILE --mode set --json`) on a
store with the same SKUs and locations and no stock yet; its wall time and peak memory (ru_maxrss of that
child alone, from os.wait4) are printed. The two take turns --repeat times (each pos run on a fresh copy
of the store) and the median ratio is the figure: on a machine shared with other jobs, one pair of runs
can be off by half either way. A second pos run imports the same file again (every row
unchanged), as a repeated stock take would; a third imports the file with every count changed (a later
stock take, in which every level exists and changes), against the baseline's upsert of that file into its
table filled by the first. The goal is judged on the first import, as the issue set it; the others are
printed so that the ratio is not read as the import's in every case.

Each turn also times the floor: pos's own staging and apply SQL (pos/services/imports/_stage.py: the
stage's wide INSERTs of a column-wise batch, then per batch the history INSERT ... SELECT and the level
INSERT, with the location index built after them) and its commit, fed by csv.reader and two dict look-ups
per row in a reading thread as pos does, on the same store in this process, with no checking, reporting or
start-up. It says how much of the ratio is the writes themselves (a history
row per change, stock levels with their indexes and foreign keys, in WAL mode) and how much is pos around
them.

CPU time (user + system) is printed next to each wall time, and a CPU ratio next to the wall ratio: on a
machine shared with other jobs the wall times of one run can differ by half, the CPU times much less. The
goal is the wall ratio; the CPU ratio says whether a change moved the work or only the neighbours.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import shutil
import statistics
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POS = [sys.executable, "-m", "pos"]


def generate(folder: Path, skus: int, locations: int) -> tuple[Path, Path, int]:
    catalog, inventory = folder / "catalog.csv", folder / "inventory.csv"
    with open(catalog, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["product", "product_name", "sku", "price"])
        for i in range(skus):
            out.writerow([f"P{i // 4:06d}", f"Product {i // 4}", f"SKU-{i:06d}", f"{(i % 5000) / 100 + 1:.2f}"])
    rows = 0
    with open(inventory, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["sku", "location", "quantity"])
        for i in range(skus):
            for loc in range(locations):
                out.writerow([f"SKU-{i:06d}", f"LOC-{loc}", (i * 7 + loc * 13) % 500 + 1])
                rows += 1
    return catalog, inventory, rows


def baseline(inventory: Path, db_path: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the stdlib upsert."""
    start, cpu = time.perf_counter(), time.process_time()
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE stock (sku TEXT, location TEXT, quantity INTEGER, PRIMARY KEY (sku, location))")
    _upsert(conn, inventory)
    conn.close()
    return time.perf_counter() - start, time.process_time() - cpu


def _upsert(conn: sqlite3.Connection, inventory: Path) -> None:
    """The baseline the issue names: csv.reader and one executemany upsert, in one transaction."""
    with open(inventory, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader)
        with conn:
            conn.executemany(
                "INSERT INTO stock (sku, location, quantity) VALUES (?, ?, ?) "
                "ON CONFLICT (sku, location) DO UPDATE SET quantity = excluded.quantity",
                reader,
            )


def recount(inventory: Path) -> Path:
    """The same stock file with every count one higher: a later stock take, in which every level changes."""
    again = inventory.with_name("inventory-recount.csv")
    with open(inventory, newline="") as src, open(again, "w", newline="") as fh:
        rows, out = csv.reader(src), csv.writer(fh)
        out.writerow(next(rows))
        for sku, loc, quantity in rows:
            out.writerow([sku, loc, int(quantity) + 1])
    return again


def baseline_again(first: Path, second: Path, db_path: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the stdlib upsert of `second` into the table `first` filled."""
    baseline(first, db_path)
    start, cpu = time.perf_counter(), time.process_time()
    conn = sqlite3.connect(db_path)
    _upsert(conn, second)
    conn.close()
    return time.perf_counter() - start, time.process_time() - cpu


def floor(inventory: Path, db: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of pos's staging and apply SQL alone, in one transaction, with nothing
    checked: the least any import that writes what pos writes can take here. As pos does, a second thread
    reads the file while each batch is written as the next is read."""
    from itertools import islice
    from operator import itemgetter

    from pos.services.db import Database
    from pos.handover import read_ahead
    from pos.services.imports._stage import BATCH, Stage

    store = Database(f"sqlite:///{db}")
    gc.disable()  # as pos does while it reads: the rows hold no cycles
    start, cpu = time.perf_counter(), time.process_time()
    with store.write() as conn:
        stage = Stage(conn)
        variants = stage.lookup("SELECT sku, id FROM variant")
        locations = stage.lookup("SELECT code, id FROM location")
        with open(inventory, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            next(reader)
            sku, code, quantity = itemgetter(0), itemgetter(1), itemgetter(2)

            def batches():
                line = 2
                while rows := list(islice(reader, BATCH)):
                    lines = list(range(line, line + len(rows)))
                    yield lines, stage.plain_rows(lines, list(map(variants.__getitem__, map(sku, rows))),
                                                  list(map(locations.__getitem__, map(code, rows))),
                                                  list(map(int, map(quantity, rows))))
                    line += len(rows)

            changed, pending = 0, None
            for lines, rows in read_ahead(batches()):
                if pending:
                    changed += stage.apply_lines("set", inventory.name, *pending)
                stage.add_plain_rows(rows)
                pending = (lines[0], lines[-1])
        if pending:
            changed += stage.apply_lines("set", inventory.name, *pending)
        changed += stage.apply("set", inventory.name, after=pending[1] if pending else 0)
        stage.drop()
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    gc.enable()
    store.dispose()
    assert pending and changed == pending[1] - 1, changed  # lines 2 to N+1: N rows, each a change
    return elapsed, used


def pos(db: Path, *args: str) -> tuple[float, int, str, float]:
    """Run pos; return (seconds, peak RSS in MB of that process, stdout, CPU seconds of that process).

    With Python's compiled-module cache on (beside the store), as on a user's machine: where the shell sets
    PYTHONDONTWRITEBYTECODE, every run would compile every module of pos first (an editable install has no
    compiled files of its own). The set-up runs fill the cache."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(db.parent / "pycache")
    start = time.perf_counter()
    child = subprocess.Popen([*POS, "--db", str(db), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env)
    out, err = child.stdout.read(), child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"pos {' '.join(args)} failed ({child.returncode}):\n{err}{out}")
    peak_mb = usage.ru_maxrss // 1024 if sys.platform != "darwin" else usage.ru_maxrss // (1024 * 1024)
    return elapsed, peak_mb, out, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skus", type=int, default=200_000)
    parser.add_argument("--locations", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3,
                        help="Time the baseline and the first pos import this many times, taking turns (each pos "
                             "run on a fresh copy of the store), and judge the median ratio: on a shared machine "
                             "one pair can differ by half.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder and print its path.")
    opts = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="pos-import-bench-"))
    try:
        catalog, inventory, rows = generate(folder, opts.skus, opts.locations)
        size_mb = inventory.stat().st_size / 1e6
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}")
        print(f"file: {rows:,} rows ({opts.skus:,} SKUs x {opts.locations} locations), {size_mb:.1f} MB")

        db = folder / "pos.db"
        pos(db, "init")
        for loc in range(opts.locations):
            pos(db, "location", "add", f"LOC-{loc}", "--name", f"Location {loc}")
        cat_s, cat_mb, _, _ = pos(db, "import", "catalog", str(catalog), "--json")
        print(f"setup: pos import catalog, {opts.skus:,} variants: {cat_s:.2f} s, peak {cat_mb} MB")
        empty = folder / "catalog-only.db"
        shutil.copy(db, empty)  # pos has closed the store: no WAL is left beside it

        ratios, cpu_ratios, peaks, floors = [], [], [], []
        for turn in range(1, opts.repeat + 1):
            base, base_cpu = baseline(inventory, folder / "baseline.db")
            (folder / "baseline.db").unlink()
            least_db = folder / "floor.db"
            shutil.copy(empty, least_db)
            least, least_cpu = floor(inventory, least_db)
            for leftover in (least_db, least_db.with_name(least_db.name + "-wal"),
                             least_db.with_name(least_db.name + "-shm")):
                leftover.unlink(missing_ok=True)
            floors.append(least / base)
            for leftover in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copy(empty, db)
            first_s, first_mb, out, first_cpu = pos(db, "import", "inventory", str(inventory), "--mode", "set",
                                                    "--json")
            doc = json.loads(out)
            assert doc["applied"] == rows and doc["rejected"] == 0, doc
            ratios.append(first_s / base)
            cpu_ratios.append(first_cpu / base_cpu)
            peaks.append(first_mb)
            print(f"turn {turn}: baseline (csv.reader + sqlite3 executemany upsert, one transaction) {base:.2f} s "
                  f"(CPU {base_cpu:.2f} s); pos import inventory --mode set (empty stock, {rows:,} changes + "
                  f"history rows) {first_s:.2f} s (CPU {first_cpu:.2f} s), peak {first_mb} MB: "
                  f"{first_s / base:.2f}x (CPU {first_cpu / base_cpu:.2f}x); floor (pos's SQL alone) "
                  f"{least:.2f} s (CPU {least_cpu:.2f} s): {least / base:.2f}x")
        again_s, again_mb, out, again_cpu = pos(db, "import", "inventory", str(inventory), "--mode", "set", "--json")
        assert json.loads(out)["unchanged"] == rows
        print(f"pos import inventory --mode set (same file again, all unchanged): {again_s:.2f} s (CPU {again_cpu:.2f} s), "
              f"peak {again_mb} MB")
        # A later stock take: the store has its levels, and every count changes. The baseline upserts the
        # same second file into its table filled by the first.
        second = recount(inventory)
        base2, base2_cpu = baseline_again(inventory, second, folder / "baseline.db")
        (folder / "baseline.db").unlink()
        later_s, later_mb, out, later_cpu = pos(db, "import", "inventory", str(second), "--mode", "set", "--json")
        assert json.loads(out)["applied"] == rows
        print(f"a later stock take (every level there, every count changed): baseline {base2:.2f} s (CPU "
              f"{base2_cpu:.2f} s); pos {later_s:.2f} s (CPU {later_cpu:.2f} s), peak {later_mb} MB: "
              f"{later_s / base2:.2f}x (CPU {later_cpu / base2_cpu:.2f}x)")
        print(f"ratio pos / baseline, median of {len(ratios)}: {statistics.median(ratios):.2f}x "
              f"(range {min(ratios):.2f}x-{max(ratios):.2f}x; goal: within 2x; CPU time "
              f"{statistics.median(cpu_ratios):.2f}x, range {min(cpu_ratios):.2f}x-{max(cpu_ratios):.2f}x), "
              f"peak memory {max(peaks)} MB (goal: under 150 MB)")
        print(f"floor (pos's staging, history and level SQL alone, nothing checked) / baseline, median: "
              f"{statistics.median(floors):.2f}x; pos / floor: {statistics.median(ratios) / statistics.median(floors):.2f}x")
        if opts.keep:
            print(f"files kept in {folder}")
    finally:
        if not opts.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
