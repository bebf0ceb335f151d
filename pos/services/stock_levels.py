"""checkInventory: a variant's stock per location, read with prebuilt SQL and no table classes, so
`pos stock check` answers without loading the SQLModel tables. `pos.services.inventory` re-exports it."""

from __future__ import annotations

from sqlalchemy import Connection

from pos.models.stock import StockAtLocation, StockPublic
from pos.services import sql
from pos.services.db import Database
from pos.services.lookup import get_variant, location_by_code, variant_label
from pos.services.sql import Sql

_LEVELS = (
    "SELECT l.code, s.on_hand, s.reserved FROM stock_level s JOIN location l ON l.id = s.location_id "
    "WHERE s.variant_id = :v "
)
_LEVELS_EVERYWHERE = Sql(_LEVELS + "ORDER BY l.code")
_LEVEL_AT = Sql(_LEVELS + "AND s.location_id = :l")


def check_stock(db: Database, *, sku: str, location: str | None = None) -> StockPublic:
    """checkInventory: on-hand, reserved and available per location."""
    with db.read() as conn:
        variant = get_variant(conn, sku)
        loc = location_by_code(conn, location) if location else None
        return stock_document(conn, variant, loc)


def stock_document(conn: Connection, variant: dict, location: dict | None = None) -> StockPublic:
    """The variant's stock everywhere, or at `location` (a location row): a location where it was never
    stocked shows zeros."""
    if location is None:
        rows = sql.all_rows(conn, _LEVELS_EVERYWHERE, {"v": variant["id"]})
    else:
        rows = sql.all_rows(conn, _LEVEL_AT, {"v": variant["id"], "l": location["id"]}) or [
            {"code": location["code"], "on_hand": 0, "reserved": 0}
        ]
    levels = [StockAtLocation(location=r["code"], on_hand=r["on_hand"], reserved=r["reserved"],
                              available=r["on_hand"] - r["reserved"]) for r in rows]
    return StockPublic(
        sku=variant["sku"], name=variant_label(variant), levels=levels,
        on_hand=sum(lv.on_hand for lv in levels), available=sum(lv.available for lv in levels),
    )
