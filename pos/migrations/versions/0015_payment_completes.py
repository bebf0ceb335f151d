"""The payment that completed a sale

`payment.completes` is set, in the settlement transaction, on the one payment (part) whose approval made
its order's approved payments reach the total: the one-payment sale's payment, or a split sale's last
part. The Z report and the sales report count a sale, and its tax, at that payment (its moment, its
shift), once per order; gross still counts every approved payment where and when it was taken. A sale
paid in parts and given up was never completed: its parts and their refunds cancel out, it adds no sale
and no tax.

Existing approved payments are marked where they completed their order: the newest approved part of an
order that is no longer pending and was not given up.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("payment", sa.Column("completes", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        "UPDATE payment SET completes = TRUE WHERE status = 'approved' "
        "AND part = (SELECT MAX(p2.part) FROM payment p2 WHERE p2.order_id = payment.order_id "
        "AND p2.status = 'approved') "
        "AND (SELECT o.status FROM orders o WHERE o.id = payment.order_id) <> 'pending' "
        "AND NOT EXISTS (SELECT 1 FROM refund r WHERE r.order_id = payment.order_id AND r.kind = 'abandon')"
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would lose 0004's append-only trigger.
    op.execute("ALTER TABLE payment DROP COLUMN completes")
