"""Discounts and changed prices, and each location's discount limit

Carts keep what a clerk asked for: a line's changed unit price and its own discount (a percent or an
amount), the order discount, each with its reason. Orders keep what was charged: order_item gains
`list_price` (the catalogue's), `price_reason`, `discount` (the line's own), `discount_percent`,
`discount_reason` and `order_discount` (its share of the order's); orders gain `discount`,
`discount_percent` and `discount_reason`. location gains `max_discount` (percent in millionths, as tax
rates are): above it, or for any price change, a manager approves.

Why columns and not a new CHECK: order_item keeps `line_total = quantity * unit_price` (before
discounts), and what a line was paid is `line_total - discount - order_discount`. Changing the CHECK
would need a table rebuild on SQLite, which drops 0004's append-only triggers. `orders.subtotal` is
already net of every discount (tax is computed on it), so `total = subtotal + tax` still holds.

Existing order items get list_price = unit_price (nothing was discounted before). order_item refuses
UPDATE (0004), so its guard is lifted for that one statement and put back, the same as 0004 made it.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

MONEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
REASON = sa.String(length=500)


def _discount_columns(table: str) -> None:
    op.add_column(table, sa.Column("discount_percent", sa.Integer(), nullable=True))
    op.add_column(table, sa.Column("discount_reason", REASON, nullable=True))


def upgrade() -> None:
    op.add_column("location", sa.Column("max_discount", sa.Integer(), nullable=False, server_default="0"))

    _discount_columns("cart")
    op.add_column("cart", sa.Column("discount_amount", MONEY, nullable=True))
    op.add_column("cart_item", sa.Column("unit_price", MONEY, nullable=True))
    op.add_column("cart_item", sa.Column("price_reason", REASON, nullable=True))
    _discount_columns("cart_item")
    op.add_column("cart_item", sa.Column("discount_amount", MONEY, nullable=True))

    op.add_column("orders", sa.Column("discount", MONEY, nullable=False, server_default="0"))
    _discount_columns("orders")

    # server_default 0 only fills the existing rows until the backfill below: checkout always gives it.
    op.add_column("order_item", sa.Column("list_price", MONEY, nullable=False, server_default="0"))
    op.add_column("order_item", sa.Column("price_reason", REASON, nullable=True))
    op.add_column("order_item", sa.Column("discount", MONEY, nullable=False, server_default="0"))
    _discount_columns("order_item")
    op.add_column("order_item", sa.Column("order_discount", MONEY, nullable=False, server_default="0"))

    backfill = "UPDATE order_item SET list_price = unit_price"
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE order_item DISABLE TRIGGER order_item_append_only")
        op.execute(backfill)
        op.execute("ALTER TABLE order_item ENABLE TRIGGER order_item_append_only")
    else:
        op.execute("DROP TRIGGER order_item_no_update")
        op.execute(backfill)
        op.execute(
            "CREATE TRIGGER order_item_no_update BEFORE UPDATE ON order_item "
            "BEGIN SELECT RAISE(ABORT, 'order_item is append-only: UPDATE refused'); END"
        )


def downgrade() -> None:
    for table, columns in (
        ("order_item", ("order_discount", "discount_reason", "discount_percent", "discount", "price_reason",
                        "list_price")),
        ("orders", ("discount_reason", "discount_percent", "discount")),
        ("cart_item", ("discount_amount", "discount_reason", "discount_percent", "price_reason", "unit_price")),
        ("cart", ("discount_amount", "discount_reason", "discount_percent")),
        ("location", ("max_discount",)),
    ):
        for column in columns:
            op.drop_column(table, column)
