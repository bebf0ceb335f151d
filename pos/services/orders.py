"""The OrderService: checkout as the seed diagram draws it, and the orders it leaves behind.

checkout = one transaction that reads the cart, creates the order and its items (copying each line's
location and price) as `pending`, records the payment attempt with its idempotency key and reserves the
stock; then the processor is called with no transaction open; then one transaction settles the order:
paid -> stock taken (with history) and `processing`; not paid -> reservation released and
`payment_failed`, the cart left as it was.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from pos.errors import (
    DatabaseBusy, EmptyCart, InvalidInput, NotDeliverable, NotFound, PaymentDeclined, PaymentUnrecorded,
    SettleConflict, ShippingRequired,
)
from pos.models._common import iso, utcnow
from pos.models._common import Shipping as ShippingPublic
from pos.models.cart import CartPublic, CartStatus, SalePublic
from pos.models.order import (
    OrderItemPublic, OrderPage, OrderPayment, OrderPublic, OrderStatus, OrderStore, OrderSummary,
)
from pos.models.payment import PaymentStatus
from pos.money import MAX_MINOR, format_tax_rate, tax_for
from pos.services import audit, auth, inventory, owner, shifts
from pos.services.audit import Action
from pos.services import sql
from pos.services import tables as t
from pos.services.sql import Sql
from pos.services.cart import (
    add_or_update_item, cart_document_and_rate, cart_lines, check_shipping, open_cart_row,
)
from pos.services.catalog import location_by_code, variant_label
from pos.services.db import Database
from pos.services.payments import (
    ChargeRequest, PaymentProcessor, PaymentResult, PreparedPayment, ask, get_processor, prepare,
)
from pos.services.payments.ledger import Ledger
from pos.services.settings import cached_currency
from pos.services.settings import currency as store_currency
from pos.textcells import clip_chars
from pos.discounts import (
    item_discount_fields, item_price_columns, order_discount_columns, order_discount_fields, price_rows,
)

DEFAULT_TIMEOUT_S = 30.0
ITEM_NAME_MAX = 400  # order_item.name: a product name and a variant name (200 each) do not always fit
REASON_MAX = 500  # payment.reason
SETTLE_ATTEMPTS = 5  # each waits up to the busy timeout


@dataclass(frozen=True)
class Shipping:
    name: str
    address: str

    def __post_init__(self) -> None:
        check_shipping(self.name, self.address)


@dataclass(frozen=True)
class PendingOrder:
    """A payment (part) recorded pending: `amount` and `idempotency_key` are the part's own."""

    order_id: int
    amount: int
    currency: str
    idempotency_key: str
    part: int = 1


def order_totals(lines: list[Mapping], tax_rate: int, *, cart: Mapping | None = None) -> tuple[int, int, int]:
    """(subtotal, tax, total): the subtotal is the lines' net of their discounts and of the cart's order
    discount (pos.discounts); tax is on that, rounded half-up once per order, never per line."""
    return totals_of(sum(p.net for p in price_rows(cart or {}, lines)[0]), tax_rate)


def totals_of(subtotal: int, tax_rate: int) -> tuple[int, int, int]:
    tax, total = tax_and_total(subtotal, tax_rate)
    if total > MAX_MINOR:
        raise InvalidInput("this order's total is larger than pos can take in one payment")
    return subtotal, tax, total


def tax_and_total(subtotal: int, tax_rate: int) -> tuple[int, int]:
    tax = tax_for(subtotal, tax_rate)
    return tax, subtotal + tax


_TAX_RATE = Sql("SELECT tax_rate FROM location WHERE id = :id")
_CART_TAX_RATE = Sql("SELECT l.tax_rate FROM cart c JOIN location l ON l.id = c.location_id WHERE c.id = :id")


def priced_cart(conn: Connection, cart: CartPublic) -> SalePublic:
    """A cart document with `tax` and `total` at its store's tax rate as it is now: what checkout would charge."""
    return _priced(cart, sql.scalar(conn, _CART_TAX_RATE, {"id": cart.id}))


def _priced(cart: CartPublic, tax_rate: int) -> SalePublic:
    tax, total = tax_and_total(cart.subtotal, tax_rate)
    return SalePublic.model_construct(**dict(cart), tax=tax, total=total)  # the cart is validated already


