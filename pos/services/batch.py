"""Scripted batch orders: one JSON object per line, each run through the clerk's own checkout flow.

`ref` is the caller's idempotency key: the same ref with the same request returns the first result and
never charges or moves stock again; the same ref with a different request is an `idempotency_conflict`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection

from pos.errors import IdempotencyConflict, InvalidInput, PosError
from pos.redact import mask_stray_card_numbers
from pos.models.order import BatchError, BatchLineResult, OrderPublic, OrderStatus
from pos.services import auth, sql
from pos.services.sql import Sql
from pos.services.batch_refunds import is_refund_line, run_refund_line
from pos.services.batch_lines import decoded, windows
from pos.services.batch_window import DEFAULT_WINDOW_MS, DEFAULT_WINDOW_ORDERS, Outcome, Placing, place_window
from pos.services.db import Database
from pos.services.orders import (
    DEFAULT_TIMEOUT_S, Shipping, order_document, raise_if_failed, show_order,
)
from pos.services.payments import PreparedPayment, get_processor, prepare
from pos.services.settings import cached_currency

MAX_REF = 180


@dataclass(frozen=True)
class OrderLine:
    sku: str
    qty: int
    from_location: str | None = None


@dataclass(frozen=True)
class OrderRequest:
    ref: str
    location: str
    items: tuple[OrderLine, ...]
    processor: str
    params: dict[str, str]
    shipping: Shipping | None


def parse_request(text: str) -> OrderRequest:
    """One line of a batch file into a request; InvalidInput says what is wrong with it."""
    data = decoded(text)
    if not isinstance(data, dict):
        raise InvalidInput("each line must be a JSON object")
    ref = data.get("ref")
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput("ref is required: a non-empty string that identifies the order (its idempotency key)")
    if len(ref) > MAX_REF:
        raise InvalidInput(f"ref is longer than {MAX_REF} characters")
    location = data.get("location")
    if not isinstance(location, str) or not location.strip():
        raise InvalidInput("location is required: the store's code")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise InvalidInput("items must be a non-empty list of {\"sku\": ..., \"qty\": ...}")
    items = []
    for i, item in enumerate(raw_items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("sku"), str):
            raise InvalidInput(f"items[{i}] needs a sku")
        qty = item.get("qty", 1)
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            raise InvalidInput(f"items[{i}].qty must be a whole number above 0")
        source = item.get("from")
        if source is not None and not isinstance(source, str):
            raise InvalidInput(f"items[{i}].from must be a location code")
        items.append(OrderLine(item["sku"], qty, source))
    payment = data.get("payment")
    if not isinstance(payment, dict) or not isinstance(payment.get("processor"), str):
        raise InvalidInput("payment.processor is required, e.g. {\"processor\": \"card\", \"card\": \"4242...\"}")
    params = {k: str(v) for k, v in payment.items() if k != "processor" and v is not None}
    shipping = None
    ship = data.get("shipping")
    if ship is not None:
        if not isinstance(ship, dict) or not str(ship.get("name", "")).strip() or not str(ship.get("address", "")).strip():
            raise InvalidInput("shipping needs a name and an address")
        shipping = Shipping(str(ship["name"]).strip(), str(ship["address"]).strip())
    return OrderRequest(ref.strip(), location.strip(), tuple(items), payment["processor"], params, shipping)


def fingerprint(request: OrderRequest, payment: PreparedPayment) -> str:
    """A digest of what was asked for. Secrets (the card number) are left out: only brand and last 4 count."""
    canonical = {
        "location": request.location,
        "items": [[i.sku, i.qty, i.from_location] for i in request.items],
        "processor": request.processor,
        "payment": [payment.brand, payment.last4, payment.tendered],
        "shipping": [request.shipping.name, request.shipping.address] if request.shipping else None,
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def place_order(db: Database, request: OrderRequest, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> tuple[OrderPublic, bool]:
    """Cart, stock check, order, payment and stock update for one request, as a window of one. Returns
    (order, replayed).

    Raises PaymentDeclined when the payment fails (the first time or on replay), like `pos checkout`.
    """
    outcome = place_window(db, [_placing(0, request, db)], timeout=timeout, replay=_replay)[0]
    if outcome.doc is not None:
        _replayed(outcome.doc) if outcome.replayed else raise_if_failed(outcome.doc)
        return outcome.doc, outcome.replayed
    if outcome.error is not None:
        raise outcome.error
    assert outcome.order_id is not None  # placed and settled
    return show_order(db, order_id=outcome.order_id), False


def _placing(slot: int, request: OrderRequest, db: Database) -> Placing:
    """A request ready for its window: its processor found and its payment prepared (InvalidInput if bad)."""
    processor = get_processor(request.processor)
    prepared = prepare(processor, request.params, currency=cached_currency(db))
    return Placing(
        slot=slot, ref=request.ref, location=request.location, items=request.items, shipping=request.shipping,
        processor=processor, prepared=prepared, key=f"batch:{request.ref}", digest=fingerprint(request, prepared),
    )


_BY_KEY = Sql("SELECT id, request_hash FROM orders WHERE idempotency_key = :key")


def _replay(conn: Connection, key: str, digest: str, ref: str) -> OrderPublic | None:
    found = sql.one(conn, _BY_KEY, {"key": key})
    if found is None:
        return None
    if found["request_hash"] != digest:
        raise IdempotencyConflict(
            f"ref {ref!r} was already used for a different order ({found['id']}): use a new ref",
            order_id=found["id"],
        )
    return order_document(conn, found["id"])


def _replayed(doc: OrderPublic) -> OrderPublic:
    try:
        raise_if_failed(doc)
    except PosError as err:
        err.details["replayed"] = True
        raise
    return doc


Approval = Callable[[], auth.Actor | None]


def run_batch(
    db: Database, lines: Iterable[str], *, stop_on_error: bool = False, timeout: float | None = DEFAULT_TIMEOUT_S,
    approval: Approval | None = None, window_orders: int = DEFAULT_WINDOW_ORDERS, window_ms: int = DEFAULT_WINDOW_MS,
) -> Iterator[BatchLineResult]:
    """Yield one result per non-blank input line, in order.

    Orders are placed a window at a time (pos.services.batch_window): up to `window_orders` lines, or
    those that arrived within `window_ms` of the window's first, reserved together, charged one by one and
    settled together; each line still has its own result and a refusal fails only its own line. With
    `stop_on_error` the window is one order, so nothing after the first failure is placed.

    Returns and cancellations run as `approval()` (the signed-in clerk with a manager's approval, asked for
    at the first such line); without it they run as the clerk acting now, which a clerk cannot do alone."""
    if window_orders < 1 or window_ms < 0:
        raise InvalidInput("a batch window is at least 1 order and 0 ms")
    size = 1 if stop_on_error else window_orders
    with db.pinned():
        for window in windows(lines, size=size, wait_ms=window_ms):
            for result, refund in _run_window(db, window, timeout=timeout, approval=approval):
                yield result
                if stop_on_error and (result.error is not None or not refund and result.status != OrderStatus.PROCESSING):
                    return


def _run_window(db: Database, window: list[tuple[int, str]], *, timeout: float | None,
                approval: Approval | None) -> list[tuple[BatchLineResult, bool]]:
    """The window's lines in file order, each with whether it was a return or cancellation: orders placed
    together, returns and cancellations in their turn."""
    results: dict[int, BatchLineResult] = {}
    placing: list[Placing] = []
    numbers = dict(enumerate(number for number, _ in window))
    refunds: set[int] = set()

    refs: set[str] = set()  # of the orders in `placing`

    def place() -> None:
        outcomes = place_window(db, placing, timeout=timeout, replay=_replay)
        for order in placing:
            results[order.slot] = _result(numbers[order.slot], order.ref, outcomes[order.slot])
        placing.clear()
        refs.clear()

    for slot, (number, text) in enumerate(window):
        if is_refund_line(text):
            if placing:
                place()  # a return may be of an order placed a few lines above
            results[slot] = _refund_line(db, number, text, timeout=timeout, approval=approval)
            refunds.add(slot)
            continue
        ref = None
        try:
            request = parse_request(text)
            ref = request.ref
            order = _placing(slot, request, db)
        except PosError as err:
            results[slot] = _result(number, ref if ref is not None else _ref_of(text), Outcome(error=err))
            continue
        if order.ref in refs:
            place()  # the same ref again: it replays what the first one ended as
        placing.append(order)
        refs.add(order.ref)
    if placing:
        place()
    return [(results[slot], slot in refunds) for slot in range(len(window))]


def _result(number: int, ref: str | None, outcome: Outcome) -> BatchLineResult:
    error = outcome.error
    status = outcome.status
    if outcome.doc is not None:  # a replay, or an order a reconcile settled first: as its order says
        try:
            _replayed(outcome.doc) if outcome.replayed else raise_if_failed(outcome.doc)
        except PosError as err:
            error = err
    if error is None:
        return BatchLineResult(line=number, ref=ref, order_id=outcome.order_id, status=status, error=None,
                               replayed=outcome.replayed)
    # Payment errors never repeat the card; a card number given as an item's SKU is masked too.
    body = BatchError(code=error.code, message=mask_stray_card_numbers(error.message))
    return BatchLineResult(
        line=number, ref=ref, order_id=outcome.order_id or error.details.get("order_id"), status=status, error=body,
        replayed=outcome.replayed or bool(error.details.get("replayed")),
    )


def _refund_line(db: Database, number: int, text: str, *, timeout: float | None,
                 approval: Approval | None) -> BatchLineResult:
    try:
        with auth.acting(approval() if approval is not None else auth.current()):
            done = run_refund_line(db, text, timeout=timeout)
        result = BatchLineResult(line=number, ref=_ref_of(text), order_id=done.order_id, status=done.status,
                                 error=None, replayed=done.replayed)
        if done.refund_id is not None:
            result.refund_id = done.refund_id
        return result
    except PosError as err:
        refund = err.details.get("refund") or {}
        result = BatchLineResult(
            line=number, ref=_ref_of(text), order_id=refund.get("order_id"), status=refund.get("status", "error"),
            error=BatchError(code=err.code, message=mask_stray_card_numbers(err.message)),
            replayed=bool(err.details.get("replayed")),
        )
        if refund.get("id") is not None:
            result.refund_id = refund["id"]
        return result


def _ref_of(text: str) -> str | None:
    try:
        ref = json.loads(text).get("ref")
    except (ValueError, AttributeError):
        return None
    if not isinstance(ref, str):
        return None
    try:
        return ref.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # printable, whatever the bytes
    except UnicodeEncodeError:  # half a surrogate pair from a JSON escape (\ud800): shown as that escape
        return ref.encode("utf-8", "backslashreplace").decode("utf-8")
