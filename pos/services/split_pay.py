"""Split payments: one sale paid in several parts, and the sale given up before the parts covered it.

The first part is an ordinary checkout with an amount: the order is created pending, its stock reserved,
and part 1 recorded with the order's idempotency key. While approved parts sum to less than the total the
order stays `pending` with a balance due; the next checkout of the same cart records part N (its own key,
`<order key>:partN`) and pays it; the part that reaches the total makes the order `processing`.

Rules where the issue left the choice to us:
- An amount above the balance due is refused for a card (or any processor that gives no change); for cash
  the amount is what was handed over: the part is the balance due and the rest is change.
- A part that is not approved leaves a sale that already has an approved part pending, balance unchanged:
  pay the rest another way, or give up. A part not approved when no part is approved fails the order
  (`payment_failed`), exactly as a one-payment checkout does.
- Giving up (`pos order cancel`, `cancel` at the till, or reconcile finding the sale abandoned) cancels the
  order, releases its stock, closes its cart, and pays back every approved part in full through its own
  processor (in cash when that processor cannot refund): one refund of kind `abandon` per part, recorded
  pending in the same transaction that cancels the order, then paid with no transaction open. A refund left
  pending by a crash is paid by `pos order reconcile` (it calls the processor's refund again under the same
  key, which never pays twice), so no customer stays charged for a sale that did not happen.
- Returns of a split-paid order are paid back to one part, newest part first: the newest approved part
  whose amount not yet refunded covers the refund. When no single part covers it, the return is refused
  (return fewer items at a time, or pay it back in cash with `--refund-to cash`).
"""

from __future__ import annotations

from sqlalchemy import Connection

from pos.errors import CartClosed, InvalidInput, NotRefundable, PosError, RefundDeclined, RefundPending
from pos.models._common import utcnow
from pos.models.cart import CartStatus
from pos.models.order import OrderPublic, OrderStatus
from pos.models.payment import PaymentStatus
from pos.models.refund import CASH_METHOD, CancellationPublic, RefundKind, RefundStatus
from pos.money import format_money
from pos.services import audit, auth, inventory, owner, sql
from pos.services.audit import Action
from pos.services import tables as t
from pos.services.db import Database
from pos.services.payments import PreparedPayment, can_refund, get_processor
from pos.services.sql import Sql


def part_amount(amount: int | None, *, balance_due: int, processor: str, payment: PreparedPayment,
                currency: str = "") -> int:
    """What this part pays: `amount` (None: the whole balance due), never more than the balance due."""
    if amount is None:
        return balance_due
    if amount <= 0:
        raise InvalidInput("--amount must be above 0")
    if amount <= balance_due:
        return amount
    if payment.tendered is not None:  # cash: what was handed over; the change is given back
        return balance_due
    raise InvalidInput(
        f"--amount {format_money(amount, currency) if currency else amount} is more than the "
        f"{format_money(balance_due, currency) if currency else balance_due} due: a {processor} part cannot "
        "be more than the balance due"
    )


# -- the next part ------------------------------------------------------------------------------------------

_AWAITING = Sql(
    "SELECT o.id FROM cart c JOIN orders o ON o.cart_id = c.id WHERE c.id = :cart AND c.status = :checkout "
    "AND o.status = :pending ORDER BY o.id DESC"
)
_LOCK = Sql("SELECT id FROM orders WHERE id = :id FOR UPDATE", only="postgresql")
_DUE = Sql(
    "SELECT o.id, o.status, o.total, o.currency, o.cart_id, o.location_id, o.idempotency_key, "
    "COALESCE(SUM(CASE WHEN p.status = :approved THEN p.amount ELSE 0 END), 0) AS paid, "
    "COALESCE(SUM(CASE WHEN p.status = :pending THEN 1 ELSE 0 END), 0) AS in_flight, COUNT(p.id) AS parts "
    "FROM orders o LEFT JOIN payment p ON p.order_id = o.id WHERE o.id = :id "
    "GROUP BY o.id, o.status, o.total, o.currency, o.cart_id, o.location_id, o.idempotency_key"
)
_TAKE_OWNERSHIP = Sql(
    "UPDATE orders SET owner_host = :host, owner_pid = :pid, owner_start = :start, updated_at = :now "
    "WHERE id = :id AND status = :pending"
)


def _due(conn: Connection, order_id: int, *, lock: bool = False) -> dict:
    if lock and conn.dialect.name == "postgresql":
        sql.execute(conn, _LOCK, {"id": order_id})
    row = sql.one(conn, _DUE, {"id": order_id, "approved": PaymentStatus.APPROVED, "pending": PaymentStatus.PENDING})
    if row is None:
        from pos.errors import NotFound

        raise NotFound(f"no order {order_id}: see `pos order list`")
    return row


