"""An inventory import killed while it writes the stock levels: with SQLite, a big first stock take has dropped
stock_level's secondary indexes at that point, to build them after its writes. A real process killed there
(SIGKILL: nothing flushed, nothing cleaned up) leaves the store as it was, indexes included, and running
the same import again completes. SQLite and PostgreSQL alike.

The same holds for a kill after batches were written as the file was read (SQLite writes a file's leading
plain batches while it reads the next): they share the import's one transaction."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap

from plugins import pos_executable
from sqlalchemy import text
from store_probes import level_indexes

from pos.services import inventory

STOCK = "sku,location,quantity\nTSHIRT-M,STORE-1,7\nCROISSANT,WH-1,12\nCROISSANT,STORE-1,1\nTSHIRT-M,WH-1,3\n"

# POS_TEST_KILL_AT_LEVELS makes every import a bulk one (the thresholds to 1 and 0) and kills the process as
# it writes the levels; POS_TEST_KILL_AT_SECOND_WRITE kills it once it has written its second batch (or all
# of them, where that comes first), before it commits.
KILL_HOOKS = """
    import os
    import signal

    if os.environ.get("POS_TEST_KILL_AT_LEVELS"):
        from pos.services.imports import _stage

        _stage.BULK_LEVELS, _stage.BULK_RATIO = 1, 0

        def killed(self, *args):
            os.kill(os.getpid(), signal.SIGKILL)

        _stage.Stage._apply_levels = killed

    if os.environ.get("POS_TEST_KILL_AT_SECOND_WRITE"):
        from pos.services.imports import _stage, inventory

        inventory.BATCH = 2  # so that a small file has several batches
        real, calls = _stage.Stage.apply_lines, []

        def killed_later(self, mode, name, first, last):
            calls.append((first, last))
            changed = real(self, mode, name, first, last)
            if len(calls) == 2 or last == _stage.LAST_LINE:  # written, not yet committed
                os.kill(os.getpid(), signal.SIGKILL)
            return changed

        _stage.Stage.apply_lines = killed_later
"""


def _movements(db) -> int:
    with db.read() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM stock_movement")).scalar_one()


def _killing(tmp_path, switch: str) -> dict[str, str]:
    """The environment of a `pos` child that loads the kill hooks above, with `switch` on."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(KILL_HOOKS))
    return {**os.environ, switch: "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}


def test_an_import_killed_while_writing_levels_leaves_the_store_as_it_was(store, tmp_path):
    env = _killing(tmp_path, "POS_TEST_KILL_AT_LEVELS")
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,location,quantity\nTSHIRT-M,STORE-1,7\nCROISSANT,WH-1,12\n")
    indexes, movements = level_indexes(store), _movements(store)
    store.dispose()

    killed = subprocess.run([pos_executable(), "--db", store.url, "import", "inventory", str(stock)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode in (-9, 137), killed.stderr
    assert level_indexes(store) == indexes
    assert {lv.location: lv.on_hand for lv in inventory.check_stock(store, sku="TSHIRT-M").levels} == {
        "STORE-1": 10, "WH-1": 50}
    assert inventory.check_stock(store, sku="CROISSANT").levels[0].location == "STORE-1"
    assert _movements(store) == movements  # no history row without its level change, nor the reverse

    done = subprocess.run([pos_executable(), "--db", store.url, "import", "inventory", str(stock), "--json"],
                          env={**env, "POS_TEST_KILL_AT_LEVELS": ""}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["applied"] == 2
    assert inventory.check_stock(store, sku="TSHIRT-M", location="STORE-1").levels[0].on_hand == 7
    assert inventory.check_stock(store, sku="CROISSANT", location="WH-1").levels[0].on_hand == 12
    assert _movements(store) == movements + 2
    assert level_indexes(store) == indexes


def test_an_import_killed_after_writing_some_batches_as_it_read_leaves_the_store_as_it_was(store, tmp_path):
    """With SQLite the first batch (two rows here) is written while the second is read, and the process is
    killed once it has written the second, as it read them, before the checks. With PostgreSQL, which
    writes after its checks, once it has written them all. Neither has committed."""
    env = _killing(tmp_path, "POS_TEST_KILL_AT_SECOND_WRITE")
    stock = tmp_path / "stock.csv"
    stock.write_text(STOCK)
    levels = {sku: {lv.location: lv.on_hand for lv in inventory.check_stock(store, sku=sku).levels}
              for sku in ("TSHIRT-M", "CROISSANT")}
    movements = _movements(store)
    store.dispose()

    killed = subprocess.run([pos_executable(), "--db", store.url, "import", "inventory", str(stock)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode in (-9, 137), killed.stderr
    assert {sku: {lv.location: lv.on_hand for lv in inventory.check_stock(store, sku=sku).levels}
            for sku in levels} == levels
    assert _movements(store) == movements

    done = subprocess.run([pos_executable(), "--db", store.url, "import", "inventory", str(stock), "--json"],
                          env={**env, "POS_TEST_KILL_AT_SECOND_WRITE": ""}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["applied"] == 4
    assert {lv.location: lv.on_hand for lv in inventory.check_stock(store, sku="TSHIRT-M").levels} == {
        "STORE-1": 7, "WH-1": 3}
    assert {lv.location: lv.on_hand for lv in inventory.check_stock(store, sku="CROISSANT").levels} == {
        "STORE-1": 1, "WH-1": 12}
    assert _movements(store) == movements + 4
