"""Who owns a pending order, and the built-in processors' ledger

`orders` gains the process that placed the order (host, pid, process start): `pos order reconcile`
settles at once an order whose process is certainly gone. The columns are written once, at checkout,
on a table whose rows may be updated (0004 refuses only deletes there).

`processor_ledger` is what the cash drawer and the card simulator did under each idempotency key
(brand and last four digits only), written before a charge is reported approved, so that their
`lookup` can answer a reconcile.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MONEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TEXT = sa.String


def upgrade() -> None:
    op.add_column("orders", sa.Column("owner_host", TEXT(length=255), nullable=True))
    op.add_column("orders", sa.Column("owner_pid", sa.Integer(), nullable=True))
    op.add_column("orders", sa.Column("owner_start", TEXT(length=64), nullable=True))
    op.create_table(
        "processor_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("processor", TEXT(length=64), nullable=False),
        sa.Column("idempotency_key", TEXT(length=200), nullable=False),
        sa.Column("kind", TEXT(length=16), nullable=False),
        sa.Column("status", TEXT(length=16), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", TEXT(length=3), nullable=False),
        sa.Column("brand", TEXT(length=32), nullable=True),
        sa.Column("last4", TEXT(length=4), nullable=True),
        sa.Column("reference", TEXT(length=200), nullable=True),
        sa.Column("reason", TEXT(length=500), nullable=True),
        sa.Column("change_due", MONEY, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name="ck_processor_ledger_amount_nonnegative"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("processor", "idempotency_key", "kind", name="uq_processor_ledger_key"),
    )


def downgrade() -> None:
    op.drop_table("processor_ledger")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of `orders` would lose 0004's append-only triggers.
    for column in ("owner_start", "owner_pid", "owner_host"):
        op.execute(f"ALTER TABLE orders DROP COLUMN {column}")
