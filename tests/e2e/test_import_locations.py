"""pos import locations: the sample store's locations from data/, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pos.cli import app

DATA = Path(__file__).resolve().parents[2] / "data"


def run(db_url, *args):
    return CliRunner().invoke(app, ["--db", db_url, *args])


def test_the_sample_files_import_in_order_and_a_second_run_changes_nothing(db, db_url):
    for kind in ("locations", "catalog", "inventory"):
        first = run(db_url, "import", kind, str(DATA / f"{kind}.csv"), "--json")
        assert first.exit_code == 0, first.output
        assert json.loads(first.stdout)["rejected"] == 0
    again = json.loads(run(db_url, "import", "locations", str(DATA / "locations.csv"), "--json").stdout)
    assert (again["applied"], again["unchanged"]) == (0, 3)
    stores = json.loads(run(db_url, "location", "list", "--json").stdout)
    assert {s["code"]: s["tax_rate"] for s in stores} == {"STORE-1": "8.25", "STORE-2": "7.5", "WH-1": "0"}
    stock = json.loads(run(db_url, "stock", "check", "LAMP-DESK", "--json").stdout)
    assert {lv["location"]: lv["on_hand"] for lv in stock["levels"]} == {"STORE-1": 1, "WH-1": 40}


def test_a_bad_location_row_imports_nothing_and_says_where(db, db_url, tmp_path):
    bad = tmp_path / "stores.csv"
    bad.write_text("code;name;tax_rate\nS1;Shop;5\nS 2;Other;5\nS3;Third;abc\nS1;Again;5\n")
    result = run(db_url, "import", "locations", str(bad))
    assert result.exit_code == 1
    assert "3 of 4 rows are invalid; nothing was imported" in result.stderr
    assert "stores.csv:3: code:" in result.stderr
    assert "stores.csv:4: tax_rate:" in result.stderr
    assert "stores.csv:5: code: S1 is already on line 2" in result.stderr
    assert json.loads(run(db_url, "location", "list", "--json").stdout) == []


def test_a_file_without_the_optional_columns_leaves_them_as_they_were(db, db_url, tmp_path):
    assert run(db_url, "import", "locations", str(DATA / "locations.csv")).exit_code == 0
    renamed = tmp_path / "renamed.csv"
    renamed.write_text("code,name\nSTORE-1,Main Street Store (renamed)\n")
    result = run(db_url, "import", "locations", str(renamed), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["updated"] == 1
    store = {s["code"]: s for s in json.loads(run(db_url, "location", "list", "--json").stdout)}["STORE-1"]
    assert store["name"] == "Main Street Store (renamed)"
    assert (store["tax_rate"], store["address"]) == ("8.25", "12 Main Street, Springfield")
    assert store["receipt_footer"] == "Thank you for shopping with us!"
