"""Settling orders left `pending` by a till that died between recording the order and settling it.

The payment record holds the idempotency key that was sent to the processor before the charge; the
processor is asked what happened under that key. Paid: stock is taken and the order is `processing`.
Not paid: the reservation is released and the order is `payment_failed`. Cannot tell: the order stays
pending (or, with unknown_as_failed, is failed after a person has checked the terminal).

Which orders are asked about: those whose process is certainly gone (same machine, no such process)
at once, and the others once they have been pending for `older_than` seconds, since their till may
still be waiting for an answer. Every pending order appears in the result, settled or left alone with
the reason and the time it becomes eligible.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pos.errors import PosError, RefundDeclined, RefundPending
from pos.money import format_money
from pos.models._common import iso, utcnow
from pos.models.order import OrderStatus, ReconcileResult
from pos.models.payment import PaymentStatus
from pos.services import sql
from pos.services import tables as t
from pos.services.db import Database
from pos.services.orders import DEFAULT_TIMEOUT_S, call_processor, settle
from pos.services.owner import OwnerState, state_of
from pos.services.payments import ChargeRequest, PaymentResult, PreparedPayment, get_processor
from pos.services.payments.ledger import Ledger

# A checkout still talking to its processor must not be settled under its feet: orders whose process
# this machine cannot see are looked at only after pending for longer than the longest processor wait.
DEFAULT_MIN_AGE_S = 4 * DEFAULT_TIMEOUT_S


def _pending_orders(db: Database) -> list[dict]:
    """One row per pending order: its part being paid (`in_flight`), or else its newest part (a sale paid in
    parts that waits for the next one)."""
    O, P = t.orders, t.payment
    with db.read() as conn:
        rows = conn.execute(
            select(
                O.c.id, O.c.total, O.c.currency, O.c.updated_at, O.c.owner_host, O.c.owner_pid, O.c.owner_start,
                P.c.part, P.c.status.label("part_status"), P.c.amount, P.c.processor, P.c.idempotency_key,
                P.c.brand, P.c.last4, P.c.tendered,
            )
            .join(P, P.c.order_id == O.c.id)
            .where(O.c.status == OrderStatus.PENDING)
            .order_by(O.c.id, P.c.part)
        ).mappings().all()
    orders: dict[int, dict] = {}
    for r in rows:
        known = orders.get(r["id"])
        if known is None or not known["in_flight"]:
            orders[r["id"]] = {**r, "in_flight": r["part_status"] == PaymentStatus.PENDING}
    return list(orders.values())


def _waiting(row: dict, state: OwnerState, older_than: float) -> dict | None:
    """Why this order is left alone for now, or None when it may be settled."""
    if state is OwnerState.GONE:
        return None
    eligible = sql.read_timestamp(row["updated_at"]) + timedelta(seconds=older_than)
    if eligible <= utcnow():
        return None
    at = iso(eligible)
    if state is OwnerState.ALIVE:
        reason = f"its till (process {row['owner_pid']}) is still running and may be waiting for {row['processor']}"
    elif row["owner_host"] is not None:
        reason = f"its till (process {row['owner_pid']} on {row['owner_host']}) cannot be seen from this machine"
    else:
        reason = "pending for less than the threshold, and no process is recorded for it"
    return {"reason": f"{reason}; eligible at {at}", "eligible_at": at}


def _abandon(db: Database, order_id: int, base: dict, *, timeout: float | None) -> dict:
    """A sale paid in parts whose till stopped (or that waited past the threshold) before the parts covered
    it: cancelled, stock released, every approved part paid back (see pos.services.split_pay)."""
    from pos.services.split_pay import abandon_order

    try:
        done = abandon_order(db, order_id=order_id, reason="abandoned: its parts never covered the total",
                             timeout=timeout)
    except (RefundDeclined, RefundPending) as err:  # cancelled all the same; the refund's own row says what is owed
        return {**base, "outcome": "abandoned", "status": OrderStatus.CANCELLED, "reason": err.message}
    except PosError as err:
        return {**base, "outcome": "error", "status": OrderStatus.PENDING, "reason": err.message}
    back = ", ".join(f"{format_money(r.amount, r.currency)} by {r.method}" for r in done.refunds)
    return {**base, "outcome": "abandoned", "status": done.status,
            "reason": f"its parts never covered the total; paid back: {back or 'nothing'}"}


def reconcile(
    db: Database, *, older_than: float = DEFAULT_MIN_AGE_S, unknown_as_failed: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT_S,
) -> list[ReconcileResult]:
    """One result per pending order: settled (paid, failed, already_settled), or left pending (waiting,
    unknown, error) with the reason."""
    results = []
    ledger = Ledger(db)
    for row in _pending_orders(db):
        state = state_of(row["owner_host"], row["owner_pid"], row["owner_start"])
        base = {
            "order_id": row["id"], "processor": row["processor"], "eligible_at": None,
            "owner": None if row["owner_host"] is None else {
                "host": row["owner_host"], "pid": row["owner_pid"], "state": str(state),
            },
        }
        waiting = _waiting(row, state, older_than)
        if waiting is not None:
            if not row["in_flight"]:
                waiting["reason"] = f"being paid in parts, waiting for the next part; {waiting['reason']}"
            results.append({**base, "outcome": "waiting", "status": OrderStatus.PENDING, **waiting})
            continue
        if not row["in_flight"]:  # paid in parts, the rest never came: the sale did not happen
            results.append(_abandon(db, row["id"], base, timeout=timeout))
            continue
        request = ChargeRequest(
            row["id"], row["amount"], row["currency"], row["idempotency_key"],
            PreparedPayment(brand=row["brand"], last4=row["last4"], tendered=row["tendered"]), ledger=ledger,
        )
        try:
            processor = get_processor(row["processor"])
            status, answer = call_processor(processor, request, timeout=timeout, lookup=True)
        except Exception as exc:  # noqa: BLE001 - a plugin that is gone or broken cannot tell; go on with the rest
            reason = exc.message if isinstance(exc, PosError) else f"{type(exc).__name__}: {exc}"
            status, answer = PaymentStatus.PENDING, PaymentResult(False, reason=reason)
        if status == PaymentStatus.PENDING:
            if not unknown_as_failed:
                results.append({**base, "outcome": "unknown", "status": OrderStatus.PENDING,
                                "reason": f"{row['processor']} cannot say what happened to this payment"})
                continue
            status, answer = PaymentStatus.FAILED, PaymentResult(False, reason="unknown: marked failed by reconcile")
        try:
            with db.write() as conn:
                changed = settle(conn, order_id=row["id"], payment_status=status, result=answer, part=row["part"])
                now = conn.execute(select(t.orders.c.status).where(t.orders.c.id == row["id"])).scalar_one()
        except PosError as err:  # a busy database, say: this order stays pending, the next ones are tried
            results.append({**base, "outcome": "error", "status": OrderStatus.PENDING, "reason": err.message})
            continue
        if changed and now == OrderStatus.PENDING:  # a part settled, the parts short of the total: given up
            results.append(_abandon(db, row["id"], base, timeout=timeout))
            continue
        results.append({
            **base,
            "outcome": ("paid" if status == PaymentStatus.APPROVED else "failed") if changed else "already_settled",
            "status": now,
            "reason": answer.reason if answer else None,
        })
    from pos.services.refund_reconcile import reconcile_refunds

    # Refunds left pending by a till that stopped between recording and settling them, settled alike.
    return [ReconcileResult.model_validate(r) for r in results] + reconcile_refunds(
        db, older_than=older_than, timeout=timeout,
    )
