"""Control characters in text: refused where a person or a file names something, and never obeyed when
shown. ESC starts printer and terminal commands (ESC p opens a cash drawer on most receipt printers), so a
name from a supplier's CSV must not be able to reach the printer or the screen as a command."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

ESC = "\x1b"


def _store(cli):
    cli("init")
    cli("location", "add", "S1", "--name", "Shop")
    cli("product", "add", "MUG", "--name", "Mug")


@pytest.mark.parametrize("args", [
    ["product", "add", "BAD", "--name", f"Evil{ESC}p"],
    ["variant", "add", "MUG-1", "--product", "MUG", "--price", "1", "--name", f"x{ESC}[31mred"],
    ["variant", "add", "MUG-2", "--product", "MUG", "--price", "1", "--option", f"size=M{ESC}p"],
    ["location", "add", "S2", "--name", "Two\tShops"],
    ["location", "add", "S3", "--name", "Three", "--address", f"1 Road{ESC}p"],
    ["location", "update", "S1", "--footer", f"Thanks{ESC}i"],
    ["product", "add", "NL", "--name", "Line1\nLine2"],
])
def test_a_name_with_a_control_character_is_a_one_line_error_and_nothing_is_saved(cli, args):
    _store(cli)
    before = json.loads(cli("product", "list", "--json").stdout), json.loads(cli("location", "list", "--json").stdout)
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert "control characters" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert ESC not in result.stderr
    after = json.loads(cli("product", "list", "--json").stdout), json.loads(cli("location", "list", "--json").stdout)
    assert after == before


def test_an_address_keeps_its_line_breaks(cli):
    _store(cli)
    assert cli("location", "update", "S1", "--address", "1 Road\nSpringfield").exit_code == 0
    rows = json.loads(cli("location", "list", "--json").stdout)
    assert rows[0]["address"] == "1 Road\nSpringfield"


def test_a_catalog_file_with_a_control_character_names_its_line(cli, tmp_path):
    _store(cli)
    bad = tmp_path / "catalog.csv"
    bad.write_text(f"sku,product,product_name,price\nA-1,P1,Fine,1.00\nA-2,P2,Bad{ESC}p,1.00\n", encoding="utf-8")
    result = cli("import", "catalog", str(bad))
    assert result.exit_code == 1
    assert ":3:" in result.stderr and "control characters" in result.stderr and ESC not in result.stderr


def test_a_control_character_already_stored_is_shown_and_printed_as_an_escape_never_sent(cli, db, tmp_path):
    _store(cli)
    cli("variant", "add", "MUG-1", "--product", "MUG", "--price", "2")
    cli("stock", "set", "MUG-1", "S1", "5")
    with db.write() as conn:  # as an older version, a plugin or a hand edit could have left it
        conn.execute(text("UPDATE product SET name = :n WHERE code = 'MUG'"), {"n": f"Mug{ESC}p{ESC}[2J"})
    cli("cart", "new", "--location", "S1")
    cli("cart", "add", "1", "MUG-1")
    assert cli("checkout", "1", "--pay", "cash", "--tendered", "5").exit_code == 0
    for args in (["product", "list"], ["product", "show", "MUG"], ["order", "show", "1"], ["receipt", "1"],
                 ["receipt", "1", "--format", "text", "--width", "32"], ["cart", "show", "1"]):
        shown = cli(*args)
        assert shown.exit_code == 0, (args, shown.output)
        assert ESC not in shown.stdout, args
        assert "\\x1bp" in shown.stdout, args
    job = tmp_path / "job.bin"
    assert cli("receipt", "1", "--printer", f"dummy:{job}").exit_code == 0
    data = job.read_bytes()
    assert b"Mug\\x1bp" in data and b"\x1bp" not in data.replace(b"\\x1bp", b"")
    # --json keeps the stored text exactly: a script gets what the database holds
    assert json.loads(cli("order", "show", "1", "--json").stdout)["items"][0]["name"].startswith(f"Mug{ESC}p")


def test_the_till_shows_a_stored_control_character_as_an_escape(cli, db):
    from pos.commands.till import sale_view
    from pos.receipt_text import sale_text

    sale = {"id": 1, "location": "S1", "currency": "USD", "subtotal": 100, "tax": 0, "total": 100,
            "shipping": {"name": f"Ada{ESC}p", "address": "1 Road"},
            "items": [{"sku": "MUG-1", "name": f"Mug{ESC}[2J", "quantity": 1, "location": "S1", "unit_price": 100,
                       "line_total": 100, "delivery": False}]}
    for shown in (sale_text(sale), sale_view(sale).plain):
        assert ESC not in shown and "Mug\\x1b[2J" in shown and "Ada\\x1bp" in shown


def test_an_unknown_code_with_an_escape_is_quoted_in_the_error_as_an_escape_never_sent(cli):
    _store(cli)
    cli("cart", "new", "--location", "S1")
    result = cli("cart", "add", "1", f"MUG{ESC}p")
    assert result.exit_code == 1
    assert ESC not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "MUG\\x1bp" in result.stderr


def test_an_import_error_keeps_each_problem_on_its_own_line_whatever_its_cell_holds(cli, tmp_path):
    _store(cli)
    cli("variant", "add", "MUG-1", "--product", "MUG", "--price", "2")
    stock = tmp_path / "stock.csv"
    stock.write_text(f'sku,location,quantity\n"NO\nSUCH",S1,1\nMUG-1,S1,2\n"X{ESC}[2J",S1,3\n', encoding="utf-8")
    result = cli("import", "inventory", str(stock))
    assert result.exit_code == 1
    assert ESC not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[1:] == ["stock.csv:2: sku: unknown SKU or barcode 'NO\\nSUCH'",
                         "stock.csv:5: sku: unknown SKU or barcode 'X\\x1b[2J'"]
    assert "2 of 3 rows are invalid; nothing was imported" in lines[0]


@pytest.mark.parametrize("args", [
    ["stock", "set", "MUG-1", "S1", "9", "--reason", f"count{ESC}p"],
    ["stock", "adjust", "MUG-1", "S1", "-1", "--reason", "broken\nin transit"],
    ["shift", "cash-out", "10.00", "--reason", "bank\tdrop"],
    ["return", "1", "MUG-1=1", "--reason", f"too small{ESC}[2J"],
])
def test_a_reason_with_a_control_character_is_a_one_line_error_and_nothing_moves(cli, args):
    """Every reason follows one rule (pos/reasons.py): a line break would break the history's and the shift
    report's columns, ESC would reach the printer as a command."""
    _store(cli)
    cli("variant", "add", "MUG-1", "--product", "MUG", "--price", "2")
    cli("stock", "set", "MUG-1", "S1", "5")
    cli("shift", "open", "--location", "S1", "--float", "50.00")
    cli("cart", "new", "--location", "S1")
    cli("cart", "add", "1", "MUG-1")
    assert cli("checkout", "1", "--pay", "cash", "--tendered", "5").exit_code == 0
    before = cli("stock", "history", "MUG-1", "--json").stdout, cli("shift", "x", "--json").stdout
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert "the reason must not contain control characters" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and ESC not in result.stderr
    assert (cli("stock", "history", "MUG-1", "--json").stdout, cli("shift", "x", "--json").stdout) == before


def test_skip_invalid_lists_each_problem_as_an_escape_on_its_own_line(cli, tmp_path):
    _store(cli)
    cli("variant", "add", "MUG-1", "--product", "MUG", "--price", "2")
    stock = tmp_path / "stock.csv"
    stock.write_text(f'sku,location,quantity\nMUG-1,S1,2\n"X{ESC}[31mRED",S1,3\n"A\tB",S1,1\n', encoding="utf-8")
    result = cli("import", "inventory", str(stock), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert ESC not in result.output and "\t" not in result.output
    assert "stock.csv:3: sku: unknown SKU or barcode 'X\\x1b[31mRED'" in result.output.splitlines()
    assert "stock.csv:4: sku: unknown SKU or barcode 'A\\x09B'" in result.output.splitlines()


def test_a_file_name_with_a_line_break_and_an_escape_is_a_one_line_error(cli, tmp_path):
    _store(cli)
    result = cli("import", "inventory", str(tmp_path / f"no{ESC}[31msuch\nfile.csv"))
    assert result.exit_code == 1
    assert ESC not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "no\\x1b[31msuch\\nfile.csv" in result.stderr
