"""An inventory import killed while it writes the stock levels: with SQLite, a big first stock take has dropped
stock_level's secondary indexes at that point, to build them after its writes. A real process killed there
(SIGKILL: nothing flushed, nothing cleaned up) leaves the store as it was, indexes included, and running
the same import again completes. SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap

from plugins import pos_executable
from sqlalchemy import text
from store_probes import level_indexes

from pos.services import inventory

# Makes every import a bulk one (the thresholds to 1 and 0) and kills the process as it writes the levels.
KILL_AT_LEVELS = """
    import os
    import signal

    if os.environ.get("POS_TEST_KILL_AT_LEVELS"):
        from pos.services.imports import _stage

        _stage.BULK_LEVELS, _stage.BULK_RATIO = 1, 0

        def killed(self, *args):
            os.kill(os.getpid(), signal.SIGKILL)

        _stage.Stage._apply_levels = killed
"""


def _movements(db) -> int:
    with db.read() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM stock_movement")).scalar_one()


def test_an_import_killed_while_writing_levels_leaves_the_store_as_it_was(store, tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(KILL_AT_LEVELS))
    env = {**os.environ, "POS_TEST_KILL_AT_LEVELS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}
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
