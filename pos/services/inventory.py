"""The Inventory participant: stock per variant and location, reservations, and the stock history.

Every write is a single conditional statement that cannot take stock below zero (or below what is
reserved), and every change of on-hand stock writes its history row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from pos.errors import InsufficientStock, InvalidInput
from pos.models._common import iso
from pos.models.inventory import StockHistoryPage, StockMovementPublic
from pos.models.stock import StockPublic
from pos.reasons import REASON_MAX as REASON_MAX, check_reason as check_reason  # one rule for every reason
from pos.services import audit, auth, sql
from pos.services.audit import Action
from pos.services import tables as t
from pos.services.sql import Sql
from pos.services.catalog import get_variant, location_by_code
from pos.services.db import Database
from pos.services.clerks import require_approval
from pos.services.stock_levels import (  # table-free, so that `pos cart add` need not load this module
    MAX_QUANTITY as MAX_QUANTITY, available as available, check_quantity as check_quantity, check_stock as check_stock,
    level as level, positive_quantity as positive_quantity, stock_document,
)

SL = t.stock_level


@dataclass(frozen=True, order=True)
class Need:
    """Units of one variant wanted from one location (the lines of a cart summed per stock level)."""

    variant_id: int
    location_id: int
    quantity: int
    sku: str = ""
    location: str = ""


def sum_needs(needs: Iterable[Need]) -> list[Need]:
    """Lines drawing on the same stock level are summed, then sorted so locks are always taken in one order."""
    totals: dict[tuple[int, int], Need] = {}
    for n in needs:
        key = (n.variant_id, n.location_id)
        prev = totals.get(key)
        totals[key] = n if prev is None else Need(key[0], key[1], prev.quantity + n.quantity, n.sku, n.location)
    return [totals[key] for key in sorted(totals)]  # by (variant, location): tuples compare in C


_ENSURE = Sql(
    "INSERT INTO stock_level (variant_id, location_id, on_hand, reserved) VALUES (:v, :l, 0, 0) "
    "ON CONFLICT (variant_id, location_id) DO NOTHING"
)
_MOVEMENT = Sql(
    "INSERT INTO stock_movement (created_at, variant_id, location_id, delta, on_hand_after, reason, source, source_ref, "
    "clerk_id, approver_id) VALUES (:created_at, :variant_id, :location_id, :delta, :on_hand_after, :reason, :source, "
    ":source_ref, :clerk_id, :approver_id)"
)
_RESERVE = Sql(
    "UPDATE stock_level SET reserved = reserved + :n "
    "WHERE variant_id = :v AND location_id = :l AND on_hand - reserved >= :n"
)
_RELEASE = Sql(
    "UPDATE stock_level SET reserved = reserved - :n WHERE variant_id = :v AND location_id = :l AND reserved >= :n"
)
_TAKE = Sql(
    "UPDATE stock_level SET on_hand = on_hand - :n, reserved = reserved - :n "
    "WHERE variant_id = :v AND location_id = :l AND reserved >= :n RETURNING on_hand"
)


def ensure_level(conn: Connection, variant_id: int, location_id: int) -> None:
    sql.execute(conn, _ENSURE, {"v": variant_id, "l": location_id})


def record_movements(conn: Connection, rows: list[dict]) -> None:
    """Append history rows: variant_id, location_id, delta, on_hand_after, source, source_ref, reason."""
    if rows:
        defaults = {**sql.insert_defaults(conn, t.stock_movement), **auth.who()}
        sql.execute_many(conn, _MOVEMENT, [{**defaults, **r} for r in rows])


# -- reservations, as checkout uses them ------------------------------------------------------------------


def reserve(conn: Connection, needs: Iterable[Need]) -> None:
    """Hold stock for a checkout; raises InsufficientStock (and the caller's transaction rolls back)."""
    for n in sum_needs(needs):
        if sql.execute(conn, _RESERVE, {"v": n.variant_id, "l": n.location_id, "n": n.quantity}) != 1:
            left = available(conn, n.variant_id, n.location_id)
            raise InsufficientStock(
                f"not enough {n.sku} at {n.location}: {left} available, {n.quantity} wanted",
                sku=n.sku, location=n.location, available=left, requested=n.quantity,
            )


def release(conn: Connection, needs: Iterable[Need]) -> None:
    for n in sum_needs(needs):
        sql.execute(conn, _RELEASE, {"v": n.variant_id, "l": n.location_id, "n": n.quantity})


def take_reserved(conn: Connection, needs: Iterable[Need], *, source: str, source_ref: str, reason: str = "") -> None:
    """Turn reservations into sold stock: on-hand and reserved both go down, with a history row each."""
    movements = []
    for n in sum_needs(needs):
        on_hand = sql.scalar(conn, _TAKE, {"v": n.variant_id, "l": n.location_id, "n": n.quantity})
        if on_hand is None:  # cannot happen while reservations are only made by reserve(); refuse loudly
            raise InsufficientStock(f"stock for {n.sku} at {n.location} was not reserved")
        movements.append({
            "variant_id": n.variant_id, "location_id": n.location_id, "delta": -n.quantity,
            "on_hand_after": on_hand, "source": source, "source_ref": source_ref, "reason": reason,
        })
    record_movements(conn, movements)


# -- clerk commands: set, adjust, check, history ----------------------------------------------------------


def set_level(
    conn: Connection, variant_id: int, location_id: int, quantity: int, *, source: str, source_ref: str = "",
    reason: str = "", sku: str = "", location: str = "",
) -> int:
    """Set on-hand to a counted quantity; returns the change (0 when the count matched)."""
    check_quantity(quantity)
    ensure_level(conn, variant_id, location_id)
    on_hand, reserved = level(conn, variant_id, location_id, for_update=True)
    if quantity < reserved:
        raise InvalidInput(
            f"{reserved} of {sku} at {location} are held by checkouts awaiting payment: "
            f"on-hand cannot be set below that"
        )
    delta = quantity - on_hand
    if delta:
        conn.execute(
            SL.update().where(SL.c.variant_id == variant_id, SL.c.location_id == location_id).values(on_hand=quantity)
        )
        record_movements(conn, [{
            "variant_id": variant_id, "location_id": location_id, "delta": delta, "on_hand_after": quantity,
            "source": source, "source_ref": source_ref, "reason": reason,
        }])
    return delta


def adjust_level(
    conn: Connection, variant_id: int, location_id: int, delta: int, *, source: str, source_ref: str = "",
    reason: str = "", sku: str = "", location: str = "",
) -> int:
    """Add (or with a negative delta, remove) stock; returns the new on-hand."""
    if delta == 0:
        raise InvalidInput("an adjustment of 0 changes nothing")
    check_quantity(delta, what="adjustment", minimum=-MAX_QUANTITY)
    if delta > 0:
        ensure_level(conn, variant_id, location_id)
    on_hand = conn.execute(
        SL.update()
        .where(SL.c.variant_id == variant_id, SL.c.location_id == location_id, SL.c.on_hand + delta >= SL.c.reserved)
        .values(on_hand=SL.c.on_hand + delta)
        .returning(SL.c.on_hand)
    ).scalar()
    if on_hand is None:
        left = available(conn, variant_id, location_id)
        raise InsufficientStock(
            f"cannot remove {-delta} {sku} at {location}: only {left} available",
            sku=sku, location=location, available=left, requested=-delta,
        )
    record_movements(conn, [{
        "variant_id": variant_id, "location_id": location_id, "delta": delta, "on_hand_after": on_hand,
        "source": source, "source_ref": source_ref, "reason": reason,
    }])
    return on_hand


def _stock_detail(what: str, reason: str) -> str:
    return f"{what}: {reason}" if reason else what


def set_stock(db: Database, *, sku: str, location: str, quantity: int, reason: str = "") -> StockPublic:
    check_reason(reason)
    require_approval("a stock count")
    with db.write() as conn:
        variant = get_variant(conn, sku)
        loc = location_by_code(conn, location)
        delta = set_level(
            conn, variant["id"], loc["id"], quantity, source="set", source_ref="pos stock set", reason=reason,
            sku=variant["sku"], location=loc["code"],
        )
        audit.record(conn, Action.STOCK_CHANGE, location_id=loc["id"], sku=variant["sku"],
                     detail=_stock_detail(f"set to {quantity} ({delta:+d})", reason))
        doc = stock_document(conn, variant)
    doc.change = delta
    return doc


def adjust_stock(db: Database, *, sku: str, location: str, delta: int, reason: str = "") -> StockPublic:
    check_reason(reason)
    require_approval("a stock adjustment")
    with db.write() as conn:
        variant = get_variant(conn, sku)
        loc = location_by_code(conn, location)
        on_hand = adjust_level(
            conn, variant["id"], loc["id"], delta, source="adjust", source_ref="pos stock adjust", reason=reason,
            sku=variant["sku"], location=loc["code"],
        )
        audit.record(conn, Action.STOCK_CHANGE, location_id=loc["id"], sku=variant["sku"],
                     detail=_stock_detail(f"adjusted {delta:+d} to {on_hand}", reason))
        doc = stock_document(conn, variant)
    doc.change = delta
    return doc


def stock_history(
    db: Database, *, sku: str, location: str | None = None, limit: int | None = 100, after: int | None = None
) -> list[StockMovementPublic]:
    return history_page(db, sku=sku, location=location, limit=limit, after=after).history


def history_page(
    db: Database, *, sku: str, location: str | None = None, limit: int | None = 100, after: int | None = None
) -> StockHistoryPage:
    """Stock changes newest first, at most `limit` (None: all), those before change `after` when given;
    cut or not, and the cursor for the rest, as in `orders.order_page`."""
    M = t.stock_movement
    with db.read() as conn:
        variant = get_variant(conn, sku)
        where = [M.c.variant_id == variant["id"]]
        if location:
            where.append(M.c.location_id == location_by_code(conn, location)["id"])
        if after is not None:
            where.append(M.c.id < after)
        stmt = (
            select(M, t.location.c.code.label("location"), t.location.c.timezone)
            .join(t.location, t.location.c.id == M.c.location_id)
            .where(*where)
            .order_by(M.c.id.desc())
        )
        rows = [
            {
                "id": r["id"],
                "at": iso(r["created_at"]),
                "timezone": r["timezone"],  # the location's: views show `at` in it
                "sku": variant["sku"],
                "location": r["location"],
                "change": r["delta"],
                "on_hand": r["on_hand_after"],
                "source": r["source"],
                "ref": r["source_ref"],
                "reason": r["reason"],
            }
            for r in conn.execute(stmt if limit is None else stmt.limit(limit + 1)).mappings()
        ]
        return StockHistoryPage.model_validate(sql.page("history", rows, limit, lambda: conn.execute(
            select(func.count()).select_from(M).where(*where)).scalar_one()))
