"""Orders, their items, payments and the stock history are append-only

No command deletes them; now the database refuses to as well, whoever asks: deleting an order, an order
item, a payment or a stock history row fails, and so does changing an order item or a history row.
(Orders and payments still change status as the flow settles them.)

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, the operations refused)
GUARDED = [
    ("orders", ("DELETE",)),
    ("payment", ("DELETE",)),
    ("order_item", ("DELETE", "UPDATE")),
    ("stock_movement", ("DELETE", "UPDATE")),
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION pos_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation'; "
            "END $$"
        )
        for table, ops in GUARDED:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE {' OR '.join(ops)} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION pos_append_only()"
            )
        return
    for table, ops in GUARDED:
        for operation in ops:
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _ops in GUARDED:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION pos_append_only()")
        return
    for table, ops in GUARDED:
        for operation in ops:
            op.execute(f"DROP TRIGGER {table}_no_{operation.lower()}")
