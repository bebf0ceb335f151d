"""Shipping what was sold for delivery: the pick list of a location, and fulfilment of an order's lines.

A store line is handed over at the counter when the sale is paid. A delivery line is paid at the sale
and shipped later from its location: `fulfil` records that in `fulfilment` (order items are append-only),
one row per order item, with the units shipped (sold less those returned before shipping) and the
tracking text. How statuses combine: fulfilment is tracked per item, and the order's status moves to
`completed` only from `processing`, when its last delivery line ships. An order with a refund keeps its
refund status (`partially_refunded`, `refunded`, `cancelled`); a completed order can still be returned
from, and then becomes `partially_refunded` or `refunded` like any other.
"""

from __future__ import annotations

from typing import IO

from sqlalchemy import Connection, and_, func, select

from pos.errors import InvalidInput, NotFound, NotFulfillable
from pos.models._common import iso, utcnow
from pos.models.order import FulfilmentState, FulfilResult, ItemFulfilment, OrderStatus, PickLine, PickList
from pos.models.payment import PaymentStatus
from pos.services import sql
from pos.services import tables as t
from pos.services.catalog import location_by_code
from pos.services.db import Database
from pos.services.sql import Sql

O, I, F, R, L = t.orders, t.order_item, t.fulfilment, t.order_item_return, t.location
SHIPPABLE = (OrderStatus.PROCESSING, OrderStatus.PARTIALLY_REFUNDED)  # paid, and not every unit came back
TRACKING_MAX = 200  # fulfilment.tracking

# What order_document shows of each item (it runs after every checkout: a prebuilt statement).
_ITEM_FULFILMENT = Sql(
    "SELECT oi.location_id, oi.quantity, r.returned, f.created_at, f.quantity AS shipped, f.tracking "
    "FROM order_item oi LEFT JOIN fulfilment f ON f.order_item_id = oi.id "
    "LEFT JOIN order_item_return r ON r.order_item_id = oi.id WHERE oi.order_id = :id ORDER BY oi.id"
)


def item_fulfilment(conn: Connection, *, order_id: int, order_location_id: int, status: str,
                    payment_status: str | None) -> list[ItemFulfilment]:
    """Each item's fulfilment, in the order of the order's items (by id)."""
    paid = payment_status == PaymentStatus.APPROVED
    states = []
    for row in sql.all_rows(conn, _ITEM_FULFILMENT, {"id": order_id}):
        if row["created_at"] is not None:
            states.append(ItemFulfilment(
                state=FulfilmentState.SHIPPED, shipped_at=iso(sql.read_timestamp(row["created_at"])),
                quantity=row["shipped"], tracking=row["tracking"],
            ))
        elif not paid:
            states.append(ItemFulfilment(state=FulfilmentState.NONE))
        elif row["location_id"] == order_location_id:
            states.append(ItemFulfilment(state=FulfilmentState.AT_SALE))
        else:
            left = row["quantity"] - (row["returned"] or 0)
            ship = left > 0 and status in SHIPPABLE
            states.append(ItemFulfilment(state=FulfilmentState.TO_SHIP if ship else FulfilmentState.NONE))
    return states


def _to_ship():
    """Delivery lines of paid orders not shipped yet, with the units still to ship."""
    store = L.alias("store")
    left = (I.c.quantity - func.coalesce(R.c.returned, 0)).label("quantity")
    return (
        select(I.c.id.label("item_id"), I.c.location_id, O.c.id.label("order_id"), O.c.created_at,
               store.c.code.label("store"), I.c.sku, I.c.name, left, O.c.ship_name, O.c.ship_address)
        .join(O, O.c.id == I.c.order_id)
        .join(store, store.c.id == O.c.location_id)
        .outerjoin(F, F.c.order_item_id == I.c.id)
        .outerjoin(R, R.c.order_item_id == I.c.id)
        .where(I.c.location_id != O.c.location_id, F.c.id.is_(None), O.c.status.in_(SHIPPABLE),
               I.c.quantity - func.coalesce(R.c.returned, 0) > 0)
        .order_by(O.c.id, I.c.id)
    )


def _pick_line(row) -> PickLine:
    return PickLine(
        order_id=row["order_id"], ordered_at=iso(sql.read_timestamp(row["created_at"])), store=row["store"],
        sku=row["sku"], name=row["name"], quantity=row["quantity"], ship_name=row["ship_name"],
        ship_address=row["ship_address"],
    )