def _sale(conn: Connection, cart_id: int) -> SalePublic:
    return _priced(*cart_document_and_rate(conn, cart_id))


def price_cart(db: Database, cart: CartPublic) -> SalePublic:
    """priced_cart for a document the cart service just returned (`add_item`, `set_shipping`...)."""
    with db.read() as conn:
        return priced_cart(conn, cart)


def add_to_sale(db: Database, *, cart_id: int, code: str, quantity: int = 1, from_location: str | None = None) -> SalePublic:
    """`cart.add_item` priced in the same transaction: a till's scan, one round trip to the database."""
    with db.write() as conn:
        add_or_update_item(conn, cart_id=cart_id, code=code, quantity=quantity, from_location=from_location)
        return _sale(conn, cart_id)


def show_priced_cart(db: Database, *, cart_id: int) -> SalePublic:
    with db.read() as conn:
        return _sale(conn, cart_id)


def checkout_total(db: Database, *, cart_id: int, shipping: Shipping | None = None) -> int:
    """The total checkout would charge for this cart now, after checkout's own refusals (an empty cart, a
    delivery line that cannot be delivered or has no shipping details): what exact cash hands over."""
    with db.read() as conn:
        cart = open_cart_row(conn, cart_id)
        lines = cart_lines(conn, cart_id)
        checked_shipping(cart, lines, shipping)
        return order_totals(lines, sql.scalar(conn, _TAX_RATE, {"id": cart["location_id"]}), cart=cart)[2]


def checked_shipping(cart: Mapping, lines: list[Mapping], shipping: Shipping | None) -> Shipping | None:
    """Refuse a cart checkout cannot take (empty; a delivery line that cannot be delivered or has nowhere to
    go); the shipping details the order gets (given, or the cart's own)."""
    if not lines:
        raise EmptyCart(f"cart {cart['id']} is empty: add something with `pos cart add`")
    delivery = [line for line in lines if line["location_id"] != cart["location_id"]]
    for line in delivery:
        if not line["is_deliverable"]:
            raise NotDeliverable(f"{line['sku']} cannot be delivered from {line['location']}")
    if shipping is None and cart["ship_name"] and cart["ship_address"]:
        shipping = Shipping(cart["ship_name"], cart["ship_address"])
    if delivery and shipping is None:
        raise ShippingRequired(
            f"the delivery lines ({', '.join(line['sku'] for line in delivery)}) need shipping details: "
            "a name and an address"
        )
    return shipping


_CART_TO_CHECKOUT = Sql("UPDATE cart SET status = :checkout, updated_at = :now WHERE id = :id AND status = :open")
_INSERT_ORDER = Sql(
    "INSERT INTO orders (cart_id, location_id, status, currency, subtotal, tax, total, tax_rate, ship_name, "
    "ship_address, idempotency_key, request_hash, owner_host, owner_pid, owner_start, clerk_id, approver_id, "
    "created_at, updated_at, discount, discount_percent, discount_reason) VALUES (:cart_id, :location_id, :status, "
    ":currency, :subtotal, :tax, :total, :tax_rate, :ship_name, :ship_address, :key, :hash, :owner_host, :owner_pid, "
    ":owner_start, :clerk_id, :approver_id, :created_at, :updated_at, :discount, :discount_percent, :discount_reason) "
    "RETURNING id"
)
_INSERT_ITEM = Sql(
    "INSERT INTO order_item (order_id, variant_id, location_id, sku, name, quantity, unit_price, line_total, "
    "list_price, price_reason, discount, discount_percent, discount_reason, order_discount) "
    "VALUES (:order_id, :variant_id, :location_id, :sku, :name, :quantity, :unit_price, :line_total, "
    ":list_price, :price_reason, :discount, :discount_percent, :discount_reason, :order_discount)"
)
_INSERT_PAYMENT = Sql(
    "INSERT INTO payment (order_id, part, processor, status, amount, currency, idempotency_key, brand, last4, "
    "tendered, clerk_id, shift_id, created_at, updated_at) VALUES (:order_id, :part, :processor, :status, :amount, "
    ":currency, :key, :brand, :last4, :tendered, :clerk_id, :shift_id, :created_at, :updated_at)"
)


