"""Receipts on ESC/POS printers, through python-escpos: checked byte by byte via the dummy printer."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pos.cli import app
from pos.errors import InvalidInput, PrinterError
from pos.services import cart
from pos.services.orders import checkout, show_order
from pos.services.printer import parse_spec, print_receipt

INIT = b"\x1b@"  # ESC @
FULL_CUT = b"\x1dV\x00"  # GS V 0
BOLD_ON = b"\x1bE\x01"


def paid_order(db) -> dict:
    sale = cart.new_cart(db, location="STORE-1").id
    cart.add_item(db, cart_id=sale, code="TSHIRT-M", quantity=2)
    return checkout(db, cart_id=sale, processor="card", params={"card": "4242424242424242"})


def test_the_dummy_printer_gets_init_the_receipt_lines_and_a_cut(store, tmp_path):
    order = paid_order(store)
    out = tmp_path / "receipt.bin"
    print_receipt(order.plain(), spec=f"dummy:{out}", width=32)
    data = out.read_bytes()
    assert data.startswith(INIT)
    assert data.rstrip(b"\n").endswith(FULL_CUT)
    for text in (b"Main Street Store", b"12 Main Street", f"Order {order.id}".encode(), b"T-shirt Medium",
                 b"2 x 19.99", b"39.98", b"visa ****4242", b"Thanks!"):
        assert text in data, text
    assert BOLD_ON in data  # the TOTAL line is bold
    assert b"4242424242424242" not in data


def test_each_receipt_is_appended_like_a_printer_stream(store, tmp_path):
    order = paid_order(store)
    out = tmp_path / "receipt.bin"
    print_receipt(order.plain(), spec=f"dummy:{out}")
    print_receipt(order.plain(), spec=f"dummy:{out}")
    assert out.read_bytes().count(INIT) == 2


def test_a_missing_printer_is_a_clear_error_and_the_order_stays_paid(store, tmp_path):
    order = paid_order(store)
    with pytest.raises(PrinterError) as err:
        print_receipt(order.plain(), spec=f"file:{tmp_path}/no/such/lp0")
    assert f"pos receipt {order.id} --printer" in err.value.message
    assert show_order(store, order_id=order.id).status == "processing"


def test_a_network_printer_that_is_off_is_a_printer_error(store):
    order = paid_order(store)
    with pytest.raises(PrinterError):
        print_receipt(order.plain(), spec="network:127.0.0.1:9")


@pytest.mark.parametrize("spec", ["lp0", "serial:/dev/ttyS0", "usb:zz:01", "network:", "dummy:"])
def test_a_printer_spec_that_is_not_understood_is_refused(spec):
    with pytest.raises(InvalidInput):
        parse_spec(spec)


def test_pos_receipt_prints_on_the_printer_and_as_text(store, tmp_path):
    order = paid_order(store)
    out = tmp_path / "r.bin"
    runner = CliRunner()
    result = runner.invoke(app, ["--db", store.url, "receipt", str(order.id), "--printer", f"dummy:{out}"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(INIT)
    text = runner.invoke(app, ["--db", store.url, "receipt", str(order.id), "--format", "text", "--width", "32"])
    assert text.exit_code == 0
    assert "TOTAL USD" in text.stdout and max(len(line) for line in text.stdout.splitlines()) <= 32


def test_pos_receipt_json_is_the_order_document(store):
    import json

    order = paid_order(store)
    result = CliRunner().invoke(app, ["--db", store.url, "receipt", str(order.id), "--format", "json"])
    assert json.loads(result.stdout)["total"] == order.total
    missing = CliRunner().invoke(app, ["--db", store.url, "receipt", "999", "--format", "json"])
    assert missing.exit_code == 1 and json.loads(missing.stdout)["error"]["code"] == "not_found"


def test_pos_receipt_with_a_broken_printer_exits_non_zero_and_says_how_to_reprint(store, tmp_path):
    order = paid_order(store)
    result = CliRunner().invoke(app, ["--db", store.url, "receipt", str(order.id), "--printer",
                                      f"file:{tmp_path}/missing/lp0"])
    assert result.exit_code == 1
    assert "error: printer" in result.stderr and "reprint" in result.stderr
    assert show_order(store, order_id=order.id).status == "processing"
