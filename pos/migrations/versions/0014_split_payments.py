"""Split payments: an order may be paid in several parts, each its own payment row

Design: `payment` keeps one row per payment, now one per *part* of an order's payment: `part` numbers
them (1 for the first or only one, then 2, 3...) and UNIQUE (order_id, part) replaces UNIQUE (order_id).
Every existing payment becomes part 1. Each part has its own amount, status, idempotency key, brand and
last four digits, tendered and change, so the settle, reconcile and refund code reads one shape for one
part or many (a side table for parts 2+ would have made every reader union two shapes).

`refund.payment_id` says which part a refund pays back (an abandoned split sale refunds each approved
part; a return of a split-paid order goes to one part). Existing refunds get their order's only payment.

SQLite cannot drop a table's UNIQUE constraint in place, so `payment` is rebuilt there: a new table with
the same columns, checks and foreign key plus `part`, the rows copied with their ids, the old table
dropped and the new one renamed. Dropping the old table drops 0004's append-only trigger with it, so
`payment_no_delete` is created again, word for word, and so are the indexes of 0010 and 0013.
(batch_alter_table would do the same rebuild but silently lose the trigger: never use it on these
tables.) PostgreSQL drops the constraint in place; its trigger stays.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

MONEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
COLUMNS = ("id, order_id, processor, status, amount, currency, idempotency_key, reference, reason, brand, last4, "
           "tendered, change_due, clerk_id, shift_id, created_at, updated_at")
# The indexes on payment that the rebuild drops with the old table: made again on the new one.
INDEXES = (("ix_payment_shift_id", ("shift_id",)), ("ix_payment_status_created_at", ("status", "created_at")))


def _sqlite_rebuild_payment() -> None:
    op.create_table(
        "payment_split",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("processor", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("brand", sa.String(length=32), nullable=True),
        sa.Column("last4", sa.String(length=4), nullable=True),
        sa.Column("tendered", MONEY, nullable=True),
        sa.Column("change_due", MONEY, nullable=True),
        sa.Column("clerk_id", sa.Integer(), nullable=True),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name="ck_payment_amount_nonnegative"),
        sa.CheckConstraint("tendered IS NULL OR tendered >= 0", name="ck_payment_tendered_nonnegative"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "part", name="uq_payment_order_part"),
    )
    op.execute(f"INSERT INTO payment_split ({COLUMNS}, part) SELECT {COLUMNS}, 1 FROM payment")
    op.execute("DROP TABLE payment")
    op.execute("ALTER TABLE payment_split RENAME TO payment")
    op.execute(
        "CREATE TRIGGER payment_no_delete BEFORE DELETE ON payment "
        "BEGIN SELECT RAISE(ABORT, 'payment is append-only: DELETE refused'); END"
    )
    for name, columns in INDEXES:
        op.create_index(name, "payment", list(columns), unique=False)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild_payment()
        # SQLite takes a column's REFERENCES in ADD COLUMN (not a separate constraint, which alembic refuses).
        op.execute("ALTER TABLE refund ADD COLUMN payment_id INTEGER REFERENCES payment (id)")
    else:
        op.add_column("payment", sa.Column("part", sa.Integer(), nullable=False, server_default="1"))
        op.alter_column("payment", "part", server_default=None)
        op.drop_constraint("payment_order_id_key", "payment", type_="unique")
        op.create_unique_constraint("uq_payment_order_part", "payment", ["order_id", "part"])
        op.add_column("refund", sa.Column("payment_id", sa.Integer(), sa.ForeignKey("payment.id"), nullable=True))
    op.execute("UPDATE refund SET payment_id = (SELECT p.id FROM payment p WHERE p.order_id = refund.order_id "
               "AND p.part = 1)")


def downgrade() -> None:
    raise NotImplementedError("0014 cannot be undone: orders paid in parts have no one-payment form")
