"""The hostile corpus (tests/hostile.py) through import, every listing, a sale, every receipt format, the
till and an export/import round trip, on SQLite and PostgreSQL: every name shown exactly as typed, no text
line wider than its roll, and no command failing (exit 70 would be a bug)."""

from __future__ import annotations

import csv
import json

import pytest
from hostile import NAMES, stored
from rich.cells import cell_len
from typer.testing import CliRunner

from pos.cli import app
from schemas import check_json_output

WIDTHS = (32, 42, 48)


def write_csv(path, header: list[str], rows: list[list[str]]) -> str:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def item_name(product: str, variant: str) -> str:
    """An order item's name: the product's, then the variant's; an order keeps 400 characters of it."""
    name = f"{product} {variant}"
    return name if len(name) <= 400 else name[:399] + "…"


@pytest.fixture
def pos(db_url):
    """`pos --db <db> ...` on a terminal wide enough that rich wraps nothing; every command must succeed."""

    def run(*args: str, input: str | None = None, ok: bool = True):
        result = CliRunner().invoke(app, ["--db", db_url, *map(str, args)], input=input, env={"COLUMNS": "5000"})
        assert result.exit_code != 70, result.output
        check_json_output(list(args), result.stdout)
        if ok:
            assert result.exit_code == 0, (args, result.output)
        return result

    return run


@pytest.fixture
def shop(pos, tmp_path):
    """A store per name (name, address and footer all that name) and a product and variant per name, imported
    from CSV files a spreadsheet could have written; ten of each in stock at its store."""
    pos("init", "--currency", "USD")
    n = range(len(NAMES))
    pos("import", "locations", write_csv(tmp_path / "locations.csv", ["code", "name", "tax_rate", "address", "receipt_footer"],
                                         [[f"L{i:02}", NAMES[i], "8.25", NAMES[i], NAMES[i]] for i in n]))
    pos("import", "catalog", write_csv(tmp_path / "catalog.csv",
                                       ["product", "product_name", "sku", "price", "variant_name", "option:size"],
                                       [[f"P{i:02}", NAMES[i], f"SKU-{i:02}", "12.50", NAMES[i], NAMES[i]] for i in n]))
    pos("import", "inventory", write_csv(tmp_path / "stock.csv", ["sku", "location", "quantity"],
                                         [[f"SKU-{i:02}", f"L{i:02}", "10"] for i in n]))
    return pos


def test_every_listing_shows_each_name_as_typed(shop):
    products = json.loads(shop("product", "list", "--json").stdout)
    assert [(p["name"], p["variants"][0]["name"], p["variants"][0]["options"]["size"]) for p in products] == [
        (stored(name), f"{stored(name)} {stored(name)}", stored(name)) for name in NAMES]  # product, then variant
    listed = shop("product", "list").stdout
    locations = shop("location", "list").stdout
    for i, name in enumerate(NAMES):
        assert stored(name) in listed and stored(name) in locations
        assert stored(name) in shop("product", "show", f"P{i:02}").stdout
        assert stored(name) in shop("stock", "check", f"SKU-{i:02}").stdout
        shop("stock", "adjust", f"SKU-{i:02}", f"L{i:02}", "-1", "--reason", name)
        assert name in shop("stock", "history", f"SKU-{i:02}").stdout  # a reason is kept as typed


def test_a_sale_of_each_name_shows_it_in_the_cart_the_order_and_every_receipt(shop, tmp_path):
    printed = tmp_path / "printer.bin"
    text_32 = ""
    for i, name in enumerate(NAMES):
        shown = stored(name)
        cart = json.loads(shop("cart", "new", "--location", f"L{i:02}", "--json").stdout)["id"]
        assert shown in shop("cart", "add", cart, f"SKU-{i:02}", "--qty", "2").stdout
        assert shop("cart", "show", cart).stdout.count(shown) >= 1
        order = json.loads(shop("checkout", cart, "--pay", "cash", "--tendered", "100", "--json").stdout)
        assert order["status"] == "processing"
        assert (order["store"]["name"], order["store"]["receipt_footer"]) == (shown, shown)
        assert order["items"][0]["name"] == item_name(shown, shown)
        for view in (shop("order", "show", order["id"]).stdout, shop("receipt", order["id"], "--format", "rich").stdout):
            assert shown in view
        as_json = json.loads(shop("receipt", order["id"], "--format", "json").stdout)
        assert as_json["items"][0]["name"] == item_name(shown, shown)
        for width in WIDTHS:
            text = shop("receipt", order["id"], "--format", "text", "--width", width).stdout
            assert max(cell_len(line) for line in text.splitlines()) <= width, text
            if cell_len(shown) <= width - 2:
                assert shown in text
            assert "".join(shown.split()) in "".join(text.split())  # wrapped, but every character is there
            text_32 = text if width == 32 else text_32
        shop("receipt", order["id"], "--printer", f"dummy:{printed}", "--width", "32")
        job = printed.read_bytes().split(b"\x1dV")[-2]  # the last job, up to its cut
        if text_32.isascii():  # the printer prints the roll's very lines (other scripts go through code pages)
            for line in text_32.splitlines():
                assert line.strip().encode("ascii") in job
    listed = shop("order", "list", "--limit", 100).stdout
    assert all(f"L{i:02}" in listed for i in range(len(NAMES)))
    closed = shop("cart", "list", "--status", "closed").stdout
    assert all(stored(name) in closed for name in NAMES)
    exported = list(csv.reader(shop("export", "orders").stdout.splitlines()))
    cells = {cell for row in exported for cell in row}
    assert all(any(stored(name) in cell for cell in cells) for name in NAMES), exported[:3]


def test_the_till_sells_every_name_and_keeps_its_columns(shop):
    for i, name in enumerate(NAMES):
        result = shop("till", "--location", f"L{i:02}", "--new", input=f"SKU-{i:02}\n2*SKU-{i:02}\npay cash 100\n")
        assert "paid. New sale." in result.stdout
        shown = stored(name)
        if cell_len(shown) <= 28:
            assert shown in result.stdout


def test_an_export_imports_back_unchanged_with_every_name_as_it_was(shop, tmp_path):
    exported = tmp_path / "export.csv"
    shop("export", "catalog", "--output", exported)
    again = json.loads(shop("import", "catalog", str(exported), "--json").stdout)
    assert (again["read"], again["unchanged"], again["applied"], again["rejected"]) == (len(NAMES), len(NAMES), 0, 0)
    products = json.loads(shop("product", "list", "--json").stdout)
    assert [p["name"] for p in products] == [stored(name) for name in NAMES]
