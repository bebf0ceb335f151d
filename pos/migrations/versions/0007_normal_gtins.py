"""Barcodes that are GTINs are kept in one normal form

UPC-A `036000291452`, EAN-13 `0036000291452` and GTIN-14 `00036000291452` are one code. Lookups now
normalise what is scanned (pos/barcodes.py), so barcodes stored by an older version are normalised here
too: a GTIN with a valid check digit gets its normal form. A barcode whose normal form another variant
already holds (the same item entered twice in two forms), or whose check digit is wrong, is left as it
was; lookups still find it by the exact text stored.

Revision ID: 0007
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from pos.barcodes import lookup_barcode

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, sku, barcode FROM variant ORDER BY id")).all()
    taken = {barcode for _id, _sku, barcode in rows if barcode} | {sku for _id, sku, _barcode in rows}
    update = sa.text("UPDATE variant SET barcode = :barcode WHERE id = :id")
    for variant_id, _sku, barcode in rows:
        if barcode is None:
            continue
        normal = lookup_barcode(barcode)
        if normal != barcode and normal not in taken:
            conn.execute(update, {"barcode": normal, "id": variant_id})
            taken.discard(barcode)
            taken.add(normal)


def downgrade() -> None:
    pass  # the normal form is a valid form of the same code: nothing to undo