def begin_checkout(
    conn: Connection, *, cart_id: int, processor: str, payment: PreparedPayment, shipping: Shipping | None,
    idempotency_key: str, request_hash: str | None = None, amount: int | None = None, register: str | None = None,
) -> PendingOrder:
    """Create the pending order, its items and payment record, and reserve its stock, in the caller's transaction.

    `amount` (a split payment's first part) pays that much of the total; None pays all of it. The payment
    names the drawer shift open where it is taken (on `register`, if named)."""
    cart = open_cart_row(conn, cart_id, lock=True)
    lines = cart_lines(conn, cart_id)
    shipping = checked_shipping(cart, lines, shipping)
    tax_rate = sql.scalar(conn, _TAX_RATE, {"id": cart["location_id"]})
    currency = store_currency(conn)
    priced, order_discount = price_rows(cart, lines)
    subtotal, tax, total = totals_of(sum(p.net for p in priced), tax_rate)
    from pos.services.split_pay import part_amount

    paying = part_amount(amount, balance_due=total, processor=processor, payment=payment, currency=currency)
    shift_id = shifts.shift_for(conn, location_id=cart["location_id"], register=register, cash=processor == "cash")
    moment = utcnow()
    # No other checkout of this cart may run at the same time: the status flips only from open.
    flip = {"id": cart_id, "now": sql.timestamp(conn, moment), "checkout": CartStatus.CHECKOUT, "open": CartStatus.OPEN}
    if sql.execute(conn, _CART_TO_CHECKOUT, flip) != 1:
        open_cart_row(conn, cart_id)  # raises the precise CartClosed
    me = owner.current()  # so that a reconcile can tell whether this process is still paying
    order_id = sql.scalar(conn, _INSERT_ORDER, {
        "cart_id": cart_id, "location_id": cart["location_id"], "currency": currency, "subtotal": subtotal,
        "tax": tax, "total": total, "tax_rate": tax_rate, "ship_name": shipping.name if shipping else None,
        "ship_address": shipping.address if shipping else None, "key": idempotency_key, "hash": request_hash,
        "owner_host": me.host, "owner_pid": me.pid, "owner_start": me.start, **auth.who(),
        **sql.insert_defaults(conn, t.orders, now=moment), **order_discount_columns(cart, order_discount),
    })
    sql.execute_many(conn, _INSERT_ITEM, [
        {
            "order_id": order_id, "variant_id": line["variant_id"], "location_id": line["location_id"],
            "sku": line["sku"], "name": clip_chars(variant_label(line), ITEM_NAME_MAX), "quantity": line["quantity"],
            **item_price_columns(line, p),
        }
        for line, p in zip(lines, priced, strict=True)
    ])
    insert_payment(conn, order_id=order_id, part=1, processor=processor, amount=paying, currency=currency,
                   key=idempotency_key, payment=payment, moment=moment, shift_id=shift_id)
    inventory.reserve(conn, [
        inventory.Need(line["variant_id"], line["location_id"], line["quantity"], line["sku"], line["location"])
        for line in lines
    ])
    return PendingOrder(order_id, paying, currency, idempotency_key)


def insert_payment(conn: Connection, *, order_id: int, part: int, processor: str, amount: int, currency: str,
                   key: str, payment: PreparedPayment, moment=None, shift_id: int | None = None) -> None:
    """Record one payment (part) pending, with its own idempotency key, before its processor is called,
    naming the acting clerk and the drawer shift it is taken in."""
    sql.execute(conn, _INSERT_PAYMENT, {
        **sql.insert_defaults(conn, t.payment, now=moment),
        "order_id": order_id, "part": part, "processor": processor, "amount": amount, "currency": currency,
        "key": key, "brand": payment.brand, "last4": payment.last4, "tendered": payment.tendered,
        "shift_id": shift_id, **auth.who(),
    })