def pick_list(db: Database, *, location: str) -> PickList:
    """The delivery lines to ship from `location`, oldest order first."""
    with db.read() as conn:
        loc = location_by_code(conn, location)
        lines = [_pick_line(r) for r in conn.execute(_to_ship().where(I.c.location_id == loc["id"])).mappings()]
    return PickList(location=loc["code"], lines=lines, count=len(lines))


PICK_COLUMNS = ["order", "ordered_at", "store", "sku", "name", "quantity", "ship_name", "ship_address"]


def write_pick_csv(doc: PickList, out: IO[str]) -> int:
    """The pick list as CSV, with the export's conventions (formula-looking text guarded)."""
    from pos.services.exports import write_csv

    return write_csv(out, PICK_COLUMNS, (
        [p.order_id, p.ordered_at, p.store, p.sku, p.name, p.quantity, p.ship_name or "", p.ship_address or ""]
        for p in doc.lines
    ))


def check_tracking(tracking: str) -> str:
    tracking = tracking.strip()
    if len(tracking) > TRACKING_MAX:
        raise InvalidInput(f"the tracking text is {len(tracking)} characters long; at most {TRACKING_MAX} fit")
    return tracking


def fulfil_order(db: Database, *, order_id: int, location: str | None = None, tracking: str = "") -> FulfilResult:
    """Mark the order's delivery lines from `location` (default: every location) shipped, in one
    transaction; the order becomes `completed` when that was its last line to ship and it is `processing`."""
    from pos.services.orders import order_document

    tracking = check_tracking(tracking)
    with db.write() as conn:
        order = conn.execute(
            select(O.c.id, O.c.status).where(O.c.id == order_id).with_for_update()  # SQLite: BEGIN IMMEDIATE
        ).mappings().first()
        if order is None:
            raise NotFound(f"no order {order_id}: see `pos order list`")
        if order["status"] not in SHIPPABLE:
            raise NotFulfillable(_not_shippable(order_id, order["status"]), status=order["status"])
        stmt = _to_ship().where(O.c.id == order_id)
        code = None
        if location:
            loc = location_by_code(conn, location)
            code = loc["code"]
            stmt = stmt.where(I.c.location_id == loc["id"])
        rows = list(conn.execute(stmt).mappings())
        if not rows:
            where = f" from {code}" if code else ""
            raise NotFulfillable(f"order {order_id} has nothing left to ship{where}: see `pos order show {order_id}`",
                                 status=order["status"])
        conn.execute(F.insert(), [
            {"order_id": order_id, "order_item_id": r["item_id"], "location_id": r["location_id"],
             "quantity": r["quantity"], "tracking": tracking, "created_at": utcnow()}
            for r in rows
        ])
        if order["status"] == OrderStatus.PROCESSING and not _unshipped(conn, order_id):
            conn.execute(O.update().where(O.c.id == order_id, O.c.status == OrderStatus.PROCESSING)
                         .values(status=OrderStatus.COMPLETED))
        doc = order_document(conn, order_id)
    return FulfilResult(order_id=order_id, location=code, shipped=[_pick_line(r) for r in rows], tracking=tracking,
                        status=doc.status, order=doc)


def _unshipped(conn: Connection, order_id: int) -> int:
    """Delivery lines of the order with no fulfilment (returned ones included: a processing order has none)."""
    return conn.execute(
        select(func.count()).select_from(I.join(O, O.c.id == I.c.order_id).outerjoin(F, F.c.order_item_id == I.c.id))
        .where(and_(I.c.order_id == order_id, I.c.location_id != O.c.location_id, F.c.id.is_(None)))
    ).scalar_one()


def _not_shippable(order_id: int, status: str) -> str:
    if status == OrderStatus.PENDING:
        return f"order {order_id} is pending (its payment is not settled): nothing ships before it is paid"
    if status == OrderStatus.COMPLETED:
        return f"order {order_id} is completed: every line was handed over or shipped"
    if status == OrderStatus.REFUNDED:
        return f"order {order_id} is refunded: every unit came back, nothing to ship"
    return f"order {order_id} is {status}: it was never paid or was cancelled, nothing to ship"
