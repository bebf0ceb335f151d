"""Schema changes are Alembic migrations that keep the data of older databases."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
import pytest
from typer.testing import CliRunner

from pos.cli import app
from pos.migrations import head, upgrade
from pos.services.db import SCHEMA_HEAD, Database


def test_the_code_expects_the_newest_migration():
    assert SCHEMA_HEAD == head()


def test_the_migrations_build_exactly_the_models_schema(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from pos.models import metadata

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_pos_init_upgrades_a_first_schema_database_and_keeps_its_sales(db_url):
    old = Database(db_url)
    upgrade(old.engine, "0001")
    with old.engine.begin() as conn:
        for sql in (
            "INSERT INTO setting (key, value) VALUES ('currency', 'EUR')",
            "INSERT INTO location (id, code, name, tax_rate, address, receipt_footer, created_at) "
            "VALUES (1, 'S1', 'Shop', 190000, '', '', CURRENT_TIMESTAMP)",
            "INSERT INTO product (id, code, name, created_at) VALUES (1, 'P', 'Pen', CURRENT_TIMESTAMP)",
            "INSERT INTO variant (id, sku, name, price, options, is_deliverable, product_id, created_at) "
            "VALUES (1, 'PEN', '', 150, '{}', true, 1, CURRENT_TIMESTAMP)",
            "INSERT INTO stock_level (id, variant_id, location_id, on_hand, reserved) VALUES (1, 1, 1, 7, 0)",
            "INSERT INTO cart (id, location_id, status, created_at, updated_at) "
            "VALUES (1, 1, 'closed', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            "INSERT INTO orders (id, cart_id, location_id, status, currency, subtotal, tax, total, tax_rate, "
            "idempotency_key, created_at, updated_at) VALUES (1, 1, 1, 'processing', 'EUR', 300, 57, 357, 190000, "
            "'k1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            "INSERT INTO order_item (id, order_id, variant_id, location_id, sku, name, quantity, unit_price, line_total) "
            "VALUES (1, 1, 1, 1, 'PEN', 'Pen', 2, 150, 300)",
            "INSERT INTO payment (id, order_id, processor, status, amount, currency, idempotency_key, created_at, "
            "updated_at) VALUES (1, 1, 'cash', 'approved', 357, 'EUR', 'k1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        ):
            conn.execute(text(sql))
    old.dispose()

    refused = CliRunner().invoke(app, ["--db", db_url, "order", "list"])
    assert refused.exit_code == 1 and "run `pos init` to upgrade" in refused.stderr

    upgraded = CliRunner().invoke(app, ["--db", db_url, "init"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "Upgraded" in upgraded.stdout

    shown = CliRunner().invoke(app, ["--db", db_url, "order", "show", "1", "--json"])
    assert shown.exit_code == 0, shown.output
    assert '"total": 357' in shown.stdout and '"currency": "EUR"' in shown.stdout
    stock = CliRunner().invoke(app, ["--db", db_url, "stock", "check", "PEN", "--json"])
    assert '"on_hand": 7' in stock.stdout

    # The new backstop is in force on the upgraded database.
    db = Database(db_url)
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO order_item (order_id, variant_id, location_id, sku, name, quantity, unit_price, line_total) "
            "VALUES (1, 1, 1, 'PEN', 'Pen', 2, 150, 999)"
        ))
    db.dispose()


def test_init_twice_is_harmless(db_url):
    first = CliRunner().invoke(app, ["--db", db_url, "init", "--currency", "EUR"])
    second = CliRunner().invoke(app, ["--db", db_url, "init"])
    assert first.exit_code == second.exit_code == 0
    assert "up to date" in second.stdout and "EUR" in second.stdout


def test_an_order_past_32_bit_cents_is_stored_exactly(store):
    """A 25,000,000.00 sale is 2.5 billion cents: past what a 32-bit money column holds."""
    from pos.services import cart, catalog, inventory, orders

    catalog.add_product(store, code="YACHT", name="Yacht")
    catalog.add_variant(store, sku="YACHT-1", product="YACHT", price="25000000.00")
    inventory.set_stock(store, sku="YACHT-1", location="STORE-1", quantity=1)
    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="YACHT-1")
    order = orders.checkout(store, cart_id=c.id, processor="cash", params={"tendered": "30000000"})
    assert order.subtotal == 2_500_000_000
    assert order.tax == 206_250_000  # 8.25 %
    assert order.payment.change == 3_000_000_000 - 2_706_250_000


@pytest.mark.parametrize("statement", [
    "DELETE FROM orders",
    "DELETE FROM payment",
    "DELETE FROM order_item",
    "UPDATE order_item SET quantity = 99",
    "DELETE FROM stock_movement",
    "UPDATE stock_movement SET delta = 0",
])
def test_sales_and_stock_history_cannot_be_deleted_or_rewritten(store, statement):
    from pos.services import cart, orders

    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=2)
    orders.checkout(store, cart_id=c.id, processor="cash", params={"tendered": "50"})
    with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement))
    assert orders.show_order(store, order_id=1).items[0].quantity == 2
