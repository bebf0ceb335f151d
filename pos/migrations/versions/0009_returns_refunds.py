"""Returns, refunds and cancellations

`refund` is money going back for an order: recorded `pending` with its idempotency key before its
processor is called, then `approved` or `declined` (its status is the only thing that changes).
`refund_item` says which lines went back, how many units, where they were restocked or that they were
not, and what each refunded. `order_item_return` counts the units of each order line returned (or being
returned by a pending refund), guarded by `returned <= sold`: order items stay append-only (0004), so
what is left to return is counted here, by a conditional UPDATE.

Refunds and their items are append-only like the sales they undo: deleting either, or changing an
item, is refused.

Revision ID: 0009
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

MONEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TEXT = sa.String

GUARDED = [("refund", ("DELETE",)), ("refund_item", ("DELETE", "UPDATE"))]


def upgrade() -> None:
    op.create_table(
        "refund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", TEXT(length=16), nullable=False),
        sa.Column("status", TEXT(length=16), nullable=False),
        sa.Column("method", TEXT(length=64), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("tax", MONEY, nullable=False),
        sa.Column("currency", TEXT(length=3), nullable=False),
        sa.Column("reason", TEXT(length=500), nullable=False),
        sa.Column("idempotency_key", TEXT(length=200), nullable=False),
        sa.Column("request_hash", TEXT(length=64), nullable=True),
        sa.Column("reference", TEXT(length=200), nullable=True),
        sa.Column("decline_reason", TEXT(length=500), nullable=True),
        sa.Column("owner_host", TEXT(length=255), nullable=True),
        sa.Column("owner_pid", sa.Integer(), nullable=True),
        sa.Column("owner_start", TEXT(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name="ck_refund_amount_nonnegative"),
        sa.CheckConstraint("tax >= 0 AND tax <= amount", name="ck_refund_tax"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_refund_order_id", "refund", ["order_id"], unique=False)
    op.create_index("ix_refund_pending", "refund", ["id"], unique=False,
                    sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        "refund_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("order_item_id", sa.Integer(), nullable=False),
        sa.Column("sku", TEXT(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("restocked", sa.Boolean(), nullable=False),
        sa.Column("subtotal", MONEY, nullable=False),
        sa.Column("tax", MONEY, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_refund_item_quantity_positive"),
        sa.CheckConstraint("amount >= 0", name="ck_refund_item_amount_nonnegative"),
        sa.ForeignKeyConstraint(["refund_id"], ["refund.id"]),
        sa.ForeignKeyConstraint(["order_item_id"], ["order_item.id"]),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_refund_item_refund_id", "refund_item", ["refund_id"], unique=False)
    op.create_table(
        "order_item_return",
        sa.Column("order_item_id", sa.Integer(), nullable=False),
        sa.Column("sold", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.CheckConstraint("returned >= 0 AND returned <= sold", name="ck_order_item_return_within_sale"),
        sa.ForeignKeyConstraint(["order_item_id"], ["order_item.id"]),
        sa.PrimaryKeyConstraint("order_item_id"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, ops in GUARDED:
        if postgres:  # pos_append_only() is 0004's
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE {' OR '.join(ops)} ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION pos_append_only()")
            continue
        for operation in ops:
            op.execute(f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END")


def downgrade() -> None:
    op.drop_table("order_item_return")
    op.drop_index("ix_refund_item_refund_id", table_name="refund_item")
    op.drop_table("refund_item")
    op.drop_index("ix_refund_pending", table_name="refund")
    op.drop_index("ix_refund_order_id", table_name="refund")
    op.drop_table("refund")