def order_awaiting_part(conn: Connection, cart_id: int) -> int | None:
    """The pending order of this cart that waits for its next part, or None (the cart is checked out anew).

    A part still being paid refuses the checkout: the cart is busy until that part is settled."""
    order_id = sql.scalar(conn, _AWAITING, {"cart": cart_id, "checkout": CartStatus.CHECKOUT,
                                            "pending": OrderStatus.PENDING})
    if order_id is None:
        return None
    if _due(conn, order_id, lock=True)["in_flight"]:
        raise CartClosed(
            f"cart {cart_id} is being paid (order {order_id}): wait for that payment, or run `pos order reconcile` "
            "if its till stopped"
        )
    return order_id


def begin_next_part(conn: Connection, *, order_id: int, processor: str, payment: PreparedPayment,
                    amount: int | None, register: str | None = None):
    """Record the next part of a split payment pending, with its own idempotency key, in the caller's
    transaction; the process paying it becomes the order's owner (for reconcile)."""
    from pos.services.orders import PendingOrder, insert_payment

    order = _due(conn, order_id, lock=True)
    if order["status"] != OrderStatus.PENDING or order["in_flight"]:
        raise CartClosed(f"order {order_id} is not waiting for a payment")
    paying = part_amount(amount, balance_due=order["total"] - order["paid"], processor=processor, payment=payment,
                         currency=order["currency"])
    part = order["parts"] + 1
    key = f"{order['idempotency_key']}:part{part}"
    moment = utcnow()
    from pos.services.shifts import shift_for

    shift_id = shift_for(conn, location_id=order["location_id"], register=register, cash=processor == "cash")
    insert_payment(conn, order_id=order_id, part=part, processor=processor, amount=paying,
                   currency=order["currency"], key=key, payment=payment, moment=moment, shift_id=shift_id)
    me = owner.current()
    sql.execute(conn, _TAKE_OWNERSHIP, {"id": order_id, "host": me.host, "pid": me.pid, "start": me.start,
                                        "now": sql.timestamp(conn, moment), "pending": OrderStatus.PENDING})
    return PendingOrder(order_id, paying, order["currency"], key, part)


def balance_due(db: Database, *, cart_id: int) -> int | None:
    """What is left to pay on the order this cart is being paid in parts for; None when there is none."""
    with db.read() as conn:
        order_id = sql.scalar(conn, _AWAITING, {"cart": cart_id, "checkout": CartStatus.CHECKOUT,
                                                "pending": OrderStatus.PENDING})
        if order_id is None:
            return None
        row = _due(conn, order_id)
        return None if row["in_flight"] else row["total"] - row["paid"]


def awaiting_order(db: Database, *, cart_id: int) -> int | None:
    """The order this cart is being paid in parts for (no part in flight), or None."""
    with db.read() as conn:
        order_id = sql.scalar(conn, _AWAITING, {"cart": cart_id, "checkout": CartStatus.CHECKOUT,
                                                "pending": OrderStatus.PENDING})
        return None if order_id is None or _due(conn, order_id)["in_flight"] else order_id


_HAND_BACK = Sql(
    "UPDATE orders SET owner_host = NULL, owner_pid = NULL, owner_start = NULL, updated_at = :now "
    "WHERE id = :id AND status = :pending"
)


def hand_back(db: Database, *, order_id: int) -> OrderPublic:
    """A till leaving a sale paid in part: no process owns the order now (see `TillSession.leave`)."""
    from pos.services.orders import order_document

    with db.write() as conn:
        sql.execute(conn, _HAND_BACK, {"id": order_id, "now": sql.timestamp(conn, utcnow()),
                                       "pending": OrderStatus.PENDING})
        return order_document(conn, order_id)


def part_declined(doc: OrderPublic, part: int):
    """The error for a part not approved while earlier parts are: the sale stays pending with its balance."""
    from pos.errors import PaymentDeclined

    failed = doc.payments[part - 1]
    reason = failed.reason or "declined"
    due = format_money(doc.balance_due, doc.currency)
    return PaymentDeclined(
        f"payment {'failed' if failed.status == PaymentStatus.FAILED else 'declined'} ({reason}): order {doc.id} "
        f"still has {due} due; pay it another way, or cancel the order to pay back the parts already paid",
        reason=reason, order=doc.plain(),
    )


# -- giving up: every approved part paid back -------------------------------------------------------------

