"""The OrderService: checkout as the seed diagram draws it, and the orders it leaves behind.

checkout = one transaction that reads the cart, creates the order and its items (copying each line's
location and price) as `pending`, records the payment attempt with its idempotency key and reserves the
stock; then the processor is called with no transaction open; then one transaction settles the order:
paid -> stock taken (with history) and `processing`; not paid -> reservation released and
`payment_failed`, the cart left as it was.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, select

from pos.errors import (
    EmptyCart, InvalidInput, NotDeliverable, NotFound, PaymentDeclined, SettleConflict, ShippingRequired,
)
from pos.models._common import iso, utcnow
from pos.models.cart import CART_CHECKOUT, CART_CLOSED, CART_OPEN
from pos.models.order import ORDER_PAYMENT_FAILED, ORDER_PENDING, ORDER_PROCESSING, ORDER_STATUSES
from pos.models.payment import PAYMENT_APPROVED, PAYMENT_DECLINED, PAYMENT_FAILED, PAYMENT_PENDING
from pos.money import format_tax_rate, tax_for
from pos.services import inventory
from pos.services import tables as t
from pos.services.cart import cart_lines, open_cart_row
from pos.services.catalog import display_name, location_by_code
from pos.services.db import Database
from pos.services.payments import (
    ChargeRequest, PaymentProcessor, PaymentResult, PreparedPayment, get_processor,
)
from pos.services.store import currency as store_currency

DEFAULT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Shipping:
    name: str
    address: str


@dataclass(frozen=True)
class PendingOrder:
    order_id: int
    amount: int
    currency: str
    idempotency_key: str


def order_totals(lines: list[Mapping], tax_rate: int) -> tuple[int, int, int]:
    """(subtotal, tax, total): tax is rounded half-up once per order, never per line."""
    subtotal = sum(line["price"] * line["quantity"] for line in lines)
    tax = tax_for(subtotal, tax_rate)
    return subtotal, tax, subtotal + tax


def begin_checkout(
    conn: Connection, *, cart_id: int, processor: str, payment: PreparedPayment, shipping: Shipping | None,
    idempotency_key: str, request_hash: str | None = None,
) -> PendingOrder:
    """Create the pending order, its items and payment record, and reserve its stock, in the caller's transaction."""
    cart = open_cart_row(conn, cart_id)
    lines = cart_lines(conn, cart_id)
    if not lines:
        raise EmptyCart(f"cart {cart_id} is empty: add something with `pos cart add`")
    delivery = [line for line in lines if line["location_id"] != cart["location_id"]]
    for line in delivery:
        if not line["is_deliverable"]:
            raise NotDeliverable(f"{line['sku']} cannot be delivered from {line['location']}")
    if shipping is None and cart["ship_name"] and cart["ship_address"]:
        shipping = Shipping(cart["ship_name"], cart["ship_address"])
    if delivery and shipping is None:
        raise ShippingRequired(
            f"cart {cart_id} has delivery lines ({', '.join(line['sku'] for line in delivery)}): "
            "give --ship-name and --ship-address"
        )
    store = conn.execute(select(t.location.c.tax_rate).where(t.location.c.id == cart["location_id"])).scalar_one()
    currency = store_currency(conn)
    subtotal, tax, total = order_totals(lines, store)
    now = utcnow()
    # No other checkout of this cart may run at the same time: the status flips only from open.
    flipped = conn.execute(
        t.cart.update().where(t.cart.c.id == cart_id, t.cart.c.status == CART_OPEN)
        .values(status=CART_CHECKOUT, updated_at=now)
    )
    if flipped.rowcount != 1:
        open_cart_row(conn, cart_id)  # raises the precise CartClosed
    order_id = conn.execute(
        t.orders.insert().values(
            cart_id=cart_id, location_id=cart["location_id"], status=ORDER_PENDING, currency=currency,
            subtotal=subtotal, tax=tax, total=total, tax_rate=store,
            ship_name=shipping.name if shipping else None, ship_address=shipping.address if shipping else None,
            idempotency_key=idempotency_key, request_hash=request_hash, created_at=now, updated_at=now,
        ).returning(t.orders.c.id)
    ).scalar_one()
    conn.execute(t.order_item.insert(), [
        {
            "order_id": order_id, "variant_id": line["variant_id"], "location_id": line["location_id"],
            "sku": line["sku"], "name": display_name(line), "quantity": line["quantity"],
            "unit_price": line["price"], "line_total": line["price"] * line["quantity"],
        }
        for line in lines
    ])
    conn.execute(t.payment.insert().values(
        order_id=order_id, processor=processor, status=PAYMENT_PENDING, amount=total, currency=currency,
        idempotency_key=idempotency_key, brand=payment.brand, last4=payment.last4, tendered=payment.tendered,
        created_at=now, updated_at=now,
    ))
    inventory.reserve(conn, [
        inventory.Need(line["variant_id"], line["location_id"], line["quantity"], line["sku"], line["location"])
        for line in lines
    ])
    return PendingOrder(order_id, total, currency, idempotency_key)


