"""checkInventory: a variant's stock per location, read with prebuilt SQL and no table classes, so
`pos stock check` and `pos cart add` answer without loading the SQLModel tables. The quantity checks are
here for the same reason. `pos.services.inventory` re-exports all of it."""

from __future__ import annotations

from sqlalchemy import Connection

from pos.errors import InvalidInput
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
_LEVEL = Sql("SELECT on_hand, reserved FROM stock_level WHERE variant_id = :v AND location_id = :l")
_LEVEL_LOCKED = Sql(
    "SELECT on_hand, reserved FROM stock_level WHERE variant_id = :v AND location_id = :l FOR UPDATE", only="postgresql"
)


MAX_QUANTITY = 1_000_000_000  # stock counts are 32-bit on PostgreSQL; no store counts past this


def check_quantity(value: int, *, what: str = "quantity", minimum: int = 0) -> int:
    """Refuse a quantity below `minimum` or beyond what any stock count can hold, with a one-line reason."""
    if value < minimum:
        raise InvalidInput(f"{what} must be {'zero or more' if minimum == 0 else f'at least {minimum}'}, not {value}")
    if abs(value) > MAX_QUANTITY:
        raise InvalidInput(f"{what} {value} is more than {MAX_QUANTITY:,}")
    return value


def positive_quantity(value: int, *, hint: str = "") -> int:
    """A quantity to sell or add: at least 1, and no more than a stock count can hold. `hint` says what to
    do instead (the till: void the line)."""
    if value <= 0:
        raise InvalidInput(f"quantity must be a whole number above 0, not {value}" + (f" ({hint})" if hint else ""))
    return check_quantity(value)


def level(conn: Connection, variant_id: int, location_id: int, *, for_update: bool = False) -> tuple[int, int]:
    """(on_hand, reserved); (0, 0) where the variant has never been stocked at the location."""
    # A row lock on PostgreSQL; on SQLite the BEGIN IMMEDIATE transaction already excludes writers.
    statement = _LEVEL_LOCKED if for_update and conn.dialect.name == "postgresql" else _LEVEL
    row = sql.one(conn, statement, {"v": variant_id, "l": location_id})
    return (row["on_hand"], row["reserved"]) if row else (0, 0)


def available(conn: Connection, variant_id: int, location_id: int) -> int:
    on_hand, reserved = level(conn, variant_id, location_id)
    return on_hand - reserved


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