_PARTS = Sql(
    "SELECT id, part, processor, status, amount, idempotency_key, reference, brand, last4, shift_id FROM payment "
    "WHERE order_id = :id ORDER BY part"
)
_SHIFT_STILL_OPEN = Sql("SELECT id FROM shift WHERE id = :id AND status = :open")
_ITEMS = Sql("SELECT variant_id, location_id, quantity, sku FROM order_item WHERE order_id = :id")
_CANCEL = Sql("UPDATE orders SET status = :cancelled, updated_at = :now WHERE id = :id AND status = :pending")
_CLOSE_CART = Sql("UPDATE cart SET status = :closed, updated_at = :now WHERE id = :id AND status = :checkout")
_INSERT_REFUND = Sql(
    "INSERT INTO refund (order_id, payment_id, kind, status, method, amount, tax, currency, reason, "
    "idempotency_key, owner_host, owner_pid, owner_start, clerk_id, approver_id, shift_id, created_at, updated_at) "
    "VALUES (:order_id, :payment_id, :kind, :status, :method, :amount, 0, :currency, :reason, :key, :owner_host, "
    ":owner_pid, :owner_start, :clerk_id, :approver_id, :shift_id, :created_at, :updated_at) RETURNING id"
)
_ABANDON_REFUNDS = Sql("SELECT id, status FROM refund WHERE order_id = :id AND kind = :abandon ORDER BY id")
_PENDING_REFUND = Sql(
    "SELECT r.id, r.order_id, r.amount, r.currency, r.method, r.idempotency_key, p.idempotency_key AS charge_key, "
    "p.reference AS charge_reference, p.brand, p.last4 FROM refund r JOIN payment p ON p.id = r.payment_id "
    "WHERE r.id = :id AND r.status = :pending"
)


def abandon_order(db: Database, *, order_id: int, reason: str = "", timeout: float | None = 30.0) -> CancellationPublic:
    """Give up a sale paid in parts: cancel the order, release its stock, and pay back every approved part.

    Raises RefundDeclined or RefundPending (the order cancelled all the same) when a part could not be
    paid back now; `pos order reconcile` pays a pending one."""
    reason = inventory.check_reason(reason)
    with db.write() as conn:
        order = _due(conn, order_id, lock=True)
        done = sql.all_rows(conn, _ABANDON_REFUNDS, {"id": order_id, "abandon": RefundKind.ABANDON})
        if order["status"] == OrderStatus.CANCELLED and done:
            replay = [r["id"] for r in done]
        else:
            replay = None
            refund_ids = _begin_abandon(conn, order, reason)
    if replay is not None:
        return _cancellation(db, order_id, replay, replayed=True)
    _pay_back_all(db, refund_ids, timeout=timeout)
    return _raise_if_not_paid_back(_cancellation(db, order_id, refund_ids, replayed=False))


def _begin_abandon(conn: Connection, order: dict, reason: str) -> list[int]:
    order_id = order["id"]
    if order["status"] != OrderStatus.PENDING:
        raise NotRefundable(f"order {order_id} is {order['status']}: it is not being paid in parts",
                            status=order["status"])
    if order["in_flight"]:
        raise NotRefundable(
            f"order {order_id} has a payment in progress: wait for it, or run `pos order reconcile` if its till stopped",
            status=order["status"],
        )
    now = sql.timestamp(conn, utcnow())
    if sql.execute(conn, _CANCEL, {"id": order_id, "now": now, "cancelled": OrderStatus.CANCELLED,
                                   "pending": OrderStatus.PENDING}) != 1:
        raise NotRefundable(f"order {order_id} was settled by another till just now")
    inventory.release(conn, [
        inventory.Need(i["variant_id"], i["location_id"], i["quantity"], i["sku"])
        for i in sql.all_rows(conn, _ITEMS, {"id": order_id})
    ])
    sql.execute(conn, _CLOSE_CART, {"id": order["cart_id"], "now": now, "closed": CartStatus.CLOSED,
                                    "checkout": CartStatus.CHECKOUT})
    me = owner.current()
    refund_ids = []
    for part in sql.all_rows(conn, _PARTS, {"id": order_id}):
        if part["status"] != PaymentStatus.APPROVED:
            continue
        method = part["processor"] if _refundable(part["processor"]) else CASH_METHOD
        refund_ids.append(sql.scalar(conn, _INSERT_REFUND, {
            **sql.insert_defaults(conn, t.refund),  # first: the values given here win
            "order_id": order_id, "payment_id": part["id"], "kind": RefundKind.ABANDON, "method": method,
            "amount": part["amount"], "currency": order["currency"], "reason": reason,
            "key": f"{part['idempotency_key']}:abandon", "owner_host": me.host, "owner_pid": me.pid,
            "owner_start": me.start, "shift_id": _pay_back_from(conn, part, order["location_id"]), **auth.who(),
        }))
    audit.record(conn, Action.CANCEL, location_id=order["location_id"], order_id=order_id, amount=order["paid"],
                 detail="a sale paid in parts given up" + (f": {reason}" if reason else ""))
    return refund_ids


