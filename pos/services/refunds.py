"""The way back: returns, refunds and cancellations, built like checkout.

One transaction checks the order, takes the units out of what is left to return (a conditional UPDATE
on `order_item_return`, so two tills cannot both take back the last unit), computes the amount and
records the refund `pending` with its idempotency key. Then the processor pays it back with no
transaction open. Then one transaction settles it: approved -> stock back on hand with its history and
the order's new status; declined -> the units are returnable again and nothing else moves. A till that
dies in between leaves a pending refund that `pos order reconcile` settles by asking `lookup_refund`.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from pos.errors import (
    DatabaseBusy, IdempotencyConflict, InvalidInput, NotFound, NotRefundable, RefundDeclined,
    RefundPending, RefundUnsupported, ReturnExceedsSale,
)
from pos.models._common import utcnow
from pos.models.cart import CartStatus
from pos.models.order import OrderStatus
from pos.models.refund import (
    CASH_METHOD, CancellationPublic, RefundKind, RefundPublic, RefundStatus,
)
from pos.discounts import refund_subtotal
from pos.refund_money import refund_tax, split
from pos.services import audit, auth, inventory, owner, shifts, sql
from pos.services.audit import Action
from pos.services.clerks import require_approval
from pos.services import tables as t
from pos.services.catalog import get_variant, location_by_code
from pos.services.db import Database
from pos.services.payments import (
    PaymentProcessor, PaymentResult, PreparedPayment, RefundRequest, ask, can_refund, get_processor,
)
from pos.services.payments.ledger import Ledger
from pos.services.refund_documents import refund_document
from pos.services.split_pay import abandon_order, part_to_refund
from pos.services.sql import Sql
from pos.textcells import clip_chars

DEFAULT_TIMEOUT_S = 30.0
SETTLE_ATTEMPTS = 5
REASON_MAX = 500
MAX_REF = 180
REFUND_TO = ("original", CASH_METHOD)  # --refund-to: the way the order was paid, or cash
# Orders money can go back for, and the statuses a settled refund may move them from.
# A completed order (every delivery line shipped) is returned from like any other.
RETURNABLE = (OrderStatus.PROCESSING, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.COMPLETED)


@dataclass(frozen=True)
class ReturnLine:
    """`SKU` (quantity None: every unit of it not yet returned) or `SKU=N`; a barcode works as a SKU."""

    code: str
    quantity: int | None = None


def parse_item(text: str) -> ReturnLine:
    code, sep, count = text.strip().rpartition("=") if "=" in text else (text.strip(), "", "")
    code = code.strip()
    if not code:
        raise InvalidInput(f"an item is SKU or SKU=N, not {text!r}")
    if not sep:
        return ReturnLine(code)
    try:
        quantity = int(count.strip())
    except ValueError:
        raise InvalidInput(f"the quantity in {text!r} must be a whole number") from None
    if quantity <= 0:
        raise InvalidInput(f"the quantity in {text!r} must be above 0")
    inventory.check_quantity(quantity)
    return ReturnLine(code, quantity)


@dataclass(frozen=True)
class ReturnRequest:
    order_id: int
    lines: tuple[ReturnLine, ...] | None  # None: everything still returnable
    restock: bool = True
    to_location: str | None = None
    refund_to: str = "original"
    reason: str = ""
    kind: RefundKind = RefundKind.RETURN
    # Where the money goes back (the drawer's shift): not part of what the return is, so not in its digest.
    at_location: str | None = None  # default: where the order was sold
    register: str | None = None

    def digest(self) -> str:
        canonical = {
            "kind": str(self.kind), "order": self.order_id, "restock": self.restock, "to": self.to_location,
            "refund_to": self.refund_to, "reason": self.reason,
            "lines": None if self.lines is None else sorted([line.code, line.quantity or 0] for line in self.lines),
        }
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class PendingRefund:
    refund_id: int
    order_id: int
    amount: int
    currency: str
    method: str
    idempotency_key: str
    charge_key: str
    charge_reference: str | None
    brand: str | None
    last4: str | None

    def request(self, ledger: Ledger | None) -> RefundRequest:
        return RefundRequest(
            self.refund_id, self.order_id, self.amount, self.currency, self.idempotency_key, self.charge_key,
            self.charge_reference, PreparedPayment(brand=self.brand, last4=self.last4), ledger=ledger,
        )


def check_ref(ref: str | None) -> str | None:
    if ref is None:
        return None
    if not ref.strip():
        raise InvalidInput("--ref must not be empty")
    if len(ref) > MAX_REF:
        raise InvalidInput(f"--ref is longer than {MAX_REF} characters")
    return ref.strip()


# -- beginning: the pending refund ----------------------------------------------------------------------

_ORDER = Sql(
    "SELECT id, status, cart_id, location_id, currency, subtotal, tax, total FROM orders WHERE id = :id"
)
_LOCK_ORDER = Sql(
    "SELECT id, status, cart_id, location_id, currency, subtotal, tax, total FROM orders WHERE id = :id FOR UPDATE",
    only="postgresql",
)
_ITEMS = Sql(
    "SELECT oi.id, oi.variant_id, oi.location_id, oi.sku, oi.quantity, oi.unit_price, l.code AS location, "
    "oi.line_total - oi.discount - oi.order_discount AS net "
    "FROM order_item oi JOIN location l ON l.id = oi.location_id WHERE oi.order_id = :id ORDER BY oi.id"
)
_ENSURE_COUNTS = Sql(
    "INSERT INTO order_item_return (order_item_id, sold, returned) "
    "SELECT id, quantity, 0 FROM order_item WHERE order_id = :id ON CONFLICT (order_item_id) DO NOTHING"
)
_COUNTS = Sql(
    "SELECT r.order_item_id, r.returned FROM order_item_return r JOIN order_item oi ON oi.id = r.order_item_id "
    "WHERE oi.order_id = :id"
)
# The guard: units leave what is returnable only while enough are left, whatever another till does.
_TAKE_BACK = Sql(
    "UPDATE order_item_return SET returned = returned + :n WHERE order_item_id = :id AND returned + :n <= sold"
)
_GIVE_BACK = Sql(
    "UPDATE order_item_return SET returned = returned - :n WHERE order_item_id = :id AND returned >= :n"
)
_LEFT_TO_RETURN = Sql(
    "SELECT COALESCE(SUM(r.sold - r.returned), 0) FROM order_item_return r "
    "JOIN order_item oi ON oi.id = r.order_item_id WHERE oi.order_id = :id"
)
_REFUNDED_SO_FAR = Sql(
    "SELECT COALESCE(SUM(ri.subtotal), 0) AS subtotal, COALESCE(SUM(ri.tax), 0) AS tax FROM refund_item ri "
    "JOIN refund r ON r.id = ri.refund_id WHERE r.order_id = :id AND r.status <> :declined"
)
# Per order line: the units and the money (before tax) of refunds not declined: what a unit gives back
# depends on what went back before it (pos.discounts.refund_subtotal).
_ITEMS_REFUNDED = Sql(
    "SELECT ri.order_item_id, SUM(ri.quantity) AS units, SUM(ri.subtotal) AS paid FROM refund_item ri "
    "JOIN refund r ON r.id = ri.refund_id WHERE r.order_id = :id AND r.status <> :declined GROUP BY ri.order_item_id"
)
_LIVE_REFUNDS = Sql("SELECT COUNT(*) FROM refund WHERE order_id = :id AND status <> :declined")
_INSERT_REFUND = Sql(
    "INSERT INTO refund (order_id, payment_id, kind, status, method, amount, tax, currency, reason, idempotency_key, "
    "request_hash, owner_host, owner_pid, owner_start, clerk_id, approver_id, shift_id, created_at, updated_at) "
    "VALUES (:order_id, :payment_id, :kind, :status, :method, :amount, :tax, :currency, :reason, :key, :hash, "
    ":owner_host, :owner_pid, :owner_start, :clerk_id, :approver_id, :shift_id, :created_at, :updated_at) RETURNING id"
)
_INSERT_ITEM = Sql(
    "INSERT INTO refund_item (refund_id, order_item_id, sku, quantity, location_id, restocked, subtotal, tax, amount) "
    "VALUES (:refund_id, :order_item_id, :sku, :quantity, :location_id, :restocked, :subtotal, :tax, :amount)"
)
_BY_KEY = Sql("SELECT id, order_id, request_hash FROM refund WHERE idempotency_key = :key")


def _lock_order(conn: Connection, order_id: int) -> dict:
    # SQLite's BEGIN IMMEDIATE already excludes other writers; PostgreSQL locks the order's row, so the
    # amounts of two returns of one order are computed one after the other.
    stmt = _ORDER if conn.dialect.name == "sqlite" else _LOCK_ORDER
    order = sql.one(conn, stmt, {"id": order_id})
    if order is None:
        raise NotFound(f"no order {order_id}: see `pos order list`")
    return order


def _choose(lines: tuple[ReturnLine, ...] | None, items: list[dict], left: dict[int, int], conn: Connection,
            order_id: int) -> list[tuple[dict, int]]:
    """(order item, units) pairs for the lines asked, each SKU spread over the order's lines of it."""
    if lines is None:
        chosen = [(item, left[item["id"]]) for item in items if left[item["id"]] > 0]
        if not chosen:
            raise ReturnExceedsSale(f"every unit of order {order_id} has already been returned")
        return chosen
    wanted: dict[int, int | None] = {}
    for line in lines:
        variant = get_variant(conn, line.code)
        if not any(item["variant_id"] == variant["id"] for item in items):
            raise NotFound(f"order {order_id} has no {variant['sku']}")
        prev = wanted.get(variant["id"], 0)
        wanted[variant["id"]] = None if line.quantity is None or prev is None else prev + line.quantity
    chosen = []
    for variant_id, quantity in wanted.items():
        own = [item for item in items if item["variant_id"] == variant_id]
        available = sum(left[item["id"]] for item in own)
        sku = own[0]["sku"]
        if available == 0:
            raise ReturnExceedsSale(f"every {sku} of order {order_id} has already been returned",
                                    sku=sku, returnable=0)
        need = available if quantity is None else quantity
        if need > available:
            raise ReturnExceedsSale(
                f"order {order_id} has {available} {sku} left to return, not {need}", sku=sku, returnable=available,
            )
        for item in own:
            n = min(need, left[item["id"]])
            if n:
                chosen.append((item, n))
                need -= n
    return chosen


