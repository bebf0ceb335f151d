"""Money in 64-bit columns on PostgreSQL; fewer, narrower indexes on the checkout path

Money columns become BIGINT on PostgreSQL (INTEGER there stops at 21,474,836.47 in cents); SQLite's
INTEGER is already 64-bit, so its tables are left as they are. Every checkout writes each index of the
tables it touches, so indexes no query needs go (cart and order look-ups by location or cart, the cart
item index covered by the line's unique key), and the two status indexes are replaced by partial ones
that hold only what is looked for: carts not yet closed (per store) and orders still pending.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MONEY = {
    "variant": ["price"],
    "orders": ["subtotal", "tax", "total"],
    "order_item": ["unit_price", "line_total"],
    "payment": ["amount", "tendered", "change_due"],
}
DROPPED = [
    ("cart", "ix_cart_location_id", ["location_id"]),
    ("cart", "ix_cart_status", ["status"]),
    ("cart_item", "ix_cart_item_cart_id", ["cart_id"]),
    ("orders", "ix_orders_cart_id", ["cart_id"]),
    ("orders", "ix_orders_location_id", ["location_id"]),
    ("orders", "ix_orders_status", ["status"]),
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in MONEY.items():
            for column in columns:
                op.alter_column(table, column, type_=sa.BigInteger(), existing_type=sa.Integer())
    for table, name, _columns in DROPPED:
        op.drop_index(name, table_name=table)
    op.create_index(
        "ix_cart_unsettled", "cart", ["location_id"],
        sqlite_where=sa.text("status <> 'closed'"), postgresql_where=sa.text("status <> 'closed'"),
    )
    op.create_index(
        "ix_orders_pending", "orders", ["id"],
        sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_orders_pending", table_name="orders")
    op.drop_index("ix_cart_unsettled", table_name="cart")
    for table, name, columns in DROPPED:
        op.create_index(name, table, columns)
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in MONEY.items():
            for column in columns:
                op.alter_column(table, column, type_=sa.Integer(), existing_type=sa.BigInteger())