def call_processor(
    processor: PaymentProcessor, request: ChargeRequest, *, timeout: float | None, lookup: bool = False
) -> tuple[str, PaymentResult | None]:
    """Charge (or with lookup=True, ask about an earlier charge) with no transaction open.

    Returns (payment status, result). The processor's faults never escape: raising, hanging past
    `timeout` or answering something that is not a PaymentResult all become a failed payment. A lookup
    that cannot tell gives (pending, None).
    """
    call = getattr(processor, "lookup", None) if lookup else processor.charge
    if call is None:  # a plugin without `lookup` cannot say what happened
        return PaymentStatus.PENDING, None
    answer = ask(processor, call, request, timeout=timeout, name=f"pos-charge-{request.order_id}")
    if not answer.finished:
        if lookup or timeout is None:
            return PaymentStatus.PENDING, None
        # Before failing the order, ask once whether the charge went through after all, so a slow
        # approval is not followed by the clerk charging the customer a second way.
        late_status, late = call_processor(processor, request, timeout=min(timeout, 5.0), lookup=True)
        if late_status == PaymentStatus.APPROVED:
            return late_status, late
        return PaymentStatus.FAILED, PaymentResult(False, reason=f"timeout: no answer from {processor.name} in {timeout:g}s")
    if answer.error is not None:
        if lookup:
            return PaymentStatus.PENDING, None
        return PaymentStatus.FAILED, PaymentResult(False, reason=f"processor_error: {type(answer.error).__name__}")
    result = answer.result
    if lookup and result is None:
        return PaymentStatus.PENDING, None
    if not isinstance(result, PaymentResult) or not isinstance(result.approved, bool):
        if lookup:
            return PaymentStatus.PENDING, None
        return PaymentStatus.FAILED, PaymentResult(False, reason=f"processor_error: {processor.name} gave an invalid answer")
    return (PaymentStatus.APPROVED if result.approved else PaymentStatus.DECLINED), result


_SETTLE_ORDER = Sql(
    "UPDATE orders SET status = :status, updated_at = :now WHERE id = :id AND status = :pending "
    "RETURNING cart_id, location_id, total"
)
# A part settled but the order still has a balance due: it stays pending. `updated_at` is when the last
# part settled (what reconcile's age threshold counts from); a `pos checkout` that ends here hands the
# order back (no owner), since the next part may come from any process.
_PART_SETTLED = Sql(
    "UPDATE orders SET updated_at = :now, owner_host = CASE WHEN :keep THEN owner_host END, "
    "owner_pid = CASE WHEN :keep THEN owner_pid END, owner_start = CASE WHEN :keep THEN owner_start END "
    "WHERE id = :id AND status = :pending"
)
_ORDER_MONEY = Sql(
    "SELECT o.total, COALESCE(SUM(p.amount), 0) AS paid FROM orders o LEFT JOIN payment p ON p.order_id = o.id "
    "AND p.status = :approved WHERE o.id = :id GROUP BY o.total"
)
_COMPLETES = Sql("UPDATE payment SET completes = :yes WHERE order_id = :id AND part = :part")
_ORDER_NEEDS = Sql("SELECT variant_id, location_id, quantity, sku FROM order_item WHERE order_id = :id")
_CART_AFTER = Sql("UPDATE cart SET status = :status, updated_at = :now WHERE id = :id AND status = :checkout")
_PAYMENT_AFTER = Sql(
    "UPDATE payment SET status = :status, reason = :reason, reference = :reference, change_due = :change, "
    "updated_at = :now WHERE order_id = :id AND part = :part AND status = :pending RETURNING processor"
)