def begin_refund(conn: Connection, request: ReturnRequest, *, key: str, digest: str | None) -> PendingRefund:
    """Record the pending refund and take its units out of what is returnable, in the caller's transaction."""
    require_approval("a return or cancellation")
    order = _lock_order(conn, request.order_id)
    if order["status"] not in RETURNABLE:
        raise NotRefundable(_not_refundable(order["id"], order["status"]), status=order["status"])
    if request.kind == RefundKind.CANCEL and sql.scalar(conn, _LIVE_REFUNDS, {"id": order["id"], "declined": RefundStatus.DECLINED}):
        raise NotRefundable(f"something was already returned from order {order['id']}: use `pos return` for the rest")
    to_id = location_by_code(conn, request.to_location)["id"] if request.to_location else None
    at_id = location_by_code(conn, request.at_location)["id"] if request.at_location else order["location_id"]
    items = sql.all_rows(conn, _ITEMS, {"id": order["id"]})
    sql.execute(conn, _ENSURE_COUNTS, {"id": order["id"]})
    returned = {r["order_item_id"]: r["returned"] for r in sql.all_rows(conn, _COUNTS, {"id": order["id"]})}
    left = {item["id"]: item["quantity"] - returned.get(item["id"], 0) for item in items}
    chosen = _choose(request.lines, items, left, conn, order["id"])
    for item, n in sorted(chosen, key=lambda pair: pair[0]["id"]):
        if sql.execute(conn, _TAKE_BACK, {"id": item["id"], "n": n}) != 1:
            raise ReturnExceedsSale(f"{item['sku']} of order {order['id']} was returned by another till just now")
    so_far = sql.one(conn, _REFUNDED_SO_FAR, {"id": order["id"], "declined": RefundStatus.DECLINED}) or {"subtotal": 0, "tax": 0}
    subtotals = _subtotals(conn, order["id"], chosen)
    this = sum(subtotals)
    last = sql.scalar(conn, _LEFT_TO_RETURN, {"id": order["id"]}) == 0
    tax = refund_tax(order_subtotal=order["subtotal"], order_tax=order["tax"], before=so_far["subtotal"],
                     this=this, tax_before=so_far["tax"], last=last)
    # The part paid back: the order's only payment, or for a split payment the newest part that covers it.
    pay = part_to_refund(conn, order["id"], this + tax, order["currency"], to_cash=request.refund_to == CASH_METHOD)
    method = CASH_METHOD if request.refund_to == CASH_METHOD else pay["processor"]
    processor = get_processor(method)
    if not can_refund(processor):
        raise RefundUnsupported(
            f"{method} cannot refund: pay order {order['id']} back in cash with --refund-to cash", method=method,
        )
    shift_id = shifts.shift_for(conn, location_id=at_id, register=request.register, cash=processor.name == CASH_METHOD)
    me = owner.current()
    refund_id = sql.scalar(conn, _INSERT_REFUND, {
        **sql.insert_defaults(conn, t.refund),  # first: the values given here win
        "order_id": order["id"], "payment_id": pay["id"], "kind": str(request.kind), "method": processor.name, "amount": this + tax,
        "tax": tax, "currency": order["currency"], "reason": request.reason, "key": key, "hash": digest,
        "owner_host": me.host, "owner_pid": me.pid, "owner_start": me.start, "shift_id": shift_id, **auth.who(),
    })
    sql.execute_many(conn, _INSERT_ITEM, [
        {
            "refund_id": refund_id, "order_item_id": item["id"], "sku": item["sku"], "quantity": n,
            "location_id": to_id if to_id is not None else item["location_id"], "restocked": request.restock,
            "subtotal": sub, "tax": share, "amount": sub + share,
        }
        for (item, n), sub, share in zip(chosen, subtotals, split(tax, subtotals), strict=True)
    ])
    return PendingRefund(
        refund_id, order["id"], this + tax, order["currency"], processor.name, key, pay["idempotency_key"],
        pay["reference"], pay["brand"], pay["last4"],
    )


