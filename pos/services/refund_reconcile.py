"""Refunds left `pending` by a till that stopped between recording one and settling it.

As `pos.services.reconcile` does for orders: the refund's processor is asked (`lookup_refund`) what
happened under the refund's idempotency key; approved -> stock back and the order's status, declined ->
the units are returnable again, cannot tell -> left pending. Refunds of a till that is certainly gone are
asked about at once, the others once pending for `older_than` seconds.
"""

from __future__ import annotations

from pos.errors import PosError
from pos.models.order import ReconcileOwner, ReconcileResult
from pos.models.refund import RefundKind, RefundStatus
from pos.services import sql
from pos.services.db import Database
from pos.services.owner import state_of
from pos.services.payments import PaymentResult, get_processor
from pos.services.payments.ledger import Ledger
from pos.services.refund_documents import refund_document
from pos.services.refunds import PendingRefund, call_refund, settle_refund
from pos.services.sql import Sql

_PENDING = Sql(
    "SELECT r.id, r.order_id, r.kind, r.amount, r.currency, r.method, r.idempotency_key, r.updated_at, r.owner_host, "
    "r.owner_pid, r.owner_start, p.idempotency_key AS charge_key, p.reference AS charge_reference, p.brand, p.last4 "
    "FROM refund r JOIN payment p ON p.id = r.payment_id WHERE r.status = :pending ORDER BY r.id"
)


def _result(row: dict, owner: ReconcileOwner | None, outcome: str, status: RefundStatus, reason: str | None,
            eligible_at: str | None = None) -> ReconcileResult:
    # Validated: `outcome` must be one the document declares.
    return ReconcileResult.model_validate({
        "order_id": row["order_id"], "refund_id": row["id"], "processor": row["method"], "eligible_at": eligible_at,
        "owner": owner, "outcome": outcome, "status": status, "reason": reason,
    })


def reconcile_refunds(db: Database, *, older_than: float, timeout: float | None) -> list[ReconcileResult]:
    """One result per pending refund, as `reconcile` gives per pending order: settled (approved,
    declined, already_settled) or left pending (waiting, unknown, error) with the reason."""
    from pos.services.reconcile import _waiting  # the same rule as for pending orders

    with db.read() as conn:
        rows = sql.all_rows(conn, _PENDING, {"pending": RefundStatus.PENDING})
    ledger = Ledger(db)
    results: list[ReconcileResult] = []
    for row in rows:
        state = state_of(row["owner_host"], row["owner_pid"], row["owner_start"])
        owner = None if row["owner_host"] is None else ReconcileOwner(
            host=row["owner_host"], pid=row["owner_pid"], state=str(state))
        waiting = _waiting({**row, "processor": row["method"]}, state, older_than)
        if waiting is not None:
            results.append(_result(row, owner, "waiting", RefundStatus.PENDING, waiting["reason"],
                                   waiting["eligible_at"]))
            continue
        pending = PendingRefund(row["id"], row["order_id"], row["amount"], row["currency"], row["method"],
                                row["idempotency_key"], row["charge_key"], row["charge_reference"], row["brand"],
                                row["last4"])
        # A part of an abandoned split sale must go back whatever happened: it is paid (again) under its own
        # key, which never pays twice. A return that never reached its processor did not happen: asked about.
        must_pay = row["kind"] == RefundKind.ABANDON
        try:
            status, answer = call_refund(get_processor(row["method"]), pending.request(ledger), timeout=timeout,
                                         lookup=not must_pay)
        except PosError as err:
            status, answer = RefundStatus.PENDING, PaymentResult(False, reason=err.message)
        if status == RefundStatus.PENDING:
            results.append(_result(row, owner, "unknown", RefundStatus.PENDING,
                                   f"{row['method']} cannot say what happened to this refund"))
            continue
        try:
            with db.write() as conn:
                changed = settle_refund(conn, refund_id=row["id"], status=status, result=answer)
                now = refund_document(conn, row["id"]).status
        except PosError as err:
            results.append(_result(row, owner, "error", RefundStatus.PENDING, err.message))
            continue
        outcome = str(status) if changed else "already_settled"
        results.append(_result(row, owner, outcome, now, answer.reason if answer else None))
    return results