def settle(conn: Connection, *, order_id: int, payment_status: str, result: PaymentResult, part: int = 1,
           keep_owner: bool = False) -> bool:
    """Settle a pending payment (part) and, when that decides it, its order. False when the part was already
    settled (by a reconcile, say): nothing changes then.

    The order is paid (`processing`, stock taken) once its approved parts reach the total; it fails
    (`payment_failed`, stock released) when a part is not approved and no part is; otherwise it stays
    `pending` with a balance due, its stock held, for the next part (`keep_owner`: a till that stays to
    take it keeps the order as its own)."""
    approved = payment_status == PaymentStatus.APPROVED
    now = sql.timestamp(conn, utcnow())
    processor = sql.scalar(conn, _PAYMENT_AFTER, {
        # A processor's reason is its own text, of any length: kept as given up to what the column holds.
        "id": order_id, "part": part, "status": payment_status, "reason": clip_chars(result.reason, REASON_MAX),
        "reference": result.reference, "change": result.change_due if approved else None, "now": now,
        "pending": PaymentStatus.PENDING,
    })
    if processor is None:
        return False
    money = sql.one(conn, _ORDER_MONEY, {"id": order_id, "approved": PaymentStatus.APPROVED})
    assert money is not None  # the part exists, so its order does
    if 0 < money["paid"] < money["total"]:  # parts are never empty: something is paid, not all
        sql.execute(conn, _PART_SETTLED, {"id": order_id, "now": now, "keep": keep_owner, "pending": OrderStatus.PENDING})
        return True
    # A part is never more than the balance due; a declined part of a free order covers nothing.
    covered = money["paid"] == money["total"] and (approved or money["paid"] > 0)
    status = OrderStatus.PROCESSING if covered else OrderStatus.PAYMENT_FAILED
    settled = sql.one(conn, _SETTLE_ORDER, {"id": order_id, "status": status, "now": now, "pending": OrderStatus.PENDING})
    if settled is None:
        return True
    cart_id = settled["cart_id"]
    needs = [
        inventory.Need(i["variant_id"], i["location_id"], i["quantity"], i["sku"])
        for i in sql.all_rows(conn, _ORDER_NEEDS, {"id": order_id})
    ]
    if covered:
        sql.execute(conn, _COMPLETES, {"id": order_id, "part": part, "yes": True})
        inventory.take_reserved(conn, needs, source="sale", source_ref=f"order {order_id}")
    else:
        inventory.release(conn, needs)
    sql.execute(conn, _CART_AFTER, {
        "id": cart_id, "status": CartStatus.CLOSED if covered else CartStatus.OPEN, "now": now, "checkout": CartStatus.CHECKOUT,
    })
    if covered:
        audit.record(conn, Action.SALE, location_id=settled["location_id"], order_id=order_id,
                     amount=settled["total"], detail=f"paid by {processor}" if part == 1 else f"paid in {part} parts")
    return True


def checkout(
    db: Database, *, cart_id: int, processor: str, params: Mapping[str, str] | None = None,
    shipping: Shipping | None = None, idempotency_key: str | None = None, timeout: float | None = DEFAULT_TIMEOUT_S,
    amount: int | None = None, keep_owner: bool = False, register: str | None = None,
) -> OrderPublic:
    """createOrder(cartId, shippingDetails, paymentDetails). Raises PaymentDeclined (carrying the order) on failure.

    `amount` pays only that much (a split payment): the order stays pending with a balance due, and the next
    checkout of the same cart pays the next part of that order (see pos.services.split_pay)."""
    from pos.services.split_pay import begin_next_part, order_awaiting_part

    proc = get_processor(processor)
    prepared = prepare(proc, params or {}, currency=cached_currency(db))  # bad input: no order at all
    key = idempotency_key or f"pos-{uuid.uuid4().hex}"
    with db.write() as conn:
        awaiting = order_awaiting_part(conn, cart_id)
        if awaiting is None:
            pending = begin_checkout(
                conn, cart_id=cart_id, processor=proc.name, payment=prepared, shipping=shipping, idempotency_key=key,
                amount=amount, register=register,
            )
        else:
            if shipping is not None:
                raise InvalidInput(f"order {awaiting} of cart {cart_id} is being paid in parts: its shipping was "
                                   "given with its first part")
            pending = begin_next_part(conn, order_id=awaiting, processor=proc.name, payment=prepared, amount=amount,
                                      register=register)
    return pay_and_settle(db, proc, pending, prepared, timeout=timeout, keep_owner=keep_owner)


def pay_and_settle(
    db: Database, proc: PaymentProcessor, pending: PendingOrder, prepared: PreparedPayment, *, timeout: float | None,
    keep_owner: bool = False,
) -> OrderPublic:
    request = ChargeRequest(
        pending.order_id, pending.amount, pending.currency, pending.idempotency_key, prepared, ledger=Ledger(db)
    )
    status, result = call_processor(proc, request, timeout=timeout)
    for attempt in range(1, SETTLE_ATTEMPTS + 1):
        try:
            with db.write() as conn:
                settled = settle(conn, order_id=pending.order_id, payment_status=status, result=result,
                                 part=pending.part, keep_owner=keep_owner)
                doc = order_document(conn, pending.order_id)
            break
        except DatabaseBusy:
            # The processor's answer is known and must not be lost: wait for the other till and try again.
            if attempt < SETTLE_ATTEMPTS:
                time.sleep(0.2 * attempt)
                continue
            if status != PaymentStatus.APPROVED:
                raise
            raise PaymentUnrecorded(
                f"{proc.name} APPROVED the payment for order {pending.order_id}, but the database stayed busy: "
                "do not charge again; the order is pending, run `pos order reconcile` once the database is free",
                order_id=pending.order_id,
            ) from None
    if not settled and doc.payments[pending.part - 1].status != status:
        # `pos order reconcile` settled this order the other way while the processor was still answering.
        raise SettleConflict(
            f"order {doc.id} was settled as {doc.status} by a reconcile, but {proc.name} answered "
            f"{status}: check the payment with the processor and refund or re-sell by hand",
            order=doc.plain(),
        )
    raise_if_failed(doc)
    if doc.status == OrderStatus.PENDING and status != PaymentStatus.APPROVED:
        from pos.services.split_pay import part_declined

        raise part_declined(doc, pending.part)
    return doc


