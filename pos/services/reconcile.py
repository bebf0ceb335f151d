"""Settling orders left `pending` by a till that died between recording the order and settling it.

The payment record holds the idempotency key that was sent to the processor before the charge; the
processor is asked what happened under that key. Paid: stock is taken and the order is `processing`.
Not paid: the reservation is released and the order is `payment_failed`. Cannot tell: the order stays
pending (or, with unknown_as_failed, is failed after a person has checked the terminal).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pos.errors import PosError
from pos.models._common import utcnow
from pos.models.order import ORDER_PENDING
from pos.models.payment import PAYMENT_APPROVED, PAYMENT_FAILED, PAYMENT_PENDING
from pos.services import tables as t
from pos.services.db import Database
from pos.services.orders import DEFAULT_TIMEOUT_S, call_processor, settle
from pos.services.payments import ChargeRequest, PaymentResult, PreparedPayment, get_processor

# A checkout still talking to its processor must not be settled under its feet: by default only orders
# pending for longer than the longest processor wait are looked at.
DEFAULT_MIN_AGE_S = 4 * DEFAULT_TIMEOUT_S


def pending_orders(db: Database, *, older_than: float) -> list[dict]:
    cutoff = utcnow() - timedelta(seconds=older_than)
    with db.read() as conn:
        rows = conn.execute(
            select(
                t.orders.c.id, t.orders.c.total, t.orders.c.currency, t.payment.c.processor,
                t.payment.c.idempotency_key, t.payment.c.brand, t.payment.c.last4, t.payment.c.tendered,
            )
            .join(t.payment, t.payment.c.order_id == t.orders.c.id)
            .where(t.orders.c.status == ORDER_PENDING, t.orders.c.updated_at <= cutoff)
            .order_by(t.orders.c.id)
        ).mappings().all()
    return [dict(r) for r in rows]


def reconcile(
    db: Database, *, older_than: float = DEFAULT_MIN_AGE_S, unknown_as_failed: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT_S,
) -> list[dict]:
    results = []
    for row in pending_orders(db, older_than=older_than):
        request = ChargeRequest(
            row["id"], row["total"], row["currency"], row["idempotency_key"],
            PreparedPayment(brand=row["brand"], last4=row["last4"], tendered=row["tendered"]),
        )
        try:
            processor = get_processor(row["processor"])
            status, answer = call_processor(processor, request, timeout=timeout, lookup=True)
        except Exception as exc:  # noqa: BLE001 - a plugin that is gone or broken cannot tell; go on with the rest
            reason = exc.message if isinstance(exc, PosError) else f"{type(exc).__name__}: {exc}"
            status, answer = PAYMENT_PENDING, PaymentResult(False, reason=reason)
        if status == PAYMENT_PENDING:
            if not unknown_as_failed:
                results.append({"order_id": row["id"], "outcome": "unknown", "status": ORDER_PENDING,
                                "reason": f"{row['processor']} cannot say what happened to this payment"})
                continue
            status, answer = PAYMENT_FAILED, PaymentResult(False, reason="unknown: marked failed by reconcile")
        try:
            with db.write() as conn:
                changed = settle(conn, order_id=row["id"], payment_status=status, result=answer)
                now = conn.execute(select(t.orders.c.status).where(t.orders.c.id == row["id"])).scalar_one()
        except PosError as err:  # a busy database, say: this order stays pending, the next ones are tried
            results.append({"order_id": row["id"], "outcome": "error", "status": ORDER_PENDING, "reason": err.message})
            continue
        results.append({
            "order_id": row["id"],
            "outcome": ("paid" if status == PAYMENT_APPROVED else "failed") if changed else "already_settled",
            "status": now,
            "reason": answer.reason if answer else None,
        })
    return results
