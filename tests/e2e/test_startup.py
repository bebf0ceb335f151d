"""Commands that answer at once: help and version never load the database layer, completion is served."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

POS = str(Path(sys.executable).parent / "pos")

# Run `pos ARGS` in a fresh interpreter and report which heavy modules it imported.
PROBE = """
import sys
sys.argv = ["pos", *sys.argv[1:]]
from pos.cli import app
try:
    app()
except SystemExit:
    pass
heavy = sorted(m for m in ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "escpos", "pydantic") if m in sys.modules)
sys.stderr.write("HEAVY=" + ",".join(heavy) + "\\n")
"""


def imported_heavy(*args: str, env: dict | None = None) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60,
                          env=env)
    line = next(line for line in done.stderr.splitlines() if line.startswith("HEAVY="))
    return [m for m in line.removeprefix("HEAVY=").split(",") if m]


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["till", "--help"], ["receipt", "--help"], ["cart", "--help"],
     ["stock", "--help"], ["order", "--help"], ["product", "--help"], ["variant", "--help"],
     ["location", "--help"], ["payment", "--help"], ["checkout", "--help"]],
)
def test_help_and_version_do_not_import_the_database_layer(args):
    assert imported_heavy(*args) == []


# What a one-shot read must not load: the SQLModel table classes (and SQLModel and the ORM with them),
# the table objects, and Typer's pydantic coercion (pos/commands/_typer_params.py).
TABLE_LAYER = ("sqlmodel", "sqlalchemy.orm", "pos.models.catalog", "pos.models.order", "pos.services.tables",
               "typer._adapters")

ONE_SHOT_PROBE = PROBE.replace('("sqlalchemy", "sqlmodel", "alembic", "psycopg", "escpos", "pydantic")', repr(TABLE_LAYER))


@pytest.mark.parametrize("args", [["stock", "check", "TSHIRT-M"], ["stock", "check", "TSHIRT-M", "--location", "STORE-1",
                                                                   "--json"]])
def test_stock_check_answers_without_the_table_classes(store, args):
    done = subprocess.run([sys.executable, "-c", ONE_SHOT_PROBE, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "POS_DATABASE_URL": store.url})
    assert "TSHIRT-M" in done.stdout
    assert "HEAVY=\n" in done.stderr, done.stderr


def test_the_installed_script_does_not_go_through_a_shim():
    first_line = Path(POS).read_text().splitlines()[0]
    assert first_line.startswith("#!") and "shims" not in first_line


def test_version_prints_the_version():
    done = subprocess.run([POS, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("pos ")


def complete(words: str, cword: int, db_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "_POS_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword),
           "POS_DATABASE_URL": db_url}
    return subprocess.run([POS], capture_output=True, text=True, timeout=60, env=env)


def test_tab_completes_skus_and_location_codes_from_the_database(store):
    skus = complete("pos stock check TS", 3, store.url)
    assert skus.stdout.split() == ["TSHIRT-M"]
    places = complete("pos till --location ", 3, store.url)
    assert places.stdout.split() == ["STORE-1", "WH-1"]
    via_option = complete(f"pos --db {store.url} cart add 1 C", 6, "")
    assert via_option.stdout.split() == ["CROISSANT"]


def test_completion_without_a_database_completes_nothing_quietly(tmp_path):
    done = complete("pos stock check TS", 3, str(tmp_path / "none.db"))
    assert done.returncode == 0 and done.stdout.strip() == "" and "Traceback" not in done.stderr
    assert not (tmp_path / "none.db").exists()


def test_install_completion_is_offered():
    done = subprocess.run([POS, "--help"], capture_output=True, text=True, timeout=60)
    assert "--install-completion" in done.stdout


# What `pos cart new` and `pos cart add` must not load: no table class at all (their SQL is prebuilt, the cart's
# insert defaults a constant held equal to the model's), so neither SQLModel nor the ORM.
CART_TABLE_LAYER = ("sqlmodel", "sqlalchemy.orm", "pos.models.cart", "pos.models.catalog", "pos.models.inventory",
                    "pos.models.staff", "pos.models.order", "typer._adapters")


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_cart_new_and_add_answer_without_the_table_classes(store, json_flag):
    probe = PROBE.replace('("sqlalchemy", "sqlmodel", "alembic", "psycopg", "escpos", "pydantic")', repr(CART_TABLE_LAYER))
    env = {**os.environ, "POS_DATABASE_URL": store.url}
    new = subprocess.run([sys.executable, "-c", probe, "cart", "new", "--location", "STORE-1", "--json"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert "HEAVY=\n" in new.stderr, new.stderr
    cart_id = json.loads(new.stdout)["id"]
    done = subprocess.run([sys.executable, "-c", probe, "cart", "add", str(cart_id), "TSHIRT-M", *json_flag],
                          capture_output=True, text=True, timeout=60, env=env)
    assert "TSHIRT-M" in done.stdout
    assert "HEAVY=\n" in done.stderr, done.stderr


def test_cart_add_loads_only_the_tables_it_touches(store):
    probe = PROBE.replace('("sqlalchemy", "sqlmodel", "alembic", "psycopg", "escpos", "pydantic")',
                          '("pos.models.order", "pos.models.payment", "pos.models.refund", "pos.models.documents")')
    new = subprocess.run([POS, "cart", "new", "--location", "STORE-1", "--json"], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "POS_DATABASE_URL": store.url})
    cart_id = json.loads(new.stdout)["id"]
    done = subprocess.run([sys.executable, "-c", probe, "cart", "add", str(cart_id), "TSHIRT-M"], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "POS_DATABASE_URL": store.url})
    assert "TSHIRT-M" in done.stdout
    assert "HEAVY=\n" in done.stderr, done.stderr


def test_an_inventory_import_loads_no_table_class(store, tmp_path):
    """`pos import inventory` runs set-based SQL: a million-row import must not pay for building the models
    before its first row (the sign-in, the audit row and the report included)."""
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,location,quantity\nTSHIRT-M,STORE-1,7\n")
    tables = tuple(m for m in CART_TABLE_LAYER if m != "typer._adapters")  # its --mode is an enum: Typer's own parsing
    probe = PROBE.replace('("sqlalchemy", "sqlmodel", "alembic", "psycopg", "escpos", "pydantic")', repr(tables))
    done = subprocess.run([sys.executable, "-c", probe, "import", "inventory", str(stock), "--json"],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "POS_DATABASE_URL": store.url})
    assert json.loads(done.stdout)["applied"] == 1, done.stdout + done.stderr
    assert "HEAVY=\n" in done.stderr, done.stderr
