"""`pos report sales` as people and scripts use it: the table, --json, --csv, --chart, names as typed,
and one-line errors. The figures themselves are checked in tests/integration/test_sales_report.py."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from hostile import NAMES, stored
from report_data import build, clerk, sale
from typer.testing import CliRunner

from pos.cli import app
from pos.services import catalog
from pos.services.imports.csvsource import unguard
from schemas import check_json_output

RANGE = ("--from", "2026-10-31", "--to", "2026-11-02")


@pytest.fixture
def wide(db_url):
    """`pos --db <db> ...` on a terminal so wide that rich wraps nothing."""

    def run(*args: str):
        result = CliRunner().invoke(app, ["--db", db_url, *map(str, args)], env={"COLUMNS": "5000"})
        check_json_output(list(args), result.stdout)
        return result

    return run


@pytest.mark.parametrize("by", ["day", "hour", "sku", "clerk", "tender", "location", "shift"])
def test_csv_lines_add_up_to_the_json_totals(cli, db, by):
    build(db)
    doc = json.loads(cli("report", "sales", "--by", by, *RANGE, "--json").stdout)
    out = cli("report", "sales", "--by", by, *RANGE, "--csv")
    assert out.exit_code == 0, out.output
    lines = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [unguard(r[by]) for r in lines] == [r["key"] for r in doc["rows"]]
    cents = lambda text: int(Decimal(text) * 100)  # noqa: E731
    for column in ("gross", "refunds", "net", "tax"):
        assert sum(cents(r[column]) for r in lines) == doc["totals"][column]
    if by != "sku":
        assert sum(int(r["sales_count"]) for r in lines) == doc["totals"]["sales_count"] == 6
    assert {r["currency"] for r in lines} == {"USD"}


def test_the_table_shows_every_row_and_the_totals(wide, db):
    build(db)
    out = wide("report", "sales", "--by", "day", *RANGE)
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert "Sales by day, 2026-10-31 to 2026-11-02 (all locations, USD)" in text
    day2 = next(line for line in text.splitlines() if "2026-11-02" in line and "Sales" not in line)
    assert day2.split() == ["2026-11-02", "0", "0.00", "1", "10.80", "-10.80", "-0.80"]
    total = next(line for line in text.splitlines() if line.strip().startswith("Total"))
    assert total.split() == ["Total", "6", "71.85", "1", "10.80", "61.05", "6.05"]


def test_the_table_fits_80_columns_per_sku(cli, db):
    build(db)
    out = cli("report", "sales", "--by", "sku", *RANGE)
    assert out.exit_code == 0, out.output
    assert "32.40" in out.stdout and "21.60" in out.stdout  # SKU-A's gross and net, not cut off
    assert max(len(line) for line in out.stdout.splitlines()) <= 80


def test_the_chart_is_skipped_when_stdout_is_not_a_terminal(cli, db):
    build(db)
    out = cli("report", "sales", *RANGE, "--chart")
    assert out.exit_code == 0 and "chart skipped: stdout is not a terminal" in out.stderr
    assert "█" not in out.stdout
    scripted = cli("report", "sales", *RANGE, "--chart", "--json")
    json.loads(scripted.stdout)  # stdout stays one JSON document
    assert "chart skipped" in scripted.stderr


def test_the_chart_draws_net_per_row_as_bars():
    from pos.commands._render_report import bar, chart_view
    from rich.console import Console

    assert bar(100, 100, 10) == "█" * 10 and bar(50, 100, 10) == "█" * 5 and bar(1, 100, 10) == "▏"
    assert bar(0, 100, 10) == "" and bar(5, 0, 10) == ""
    doc = {"by": "day", "currency": "USD", "rows": [
        {"key": "2026-11-01", "net": 6105}, {"key": "2026-11-02", "net": -1080}]}
    console = Console(width=80, record=True, color_system=None)
    console.print(chart_view(doc, width=20))
    lines = console.export_text().splitlines()
    assert lines[1].split() == ["2026-11-01", "61.05", "█" * 20]
    assert lines[2].split()[:2] == ["2026-11-02", "-10.80"] and "███" in lines[2]


def test_hostile_clerk_location_and_item_names_are_shown_as_typed(wide, db):
    for i, name in enumerate(NAMES):
        catalog.add_location(db, code=f"L{i}", name=name, timezone="UTC")
        catalog.add_product(db, code=f"P{i}", name="x")
        catalog.add_variant(db, sku=f"SKU-{i}", product=f"P{i}", price="1.00")
    from sqlalchemy import select

    from pos.services import tables as t

    with db.write() as conn:
        for i, name in enumerate(NAMES):
            loc = catalog.location_by_code(conn, f"L{i}")["id"]
            variant = conn.execute(select(t.variant.c.id).where(t.variant.c.sku == f"SKU-{i}")).scalar_one()
            who = clerk(conn, stored(name)[:100])
            sale(conn, location_id=loc, at="2026-11-01 12:00:00", lines=[(variant, f"SKU-{i}", 1, 100)], tax=0,
                 clerk_id=who, name=stored(name))
    day = ("--from", "2026-11-01", "--to", "2026-11-01")
    for by, shown in (("clerk", lambda n: stored(n)[:100]), ("location", stored), ("sku", stored)):
        table = wide("report", "sales", "--by", by, *day)
        assert table.exit_code == 0, table.output
        doc = json.loads(wide("report", "sales", "--by", by, *day, "--json").stdout)
        lines = list(csv.DictReader(io.StringIO(wide("report", "sales", "--by", by, *day, "--csv").stdout)))
        for name in NAMES:
            assert shown(name) in table.stdout, (by, name)
            field = "key" if by == "clerk" else "name"
            assert shown(name) in [r.get(field) for r in doc["rows"]], (by, name)
            assert shown(name) in [unguard(r["clerk" if by == "clerk" else "name"]) for r in lines], (by, name)


@pytest.mark.parametrize(("args", "message"), [
    (("--from", "2026-11-02", "--to", "2026-11-01"), "--from 2026-11-02 is after --to 2026-11-01"),
    (("--by", "week"), "--by must be one of day, hour, sku, clerk, tender, location, shift, not 'week'"),
    (("--location", "NOWHERE"), "no location 'NOWHERE'"),
    (("--from", "1 Nov"), "--from must be a date like 2026-11-26, not '1 Nov'"),
    (("--by", "hour", "--from", "2025-01-01", "--to", "2026-01-02"), "--by hour covers at most 366 days"),
    (("--from", "0001-01-01", "--to", "2026-01-01"), "--from and --to must be between 1900-01-01 and 9998-12-31"),
    (("--to", "9999-12-31"), "--from and --to must be between 1900-01-01 and 9998-12-31"),
])
def test_bad_input_is_a_one_line_error(cli, db, args, message):
    build(db)
    out = cli("report", "sales", *args)
    assert out.exit_code == 1
    assert out.stdout == ""
    assert out.stderr.count("\n") == 1 and message in out.stderr


def test_json_and_csv_together_are_refused(cli, db):
    out = cli("report", "sales", "--json", "--csv")
    assert out.exit_code == 1
    assert json.loads(out.stdout)["error"] == {"code": "invalid_input", "message": "give --json or --csv, not both"}
