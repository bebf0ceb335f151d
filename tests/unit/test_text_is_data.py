"""Text from people, files and plugins is shown exactly as typed in every view, and fits its width in cells."""

import io

import pytest
from hostile import NAMES, stored
from rich.cells import cell_len
from rich.console import Console

from pos.commands import _render as r
from pos.receipt_text import receipt_text, sale_text

SHOWN = [stored(n) for n in NAMES]


def wide_text(renderable) -> str:
    """What a person sees on a terminal wide enough that nothing is wrapped."""
    out = io.StringIO()
    Console(file=out, width=4000, color_system=None, highlight=False).print(renderable)
    return out.getvalue()


def item(name: str, **over) -> dict:
    return {"sku": "MUG-1", "name": name, "quantity": 2, "location": "S1", "unit_price": 1250, "line_total": 2500,
            "delivery": False, **over}


def order(name: str, **over) -> dict:
    doc = {
        "id": 9, "status": "processing", "cart_id": 1, "location": "S1",
        "store": {"code": "S1", "name": name, "address": name, "receipt_footer": name},
        "created_at": "2026-11-25T21:32:07Z",
        "items": [item(name), item(name, sku="MUG-2", location="WH", delivery=True)],
        "subtotal": 5000, "tax_rate": "8.25", "tax": 413, "total": 5413, "currency": "USD",
        "payment": {"processor": "cash", "status": "approved", "amount": 5413, "reason": None, "reference": None,
                    "brand": None, "last4": None, "tendered": 6000, "change": 587},
        "shipping": {"name": name, "address": name},
    }
    doc.update(over)
    return doc


def variant(name: str) -> dict:
    return {"sku": "MUG-1", "name": name, "price": 1250, "currency": "USD", "barcode": None,
            "options": {"size": name}, "is_deliverable": True,
            "levels": [{"location": "S1", "on_hand": 3, "reserved": 0, "available": 3}]}


@pytest.mark.parametrize("name", SHOWN)
def test_every_view_shows_a_name_exactly_as_typed(name):
    views = [
        r.products_view([{"code": "MUG", "name": name, "variants": [variant(name)]}]),
        r.product_view({"code": "MUG", "name": name, "variants": [variant(name)]}),
        r.locations_view([{"code": "S1", "name": name, "tax_rate": "0", "address": name, "receipt_footer": ""}]),
        r.cart_view({"id": 1, "location": "S1", "status": "open", "currency": "USD", "items": [item(name)],
                     "subtotal": 2500, "shipping": {"name": name, "address": name}}),
        r.receipt_view(order(name)),
        r.stock_view({"sku": "MUG-1", "name": name, "levels": [
            {"location": "S1", "on_hand": 3, "reserved": 0, "available": 3}]}),
        r.history_view([{"at": "2026-11-25T21:32:07Z", "sku": "MUG-1", "location": "S1", "change": -1,
                         "on_hand": 2, "source": "import", "ref": name, "reason": name}]),
    ]
    for view in views:
        assert name in wide_text(view)


def test_a_receipt_shows_a_failed_payments_reason_as_the_processor_gave_it():
    failed = order("Mug", status="payment_failed", payment={
        "processor": "acme", "status": "declined", "amount": 5413, "reason": "[/] card [bold]refused", "reference": None,
        "brand": None, "last4": None})
    assert "[/] card [bold]refused" in wide_text(r.receipt_view(failed))


def test_a_broken_plugins_error_is_shown_as_it_is_and_does_not_break_the_list():
    rows = [{"name": "acme", "description": "[red]Acme[/red] pay", "parameters": [], "distribution": "acme-pay",
             "module": "acme", "error": None},
            {"name": "bad", "description": "", "parameters": [], "distribution": None, "module": "bad_pay",
             "error": "ImportError: no module [/] named x"}]
    shown = wide_text(r.processors_view(rows))
    assert "[red]Acme[/red] pay" in shown
    assert "broken: ImportError: no module [/] named x" in shown


@pytest.mark.parametrize("width", [32, 42, 48])
@pytest.mark.parametrize("name", SHOWN)
def test_no_text_receipt_line_is_wider_than_the_roll_in_cells(name, width):
    text = receipt_text(order(name), width)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    if cell_len(name) <= width - 2:  # short enough for one line: printed as typed, centred or not
        assert name in text


def test_a_wide_name_on_a_receipt_wraps_instead_of_overflowing():
    text = receipt_text(order("日本語の長い商品名です本当に長い名前"), 32)
    assert "日本語の長い商品名です本当に長い" in text and "名前" in text


def columns_of(line: str, marker: str) -> int:
    """The terminal column at which `marker` starts on `line`."""
    return cell_len(line[: line.index(marker)])


def test_the_tills_compact_view_keeps_prices_in_line_with_wide_names_and_cuts_long_ones():
    sale = {"id": 3, "location": "S1", "currency": "USD", "subtotal": 7500, "tax": 0, "total": 7500, "shipping": None,
            "items": [item("Mug"), item("日本語の長い商品名です本当に長い名前"), item("🍺 Beer and 🍕 pizza"),
                      item("Cafe\u0301 cre\u0300me bru\u0302le\u0301e"), item("L" * 200)]}
    lines = sale_text(sale).splitlines()[1:6]
    assert len({columns_of(line, "12.50") for line in lines}) == 1
    assert "…" in lines[4] and "L" * 27 in lines[4] and "L" * 29 not in lines[4]


def test_the_tills_rich_view_keeps_prices_in_line_with_wide_names():
    from pos.commands.till import sale_view

    sale = {"id": 3, "location": "S1", "currency": "USD", "subtotal": 7500, "tax": 0, "total": 7500, "shipping": None,
            "items": [item("Mug [/]"), item("日本語の商品"), item("🍺 Beer"), item("Cafe\u0301")]}
    lines = sale_view(sale).plain.splitlines()[1:5]
    assert len({columns_of(line, "12.50") for line in lines}) == 1
    assert "Mug [/]" in lines[0]


@pytest.mark.parametrize("name", ["Mug [/]", "Tee [red]", "=SUM(A1:A9)", 'Quoted "inch"', "Comma, separated; semi"])
def test_the_printer_gets_the_same_text_as_the_roll(name):
    from pos.services.printer import escpos_receipt

    data = escpos_receipt(order(name), width=32)
    assert name.encode("ascii") in data