def _subtotals(conn: Connection, order_id: int, chosen: list[tuple[dict, int]]) -> list[int]:
    """What each chosen line gives back before tax: its units' share of what the line was paid (after its
    discounts), never its list price; the last units of a line take what is left of it."""
    before = {r["order_item_id"]: r for r in sql.all_rows(conn, _ITEMS_REFUNDED, {
        "id": order_id, "declined": RefundStatus.DECLINED})}
    out = []
    for item, n in chosen:
        went = before.get(item["id"])
        out.append(refund_subtotal(
            net=item["net"], quantity=item["quantity"], units_before=int(went["units"]) if went else 0,
            paid_before=int(went["paid"]) if went else 0, units=n,
        ))
    return out


def _not_refundable(order_id: int, status: str) -> str:
    if status == OrderStatus.PENDING:
        return f"order {order_id} is pending (its payment is not settled): nothing can go back yet"
    if status == OrderStatus.PAYMENT_FAILED:
        return f"order {order_id} was never paid (payment_failed): nothing to refund; `pos order cancel` closes it"
    return f"order {order_id} is {status}: nothing is left to refund"


# -- the processor call ---------------------------------------------------------------------------------


def call_refund(processor: PaymentProcessor, request: RefundRequest, *, timeout: float | None,
                lookup: bool = False) -> tuple[RefundStatus, PaymentResult | None]:
    """Refund (or with lookup=True, ask about an earlier refund) with no transaction open.

    A processor that raises or answers nonsense declines (no money moved); one that hangs past `timeout`,
    or a lookup that cannot tell, gives (pending, None): only the processor can say, later.
    """
    call = getattr(processor, "lookup_refund" if lookup else "refund", None)
    if call is None:
        return RefundStatus.PENDING, None
    answer = ask(processor, call, request, timeout=timeout, name=f"pos-refund-{request.refund_id}")
    if not answer.finished:
        return RefundStatus.PENDING, None
    error, result = answer.error, answer.result
    if error is not None or not isinstance(result, PaymentResult) or not isinstance(result.approved, bool):
        if lookup:
            return RefundStatus.PENDING, None
        why = f"processor_error: {type(error).__name__}" if error is not None else "processor_error: invalid answer"
        return RefundStatus.DECLINED, PaymentResult(False, reason=why)
    return (RefundStatus.APPROVED if result.approved else RefundStatus.DECLINED), result


