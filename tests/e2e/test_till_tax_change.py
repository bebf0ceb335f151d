"""A store's tax rate changed by the back office in the middle of a `pos till` shift."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from pos.services.orders import list_orders, show_order

POS = str(Path(sys.executable).parent / "pos")


def test_exact_cash_after_a_mid_shift_tax_change_pays_the_new_total(store):
    till = subprocess.Popen(
        [POS, "--db", store.url, "till", "--location", "STORE-1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    watchdog = threading.Timer(90, till.kill)  # a till that never shows the sale fails the test, not the run
    watchdog.start()
    try:
        assert till.stdin is not None and till.stdout is not None
        till.stdin.write("2*TSHIRT-M\n")
        till.stdin.flush()
        seen = []
        while not any("TOTAL 43.28" in line for line in seen):  # 39.98 and 8.25 % tax
            line = till.stdout.readline()
            assert line, f"the till ended early: {''.join(seen)}"
            seen.append(line)
        office = subprocess.run([POS, "--db", store.url, "location", "update", "STORE-1", "--tax-rate", "10"],
                                capture_output=True, text=True, timeout=60)
        assert office.returncode == 0, office.stderr
        out, err = till.communicate("total\npay cash\nquit\n", timeout=120)
    finally:
        watchdog.cancel()
        if till.poll() is None:
            till.kill()
    assert till.returncode == 0, err
    assert "TOTAL 43.98" in out  # the sale shown at once at the new rate
    assert "error" not in err
    (order,) = list_orders(store)
    order = show_order(store, order_id=order.id)
    assert order.status == "processing"
    assert (order.tax, order.total, order.payment.tendered) == (400, 4398, 4398)
