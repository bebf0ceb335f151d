"""Each location has a time zone (an IANA name) for the times shown on its receipts and views

Locations that existed before get 'UTC' here, which is what they printed until now; `pos init` then gives
them the store's zone (the machine's local zone, or `--timezone`) when it first records one.

Revision ID: 0006
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("location", sa.Column("timezone", sa.String(length=64), nullable=False, server_default="UTC"))


def downgrade() -> None:
    with op.batch_alter_table("location") as batch_op:
        batch_op.drop_column("timezone")