# -- settling ---------------------------------------------------------------------------------------------

_SETTLE = Sql(
    "UPDATE refund SET status = :status, reference = :reference, decline_reason = :reason, updated_at = :now "
    "WHERE id = :id AND status = :pending RETURNING order_id, kind, reason, amount"
)
_REFUND_ITEMS = Sql(
    "SELECT ri.order_item_id, ri.sku, ri.quantity, ri.location_id, ri.restocked, oi.variant_id, l.code AS location "
    "FROM refund_item ri JOIN order_item oi ON oi.id = ri.order_item_id JOIN location l ON l.id = ri.location_id "
    "WHERE ri.refund_id = :id ORDER BY ri.id"
)
_OTHER_PENDING = Sql(
    "SELECT COUNT(*) FROM refund WHERE order_id = :order_id AND status = :pending AND id <> :id"
)
_ORDER_AFTER = Sql(
    "UPDATE orders SET status = :status, updated_at = :now WHERE id = :id "
    "AND status IN (:processing, :partially_refunded, :completed)"
)


def settle_refund(conn: Connection, *, refund_id: int, status: RefundStatus, result: PaymentResult | None) -> bool:
    """Finish a pending refund. False when it was settled already (by a reconcile): nothing changes then."""
    approved = status == RefundStatus.APPROVED
    now = sql.timestamp(conn, utcnow())
    row = sql.one(conn, _SETTLE, {
        "id": refund_id, "status": str(status), "reference": result.reference if result else None,
        "reason": None if approved or result is None else clip_chars(result.reason or "declined", REASON_MAX),
        "now": now, "pending": RefundStatus.PENDING,
    })
    if row is None:
        return False
    if row["kind"] == RefundKind.ABANDON:
        return True  # a part of an abandoned sale: no units, and its order is cancelled already
    items = sql.all_rows(conn, _REFUND_ITEMS, {"id": refund_id})
    if not approved:
        for item in items:  # nothing went back: the units are returnable again
            sql.execute(conn, _GIVE_BACK, {"id": item["order_item_id"], "n": item["quantity"]})
        return True
    cause = f"refund {refund_id} of order {row['order_id']}"
    for item in sorted((i for i in items if i["restocked"]), key=lambda i: (i["variant_id"], i["location_id"])):
        inventory.adjust_level(
            conn, item["variant_id"], item["location_id"], item["quantity"], source="refund", source_ref=cause,
            reason=row["reason"], sku=item["sku"], location=item["location"],
        )
    done = (sql.scalar(conn, _LEFT_TO_RETURN, {"id": row["order_id"]}) == 0
            and not sql.scalar(conn, _OTHER_PENDING, {
                "order_id": row["order_id"], "id": refund_id, "pending": RefundStatus.PENDING}))
    if row["kind"] == RefundKind.CANCEL:
        order_status = OrderStatus.CANCELLED
    else:
        order_status = OrderStatus.REFUNDED if done else OrderStatus.PARTIALLY_REFUNDED
    sql.execute(conn, _ORDER_AFTER, {
        "id": row["order_id"], "status": order_status, "now": now,
        "processing": OrderStatus.PROCESSING, "partially_refunded": OrderStatus.PARTIALLY_REFUNDED,
        "completed": OrderStatus.COMPLETED,
    })
    order = sql.one(conn, _ORDER, {"id": row["order_id"]}) or {}
    audit.record(conn, Action.CANCEL if row["kind"] == RefundKind.CANCEL else Action.RETURN,
                 location_id=order.get("location_id"), order_id=row["order_id"], refund_id=refund_id,
                 amount=row["amount"], detail=row["reason"] or "")
    return True