def call_processor(
    processor: PaymentProcessor, request: ChargeRequest, *, timeout: float | None, lookup: bool = False
) -> tuple[str, PaymentResult | None]:
    """Charge (or with lookup=True, ask about an earlier charge) with no transaction open.

    Returns (payment status, result). The processor's faults never escape: raising, hanging past
    `timeout` or answering something that is not a PaymentResult all become a failed payment. A lookup
    that cannot tell gives (pending, None).
    """
    outcome: dict[str, object] = {}
    call = processor.lookup if lookup else processor.charge

    def run() -> None:
        try:
            outcome["result"] = call(request)
        except BaseException as exc:  # noqa: BLE001 - a plugin's fault becomes a failed payment, not a crash
            outcome["error"] = exc

    if timeout is None or timeout <= 0:
        run()
    else:
        worker = threading.Thread(target=run, name=f"pos-charge-{request.order_id}", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            if lookup:
                return PAYMENT_PENDING, None
            return PAYMENT_FAILED, PaymentResult(False, reason=f"timeout: no answer from {processor.name} in {timeout:g}s")
    if "error" in outcome:
        exc = outcome["error"]
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise exc  # the process is going away: the order stays pending for `pos order reconcile`
        if lookup:
            return PAYMENT_PENDING, None
        return PAYMENT_FAILED, PaymentResult(False, reason=f"processor_error: {type(exc).__name__}")
    result = outcome.get("result")
    if lookup and result is None:
        return PAYMENT_PENDING, None
    if not isinstance(result, PaymentResult) or not isinstance(result.approved, bool):
        if lookup:
            return PAYMENT_PENDING, None
        return PAYMENT_FAILED, PaymentResult(False, reason=f"processor_error: {processor.name} gave an invalid answer")
    return (PAYMENT_APPROVED if result.approved else PAYMENT_DECLINED), result


def settle(conn: Connection, *, order_id: int, payment_status: str, result: PaymentResult) -> bool:
    """Finish a pending order. False when it was already settled (by a reconcile, say): nothing changes then."""
    approved = payment_status == PAYMENT_APPROVED
    now = utcnow()
    moved = conn.execute(
        t.orders.update().where(t.orders.c.id == order_id, t.orders.c.status == ORDER_PENDING)
        .values(status=ORDER_PROCESSING if approved else ORDER_PAYMENT_FAILED, updated_at=now)
        .returning(t.orders.c.cart_id)
    ).first()
    if moved is None:
        return False
    items = conn.execute(
        select(t.order_item.c.variant_id, t.order_item.c.location_id, t.order_item.c.quantity, t.order_item.c.sku)
        .where(t.order_item.c.order_id == order_id)
    ).mappings().all()
    needs = [inventory.Need(i["variant_id"], i["location_id"], i["quantity"], i["sku"]) for i in items]
    if approved:
        inventory.take_reserved(conn, needs, source="sale", source_ref=f"order {order_id}")
        cart_status = CART_CLOSED
    else:
        inventory.release(conn, needs)
        cart_status = CART_OPEN
    conn.execute(
        t.cart.update().where(t.cart.c.id == moved.cart_id, t.cart.c.status == CART_CHECKOUT)
        .values(status=cart_status, updated_at=now)
    )
    conn.execute(
        t.payment.update().where(t.payment.c.order_id == order_id).values(
            status=payment_status, reason=result.reason, reference=result.reference,
            change_due=result.change_due if approved else None, updated_at=now,
        )
    )
    return True


def checkout(
    db: Database, *, cart_id: int, processor: str, params: Mapping[str, str] | None = None,
    shipping: Shipping | None = None, idempotency_key: str | None = None, timeout: float | None = DEFAULT_TIMEOUT_S,
) -> dict:
    """createOrder(cartId, shippingDetails, paymentDetails). Raises PaymentDeclined (carrying the order) on failure."""
    proc = get_processor(processor)
    with db.read() as conn:
        currency = store_currency(conn)
    prepared = proc.prepare(params or {}, currency=currency)  # bad input: no order at all
    key = idempotency_key or f"pos-{uuid.uuid4().hex}"
    with db.write() as conn:
        pending = begin_checkout(
            conn, cart_id=cart_id, processor=proc.name, payment=prepared, shipping=shipping, idempotency_key=key,
        )
    return pay_and_settle(db, proc, pending, prepared, timeout=timeout)


def pay_and_settle(
    db: Database, proc: PaymentProcessor, pending: PendingOrder, prepared: PreparedPayment, *, timeout: float | None
) -> dict:
    request = ChargeRequest(pending.order_id, pending.amount, pending.currency, pending.idempotency_key, prepared)
    status, result = call_processor(proc, request, timeout=timeout)
    with db.write() as conn:
        settled = settle(conn, order_id=pending.order_id, payment_status=status, result=result)
        doc = order_document(conn, pending.order_id)
    if not settled and (doc["status"] == ORDER_PROCESSING) != (status == PAYMENT_APPROVED):
        # `pos order reconcile` settled this order the other way while the processor was still answering.
        raise SettleConflict(
            f"order {doc['id']} was settled as {doc['status']} by a reconcile, but {proc.name} answered "
            f"{status}: check the payment with the processor and refund or re-sell by hand",
            order=doc,
        )
    raise_if_failed(doc)
    return doc


def raise_if_failed(doc: dict) -> None:
    if doc["status"] == ORDER_PAYMENT_FAILED:
        reason = doc["payment"]["reason"] or "declined"
        raise PaymentDeclined(
            f"payment {'failed' if doc['payment']['status'] == PAYMENT_FAILED else 'declined'} ({reason}): "
            f"order {doc['id']} is payment_failed, the cart is unchanged; try another way to pay",
            reason=reason, order=doc,
        )


# -- reading orders -----------------------------------------------------------------------------------------


def order_document(conn: Connection, order_id: int) -> dict:
    O = t.orders
    order = conn.execute(select(O).where(O.c.id == order_id)).mappings().first()
    if order is None:
        raise NotFound(f"no order {order_id}: see `pos order list`")
    store = conn.execute(select(t.location).where(t.location.c.id == order["location_id"])).mappings().one()
    items = conn.execute(
        select(t.order_item, t.location.c.code.label("location"))
        .join(t.location, t.location.c.id == t.order_item.c.location_id)
        .where(t.order_item.c.order_id == order_id)
        .order_by(t.order_item.c.id)
    ).mappings().all()
    pay = conn.execute(select(t.payment).where(t.payment.c.order_id == order_id)).mappings().first()
    payment = None
    if pay is not None:
        payment = {
            "processor": pay["processor"], "status": pay["status"], "amount": pay["amount"], "reason": pay["reason"],
            "reference": pay["reference"],
        }
        if pay["brand"] or pay["last4"]:
            payment.update(brand=pay["brand"], last4=pay["last4"])
        if pay["tendered"] is not None:
            payment.update(tendered=pay["tendered"], change=pay["change_due"])
    shipping = None
    if order["ship_name"] or order["ship_address"]:
        shipping = {"name": order["ship_name"], "address": order["ship_address"]}
    return {
        "id": order["id"],
        "status": order["status"],
        "cart_id": order["cart_id"],
        "location": store["code"],
        "store": {
            "code": store["code"], "name": store["name"], "address": store["address"],
            "receipt_footer": store["receipt_footer"],
        },
        "created_at": iso(order["created_at"]),
        "items": [
            {
                "sku": i["sku"], "name": i["name"], "quantity": i["quantity"], "location": i["location"],
                "unit_price": i["unit_price"], "line_total": i["line_total"],
                "delivery": i["location_id"] != order["location_id"],
            }
            for i in items
        ],
        "subtotal": order["subtotal"],
        "tax_rate": format_tax_rate(order["tax_rate"]),
        "tax": order["tax"],
        "total": order["total"],
        "currency": order["currency"],
        "payment": payment,
        "shipping": shipping,
        "idempotency_key": order["idempotency_key"],
    }


def show_order(db: Database, *, order_id: int) -> dict:
    with db.read() as conn:
        return order_document(conn, order_id)


def list_orders(
    db: Database, *, status: str | None = None, location: str | None = None, limit: int = 50
) -> list[dict]:
    O = t.orders
    if status is not None and status not in ORDER_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(ORDER_STATUSES)}, not {status!r}")
    with db.read() as conn:
        stmt = (
            select(O, t.location.c.code.label("location"), t.payment.c.processor, t.payment.c.status.label("pay_status"))
            .join(t.location, t.location.c.id == O.c.location_id)
            .outerjoin(t.payment, t.payment.c.order_id == O.c.id)
            .order_by(O.c.id.desc())
            .limit(limit)
        )
        if status:
            stmt = stmt.where(O.c.status == status)
        if location:
            stmt = stmt.where(O.c.location_id == location_by_code(conn, location)["id"])
        return [
            {
                "id": r["id"], "status": r["status"], "cart_id": r["cart_id"], "location": r["location"],
                "created_at": iso(r["created_at"]), "subtotal": r["subtotal"],
                "tax": r["tax"], "total": r["total"], "currency": r["currency"],
                "payment": {"processor": r["processor"], "status": r["pay_status"]},
            }
            for r in conn.execute(stmt).mappings()
        ]

