"""Fixtures shared by every layer.

Database tests run on SQLite always, and on PostgreSQL when POS_TEST_POSTGRES_URL is set (`.ci/run` sets
it). Each test run creates its own PostgreSQL database and drops it at the end; each test gets a schema of
its own inside it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pos.services.db import Database

PG_URL = os.environ.get("POS_TEST_POSTGRES_URL")

# `pos` run as a child process (the end-to-end and kill tests) keeps its compiled modules, as it does on a
# user's machine. A shell that sets PYTHONDONTWRITEBYTECODE (these machines' do) would have every child
# compile every module of pos again: about a tenth of a second per run, and the suite runs `pos` hundreds
# of times. The files go to the checkout's __pycache__ folders, which git ignores.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def _pg_driver_url(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of this test run's own on the PostgreSQL server, dropped afterwards."""
    if not PG_URL:
        pytest.skip("POS_TEST_POSTGRES_URL is not set (CI sets it): PostgreSQL tests not run here")
    admin_url = make_url(_pg_driver_url(PG_URL))
    name = f"pos_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _new_pg_schema(base_url: str) -> str:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return str(make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A URL of an empty database: a SQLite file, or a fresh schema on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pos.db'}"
    return _new_pg_schema(request.getfixturevalue("pg_database"))


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'pos.db'}"


@pytest.fixture
def db(db_url) -> Iterator[Database]:
    """An initialised, empty store (USD)."""
    from pos.services.settings import init_store

    database = Database(db_url)
    init_store(database, currency="USD")
    yield database
    database.dispose()


@pytest.fixture
def store(db) -> Database:
    """A small store: STORE-1 (8.25 % tax) and warehouse WH-1, a deliverable T-shirt, an undeliverable croissant."""
    from pos.services import catalog, inventory

    catalog.add_location(db, code="STORE-1", name="Main Street Store", tax_rate="8.25",
                         address="12 Main Street", receipt_footer="Thanks!")
    catalog.add_location(db, code="WH-1", name="Warehouse", tax_rate="0")
    catalog.add_product(db, code="TSHIRT", name="T-shirt")
    catalog.add_variant(db, sku="TSHIRT-M", product="TSHIRT", price="19.99", name="Medium",
                        barcode="4006381333948", options={"size": "M"})
    catalog.add_product(db, code="CROISSANT", name="Croissant")
    catalog.add_variant(db, sku="CROISSANT", product="CROISSANT", price="3.25", deliverable=False)
    inventory.set_stock(db, sku="TSHIRT-M", location="STORE-1", quantity=10)
    inventory.set_stock(db, sku="TSHIRT-M", location="WH-1", quantity=50)
    inventory.set_stock(db, sku="CROISSANT", location="STORE-1", quantity=5)
    return db


@pytest.fixture(autouse=True)
def _forget_registered_processors() -> Iterator[None]:
    """A processor a test registers (tests/fakes.py `install`) is gone for the next test."""
    yield
    from pos.services.payments import unregister_all

    unregister_all()


@pytest.fixture
def cli(db_url):
    """Run `pos --db <this test's database> ...` in-process; returns typer's Result (stdout, stderr, exit_code).

    Whatever it prints with --json is validated against the schema of its document (`pos schema`)."""
    from typer.testing import CliRunner

    from pos.cli import app

    from schemas import check_json_output

    def run(*args: str):
        result = CliRunner().invoke(app, ["--db", db_url, *[str(a) for a in args]])
        check_json_output(list(args), result.stdout)  # any --json output matches its published schema
        return result

    return run


@pytest.fixture
def fake_processor():
    """A processor named `fake` that records each ChargeRequest; `fake.approve = False` makes it decline.

    It is registered through the public registry, so checkout, batch and reconcile all find it by name.
    """
    from pos.plugin import PaymentProcessor, PaymentResult, registered

    class Fake(PaymentProcessor):
        name = "fake"
        description = "records charges"

        def __init__(self) -> None:
            self.calls: list = []
            self.approve = True
            self.reason = "fake_decline"
            self.on_charge = None

        def charge(self, request):
            self.calls.append(request)
            if self.on_charge is not None:
                self.on_charge(request)
            if self.approve:
                return PaymentResult(True, reference=f"fake-{request.order_id}")
            return PaymentResult(False, reason=self.reason)

    with registered(Fake()) as fake:
        yield fake
