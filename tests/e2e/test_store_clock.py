"""Each location keeps its own clock: receipts and views in local time with the offset, JSON in UTC."""

from __future__ import annotations

import json

from sqlalchemy import text
from typer.testing import CliRunner

from pos.cli import app
from pos.clock import local_time


def run(db_url, *args):
    return CliRunner().invoke(app, ["--db", db_url, *args])


def doc(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_init_records_the_machines_zone_and_a_location_added_without_one_takes_it(db_url, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    assert doc(run(db_url, "init", "--json"))["timezone"] == "Asia/Kolkata"
    monkeypatch.setenv("TZ", "UTC")  # the store's zone was recorded once; the machine's later zone does not matter
    assert doc(run(db_url, "location", "add", "S1", "--name", "Shop", "--json"))["timezone"] == "Asia/Kolkata"
    assert doc(run(db_url, "init", "--json"))["timezone"] == "Asia/Kolkata"
    assert doc(run(db_url, "init", "--timezone", "Europe/Berlin", "--json"))["timezone"] == "Europe/Berlin"
    assert doc(run(db_url, "location", "add", "S2", "--name", "Two", "--json"))["timezone"] == "Europe/Berlin"
    listed = doc(run(db_url, "location", "list", "--json"))
    assert {r["code"]: r["timezone"] for r in listed} == {"S1": "Asia/Kolkata", "S2": "Europe/Berlin"}


def test_a_location_takes_a_timezone_and_an_unknown_one_is_one_line_that_changes_nothing(db, db_url):
    added = doc(run(db_url, "location", "add", "S1", "--name", "Shop", "--timezone", "Europe/Berlin", "--json"))
    assert added["timezone"] == "Europe/Berlin"
    assert doc(run(db_url, "location", "update", "S1", "--timezone", "America/St_Johns", "--json"))["timezone"] == \
        "America/St_Johns"
    for args in (["location", "update", "S1", "--timezone", "Mars/Olympus"],
                 ["location", "add", "S2", "--name", "Two", "--timezone", "CET+1"],
                 ["init", "--timezone", "Berlin"]):
        refused = run(db_url, *args)
        assert refused.exit_code == 1
        assert len(refused.stderr.strip().splitlines()) == 1 and "unknown timezone" in refused.stderr
    listed = doc(run(db_url, "location", "list", "--json"))
    assert [(r["code"], r["timezone"]) for r in listed] == [("S1", "America/St_Johns")]


def _sell_one(db_url, zone):
    for args in (["location", "add", "S1", "--name", "Shop", "--timezone", zone],
                 ["product", "add", "PEN", "--name", "Pen"],
                 ["variant", "add", "PEN-1", "--product", "PEN", "--price", "1.50"],
                 ["stock", "set", "PEN-1", "S1", "5"],
                 ["cart", "new", "--location", "S1"],
                 ["cart", "add", "1", "PEN-1"],
                 ["checkout", "1", "--pay", "cash", "--tendered", "5"]):
        result = run(db_url, *args)
        assert result.exit_code == 0, result.output


def test_receipts_orders_and_history_show_the_stores_local_time_while_json_stays_utc(db, db_url):
    _sell_one(db_url, "America/St_Johns")
    order = doc(run(db_url, "order", "show", "1", "--json"))
    assert order["created_at"].endswith("Z") and order["timezone"] == "America/St_Johns"
    local = local_time(order["created_at"], "America/St_Johns")
    assert local.endswith(("-03:30", "-02:30"))
    for args in (["receipt", "1", "--format", "text", "--width", "32"], ["receipt", "1"], ["order", "show", "1"],
                 ["order", "list"]):
        shown = run(db_url, *args)
        assert shown.exit_code == 0 and local in shown.stdout, (args, shown.stdout)
        assert " UTC" not in shown.stdout
    listed = doc(run(db_url, "order", "list", "--json"))["orders"]
    assert listed[0]["created_at"] == order["created_at"] and listed[0]["timezone"] == "America/St_Johns"
    history = doc(run(db_url, "stock", "history", "PEN-1", "--json"))["history"]
    assert all(h["at"].endswith("Z") and h["timezone"] == "America/St_Johns" for h in history)
    shown = run(db_url, "stock", "history", "PEN-1")
    assert local_time(history[0]["at"], "America/St_Johns") in shown.stdout


def test_the_locations_file_takes_an_optional_timezone_column(db, db_url, tmp_path):
    with db.write() as conn:
        conn.execute(text("UPDATE setting SET value = 'Asia/Kolkata' WHERE key = 'timezone'"))
    first = tmp_path / "stores.csv"
    first.write_text("code,name,timezone\nS1,One,Europe/Berlin\nS2,Two,\n")
    assert doc(run(db_url, "import", "locations", str(first), "--json"))["created"] == 2
    plain = tmp_path / "plain.csv"
    plain.write_text("code,name\nS1,One\nS3,Three\n")
    assert doc(run(db_url, "import", "locations", str(plain), "--json"))["created"] == 1
    zones = {r["code"]: r["timezone"] for r in doc(run(db_url, "location", "list", "--json"))}
    assert zones == {"S1": "Europe/Berlin", "S2": "Asia/Kolkata", "S3": "Asia/Kolkata"}
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,timezone\nS1,One,America/St_Johns\nS4,Four,Europe/Nowhere\n")
    refused = run(db_url, "import", "locations", str(bad))
    assert refused.exit_code == 1 and "bad.csv:3: timezone: unknown timezone 'Europe/Nowhere'" in refused.stderr
    assert {r["code"]: r["timezone"] for r in doc(run(db_url, "location", "list", "--json"))} == zones


def test_an_upgraded_store_gives_its_existing_locations_the_machines_zone(db_url, monkeypatch):
    from pos.migrations import upgrade
    from pos.services.db import Database

    old = Database(db_url)
    upgrade(old.engine, "0004")
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('currency', 'EUR')"))
        conn.execute(text("INSERT INTO location (code, name, tax_rate, address, receipt_footer, created_at) "
                          "VALUES ('S1', 'Shop', 0, '', '', CURRENT_TIMESTAMP)"))
    old.dispose()
    monkeypatch.setenv("TZ", "America/St_Johns")
    assert doc(run(db_url, "init", "--json"))["timezone"] == "America/St_Johns"
    assert doc(run(db_url, "location", "list", "--json"))[0]["timezone"] == "America/St_Johns"


def test_the_till_prints_its_receipt_in_the_stores_local_time(db, db_url):
    for args in (["location", "add", "S1", "--name", "Shop", "--timezone", "Asia/Kolkata"],
                 ["product", "add", "PEN", "--name", "Pen"],
                 ["variant", "add", "PEN-1", "--product", "PEN", "--price", "1.50"],
                 ["stock", "set", "PEN-1", "S1", "5"]):
        assert run(db_url, *args).exit_code == 0
    shift = CliRunner().invoke(app, ["--db", db_url, "till", "--location", "S1", "--width", "32"],
                               input="PEN-1\npay cash 2\n")
    assert shift.exit_code == 0, shift.output
    order = doc(run(db_url, "order", "show", "1", "--json"))
    assert local_time(order["created_at"], "Asia/Kolkata") in shift.stdout
    assert "+05:30" in shift.stdout
