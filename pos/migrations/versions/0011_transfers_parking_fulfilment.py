"""Reorder levels, parked sales and fulfilment of delivery lines

`stock_level` gains `reorder_level` and `reorder_quantity` (both optional: no level, no low-stock line).
`cart` gains `parked_at` and `park_note`: a parked sale is an open cart set aside at a till, which any
till of the same store may resume (a conditional UPDATE clears `parked_at`, so only one of them does).
`fulfilment` records that a delivery line was shipped from its location, with its tracking text: order
items are append-only (0004), so what was shipped is kept beside them, one row per order item at most.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stock_level", sa.Column("reorder_level", sa.Integer(), nullable=True))
    op.add_column("stock_level", sa.Column("reorder_quantity", sa.Integer(), nullable=True))
    op.add_column("cart", sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("cart", sa.Column("park_note", sa.String(length=200), nullable=True))
    op.create_table(
        "fulfilment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_item_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("tracking", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_fulfilment_quantity_positive"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.ForeignKeyConstraint(["order_item_id"], ["order_item.id"]),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_item_id", name="uq_fulfilment_order_item"),
    )
    op.create_index("ix_fulfilment_order_id", "fulfilment", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_fulfilment_order_id", table_name="fulfilment")
    op.drop_table("fulfilment")
    with op.batch_alter_table("cart") as batch_op:
        batch_op.drop_column("park_note")
        batch_op.drop_column("parked_at")
    with op.batch_alter_table("stock_level") as batch_op:
        batch_op.drop_column("reorder_quantity")
        batch_op.drop_column("reorder_level")
