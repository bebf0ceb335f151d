"""Indexes for the sales reports: payments and refunds by the moment they were taken

`pos report sales` sums approved payments and refunds over ranges of UTC instants (each local day or
hour of the report); with (status, created_at) each range is one index range scan instead of a pass over
every payment (see bench/report_bench.py --explain). With an index on created_at alone, SQLite's planner
preferred a throw-away automatic index on status and scanned every approved payment once per day.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_payment_status_created_at", "payment", ["status", "created_at"], unique=False)
    op.create_index("ix_refund_status_created_at", "refund", ["status", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_refund_status_created_at", table_name="refund")
    op.drop_index("ix_payment_status_created_at", table_name="payment")
