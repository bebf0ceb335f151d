"""`pos import` and `pos export` as a user runs them: CliRunner, and real processes for interruption."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from pos.cli import app
from pos.services import inventory

STOCK = "sku,location,quantity\nTSHIRT-M,STORE-1,3\nCROISSANT,STORE-1,9\n"


def run(db, *args: str, input: str | None = None):
    return CliRunner().invoke(app, ["--db", db.url, *args], input=input)


def _on_hand(db, sku: str) -> dict[str, int]:
    return {lv.location: lv.on_hand for lv in inventory.check_stock(db, sku=sku).levels}


def test_standard_input_with_json_prints_exactly_one_summary_document(store):
    result = run(store, "import", "inventory", "-", "--json", input=STOCK)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["file"], doc["read"], doc["applied"], doc["rejected"]) == ("stdin", 2, 2, 0)
    assert _on_hand(store, "CROISSANT") == {"STORE-1": 9}


def test_a_bad_file_exits_1_lists_every_problem_on_stderr_and_writes_nothing(store, tmp_path):
    path = tmp_path / "count.csv"
    path.write_text("sku,location,quantity\nNOPE,STORE-1,1\nTSHIRT-M,STORE-1,-4\nTSHIRT-M,STORE-1,1\n")
    result = run(store, "import", "inventory", str(path))
    assert result.exit_code == 1
    assert "count.csv:2: sku: unknown SKU or barcode 'NOPE'" in result.stderr
    assert "count.csv:3: quantity: must be zero or more" in result.stderr
    assert "nothing was imported" in result.stderr
    assert _on_hand(store, "TSHIRT-M")["STORE-1"] == 10


def test_skip_invalid_with_rejects_reports_counts_and_writes_the_file(store, tmp_path):
    path, rejects = tmp_path / "count.csv", tmp_path / "rejects.csv"
    path.write_text("sku;location;quantity\nNOPE;STORE-1;1\nTSHIRT-M;STORE-1;4\n")
    result = run(store, "import", "inventory", str(path), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    assert "2 rows read, 1 changed, 0 unchanged, 1 rejected" in result.stdout
    assert rejects.read_text().splitlines()[1].startswith("NOPE,STORE-1,1,")


def test_rejects_without_skip_invalid_is_refused(store, tmp_path):
    result = run(store, "import", "inventory", "-", "--rejects", str(tmp_path / "r.csv"), input=STOCK)
    assert result.exit_code == 2
    assert "--rejects needs --skip-invalid" in result.stderr


def test_dry_run_in_add_mode_changes_nothing(store):
    result = run(store, "import", "inventory", "-", "--mode", "add", "--dry-run", input=STOCK)
    assert result.exit_code == 0
    assert "2 would change" in result.stdout and "dry run" in result.stdout
    assert _on_hand(store, "TSHIRT-M")["STORE-1"] == 10


def test_no_progress_bar_when_output_is_not_a_terminal(store, tmp_path):
    path = tmp_path / "count.csv"
    path.write_text(STOCK)
    result = run(store, "import", "inventory", str(path))
    assert result.stderr == ""
    assert "\x1b[" not in result.stdout


def test_export_to_stdout_reads_back_unchanged_through_standard_input(store):
    exported = run(store, "export", "catalog")
    assert exported.exit_code == 0 and exported.stdout.startswith("product,product_name,sku,price")
    again = run(store, "import", "catalog", "-", "--json", input=exported.stdout)
    assert json.loads(again.stdout)["unchanged"] == 2
    stock = run(store, "export", "inventory", "--location", "STORE-1")
    assert json.loads(run(store, "import", "inventory", "-", "--json", input=stock.stdout).stdout)["unchanged"] == 2


def test_export_to_a_file_says_how_many_rows(store, tmp_path):
    target = tmp_path / "stock.csv"
    result = run(store, "export", "inventory", "--output", str(target), "--json")
    assert json.loads(result.stdout) == {"kind": "inventory", "rows": 3, "output": str(target)}
    assert target.read_text().count("\n") == 4


def test_sample_files_import_export_and_import_again_with_no_change(db, tmp_path):
    from pos.services.sample import load_sample, sample_data_dir

    with sample_data_dir() as folder:
        load_sample(db, folder)
    for kind in ("catalog", "inventory"):
        exported = run(db, "export", kind, "--output", str(tmp_path / f"{kind}.csv"))
        assert exported.exit_code == 0
        again = json.loads(run(db, "import", kind, str(tmp_path / f"{kind}.csv"), "--json").stdout)
        assert again["applied"] == 0 and again["unchanged"] == again["read"] > 0


# -- interruption: a real process, stopped while it is inside its write transaction -------------------


def _holds_write_lock(path) -> bool:
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


@pytest.mark.parametrize("source", ["stdin", "fifo"])
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "killed"])
def test_an_interrupted_import_leaves_stock_as_it_was_and_a_rerun_completes(sqlite_url, tmp_path, how, source):
    """Interrupted while its input, standard input or a named pipe, is open and idle (a slow feed, rows
    typed at a terminal): Ctrl-C stops it at once, not at the next row."""
    from pos.services import catalog
    from pos.services.db import Database
    from pos.services.settings import init_store

    db = Database(sqlite_url)
    init_store(db, currency="USD")
    catalog.add_location(db, code="STORE-1", name="Store")
    catalog.add_product(db, code="TSHIRT", name="T-shirt")
    catalog.add_variant(db, sku="TSHIRT-M", product="TSHIRT", price="19.99")
    inventory.set_stock(db, sku="TSHIRT-M", location="STORE-1", quantity=10)
    db.dispose()

    fifo = tmp_path / "stock.pipe"
    if source == "fifo":
        os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos", "--db", sqlite_url, "import", "inventory", "-" if source == "stdin" else str(fifo)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    feed = proc.stdin if source == "stdin" else open(fifo, "w")  # noqa: SIM115 - closed below
    feed.write("sku,location,quantity\nTSHIRT-M,STORE-1,3\n")
    feed.flush()
    path = sqlite_url.removeprefix("sqlite:///")
    deadline = time.monotonic() + 30
    while not _holds_write_lock(path):  # the import is now inside its transaction, waiting for more rows
        assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read() if proc.poll() else "timeout"
        time.sleep(0.05)
    os.kill(proc.pid, how)
    proc.wait(timeout=30)  # its input still open: Ctrl-C must not wait for the next row
    if feed is not proc.stdin:
        feed.close()
    _out, err = proc.communicate(timeout=30)
    if how == signal.SIGINT:
        assert proc.returncode == 130 and "import interrupted; nothing was imported" in err
    else:
        assert proc.returncode == -signal.SIGKILL

    assert _on_hand(db, "TSHIRT-M") == {"STORE-1": 10}
    assert [h.source for h in inventory.stock_history(db, sku="TSHIRT-M")] == ["set"]
    done = subprocess.run(
        [sys.executable, "-m", "pos", "--db", sqlite_url, "import", "inventory", "-", "--json"],
        input="sku,location,quantity\nTSHIRT-M,STORE-1,3\n", capture_output=True, text=True, check=True,
    )
    assert json.loads(done.stdout)["applied"] == 1
    assert _on_hand(db, "TSHIRT-M") == {"STORE-1": 3}
    db.dispose()


@pytest.mark.parametrize("args", [["import"], ["import", "catalog"], ["import", "inventory"], ["export"],
                                  ["export", "catalog"], ["export", "inventory"], ["export", "orders"]])
def test_every_import_and_export_command_has_help(args):
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0 and len(result.stdout) > 200
