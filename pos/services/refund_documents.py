"""Refunds as documents: one refund (`RefundPublic`), lists of them, and what an order shows of its own."""

from __future__ import annotations

from sqlalchemy import Connection, select

from pos.errors import NotFound
from pos.models._common import iso
from pos.models.order import OrderStatus
from pos.models.refund import (
    RefundItemPublic, RefundKind, RefundList, RefundPublic, RefundStatus, RefundStore, RefundSummary,
)
from pos.services import sql
from pos.services import tables as t
from pos.services.catalog import location_by_code
from pos.services.db import Database
from pos.services.sql import Sql

_REFUND = Sql(
    "SELECT r.id, r.order_id, r.kind, r.status, r.method, r.amount, r.tax, r.currency, r.reason, r.reference, "
    "r.decline_reason, r.idempotency_key, r.created_at, o.status AS order_status, o.location_id, "
    "c.name AS clerk, a.name AS approved_by FROM refund r JOIN orders o ON o.id = r.order_id "
    "LEFT JOIN clerk c ON c.id = r.clerk_id LEFT JOIN clerk a ON a.id = r.approver_id WHERE r.id = :id"
)
_DOC_ITEMS = Sql(
    "SELECT ri.sku, oi.name, ri.quantity, l.code AS location, ri.restocked, ri.amount FROM refund_item ri "
    "JOIN order_item oi ON oi.id = ri.order_item_id JOIN location l ON l.id = ri.location_id "
    "WHERE ri.refund_id = :id ORDER BY ri.id"
)
_STORE = Sql("SELECT code, name, address, receipt_footer, timezone FROM location WHERE id = :id")


def refund_document(conn: Connection, refund_id: int) -> RefundPublic:
    row = sql.one(conn, _REFUND, {"id": refund_id})
    if row is None:
        raise NotFound(f"no refund {refund_id}: see `pos refund list`")
    store = sql.one(conn, _STORE, {"id": row["location_id"]})
    return RefundPublic(
        id=row["id"], order_id=row["order_id"], kind=RefundKind(row["kind"]), status=RefundStatus(row["status"]),
        amount=row["amount"], tax=row["tax"], currency=row["currency"], method=row["method"], reason=row["reason"],
        reference=row["reference"], decline_reason=row["decline_reason"], idempotency_key=row["idempotency_key"],
        created_at=iso(sql.read_timestamp(row["created_at"])), timezone=store["timezone"] if store else None,
        store=RefundStore(**store) if store else None,
        order_status=OrderStatus(row["order_status"]), replayed=False,
        items=[RefundItemPublic(**{**i, "restocked": bool(i["restocked"])})
               for i in sql.all_rows(conn, _DOC_ITEMS, {"id": refund_id})],
        clerk=row["clerk"], approved_by=row["approved_by"],
    )


def show_refund(db: Database, *, refund_id: int) -> RefundPublic:
    with db.read() as conn:
        return refund_document(conn, refund_id)


def list_refunds(db: Database, *, order_id: int | None = None, location: str | None = None) -> RefundList:
    """Refunds, newest first; of one order, or of orders of one store."""
    R, O = t.refund, t.orders
    with db.read() as conn:
        stmt = select(R.c.id).join(O, O.c.id == R.c.order_id).order_by(R.c.id.desc())
        if order_id is not None:
            stmt = stmt.where(R.c.order_id == order_id)
        if location:
            stmt = stmt.where(O.c.location_id == location_by_code(conn, location)["id"])
        refunds = [refund_document(conn, rid) for rid in conn.execute(stmt).scalars()]
    return RefundList(refunds=refunds, count=len(refunds))


_SUMMARIES = Sql(
    "SELECT id, amount, status, method, created_at FROM refund WHERE order_id = :id ORDER BY id"
)


def order_refunds(conn: Connection, order_id: int) -> dict:
    """What the order document gains: `refunded` (approved, minor units) and `refunds` (every attempt)."""
    refunds = [
        RefundSummary(id=r["id"], amount=r["amount"], status=RefundStatus(r["status"]), method=r["method"],
                      created_at=iso(sql.read_timestamp(r["created_at"])))
        for r in sql.all_rows(conn, _SUMMARIES, {"id": order_id})
    ]
    return {
        "refunded": sum(r.amount for r in refunds if r.status == RefundStatus.APPROVED),
        "refunds": [r.model_dump(mode="json") for r in refunds],
    }
