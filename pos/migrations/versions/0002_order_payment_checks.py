"""Backstop CHECK constraints on order items and payments

Order item quantities must be positive and line totals must be quantity x unit price; payment amounts
and tendered cash must not be negative. The services never write such rows; the database now refuses
them too. On SQLite, batch mode copies each table, keeping its rows.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_item") as batch:
        batch.create_check_constraint("ck_order_item_quantity_positive", "quantity > 0")
        batch.create_check_constraint("ck_order_item_line_total", "line_total = quantity * unit_price")
    with op.batch_alter_table("payment") as batch:
        batch.create_check_constraint("ck_payment_amount_nonnegative", "amount >= 0")
        batch.create_check_constraint("ck_payment_tendered_nonnegative", "tendered IS NULL OR tendered >= 0")


def downgrade() -> None:
    with op.batch_alter_table("payment") as batch:
        batch.drop_constraint("ck_payment_tendered_nonnegative", type_="check")
        batch.drop_constraint("ck_payment_amount_nonnegative", type_="check")
    with op.batch_alter_table("order_item") as batch:
        batch.drop_constraint("ck_order_item_line_total", type_="check")
        batch.drop_constraint("ck_order_item_quantity_positive", type_="check")