# -- the use cases ------------------------------------------------------------------------------------------

# An order whose payment failed is cancelled without a refund (nothing was paid), and its cart closed.
_CANCEL_UNPAID = Sql(
    "UPDATE orders SET status = :cancelled, updated_at = :now WHERE id = :id AND status = :payment_failed"
)
_ABANDONED = Sql("SELECT COUNT(*) FROM refund WHERE order_id = :id AND kind = :abandon")
_CLOSE_CART = Sql("UPDATE cart SET status = :closed, updated_at = :now WHERE id = :id AND status = :open")


def return_items(
    db: Database, *, order_id: int, lines: list[ReturnLine] | None, restock: bool = True,
    to_location: str | None = None, refund_to: str = "original", reason: str = "", ref: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT_S, location: str | None = None, register: str | None = None,
) -> RefundPublic:
    """pos return: take units back and pay them back. Raises RefundDeclined (carrying the refund) when the
    processor declines."""
    request = ReturnRequest(order_id, None if lines is None else tuple(lines), restock, to_location,
                            _refund_to(refund_to), inventory.check_reason(reason), at_location=location,
                            register=shifts.check_register(register))
    if lines is not None and not lines:
        raise InvalidInput("name the items to return (SKU or SKU=N), or --all")
    return _run(db, request, ref=check_ref(ref), timeout=timeout)