def _pay_back_from(conn: Connection, part: dict, location_id: int) -> int | None:
    """The drawer shift an abandoned part is paid back from: the one it was taken in while that is still
    open, else the one open shift at the location, else none. Never a refusal: a sale that did not happen
    is always given up, whatever the drawers are doing (a Z report then shows the cash left in as over)."""
    from pos.errors import RegisterRequired
    from pos.models.staff import ShiftStatus
    from pos.services.shifts import shift_for

    if part["shift_id"] is not None and sql.scalar(conn, _SHIFT_STILL_OPEN, {"id": part["shift_id"],
                                                                            "open": ShiftStatus.OPEN}) is not None:
        return part["shift_id"]
    try:
        return shift_for(conn, location_id=location_id, register=None, cash=False)
    except RegisterRequired:
        return None


def _refundable(name: str) -> bool:
    try:
        return can_refund(get_processor(name))
    except PosError:  # a plugin no longer installed: the drawer pays it back
        return False


def pending_abandon_refund(conn: Connection, refund_id: int):
    """The pending refund of an abandoned part, ready to pay; None when it is settled already."""
    from pos.services.refunds import PendingRefund

    row = sql.one(conn, _PENDING_REFUND, {"id": refund_id, "pending": RefundStatus.PENDING})
    if row is None:
        return None
    return PendingRefund(row["id"], row["order_id"], row["amount"], row["currency"], row["method"],
                         row["idempotency_key"], row["charge_key"], row["charge_reference"], row["brand"], row["last4"])


def _pay_back_all(db: Database, refund_ids: list[int], *, timeout: float | None) -> None:
    from pos.services.payments.ledger import Ledger
    from pos.services.refunds import call_refund, settle_refund

    ledger = Ledger(db)
    for refund_id in refund_ids:
        with db.read() as conn:
            pending = pending_abandon_refund(conn, refund_id)
        if pending is None:
            continue
        status, result = call_refund(get_processor(pending.method), pending.request(ledger), timeout=timeout)
        if status == RefundStatus.PENDING:
            continue  # no answer in time: reconcile pays it (the same key never pays twice)
        with db.write() as conn:
            settle_refund(conn, refund_id=refund_id, status=status, result=result)


def _cancellation(db: Database, order_id: int, refund_ids: list[int], *, replayed: bool) -> CancellationPublic:
    from pos.services.refund_documents import refund_document

    with db.read() as conn:
        refunds = [refund_document(conn, refund_id) for refund_id in refund_ids]
    return CancellationPublic(order_id=order_id, status=OrderStatus.CANCELLED, refund=refunds[0] if refunds else None,
                              refunds=refunds, replayed=replayed)


def _raise_if_not_paid_back(doc: CancellationPublic) -> CancellationPublic:
    owed = [r for r in doc.refunds if r.status != RefundStatus.APPROVED]
    if not owed:
        return doc
    what = ", ".join(f"{format_money(r.amount, r.currency)} by {r.method} (refund {r.id}, {r.status})" for r in owed)
    if any(r.status == RefundStatus.PENDING for r in owed):
        raise RefundPending(
            f"order {doc.order_id} is cancelled and its stock released, but not every part is paid back yet: {what}; "
            "run `pos order reconcile` to finish paying them back", refund_id=owed[0].id,
        )
    raise RefundDeclined(
        f"order {doc.order_id} is cancelled and its stock released, but paying back was declined: {what}; "
        "pay it back by hand", refund=owed[0].model_dump(mode="json"),
    )


# -- returns of a split-paid order --------------------------------------------------------------------------

_PART_LEFT = Sql(
    "SELECT p.id, p.part, p.processor, p.amount, p.idempotency_key, p.reference, p.brand, p.last4, "
    "p.amount - COALESCE((SELECT SUM(r.amount) FROM refund r WHERE r.payment_id = p.id AND r.status <> :declined), 0) "
    "AS left_to_refund FROM payment p WHERE p.order_id = :id AND p.status = :approved ORDER BY p.part DESC"
)


def part_to_refund(conn: Connection, order_id: int, amount: int, currency: str, *, to_cash: bool) -> dict:
    """The approved part a refund of `amount` pays back (newest part first): see the module's docstring."""
    parts = sql.all_rows(conn, _PART_LEFT, {"id": order_id, "approved": PaymentStatus.APPROVED,
                                            "declined": RefundStatus.DECLINED})
    assert parts, "a paid order has an approved payment"
    if len(parts) == 1 or to_cash:
        return parts[0]
    for part in parts:
        if part["left_to_refund"] >= amount:
            return part
    raise InvalidInput(
        f"order {order_id} was paid in {len(parts)} parts and no single part has {format_money(amount, currency)}"
        " left to pay back: return fewer items at a time, or pay it back in cash with --refund-to cash"
    )
