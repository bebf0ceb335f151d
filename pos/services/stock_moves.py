"""Stock between locations, and when to order more: transfers, reorder levels and the low-stock list.

A transfer is one transaction: a conditional UPDATE takes the units from the source only where they are
available (on hand and not reserved by a checkout awaiting payment), the destination gains them, and each
end writes its stock history row. The two levels are written in the order of their location ids, so two
transfers in opposite directions cannot deadlock on PostgreSQL.
"""

from __future__ import annotations

from typing import IO

from sqlalchemy import Connection, select

from pos.errors import InsufficientStock, InvalidInput
from pos.models.catalog import StockAtLocation
from pos.models.inventory import LowStockList, ReorderLine, TransferPublic
from pos.services import audit
from pos.services import tables as t
from pos.services.audit import Action
from pos.services.catalog import get_variant, location_by_code, variant_label
from pos.services.db import Database
from pos.services.inventory import (
    check_quantity, check_reason, ensure_level, level, positive_quantity, record_movements,
)

SL, V, P, L = t.stock_level, t.variant, t.product, t.location


def to_order(available: int, reorder_level: int | None, reorder_quantity: int | None) -> int:
    """How many to order: 0 above the level (or with none); the reorder quantity when one is set; else
    enough to bring available back above the level."""
    if reorder_level is None or available > reorder_level:
        return 0
    return reorder_quantity if reorder_quantity else reorder_level - available + 1


# -- transfers --------------------------------------------------------------------------------------------


def transfer_stock(
    db: Database, *, sku: str, from_location: str, to_location: str, quantity: int, reason: str = "",
) -> TransferPublic:
    """Move units of one variant from one location to another, in one transaction, never reserved ones."""
    positive_quantity(quantity)
    check_reason(reason)
    with db.write() as conn:
        variant = get_variant(conn, sku)
        src, dst = location_by_code(conn, from_location), location_by_code(conn, to_location)
        if src["id"] == dst["id"]:
            raise InvalidInput(f"a transfer needs two locations: {src['code']} to {src['code']} moves nothing")
        ensure_level(conn, variant["id"], dst["id"])
        ref = f"transfer {src['code']} -> {dst['code']}"
        after: dict[int, int] = {}
        for loc_id, delta in sorted([(src["id"], -quantity), (dst["id"], quantity)]):
            after[loc_id] = _move(conn, variant, src, loc_id, delta)
        record_movements(conn, [
            {"variant_id": variant["id"], "location_id": loc["id"], "delta": delta, "on_hand_after": after[loc["id"]],
             "source": "transfer", "source_ref": ref, "reason": reason}
            for loc, delta in ((src, -quantity), (dst, quantity))
        ])
        audit.record(conn, Action.STOCK_CHANGE, location_id=src["id"], sku=variant["sku"],
                     detail=f"{ref}: {quantity}" + (f": {reason}" if reason else ""))
        ends = {loc["id"]: _at(conn, variant["id"], loc) for loc in (src, dst)}
    return TransferPublic.model_validate({
        "sku": variant["sku"], "name": variant_label(variant), "quantity": quantity, "reason": reason,
        "from": ends[src["id"]], "to": ends[dst["id"]],
    })


def _move(conn: Connection, variant: dict, src: dict, loc_id: int, delta: int) -> int:
    """Change one end's on-hand by `delta`; the taking end only from units nobody has reserved."""
    where = [SL.c.variant_id == variant["id"], SL.c.location_id == loc_id]
    if delta < 0:
        where.append(SL.c.on_hand - SL.c.reserved >= -delta)
    on_hand = conn.execute(
        SL.update().where(*where).values(on_hand=SL.c.on_hand + delta).returning(SL.c.on_hand)
    ).scalar()
    if on_hand is None:
        on_hand_now, reserved = level(conn, variant["id"], loc_id)
        held = f" ({reserved} more are held by checkouts awaiting payment)" if reserved else ""
        raise InsufficientStock(
            f"cannot transfer {-delta} {variant['sku']} from {src['code']}: only {on_hand_now - reserved} "
            f"available{held}",
            sku=variant["sku"], location=src["code"], available=on_hand_now - reserved, requested=-delta,
        )
    return on_hand


def _at(conn: Connection, variant_id: int, loc: dict) -> StockAtLocation:
    on_hand, reserved = level(conn, variant_id, loc["id"])
    return StockAtLocation(location=loc["code"], on_hand=on_hand, reserved=reserved, available=on_hand - reserved)


# -- reorder levels ---------------------------------------------------------------------------------------


def set_reorder(
    db: Database, *, sku: str, location: str, reorder_level: int, reorder_quantity: int | None = None,
) -> ReorderLine:
    """Set (replace) a variant's reorder level at a location, and the quantity to order when it is reached."""
    check_quantity(reorder_level, what="the reorder level")
    if reorder_quantity is not None:
        check_quantity(reorder_quantity, what="the reorder quantity", minimum=1)
    with db.write() as conn:
        variant = get_variant(conn, sku)
        loc = location_by_code(conn, location)
        ensure_level(conn, variant["id"], loc["id"])
        conn.execute(
            SL.update().where(SL.c.variant_id == variant["id"], SL.c.location_id == loc["id"])
            .values(reorder_level=reorder_level, reorder_quantity=reorder_quantity)
        )
        row = conn.execute(_lines().where(SL.c.variant_id == variant["id"], SL.c.location_id == loc["id"])).one()
        return _line(row._mapping)


def _lines():
    return (
        select(V.c.sku, V.c.name, P.c.name.label("product_name"), L.c.code.label("location"), SL.c.on_hand,
               SL.c.reserved, SL.c.reorder_level, SL.c.reorder_quantity)
        .join(V, V.c.id == SL.c.variant_id)
        .join(P, P.c.id == V.c.product_id)
        .join(L, L.c.id == SL.c.location_id)
    )


def _line(row) -> ReorderLine:
    available = row["on_hand"] - row["reserved"]
    return ReorderLine(
        sku=row["sku"], name=variant_label(row), location=row["location"], on_hand=row["on_hand"],
        reserved=row["reserved"], available=available, reorder_level=row["reorder_level"],
        reorder_quantity=row["reorder_quantity"],
        to_order=to_order(available, row["reorder_level"], row["reorder_quantity"]),
    )


def low_stock(db: Database, *, location: str | None = None) -> LowStockList:
    """Every variant whose available stock at a location is at or below its reorder level, by location and SKU."""
    with db.read() as conn:
        stmt = _lines().where(
            SL.c.reorder_level.is_not(None), SL.c.on_hand - SL.c.reserved <= SL.c.reorder_level,
        ).order_by(L.c.code, V.c.sku)
        code = None
        if location:
            loc = location_by_code(conn, location)
            code = loc["code"]
            stmt = stmt.where(SL.c.location_id == loc["id"])
        items = [_line(row) for row in conn.execute(stmt).mappings()]
    return LowStockList(location=code, items=items, count=len(items))


LOW_COLUMNS = ["sku", "name", "location", "on_hand", "reserved", "available", "reorder_level", "reorder_quantity",
               "to_order"]


def write_low_stock_csv(doc: LowStockList, out: IO[str]) -> int:
    """The low-stock list as CSV, with the export's conventions (formula-looking text guarded)."""
    from pos.services.exports import write_csv

    return write_csv(out, LOW_COLUMNS, (
        [i.sku, i.name, i.location, i.on_hand, i.reserved, i.available, i.reorder_level,
         "" if i.reorder_quantity is None else i.reorder_quantity, i.to_order]
        for i in doc.items
    ))
