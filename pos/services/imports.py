"""CSV import of catalog and inventory (first version: small files, all-or-nothing)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import select

from pos.errors import InvalidInput
from pos.models._common import utcnow
from pos.money import parse_money
from pos.services import inventory
from pos.services import tables as t
from pos.services.catalog import get_variant, location_by_code
from pos.services.db import Database
from pos.services.store import currency as store_currency

_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}


def _rows(path: str):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        reader.fieldnames = [f.strip().lower() for f in reader.fieldnames or []]
        for line, row in enumerate(reader, start=2):
            yield line, {k: (v or "").strip() for k, v in row.items() if k}


def import_catalog(db: Database, *, path: str) -> dict:
    created = 0
    with db.write() as conn:
        cur = store_currency(conn)
        for line, row in _rows(path):
            where = f"{path}:{line}"
            product_id = conn.execute(select(t.product.c.id).where(t.product.c.code == row["product"])).scalar()
            if product_id is None:
                product_id = conn.execute(
                    t.product.insert().values(code=row["product"], name=row["product_name"], created_at=utcnow())
                    .returning(t.product.c.id)
                ).scalar_one()
            deliverable = row.get("deliverable", "yes").lower() or "yes"
            if deliverable not in _TRUE | _FALSE:
                raise InvalidInput(f"{where}: deliverable: must be yes or no")
            options = {k.split(":", 1)[1]: v for k, v in row.items() if k.startswith("option:") and v}
            conn.execute(t.variant.insert().values(
                sku=row["sku"], product_id=product_id, name=row.get("variant_name", ""),
                price=parse_money(row["price"], cur, what=f"{where}: price"), barcode=row.get("barcode") or None,
                options=json.dumps(options, sort_keys=True), is_deliverable=deliverable in _TRUE, created_at=utcnow(),
            ))
            created += 1
    return {"read": created, "applied": created}


def import_inventory(db: Database, *, path: str, mode: str = "set") -> dict:
    applied = 0
    with db.write() as conn:
        for line, row in _rows(path):
            variant = get_variant(conn, row["sku"])
            loc = location_by_code(conn, row["location"])
            qty = int(row["quantity"])
            inventory.set_level(
                conn, variant["id"], loc["id"], qty, source="import", source_ref=f"{Path(path).name}:{line}",
                sku=variant["sku"], location=loc["code"],
            )
            applied += 1
    return {"read": applied, "applied": applied}