def raise_if_failed(doc: OrderPublic) -> None:
    """PaymentDeclined for an order whose payment failed; its details carry the order as JSON has it."""
    if doc.status == OrderStatus.PAYMENT_FAILED:
        last = doc.payments[-1] if doc.payments else None  # the part that failed it
        failed = last is not None and last.status == PaymentStatus.FAILED
        reason = (last.reason if last else None) or "declined"
        raise PaymentDeclined(
            f"payment {'failed' if failed else 'declined'} ({reason}): "
            f"order {doc.id} is payment_failed and no stock was taken",
            reason=reason, order=doc.plain(),
        )


# -- reading orders -----------------------------------------------------------------------------------------


_ORDER = Sql(
    "SELECT o.id, o.status, o.cart_id, o.location_id, o.currency, o.subtotal, o.tax, o.total, o.tax_rate, "
    "o.ship_name, o.ship_address, o.idempotency_key, o.created_at, o.discount, o.discount_percent, o.discount_reason, "
    "c.name AS clerk, a.name AS approved_by "
    "FROM orders o LEFT JOIN clerk c ON c.id = o.clerk_id LEFT JOIN clerk a ON a.id = o.approver_id WHERE o.id = :id"
)
# The location the order was sold at (its "store" block on the receipt and in --json).
_ORDER_LOCATION = Sql("SELECT code, name, address, receipt_footer, timezone FROM location WHERE id = :id")
_ITEMS = Sql(
    "SELECT oi.sku, oi.name, oi.quantity, oi.unit_price, oi.line_total, oi.location_id, l.code AS location, "
    "oi.list_price, oi.price_reason, oi.discount, oi.discount_percent, oi.discount_reason, oi.order_discount "
    "FROM order_item oi JOIN location l ON l.id = oi.location_id WHERE oi.order_id = :id ORDER BY oi.id"
)
_PAYMENTS = Sql(
    "SELECT processor, status, amount, reason, reference, brand, last4, tendered, change_due FROM payment "
    "WHERE order_id = :id ORDER BY part"
)


def order_document(conn: Connection, order_id: int) -> OrderPublic:
    order = sql.one(conn, _ORDER, {"id": order_id})
    if order is None:
        raise NotFound(f"no order {order_id}: see `pos order list`")
    location = sql.one(conn, _ORDER_LOCATION, {"id": order["location_id"]})
    payments = [_payment_document(pay) for pay in sql.all_rows(conn, _PAYMENTS, {"id": order_id})]
    paid = sum(p.amount for p in payments if p.status == PaymentStatus.APPROVED)
    paid_in_full = paid >= order["total"] and any(p.status == PaymentStatus.APPROVED for p in payments)
    shipping = None
    if order["ship_name"] or order["ship_address"]:
        shipping = ShippingPublic(name=order["ship_name"], address=order["ship_address"])
    return OrderPublic(
        id=order["id"],
        status=order["status"],
        cart_id=order["cart_id"],
        location=location["code"],
        store=OrderStore.model_validate(location),
        created_at=iso(sql.read_timestamp(order["created_at"])),
        timezone=location["timezone"],  # the store's zone: views show created_at in it, JSON keeps UTC
        items=[
            OrderItemPublic(
                sku=i["sku"], name=i["name"], quantity=i["quantity"], location=i["location"],
                unit_price=i["unit_price"], line_total=i["line_total"],
                delivery=i["location_id"] != order["location_id"], fulfilment=state, **item_discount_fields(i),
            )
            for i, state in zip(sql.all_rows(conn, _ITEMS, {"id": order_id}), _fulfilment_of(conn, order, paid_in_full),
                                strict=True)
        ],
        **order_discount_fields(order),
        subtotal=order["subtotal"],
        tax_rate=format_tax_rate(order["tax_rate"]),
        tax=order["tax"],
        total=order["total"],
        currency=order["currency"],
        payment=payments[0] if payments else None,
        payments=payments,
        paid=paid,
        balance_due=order["total"] - paid if order["status"] == OrderStatus.PENDING else 0,
        shipping=shipping,
        idempotency_key=order["idempotency_key"],
        **_refunds_of(conn, order_id),
        clerk=order["clerk"],
        approved_by=order["approved_by"],
    )


