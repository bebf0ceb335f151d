"""Clerks, the audit log, registers, shifts and the cash drawer

`clerk` holds who may sign in (PINs only as salted scrypt hashes) and their lock-out state; clerks are
never deleted, only disabled (a trigger refuses DELETE), so the clerk ids written on orders, payments,
refunds and stock rows stay meaningful; those columns are plain nullable integers (a store without clerks
leaves them empty), added with a plain ADD COLUMN so that 0004's append-only triggers stay in place.

`audit_log` is append-only like the sales it records: UPDATE and DELETE are refused.
`register` is a drawer at a location; `shift` a drawer's session (one open per register, by a partial
unique index); `cash_movement` the cash put in or taken out, and no-sale openings (append-only).
Payments and refunds name the shift they were taken in; orders get an index on `created_at` for the
sales reports.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

MONEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TEXT = sa.String
WHEN = sa.DateTime(timezone=True)

GUARDED = [("audit_log", ("DELETE", "UPDATE")), ("cash_movement", ("DELETE", "UPDATE")),
           ("clerk", ("DELETE",)), ("shift", ("DELETE",))]
ADDED = [("orders", "clerk_id"), ("orders", "approver_id"), ("payment", "clerk_id"), ("payment", "shift_id"),
         ("refund", "clerk_id"), ("refund", "approver_id"), ("refund", "shift_id"),
         ("stock_movement", "clerk_id"), ("stock_movement", "approver_id")]


def upgrade() -> None:
    op.create_table(
        "clerk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", TEXT(length=100), nullable=False),
        sa.Column("role", TEXT(length=16), nullable=False),
        sa.Column("pin_hash", TEXT(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.CheckConstraint("role IN ('clerk', 'manager')", name="ck_clerk_role"),
        sa.CheckConstraint("failed_attempts >= 0", name="ck_clerk_failed_attempts_nonnegative"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("action", TEXT(length=32), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=True),
        sa.Column("clerk_name", TEXT(length=100), nullable=True),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("sku", TEXT(length=64), nullable=True),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("detail", TEXT(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_clerk", "audit_log", ["clerk_id", "id"], unique=False)
    op.create_index("ix_audit_log_action", "audit_log", ["action", "id"], unique=False)
    op.create_table(
        "register",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("name", TEXT(length=100), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("location_id", "name", name="uq_register_location_name"),
    )
    op.create_table(
        "shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("register_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("status", TEXT(length=16), nullable=False),
        sa.Column("float_amount", MONEY, nullable=False),
        sa.Column("opened_at", WHEN, nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("counted", MONEY, nullable=True),
        sa.Column("expected_cash", MONEY, nullable=True),
        sa.CheckConstraint("float_amount >= 0", name="ck_shift_float_nonnegative"),
        sa.CheckConstraint("counted IS NULL OR counted >= 0", name="ck_shift_counted_nonnegative"),
        sa.ForeignKeyConstraint(["register_id"], ["register.id"]),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_shift_open_register", "shift", ["register_id"], unique=True,
                    sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
    op.create_index("ix_shift_location", "shift", ["location_id", "id"], unique=False)
    op.create_table(
        "cash_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("kind", TEXT(length=16), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("reason", TEXT(length=500), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=True),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.CheckConstraint("amount >= 0", name="ck_cash_movement_amount_nonnegative"),
        sa.CheckConstraint("kind IN ('cash_in', 'cash_out', 'no_sale')", name="ck_cash_movement_kind"),
        sa.ForeignKeyConstraint(["shift_id"], ["shift.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cash_movement_shift_id", "cash_movement", ["shift_id"], unique=False)
    for table, column in ADDED:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
    op.create_index("ix_payment_shift_id", "payment", ["shift_id"], unique=False)
    op.create_index("ix_refund_shift_id", "refund", ["shift_id"], unique=False)
    op.create_index("ix_orders_created_at", "orders", ["created_at"], unique=False)
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
    op.drop_index("ix_orders_created_at", table_name="orders")
    op.drop_index("ix_refund_shift_id", table_name="refund")
    op.drop_index("ix_payment_shift_id", table_name="payment")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would lose 0004's append-only triggers.
    for table, column in reversed(ADDED):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_table("cash_movement")
    op.drop_index("ix_shift_location", table_name="shift")
    op.drop_index("uq_shift_open_register", table_name="shift")
    op.drop_table("shift")
    op.drop_table("register")
    op.drop_table("audit_log")
    op.drop_table("clerk")