def cancel_order(
    db: Database, *, order_id: int, reason: str = "", ref: str | None = None, timeout: float | None = DEFAULT_TIMEOUT_S,
    location: str | None = None, register: str | None = None,
) -> CancellationPublic:
    """pos order cancel: the whole order back (money and stock), status `cancelled`; or, for a payment
    that failed, the order `cancelled` and its cart closed."""
    inventory.check_reason(reason)
    ref = check_ref(ref)
    with db.read() as conn:
        order = sql.one(conn, _ORDER, {"id": order_id})
        if order is None:
            raise NotFound(f"no order {order_id}: see `pos order list`")
        abandon = order["status"] == OrderStatus.PENDING or sql.scalar(
            conn, _ABANDONED, {"id": order_id, "abandon": RefundKind.ABANDON})
    if abandon:  # a sale being paid in parts: given up, its approved parts paid back (or a replay of that)
        return abandon_order(db, order_id=order_id, reason=reason, timeout=timeout)
    with db.write() as conn:
        order = _lock_order(conn, order_id)
        live = {"id": order_id, "declined": RefundStatus.DECLINED}
        if order["status"] == OrderStatus.PAYMENT_FAILED or (
            order["status"] == OrderStatus.CANCELLED and not sql.scalar(conn, _LIVE_REFUNDS, live)
        ):
            # Nothing was paid, so nothing goes back: the customer left. Cancelling it again is a replay.
            replayed = order["status"] == OrderStatus.CANCELLED
            if not replayed:
                require_approval("a cancellation")
                audit.record(conn, Action.CANCEL, location_id=order["location_id"], order_id=order_id, amount=0,
                             detail=reason or "never paid")
            now = sql.timestamp(conn, utcnow())
            sql.execute(conn, _CANCEL_UNPAID, {
                "id": order_id, "now": now, "cancelled": OrderStatus.CANCELLED, "payment_failed": OrderStatus.PAYMENT_FAILED,
            })
            sql.execute(conn, _CLOSE_CART, {
                "id": order["cart_id"], "now": now, "closed": CartStatus.CLOSED, "open": CartStatus.OPEN,
            })
            return CancellationPublic(order_id=order_id, status=OrderStatus.CANCELLED, replayed=replayed)
    request = ReturnRequest(order_id, None, True, None, "original", reason, RefundKind.CANCEL, at_location=location,
                            register=shifts.check_register(register))
    refund = _run(db, request, ref=ref, timeout=timeout)
    return CancellationPublic(order_id=order_id, status=refund.order_status, refund=refund, replayed=refund.replayed)


