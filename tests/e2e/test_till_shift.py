"""A scripted shift piped into the installed `pos till`, run as a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pos.services.inventory import check_stock
from pos.services.orders import list_orders, show_order

POS = str(Path(sys.executable).parent / "pos")
CARDS = ("4242424242424242", "4000000000000002", "4242 4242 4242 4242")

SHIFT = """\
4006381333948
pay cash 30
2*CROISSANT
pay card 4242424242424242
TSHIRT-M
TSHIRT-M
-TSHIRT-M
CROISSANT
pay cash
9 CROISSANT
2 CROISSANT
pay card 4000000000000002
pay cash 20
from WH-1 3*TSHIRT-M
pay card 4242424242424242
ship Ada Lovelace / 1 Analytical Way, London
pay card 4242 4242 4242 4242 12/30
from WH-1 CROISSANT
TSHIRT-M
qty TSHIRT-M 3
pay cash 100
TSHIRT-M
cancel
NOPE
TSHIRT-M
total
pay cash 25
TSHIRT-M
pay cash 25
TSHIRT-M
pay card 4242424242424242
help
TSHIRT-M
pay cash 25
TSHIRT-M
pay cash 25
TSHIRT-M
pay card 4242424242424242
TSHIRT-M
quit
"""


def run_till(db_url: str, script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [POS, "--db", db_url, "till", "--location", "STORE-1", *args],
        input=script, capture_output=True, text=True, timeout=120,
    )


def levels(db, sku: str) -> dict[str, int]:
    return {lv.location: lv.on_hand for lv in check_stock(db, sku=sku).levels}


def test_a_scripted_shift_ends_with_the_right_orders_stock_and_receipts(store, tmp_path):
    printer = tmp_path / "printer.bin"
    done = run_till(store.url, SHIFT, "--printer", f"dummy:{printer}", "--width", "32")
    assert done.returncode == 0, done.stderr

    orders = list_orders(store, limit=100)
    paid = [o for o in orders if o.status == "processing"]
    failed = [o for o in orders if o.status == "payment_failed"]
    assert len(paid) == 12 and len(failed) == 1
    assert failed[0].payment.processor == "card"

    assert levels(store, "TSHIRT-M") == {"STORE-1": 0, "WH-1": 47}
    assert levels(store, "CROISSANT") == {"STORE-1": 0}

    delivery = [show_order(store, order_id=o.id) for o in paid]
    shipped = [o for o in delivery if o.shipping]
    assert len(shipped) == 1
    assert shipped[0].plain()["shipping"] == {"name": "Ada Lovelace", "address": "1 Analytical Way, London"}
    assert shipped[0].items[0].location == "WH-1" and shipped[0].items[0].delivery

    # The declined card and the cash that followed were the same sale: the paid order has both croissants.
    retry = next(o for o in delivery if o.cart_id == failed[0].cart_id)
    assert retry.payment.processor == "cash" and retry.items[0].quantity == 2

    # Every paid sale printed a receipt on screen and on the printer.
    assert done.stdout.count("TOTAL USD") == 12
    assert printer.read_bytes().count(b"\x1b@") == 12
    assert "Change" in done.stdout and "Ship to: Ada Lovelace" in done.stdout

    # One line per refusal, on stderr, and the shift carried on.
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert any("not enough CROISSANT" in e for e in errors)
    assert any("payment declined (card_declined)" in e for e in errors)
    assert any("delivery lines" in e for e in errors)
    assert any("cannot be delivered" in e for e in errors)
    assert any("NOPE" in e for e in errors)
    assert any("not enough TSHIRT-M" in e for e in errors)  # the last scan, with the shelf empty
    assert len(errors) == 6

    for number in CARDS:
        assert number not in done.stdout and number not in done.stderr
        assert number.encode() not in printer.read_bytes()
    assert "> pay card ****4242 **/**" in done.stdout


def test_an_unfinished_sale_is_kept_and_resumed_by_the_next_till(store):
    first = run_till(store.url, "TSHIRT-M\n2*CROISSANT\n")
    assert first.returncode == 0
    assert "--resume" in first.stderr
    assert list_orders(store) == []

    second = run_till(store.url, "pay cash 50\n", "--resume")
    assert second.returncode == 0, second.stderr
    assert "resuming sale" in second.stderr
    (order,) = list_orders(store)
    items = {i.sku: i.quantity for i in show_order(store, order_id=order.id).items}
    assert items == {"TSHIRT-M": 1, "CROISSANT": 2}


def test_piped_input_does_not_resume_on_its_own(store):
    run_till(store.url, "TSHIRT-M\n")
    again = run_till(store.url, "CROISSANT\npay cash 10\n")
    assert "unfinished" in again.stderr
    (order,) = list_orders(store)
    assert [i.sku for i in show_order(store, order_id=order.id).items] == ["CROISSANT"]


def test_an_unknown_store_is_a_one_line_error_and_exit_1(store):
    done = subprocess.run([POS, "--db", store.url, "till", "--location", "NOWHERE"], input="",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error:") and len(done.stderr.strip().splitlines()) == 1


def test_a_card_number_scanned_as_a_barcode_is_not_echoed_back(store):
    done = run_till(store.url, "4242424242424242\n")
    assert "4242424242424242" not in done.stdout + done.stderr
    assert "error: no variant with SKU or barcode '****4242'" in done.stderr


def test_a_broken_printer_leaves_the_sale_paid_and_the_till_running(store, tmp_path):
    done = run_till(store.url, "TSHIRT-M\npay cash 30\nCROISSANT\npay cash 10\n",
                    "--printer", f"file:{tmp_path}/missing/lp0")
    assert done.returncode == 0
    assert done.stderr.count("error: printer") == 2 and "reprint with `pos receipt" in done.stderr
    assert [o.status for o in list_orders(store)] == ["processing", "processing"]
