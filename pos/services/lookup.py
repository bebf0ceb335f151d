"""Finding a variant (by SKU or barcode) and a location (by code): prebuilt SQL that loads no table classes,
so one-shot commands (`pos stock check`) answer without the SQLModel tables. `pos.services.catalog`
re-exports these for the rest of the services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection

from pos.barcodes import lookup_barcode
from pos.errors import NotFound
from pos.services import sql
from pos.services.sql import Sql

_LOCATION = Sql(
    "SELECT id, code, name, tax_rate, address, receipt_footer, timezone, max_discount FROM location WHERE code = :code"
)


def location_by_code(conn: Connection, code: str) -> dict:
    row = sql.one(conn, _LOCATION, {"code": code})
    if row is None:
        raise NotFound(f"no location {code!r}: see `pos location list`")
    return row


_VARIANT_BY = (
    "SELECT v.id, v.sku, v.name, v.price, v.barcode, v.options, v.is_deliverable, "
    "p.code AS product_code, p.name AS product_name FROM variant v JOIN product p ON p.id = v.product_id "
)
_VARIANT_BY_SKU = Sql(_VARIANT_BY + "WHERE v.sku = :code")
_VARIANT_BY_BARCODE = Sql(_VARIANT_BY + "WHERE v.barcode = :code")
_VARIANTS_BY_SKU = Sql(_VARIANT_BY + "WHERE v.sku = ANY(:codes)")


def find_variant(conn: Connection, code: str) -> dict | None:
    """getProductVariant: by SKU first, then by barcode (a scanner types barcodes). A GTIN is found in
    any of its forms (UPC-A, EAN-13, GTIN-14); a code stored before GTINs were checked, as it was stored."""
    row = sql.one(conn, _VARIANT_BY_SKU, {"code": code})
    if row is None:
        row = sql.one(conn, _VARIANT_BY_BARCODE, {"code": lookup_barcode(code)})
    if row is None and lookup_barcode(code) != code:
        row = sql.one(conn, _VARIANT_BY_BARCODE, {"code": code})
    return row


def variants_by_sku(conn: Connection, skus: Iterable[str]) -> dict[str, dict]:
    """The variants whose SKU is one of `skus`, by SKU, in one statement (a `pos batch` window's catalog).
    A code found here is what `find_variant` finds for it: the SKU comes first."""
    return {row["sku"]: row for row in sql.all_rows(conn, _VARIANTS_BY_SKU, {"codes": sql.listed(conn, set(skus))})}


def get_variant(conn: Connection, code: str) -> dict:
    row = find_variant(conn, code.strip())
    if row is None:
        raise NotFound(f"no variant with SKU or barcode {code!r}: see `pos product list`")
    return row


def variant_label(row: Mapping[Any, Any]) -> str:
    """A variant as people read it: the product's name and the variant's own (`T-shirt M`)."""
    return f"{row['product_name']} {row['name']}".strip() if row["name"] else row["product_name"]