def _fulfilment_of(conn: Connection, order: Mapping, paid_in_full: bool) -> list:
    """Each item's fulfilment; an order is paid when its approved payments (parts) cover its total."""
    from pos.services.fulfilment import item_fulfilment

    covered = PaymentStatus.APPROVED if paid_in_full else None
    return item_fulfilment(conn, order_id=order["id"], order_location_id=order["location_id"],
                           status=order["status"], payment_status=covered)


def _payment_document(pay: dict) -> OrderPayment:
    extra: dict[str, int | str | None] = {}  # only what the payment has: a card's, or cash's
    if pay["brand"] or pay["last4"]:
        extra.update(brand=pay["brand"], last4=pay["last4"])
    if pay["tendered"] is not None:
        extra.update(tendered=pay["tendered"], change=pay["change_due"])
    return OrderPayment.model_validate({
        "processor": pay["processor"], "status": pay["status"], "amount": pay["amount"], "reason": pay["reason"],
        "reference": pay["reference"], **extra,
    })


def _refunds_of(conn: Connection, order_id: int) -> dict:
    from pos.services.refund_documents import order_refunds

    return order_refunds(conn, order_id)


def show_order(db: Database, *, order_id: int) -> OrderPublic:
    with db.read() as conn:
        return order_document(conn, order_id)


def list_orders(
    db: Database, *, status: str | None = None, location: str | None = None, limit: int | None = 50,
    after: int | None = None,
) -> list[OrderSummary]:
    return order_page(db, status=status, location=location, limit=limit, after=after).orders


def order_page(
    db: Database, *, status: str | None = None, location: str | None = None, limit: int | None = 50,
    after: int | None = None,
) -> OrderPage:
    """Orders newest first, at most `limit` (None: all), those older than order `after` when it is given.

    `truncated` says whether more orders match; `next_after` is the cursor that pages on, `total` how many
    match from the cursor on (counted only when the page is cut).
    """
    O = t.orders
    if status is not None and status not in tuple(OrderStatus):
        raise InvalidInput(f"status must be one of {', '.join(OrderStatus)}, not {status!r}")
    with db.read() as conn:
        where = []
        if status:
            where.append(O.c.status == status)
        if location:
            where.append(O.c.location_id == location_by_code(conn, location)["id"])
        if after is not None:
            where.append(O.c.id < after)
        stmt = (
            select(O, t.location.c.code.label("location"), t.location.c.timezone, t.payment.c.processor,
                   t.payment.c.status.label("pay_status"))
            .join(t.location, t.location.c.id == O.c.location_id)
            .outerjoin(t.payment, (t.payment.c.order_id == O.c.id) & (t.payment.c.part == 1))  # the first part
            .where(*where)
            .order_by(O.c.id.desc())
        )
        rows = [
            {
                "id": r["id"], "status": r["status"], "cart_id": r["cart_id"], "location": r["location"],
                "created_at": iso(r["created_at"]), "timezone": r["timezone"], "subtotal": r["subtotal"],
                "tax": r["tax"], "total": r["total"], "currency": r["currency"],
                "payment": {"processor": r["processor"], "status": r["pay_status"]},
            }
            for r in conn.execute(stmt if limit is None else stmt.limit(limit + 1)).mappings()
        ]
        return OrderPage.model_validate(sql.page("orders", rows, limit, lambda: conn.execute(
            select(func.count()).select_from(O).where(*where)).scalar_one()))
