"""Issue 8 as a clerk meets it: bracketed names, a saved change whose output is lost, and over-long text."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

POS = Path(sys.executable).parent / "pos"


def test_a_name_with_brackets_is_saved_listed_and_sold_as_typed(cli):
    cli("init")
    cli("location", "add", "S1", "--name", "Shop [b]")
    added = cli("product", "add", "MUG", "--name", "Mug [/]")
    assert added.exit_code == 0, added.output
    assert cli("product", "add", "TEE", "--name", "Tee [red]").exit_code == 0
    cli("variant", "add", "MUG-XL", "--product", "MUG", "--price", "9", "--name", "[XL]")
    cli("variant", "add", "CABLE-2M", "--product", "TEE", "--price", "5", "--name", "Cable [2m]")
    cli("stock", "set", "MUG-XL", "S1", "5")
    listed = cli("product", "list")
    assert listed.exit_code == 0, listed.output
    assert "Mug [/]" in listed.stdout and "Tee [red]" in listed.stdout and "Cable [2m]" in listed.stdout
    cli("cart", "new", "--location", "S1")
    added = cli("cart", "add", "1", "MUG-XL")
    assert added.exit_code == 0, added.output
    assert "Mug [/] [XL]" in added.stdout
    assert json.loads(cli("cart", "show", "1", "--json").stdout)["items"][0]["quantity"] == 1
    assert "Shop [b]" in cli("location", "list").stdout


def test_a_bug_while_printing_a_saved_change_says_it_was_saved(cli, monkeypatch):
    from pos.commands import _render

    cli("init")
    cli("location", "add", "S1", "--name", "Shop")
    cli("product", "add", "MUG", "--name", "Mug")

    def broken(_doc):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(_render, "products_view", broken)
    result = cli("product", "add", "CUP", "--name", "Cup")
    assert result.exit_code == 70
    assert "the change was saved, do not repeat the command" in result.stderr
    assert [p["code"] for p in json.loads(cli("product", "list", "--json").stdout)] == ["CUP", "MUG"]
    failed = cli("product", "list")  # nothing saved: the bug is reported without the note
    assert failed.exit_code == 70 and "saved" not in failed.stderr


@pytest.fixture
def shop(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "POS_DATABASE_URL"}
    env.update(POS_DATABASE_URL=str(tmp_path / "pos.db"), COLUMNS="120")
    for args in (["init"], ["location", "add", "S1", "--name", "Shop"], ["product", "add", "MUG", "--name", "Mug"],
                 ["variant", "add", "MUG-1", "--product", "MUG", "--price", "9"], ["stock", "set", "MUG-1", "S1", "5"],
                 ["cart", "new", "--location", "S1"]):
        subprocess.run([str(POS), *args], env=env, check=True, capture_output=True)
    return env


def closed_pipe_run(env, *args):
    """Run pos with its standard output a pipe nobody reads any more (`pos ... | head -0` after head quit)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([str(POS), *args], env=env, stdout=write_end, stderr=subprocess.PIPE, text=True,
                              timeout=60)
    finally:
        os.close(write_end)


def test_a_saved_cart_line_whose_output_is_cut_off_is_not_reported_as_failed(shop):
    result = closed_pipe_run(shop, "cart", "add", "1", "MUG-1")
    assert result.returncode == 0, result.stderr
    assert "the change was saved" in result.stderr
    shown = subprocess.run([str(POS), "cart", "show", "1", "--json"], env=shop, capture_output=True, text=True)
    assert [i["quantity"] for i in json.loads(shown.stdout)["items"]] == [1]


def test_a_saved_variant_whose_one_line_output_is_cut_off_says_it_was_saved(shop):
    result = closed_pipe_run(shop, "variant", "add", "MUG-2", "--product", "MUG", "--price", "9")
    assert (result.returncode, "the change was saved" in result.stderr) == (0, True), result.stderr


def test_a_listing_cut_off_by_its_reader_stops_quietly_and_claims_no_change(shop):
    result = closed_pipe_run(shop, "product", "list")
    assert result.returncode == 141
    assert result.stderr == ""


def test_a_shipping_address_too_long_for_its_column_is_a_one_line_error_on_every_database(cli):
    cli("init")
    cli("location", "add", "S1", "--name", "Shop")
    cli("cart", "new", "--location", "S1")
    result = cli("cart", "ship", "1", "--name", "Ada", "--address", "x" * 501)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: the shipping address is 501 characters long; at most 500 fit"


def test_a_processors_long_reason_with_brackets_is_kept_and_shown_as_given(cli, fake_processor):
    cli("init")
    cli("location", "add", "S1", "--name", "Shop")
    cli("product", "add", "MUG", "--name", "Mug")
    cli("variant", "add", "MUG-1", "--product", "MUG", "--price", "9")
    cli("stock", "set", "MUG-1", "S1", "5")
    cli("cart", "new", "--location", "S1")
    cli("cart", "add", "1", "MUG-1")
    fake_processor.approve = False
    fake_processor.reason = "[/] refused [bold]" + "!" * 2000
    result = cli("checkout", "1", "--pay", "fake")
    assert result.exit_code == 1, result.output
    assert "[/] refused [bold]!!!" in result.stderr
    order = json.loads(cli("order", "show", "1", "--json").stdout)
    assert order["payment"]["reason"] == ("[/] refused [bold]" + "!" * 2000)[:499] + "…"
    shown = cli("order", "show", "1").stdout  # 80 columns: the reason wraps at its spaces
    assert "[/]" in shown and "[bold]!!!" in shown


def test_the_import_progress_bar_shows_a_file_name_with_brackets_as_it_is(tmp_path, monkeypatch):
    from pos.commands import imports

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    path = tmp_path / "[red]stock [bold].csv"
    path.write_text("sku,location,quantity\n")
    with imports._progress(str(path), False) as advance:
        advance(10, 1)
    assert "[red]stock [bold].csv" in screen.getvalue()


def test_a_stock_reason_or_location_footer_too_long_is_a_one_line_error_on_every_database(cli):
    cli("init")
    cli("location", "add", "S1", "--name", "Shop")
    cli("product", "add", "MUG", "--name", "Mug")
    cli("variant", "add", "MUG-1", "--product", "MUG", "--price", "9")
    reason = cli("stock", "set", "MUG-1", "S1", "5", "--reason", "r" * 501)
    assert (reason.exit_code, reason.stderr.strip()) == (1, "error: the reason is 501 characters long; at most 500 fit")
    footer = cli("location", "update", "S1", "--footer", "f" * 501)
    assert (footer.exit_code, footer.stderr.strip()) == (1, "error: the location receipt footer is longer than 500 characters")
    assert json.loads(cli("stock", "check", "MUG-1", "--json").stdout)["levels"] == []


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite keeps text of any length
def test_postgresql_refusing_a_too_long_text_is_a_one_line_input_error_not_a_crash(db):
    from sqlalchemy import insert

    from pos.errors import InvalidInput
    from pos.models._common import utcnow
    from pos.services import tables as t

    def write() -> None:
        with db.write() as conn:  # past every check the services make: the database's own limit
            conn.execute(insert(t.product).values(code="LONG", name="n" * 201, created_at=utcnow()))

    with pytest.raises(InvalidInput, match="too long to keep .*nothing was changed"):
        write()
