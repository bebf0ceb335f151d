"""The audit log: one append-only row per action a person takes, written in the transaction of the action
itself (a sale that rolls back leaves no audit row; a sale that commits cannot lose its row)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Connection

from pos.services import auth, sql
from pos.services.sql import Sql


class Action(StrEnum):
    SALE = "sale"
    RETURN = "return"
    CANCEL = "cancel"
    STOCK_CHANGE = "stock_change"
    PRICE_CHANGE = "price_change"
    DISCOUNT = "discount"
    CATALOG_CHANGE = "catalog_change"
    SHIFT_OPEN = "shift_open"
    SHIFT_CLOSE = "shift_close"
    CASH_IN = "cash_in"
    CASH_OUT = "cash_out"
    NO_SALE = "no_sale"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKED_OUT = "locked_out"
    CLERK_ADDED = "clerk_added"
    CLERK_PIN_CHANGED = "clerk_pin_changed"
    CLERK_DISABLED = "clerk_disabled"


_INSERT = Sql(
    "INSERT INTO audit_log (at, action, clerk_id, clerk_name, approver_id, location_id, order_id, refund_id, "
    "shift_id, sku, amount, detail) VALUES (:at, :action, :clerk_id, :clerk_name, :approver_id, :location_id, "
    ":order_id, :refund_id, :shift_id, :sku, :amount, :detail)"
)

DETAIL_MAX = 500

# The audit model's insert defaults, as `sql.defaults_of(t.audit_log)` gives them: every change writes an
# audit row, and loading the staff table classes for two defaults would cost a one-shot command (an import,
# `pos stock set`) a good part of its start-up. tests/unit/test_insert_defaults.py holds the two equal.
AUDIT_DEFAULTS: sql.Defaults = ({"detail": ""}, ("at",))


def record(
    conn: Connection, action: Action, *, location_id: int | None = None, order_id: int | None = None,
    refund_id: int | None = None, shift_id: int | None = None, sku: str | None = None, amount: int | None = None,
    detail: str = "", clerk_id: int | None = None, clerk_name: str | None = None,
) -> None:
    """Append one audit row in the caller's transaction, naming the acting clerk (and approver) unless
    `clerk_id`/`clerk_name` say otherwise (a failed sign-in names who was tried)."""
    actor = auth.current()
    sql.execute(conn, _INSERT, {
        **sql.with_defaults(conn, AUDIT_DEFAULTS),
        "action": str(action),
        "clerk_id": clerk_id if clerk_id is not None else (actor.clerk_id if actor else None),
        "clerk_name": clerk_name if clerk_name is not None else (actor.name if actor else None),
        "approver_id": actor.approver_id if actor and clerk_id is None else None,
        "location_id": location_id, "order_id": order_id, "refund_id": refund_id, "shift_id": shift_id,
        "sku": sku, "amount": amount, "detail": detail[:DETAIL_MAX],
    })


def record_sales(conn: Connection, sales: list[tuple[int, int, int, str]]) -> None:
    """`record(conn, Action.SALE, ...)` for many sales at once, as the acting clerk: one row per
    (location_id, order_id, amount, detail), written together (a `pos batch` window's settlement)."""
    if not sales:
        return
    actor = auth.current()
    common = {
        **sql.with_defaults(conn, AUDIT_DEFAULTS), "action": str(Action.SALE),
        "clerk_id": actor.clerk_id if actor else None, "clerk_name": actor.name if actor else None,
        "approver_id": actor.approver_id if actor else None, "refund_id": None, "shift_id": None, "sku": None,
    }
    sql.execute_many(conn, _INSERT, [
        {**common, "location_id": location_id, "order_id": order_id, "amount": amount, "detail": detail[:DETAIL_MAX]}
        for location_id, order_id, amount, detail in sales
    ])
