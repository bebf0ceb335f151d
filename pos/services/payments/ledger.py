"""The built-in processors' own record of what they did, by idempotency key.

A real payment processor answers "what happened to the charge with this key?" from its own books. The
cash drawer and the card simulator have no books elsewhere, so they keep them in the store's database:
one row per (processor, key, kind), written and committed before the charge is reported approved, so
a till killed right after an approval leaves a row that `lookup` finds. Only brand, last four digits,
amount, key, status, reference and reason are kept: never a card number or expiry.

Checkout hands a Ledger to the processor on the ChargeRequest; processors that do not know about it
(third-party plugins with only `charge`) simply never touch it.

`pos batch` charges a window of orders at a time, and acts on none of the answers before the window is
settled. It holds the ledger for the window (`Ledger.holding`): the books are written for the whole window
in one transaction when the charges are done, before the settlement reads a single answer, instead of one
transaction per charge. The crash story is the same one: a kill before that write leaves no books, so the
processor never approved those charges and `pos order reconcile` fails their orders (releasing the stock);
a kill after it leaves the books, and reconcile settles the orders by them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
    """The books of in-process processors, kept in `db`. Each call is its own short transaction, but for
    the records of a `holding` block, which are written together when it ends."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._held: dict[tuple[str, str, str], dict] | None = None  # (processor, key, kind) -> row to write
        self._lock = threading.Lock()  # a processor answering after its timeout records from its own thread

    def find(self, processor: str, key: str, *, kind: str = LEDGER_CHARGE) -> Entry | None:
        with self._lock:
            held = None if self._held is None else self._held.get((processor, key, kind))
        if held is not None:
            return _entry(held)
        with self.db.read() as conn:
            row = sql.one(conn, _FIND, {"processor": processor, "key": key, "kind": kind})
        return Entry(**row) if row else None

    @contextmanager
    def holding(self) -> Iterator[set[tuple[str, str, str]]]:
        """Keep the records made inside the block and write them in one transaction when it ends, before
        the caller acts on any answer given inside it. A key already in the books keeps its first answer,
        as ever; the set it yields is filled, at the end, with the (processor, key, kind) of any record
        that found another answer there (the caller charges those again, outside the block, and gets the
        books' answer, or an idempotency conflict, as a charge made one at a time would have).
        If the block raises, nothing held is written: those charges never happened."""
        with self._lock:
            self._held = {}
        overtaken: set[tuple[str, str, str]] = set()
        try:
            yield overtaken
        except BaseException:
            with self._lock:
                self._held = None
            raise
        with self._lock:
            held, self._held = self._held, None
        if held:
            overtaken.update(self._write(held))

    def _write(self, held: dict[tuple[str, str, str], dict]) -> set[tuple[str, str, str]]:
        with self.db.write() as conn:
            if sql.execute_many(conn, _INSERT, list(held.values())) == len(held):
                return set()  # every row went in: no key was in the books before
            stored = {ident: sql.one(conn, _FIND, {"processor": ident[0], "key": ident[1], "kind": ident[2]})
                      for ident in held}
        return {ident for ident, row in stored.items() if row is None or Entry(**row) != _entry(held[ident])}

    def record(self, processor: str, request: ChargeRequest | RefundRequest, result: PaymentResult, *,
               kind: str = LEDGER_CHARGE) -> Entry:
        """Write what happened, durably, and return what the books hold for this key.

        The first record of a key wins: a second till racing on the same key gets the first answer back.
        """
        values = {
            "processor": processor, "key": request.idempotency_key, "kind": kind,
            "status": APPROVED if result.approved else DECLINED, "amount": request.amount,
            "currency": request.currency, "brand": request.payment.brand, "last4": request.payment.last4,
            "reference": result.reference, "reason": result.reason, "change_due": result.change_due,
        }
        with self._lock:
            if self._held is not None:  # kept for the block's one write, which finds a key already in the books
                kept = self._held.setdefault((processor, request.idempotency_key, kind), {
                    **sql.insert_defaults(self.db.engine, t.processor_ledger), **values})  # type: ignore[arg-type]
                return _entry(kept)
        with self.db.write() as conn:
            sql.execute(conn, _INSERT, {**sql.insert_defaults(conn, t.processor_ledger), **values})
            row = sql.one(conn, _FIND, {"processor": processor, "key": request.idempotency_key, "kind": kind})
        assert row is not None  # inserted just now, or by the first writer of this key
        return Entry(**row)


def _entry(row: dict) -> Entry:
    return Entry(status=row["status"], amount=row["amount"], currency=row["currency"], reference=row["reference"],
                 reason=row["reason"], change_due=row["change_due"])


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
