"""The built-in processors' own record of what they did, by idempotency key.

A real payment processor answers "what happened to the charge with this key?" from its own books. The
cash drawer and the card simulator have no books elsewhere, so they keep them in the store's database:
one row per (processor, key, kind), written and committed before the charge is reported approved, so
a till killed right after an approval leaves a row that `lookup` finds. Only brand, last four digits,
amount, key, status, reference and reason are kept: never a card number or expiry.

Checkout hands a Ledger to the processor on the ChargeRequest; processors that do not know about it
(third-party plugins with only `charge`) simply never touch it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos.models.payment import LEDGER_CHARGE
from pos.services import sql
from pos.services import tables as t
from pos.services.db import Database
from pos.services.payments import ChargeRequest, PaymentResult, RefundRequest
from pos.services.sql import Sql

APPROVED = "approved"
DECLINED = "declined"

_INSERT = Sql(
    "INSERT INTO processor_ledger (processor, idempotency_key, kind, status, amount, currency, brand, last4, "
    "reference, reason, change_due, created_at) VALUES (:processor, :key, :kind, :status, :amount, :currency, "
    ":brand, :last4, :reference, :reason, :change_due, :created_at) ON CONFLICT (processor, idempotency_key, kind) DO NOTHING"
)
_FIND = Sql(
    "SELECT status, amount, currency, reference, reason, change_due FROM processor_ledger "
    "WHERE processor = :processor AND idempotency_key = :key AND kind = :kind"
)


@dataclass(frozen=True)
class Entry:
    status: str
    amount: int
    currency: str
    reference: str | None
    reason: str | None
    change_due: int | None

    def result(self) -> PaymentResult:
        return PaymentResult(self.status == APPROVED, reason=self.reason, reference=self.reference,
                             change_due=self.change_due)


class Ledger:
    """The books of in-process processors, kept in `db`. Each call is its own short transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def find(self, processor: str, key: str, *, kind: str = LEDGER_CHARGE) -> Entry | None:
        with self.db.read() as conn:
            row = sql.one(conn, _FIND, {"processor": processor, "key": key, "kind": kind})
        return Entry(**row) if row else None

    def record(self, processor: str, request: ChargeRequest | RefundRequest, result: PaymentResult, *,
               kind: str = LEDGER_CHARGE) -> Entry:
        """Write what happened, durably, and return what the books hold for this key.

        The first record of a key wins: a second till racing on the same key gets the first answer back.
        """
        with self.db.write() as conn:
            sql.execute(conn, _INSERT, {
                **sql.insert_defaults(conn, t.processor_ledger),  # first: the values given here win
                "processor": processor, "key": request.idempotency_key, "kind": kind,
                "status": APPROVED if result.approved else DECLINED, "amount": request.amount,
                "currency": request.currency, "brand": request.payment.brand, "last4": request.payment.last4,
                "reference": result.reference, "reason": result.reason, "change_due": result.change_due,
            })
            row = sql.one(conn, _FIND, {"processor": processor, "key": request.idempotency_key, "kind": kind})
        assert row is not None  # inserted just now, or by the first writer of this key
        return Entry(**row)


def answer(ledger: Ledger | None, processor: str, request: ChargeRequest | RefundRequest, decide, *,
           kind: str = LEDGER_CHARGE) -> PaymentResult:
    """Charge through the books: `decide()` is recorded (committed) before it is returned, and a key
    already in them gets its first answer back, never a second charge. One transaction per charge."""
    if ledger is None:
        return decide()
    entry = ledger.record(processor, request, decide(), kind=kind)
    if entry.amount != request.amount or entry.currency != request.currency:
        return PaymentResult(False, reason="idempotency_conflict: this key was used for another amount")
    return entry.result()


def look_up(ledger: Ledger | None, processor: str, request: ChargeRequest | RefundRequest, *, no_entry: str,
            kind: str = LEDGER_CHARGE) -> PaymentResult | None:
    """What the books say about a key: its answer, or not paid (`no_entry` the reason) when it is not there."""
    if ledger is None:
        return None
    found = ledger.find(processor, request.idempotency_key, kind=kind)
    return found.result() if found is not None else PaymentResult(False, reason=no_entry)