def _refund_to(value: str | None) -> str:
    value = (value or "original").strip().lower()
    if value not in REFUND_TO:
        raise InvalidInput(f"--refund-to must be original or cash, not {value!r}")
    return value


def _run(db: Database, request: ReturnRequest, *, ref: str | None, timeout: float | None) -> RefundPublic:
    key = f"refund:{ref}" if ref else f"refund-{uuid.uuid4().hex}"
    digest = request.digest() if ref else None
    try:
        with db.write() as conn:
            # The order's row first: a till returning with the same ref waits here, then sees its refund.
            _lock_order(conn, request.order_id)
            replay = _replay(conn, key, digest, ref) if ref else None
            if replay is None:
                pending = begin_refund(conn, request, key=key, digest=digest)
    except IntegrityError:
        # Another till recorded the same ref between our look-up and insert (PostgreSQL): replay theirs.
        with db.read() as conn:
            replay = _replay(conn, key, digest, ref) if ref else None
        if replay is None:
            raise
    if replay is not None:
        return _raise_if_declined(replay.model_copy(update={"replayed": True}))
    return pay_back(db, pending, timeout=timeout)


def _replay(conn: Connection, key: str, digest: str | None, ref: str | None) -> RefundPublic | None:
    found = sql.one(conn, _BY_KEY, {"key": key})
    if found is None:
        return None
    if found["request_hash"] != digest:
        raise IdempotencyConflict(
            f"ref {ref!r} was already used for a different return (refund {found['id']}): use a new ref",
            refund_id=found["id"],
        )
    return refund_document(conn, found["id"])


def pay_back(db: Database, pending: PendingRefund, *, timeout: float | None) -> RefundPublic:
    processor = get_processor(pending.method)
    status, result = call_refund(processor, pending.request(Ledger(db)), timeout=timeout)
    if status == RefundStatus.PENDING:
        raise RefundPending(
            f"{pending.method} gave no answer about refund {pending.refund_id} in time: it stays pending; "
            "run `pos order reconcile` to settle it (do not pay it back another way meanwhile)",
            refund_id=pending.refund_id,
        )
    for attempt in range(1, SETTLE_ATTEMPTS + 1):
        try:
            with db.write() as conn:
                settle_refund(conn, refund_id=pending.refund_id, status=status, result=result)
                doc = refund_document(conn, pending.refund_id)
            break
        except DatabaseBusy:
            if attempt == SETTLE_ATTEMPTS:
                raise
            time.sleep(0.2 * attempt)
    return _raise_if_declined(doc)


def _raise_if_declined(doc: RefundPublic) -> RefundPublic:
    if doc.status == RefundStatus.DECLINED:
        raise RefundDeclined(
            f"{doc.method} declined refund {doc.id} ({doc.decline_reason or 'declined'}): nothing was paid back "
            f"and no stock moved",
            refund=doc.model_dump(mode="json"), replayed=doc.replayed or None,
        )
    if doc.status == RefundStatus.PENDING:
        raise RefundPending(
            f"refund {doc.id} is still pending (being paid back by another till, or left by one that stopped): "
            "try again in a moment, or run `pos order reconcile` to settle it", refund_id=doc.id,
        )
    return doc
