"""`pos batch` orders placed a window at a time: group commit around the clerk's checkout flow.

A window is up to N orders (or what arrived within T milliseconds). Its orders go through the same three
steps as `pos checkout`, but each step is taken for the whole window at once:

1. one write transaction records every order of the window `pending` (its cart, order, items and payment
   record, naming the clerk, the drawer shift and this process as owner) and reserves its stock with
   conditional UPDATEs: one per stock level for the whole window when every level has enough (then every
   line in turn has enough), otherwise line by line, where a line that is refused (not enough stock)
   undoes its own reservations and writes nothing, so the other lines are not touched; a line refused
   before that (an unknown SKU or store...) reserves nothing;
2. each order is charged in file order with no transaction open; the built-in processors' books (the
   card simulator's and the drawer's ledger) are written for the whole window in one transaction once the
   charges are done, before step 3 reads any answer (a kill before that write: no books, so no approval,
   and reconcile fails those orders; after it: reconcile settles them by the books);
3. one write transaction settles every charged order: paid -> stock taken (one conditional UPDATE per
   level for the window's paid orders) with a history row per sale and level, each with the on-hand its
   own sale left, and a sale in the audit log, `processing`; not paid -> reservation released,
   `payment_failed`; the orders and carts are closed with one UPDATE per status.

Rows of one kind are written together (`executemany`), the window's idempotency keys, SKUs and store are
looked up once per window (a list parameter, `sql.listed`), and nothing is read back only to be returned.
A process killed at any point leaves at most one window of pending orders with this process as owner,
which `pos order reconcile` settles like any other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection

from pos.errors import DatabaseBusy, IdempotencyConflict, NotDeliverable, PaymentUnrecorded, PosError, SettleConflict
from pos.discounts import item_price_columns, order_discount_columns, price_rows
from pos.models._common import utcnow
from pos.models.cart import CartStatus
from pos.models.order import OrderPublic, OrderStatus
from pos.models.payment import LEDGER_CHARGE, PaymentStatus
from pos.services import audit, auth, inventory, owner, shifts, sql
from pos.services import tables as t
from pos.services.catalog import get_variant, location_by_code, variant_label
from pos.services.lookup import variants_by_sku
from pos.services.db import Database
from pos.services.inventory import Need, sum_needs
from pos.services.orders import (
    ITEM_NAME_MAX, REASON_MAX, SETTLE_ATTEMPTS, call_processor, checked_shipping, order_document, totals_of,
)
from pos.services.payments import ChargeRequest, PaymentProcessor, PaymentResult, PreparedPayment
from pos.services.payments.ledger import Ledger
from pos.services.settings import currency as store_currency
from pos.services.sql import Sql
from pos.textcells import clip_chars

DEFAULT_WINDOW_ORDERS = 100
DEFAULT_WINDOW_MS = 200


@dataclass
class Placing:
    """One order line of a window: what was asked, and what has happened to it so far."""

    slot: int
    ref: str
    location: str
    items: tuple  # of batch.OrderLine
    shipping: Any
    processor: PaymentProcessor
    prepared: PreparedPayment
    key: str
    digest: str
    # Filled in as the window goes on.
    order_id: int = 0  # 0 until placed
    cart_id: int = 0
    location_id: int = 0
    total: int = 0
    currency: str = ""
    needs: list[Need] = field(default_factory=list)
    status: str = ""
    result: PaymentResult | None = None


@dataclass
class Outcome:
    """What became of one line: an order document (a replay), or an order id and status, or an error."""

    order_id: int | None = None
    status: OrderStatus | Literal["error"] = "error"
    error: PosError | None = None
    replayed: bool = False
    doc: OrderPublic | None = None


Replay = Callable[[Connection, str, str, str], OrderPublic | None]

_NEW_CART = Sql(
    "INSERT INTO cart (location_id, status, created_at, updated_at) VALUES (:l, :status, :created_at, :updated_at) "
    "RETURNING id"
)
_DROP_CART = Sql("DELETE FROM cart WHERE id = :id AND status = :checkout")
_NEW_LINE = Sql("INSERT INTO cart_item (cart_id, variant_id, location_id, quantity) VALUES (:c, :v, :l, :q)")
# ON CONFLICT: another batch process placed the same ref first (it waits for that one to commit or roll back).
_NEW_ORDER = Sql(
    "INSERT INTO orders (cart_id, location_id, status, currency, subtotal, tax, total, tax_rate, ship_name, "
    "ship_address, idempotency_key, request_hash, owner_host, owner_pid, owner_start, clerk_id, approver_id, "
    "created_at, updated_at, discount, discount_percent, discount_reason) VALUES (:cart_id, :location_id, :status, "
    ":currency, :subtotal, :tax, :total, :tax_rate, :ship_name, :ship_address, :key, :hash, :owner_host, :owner_pid, "
    ":owner_start, :clerk_id, :approver_id, :created_at, :updated_at, :discount, :discount_percent, :discount_reason) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)
_NEW_ITEM = Sql(
    "INSERT INTO order_item (order_id, variant_id, location_id, sku, name, quantity, unit_price, line_total, "
    "list_price, price_reason, discount, discount_percent, discount_reason, order_discount) "
    "VALUES (:order_id, :variant_id, :location_id, :sku, :name, :quantity, :unit_price, :line_total, "
    ":list_price, :price_reason, :discount, :discount_percent, :discount_reason, :order_discount)"
)
_NEW_PAYMENT = Sql(
    "INSERT INTO payment (order_id, part, processor, status, amount, currency, idempotency_key, brand, last4, "
    "tendered, clerk_id, shift_id, created_at, updated_at) VALUES (:order_id, 1, :processor, :status, :amount, "
    ":currency, :key, :brand, :last4, :tendered, :clerk_id, :shift_id, :created_at, :updated_at)"
)
_RESERVE = Sql(
    "UPDATE stock_level SET reserved = reserved + :n "
    "WHERE variant_id = :v AND location_id = :l AND on_hand - reserved >= :n"
)
_UNRESERVE = Sql(
    "UPDATE stock_level SET reserved = reserved - :n WHERE variant_id = :v AND location_id = :l AND reserved >= :n"
)
_TAKE = Sql(
    "UPDATE stock_level SET on_hand = on_hand - :n, reserved = reserved - :n "
    "WHERE variant_id = :v AND location_id = :l AND reserved >= :n RETURNING on_hand"
)
# Row locks in one order (variant, location) before a window touches its stock levels, so two windows (or a
# window and a till) never wait on each other in opposite orders on PostgreSQL.
_LOCK_LEVEL = Sql(
    "SELECT 1 FROM stock_level WHERE variant_id = :v AND location_id = :l FOR UPDATE", only="postgresql"
)
_PAYMENT_DONE = Sql(
    "UPDATE payment SET status = :status, reason = :reason, reference = :reference, change_due = :change, "
    "completes = :completes, updated_at = :now WHERE order_id = :id AND part = 1 AND status = :pending "
    "RETURNING processor"
)
_ORDERS_DONE = Sql("UPDATE orders SET status = :status, updated_at = :now WHERE id = ANY(:ids) AND status = :pending")
_CARTS_DONE = Sql("UPDATE cart SET status = :closed, updated_at = :now WHERE id = ANY(:ids) AND status = :checkout")
_KNOWN_KEYS = Sql("SELECT idempotency_key FROM orders WHERE idempotency_key = ANY(:keys)")


def place_window(db: Database, window: list[Placing], *, timeout: float | None, replay: Replay) -> dict[int, Outcome]:
    """Place, charge and settle a window of orders; one Outcome per slot."""
    outcomes: dict[int, Outcome] = {}
    while window:
        # A line refused stock that orders above it in this window still hold (one of them may yet be
        # declined and give it back) waits, with the lines after it, for a window of its own: each line
        # ends exactly as it would have one order at a time.
        placed, window = _reserve(db, window, outcomes, replay)
        # The built-in processors' books for the whole window are written once, when its charges are done
        # and before the settlement reads any answer (pos/services/payments/ledger.py: Ledger.holding).
        ledger = Ledger(db)
        requests: dict[int, ChargeRequest] = {}
        with ledger.holding() as overtaken:
            for order in placed:  # with no transaction open, in file order
                request = requests[order.slot] = ChargeRequest(order.order_id, order.total, order.currency,
                                                               order.key, order.prepared, ledger=ledger)
                order.status, order.result = call_processor(order.processor, request, timeout=timeout)
        for order in placed:
            if (order.processor.name, order.key, LEDGER_CHARGE) in overtaken:
                # The books held another answer for this key already: charged again, one at a time, the
                # processor gives that answer back (or refuses a key used for another amount).
                order.status, order.result = call_processor(order.processor, requests[order.slot], timeout=timeout)
        if placed:
            _settle(db, placed, outcomes)
    return outcomes


# -- 1. the window's pending orders, in one transaction ---------------------------------------------------


class _Lookups:
    """The store, catalog and drawer shifts as this window's transaction sees them, each looked up once."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.locations: dict[str, dict | PosError] = {}
        self.variants: dict[str, dict | PosError] = {}
        self.shifts: dict[tuple[int, bool], int | None | PosError] = {}

    def _cached(self, cache: dict, key: Any, find: Callable[[], Any]) -> Any:
        if key not in cache:
            try:
                cache[key] = find()
            except PosError as err:
                cache[key] = err
        found = cache[key]
        if isinstance(found, PosError):
            raise found  # the same refusal for every line that asks
        return found

    def location(self, code: str) -> dict:
        return self._cached(self.locations, code, lambda: location_by_code(self.conn, code))

    def prefetch_variants(self, codes: Iterable[str]) -> None:
        """The window's SKUs in one statement; a code not found by SKU (a barcode, a typo) is looked up on
        its own when its line asks, as `get_variant` would."""
        wanted = {code: code.strip() for code in codes}
        found = variants_by_sku(self.conn, wanted.values())
        for code, sku in wanted.items():
            if sku in found:
                self.variants[code] = found[sku]

    def variant(self, code: str) -> dict:
        return self._cached(self.variants, code, lambda: get_variant(self.conn, code))

    def shift(self, location_id: int, cash: bool) -> int | None:
        return self._cached(self.shifts, (location_id, cash), lambda: shifts.shift_for(
            self.conn, location_id=location_id, register=None, cash=cash))


@dataclass
class _Priced:
    """An order of the window worked out before anything is written: its lines, prices and stock needs."""

    order: Placing
    at: int  # its place in the window
    store: dict
    lines: list[Mapping[str, Any]]
    cart: dict
    shipping: Any
    priced: list
    order_discount: Any
    totals: tuple[int, int, int]
    shift_id: int | None
    needs: list[Need]


def _reserve(db: Database, window: list[Placing], outcomes: dict[int, Outcome],
             replay: Replay) -> tuple[list[Placing], list[Placing]]:
    """(orders placed pending, orders left for the next window)."""
    placed: list[Placing] = []
    held: set[tuple[int, int]] = set()  # stock levels this window's orders hold
    left: list[Placing] = []
    with db.write() as conn:
        look = _Lookups(conn)
        look.prefetch_variants(item.sku for order in window for item in order.items)
        currency = store_currency(conn)
        me = owner.current()
        moment = utcnow()
        clerk = auth.who()
        order_defaults = sql.insert_defaults(conn, t.orders, now=moment)
        cart_defaults = sql.insert_defaults(conn, t.cart, now=moment)
        payment_defaults = sql.insert_defaults(conn, t.payment, now=moment)
        cart_rows: list[dict] = []
        item_rows: list[dict] = []
        payment_rows: list[dict] = []
        if conn.dialect.name == "postgresql":
            _lock_levels(conn, _wanted_levels(look, window))
        ready = _priced(conn, look, window, outcomes, replay)
        # Enough stock for the whole window, level by level, means enough for each line in turn: reserved in
        # one UPDATE per stock level. Otherwise each line reserves its own, and a refusal is its own.
        pooled = _reserve_pooled(conn, [n for p in ready for n in p.needs])
        for p in ready:
            order, store, needs = p.order, p.store, p.needs
            subtotal, tax, total = p.totals
            try:
                if not pooled:
                    _reserve_needs(conn, needs)
                cart_id = sql.scalar(conn, _NEW_CART, {**cart_defaults, "l": store["id"], "status": CartStatus.CHECKOUT})
                order_id = sql.scalar(conn, _NEW_ORDER, {
                    **order_defaults, "cart_id": cart_id, "location_id": store["id"], "currency": currency,
                    "subtotal": subtotal, "tax": tax, "total": total, "tax_rate": store["tax_rate"],
                    "ship_name": p.shipping.name if p.shipping else None,
                    "ship_address": p.shipping.address if p.shipping else None, "key": order.key, "hash": order.digest,
                    "owner_host": me.host, "owner_pid": me.pid, "owner_start": me.start, **clerk,
                    **order_discount_columns(p.cart, p.order_discount),
                })
                if order_id is None:  # another process placed this ref meanwhile: give its order back
                    _release(conn, needs)
                    sql.execute(conn, _DROP_CART, {"id": cart_id, "checkout": CartStatus.CHECKOUT})
                    found = replay(conn, order.key, order.digest, order.ref)
                    if found is None:
                        raise IdempotencyConflict(f"ref {order.ref!r} is being placed by another process: run it again")
                    outcomes[order.slot] = Outcome(found.id, found.status, replayed=True, doc=found)
                    continue
            except inventory.InsufficientStock as err:
                if placed and any((n.variant_id, n.location_id) in held for n in needs):
                    left = window[p.at:]
                    for later in left:  # worked out again in their own window
                        outcomes.pop(later.slot, None)
                    break
                outcomes[order.slot] = Outcome(error=err)
                continue
            except PosError as err:
                outcomes[order.slot] = Outcome(error=err)
                continue
            held.update((n.variant_id, n.location_id) for n in needs)
            cart_rows += [{"c": cart_id, "v": line["variant_id"], "l": line["location_id"], "q": line["quantity"]}
                          for line in p.lines]
            item_rows += [{
                "order_id": order_id, "variant_id": line["variant_id"], "location_id": line["location_id"],
                "sku": line["sku"], "name": clip_chars(variant_label(line), ITEM_NAME_MAX), "quantity": line["quantity"],
                **item_price_columns(line, priced),
            } for line, priced in zip(p.lines, p.priced, strict=True)]
            payment_rows.append({
                **payment_defaults, "order_id": order_id, "processor": order.processor.name, "amount": total,
                "currency": currency, "key": order.key, "brand": order.prepared.brand, "last4": order.prepared.last4,
                "tendered": order.prepared.tendered, "shift_id": p.shift_id, **clerk,
            })
            order.order_id, order.cart_id, order.location_id = order_id, cart_id, store["id"]
            order.total, order.currency, order.needs = total, currency, needs
            placed.append(order)
        sql.execute_many(conn, _NEW_LINE, cart_rows)
        sql.execute_many(conn, _NEW_ITEM, item_rows)
        sql.execute_many(conn, _NEW_PAYMENT, payment_rows)
    return placed, left


def _priced(conn: Connection, look: _Lookups, window: list[Placing], outcomes: dict[int, Outcome],
            replay: Replay) -> list[_Priced]:
    """The window's orders that are not replays and were not refused (unknown SKU or store, bad shipping...),
    worked out; a replay or a refusal goes straight to `outcomes`."""
    known = {row["idempotency_key"] for row in sql.all_rows(
        conn, _KNOWN_KEYS, {"keys": sql.listed(conn, [order.key for order in window])})}
    ready: list[_Priced] = []
    for at, order in enumerate(window):
        try:
            found = replay(conn, order.key, order.digest, order.ref) if order.key in known else None
            if found is not None:
                outcomes[order.slot] = Outcome(found.id, found.status, replayed=True, doc=found)
                continue
            store = look.location(order.location)
            lines = _lines(look, order, store)
            cart = {"id": None, "location_id": store["id"], "ship_name": None, "ship_address": None,
                    "discount_percent": None, "discount_amount": None, "discount_reason": None}
            shipping = checked_shipping(cart, lines, order.shipping)
            priced, order_discount = price_rows(cart, lines)
            ready.append(_Priced(
                order=order, at=at, store=store, lines=lines, cart=cart, shipping=shipping, priced=priced,
                order_discount=order_discount, totals=totals_of(sum(p.net for p in priced), store["tax_rate"]),
                shift_id=look.shift(store["id"], order.processor.name == "cash"),
                needs=[Need(line["variant_id"], line["location_id"], line["quantity"], line["sku"], line["location"])
                       for line in lines],
            ))
        except PosError as err:
            outcomes[order.slot] = Outcome(error=err)
    return ready


def _reserve_pooled(conn: Connection, needs: list[Need]) -> bool:
    """Reserve what all of `needs` want, one conditional UPDATE per stock level. True when every level had
    enough; otherwise nothing is left reserved (the levels already done are given back) and False."""
    done: list[Need] = []
    for n in sum_needs(needs):
        if sql.execute(conn, _RESERVE, {"v": n.variant_id, "l": n.location_id, "n": n.quantity}) != 1:
            _release(conn, done)
            return False
        done.append(n)
    return True


def _lines(look: _Lookups, order: Placing, store: dict) -> list[Mapping[str, Any]]:
    """The order's cart lines as checkout reads them (one per variant and location, in the order first
    asked for), with the same refusals as `pos cart add`."""
    merged: dict[tuple[int, int], dict] = {}
    for item in order.items:
        variant = look.variant(item.sku)
        where = store if item.from_location is None else look.location(item.from_location)
        if where["id"] != store["id"] and not variant["is_deliverable"]:
            raise NotDeliverable(
                f"{variant['sku']} cannot be delivered, so it can only be sold from the store's own stock"
            )
        inventory.positive_quantity(item.qty)
        key = (variant["id"], where["id"])
        if key in merged:
            merged[key]["quantity"] = inventory.check_quantity(merged[key]["quantity"] + item.qty)
            continue
        merged[key] = {
            "variant_id": variant["id"], "location_id": where["id"], "quantity": item.qty, "sku": variant["sku"],
            "name": variant["name"], "price": variant["price"], "is_deliverable": variant["is_deliverable"],
            "product_name": variant["product_name"], "location": where["code"], "price_override": None,
            "price_reason": None, "discount_percent": None, "discount_amount": None, "discount_reason": None,
        }
    lines: list[Mapping[str, Any]] = list(merged.values())
    return lines


def _wanted_levels(look: _Lookups, window: list[Placing]) -> list[tuple[int, int]]:
    levels = set()
    for order in window:
        try:
            store = look.location(order.location)
            for item in order.items:
                where = store if item.from_location is None else look.location(item.from_location)
                levels.add((look.variant(item.sku)["id"], where["id"]))
        except PosError:
            continue  # the line fails on its own turn, with the same error
    return sorted(levels)


def _lock_levels(conn: Connection, levels: list[tuple[int, int]]) -> None:
    for variant_id, location_id in levels:
        sql.scalar(conn, _LOCK_LEVEL, {"v": variant_id, "l": location_id})


def _reserve_needs(conn: Connection, needs: list[Need]) -> None:
    """inventory.reserve, except that a refusal undoes this order's own reservations (with conditional
    UPDATEs) rather than the whole window's transaction."""
    done: list[Need] = []
    for n in sum_needs(needs):
        if sql.execute(conn, _RESERVE, {"v": n.variant_id, "l": n.location_id, "n": n.quantity}) != 1:
            _release(conn, done)
            left = inventory.available(conn, n.variant_id, n.location_id)
            raise inventory.InsufficientStock(
                f"not enough {n.sku} at {n.location}: {left} available, {n.quantity} wanted",
                sku=n.sku, location=n.location, available=left, requested=n.quantity,
            )
        done.append(n)


def _release(conn: Connection, needs: list[Need]) -> None:
    for n in sum_needs(needs):
        sql.execute(conn, _UNRESERVE, {"v": n.variant_id, "l": n.location_id, "n": n.quantity})


# -- 3. the window's settlement, in one transaction --------------------------------------------------------


def _settle(db: Database, placed: list[Placing], outcomes: dict[int, Outcome]) -> None:
    for attempt in range(1, SETTLE_ATTEMPTS + 1):
        try:
            with db.write() as conn:
                settled = _settle_all(conn, placed)
            outcomes.update(settled)
            return
        except DatabaseBusy as busy:
            # The processors' answers are known and must not be lost: wait for the other till, try again.
            if attempt < SETTLE_ATTEMPTS:
                time.sleep(0.2 * attempt)
                continue
            for order in placed:
                error: PosError = busy
                if order.status == PaymentStatus.APPROVED:
                    error = PaymentUnrecorded(
                        f"{order.processor.name} APPROVED the payment for order {order.order_id}, but the database "
                        "stayed busy: do not charge again; the order is pending, run `pos order reconcile` once the "
                        "database is free", order_id=order.order_id,
                    )
                outcomes[order.slot] = Outcome(order.order_id, OrderStatus.PENDING, error=error)


def _settle_all(conn: Connection, placed: list[Placing]) -> dict[int, Outcome]:
    outcomes: dict[int, Outcome] = {}
    now = sql.timestamp(conn, utcnow())
    if conn.dialect.name == "postgresql":
        _lock_levels(conn, sorted({(n.variant_id, n.location_id) for o in placed for n in o.needs}))
    paid: list[Placing] = []
    failed: list[Placing] = []
    processors: dict[int, str] = {}
    for order in placed:
        result = order.result
        assert result is not None  # call_processor answers every charge
        approved = order.status == PaymentStatus.APPROVED
        reason = clip_chars(result.reason, REASON_MAX)
        processor = sql.scalar(conn, _PAYMENT_DONE, {
            "id": order.order_id, "status": order.status, "reason": reason, "reference": result.reference,
            "change": result.change_due if approved else None, "now": now, "pending": PaymentStatus.PENDING,
            "completes": approved,  # a batch order is paid in one part: approved, it pays the order in full
        })
        if processor is None:  # `pos order reconcile` settled it while the processor was answering
            outcomes[order.slot] = _settled_elsewhere(conn, order)
            continue
        processors[order.slot] = processor
        if approved:
            paid.append(order)
            outcomes[order.slot] = Outcome(order.order_id, OrderStatus.PROCESSING)
        else:
            failed.append(order)
            outcomes[order.slot] = Outcome(order.order_id, OrderStatus.PAYMENT_FAILED, error=_declined(order, reason))
    for status, orders in ((OrderStatus.PROCESSING, paid), (OrderStatus.PAYMENT_FAILED, failed)):
        if orders:
            sql.execute(conn, _ORDERS_DONE, {"ids": sql.listed(conn, [o.order_id for o in orders]), "status": status,
                                             "now": now, "pending": OrderStatus.PENDING})
    inventory.record_movements(conn, _take(conn, paid))
    _release(conn, [n for order in failed for n in order.needs])
    # A batch order nobody will pay again (its ref replays the failure) closes its cart either way.
    if paid or failed:
        sql.execute(conn, _CARTS_DONE, {"ids": sql.listed(conn, [o.cart_id for o in paid + failed]),
                                        "closed": CartStatus.CLOSED, "now": now, "checkout": CartStatus.CHECKOUT})
    audit.record_sales(conn, [(o.location_id, o.order_id, o.total, f"paid by {processors[o.slot]}") for o in paid])
    return outcomes


def _take(conn: Connection, paid: list[Placing]) -> list[dict]:
    """The paid orders' reserved stock taken, one conditional UPDATE per stock level, and their history rows:
    one per order and level, in order, each with the on-hand count its own sale left (the transaction holds
    the levels, so nothing else moves them in between)."""
    before: dict[tuple[int, int], int] = {}
    for n in sum_needs(n for order in paid for n in order.needs):
        on_hand = sql.scalar(conn, _TAKE, {"v": n.variant_id, "l": n.location_id, "n": n.quantity})
        if on_hand is None:  # cannot happen while reservations are only made by reserve(); refuse loudly
            raise inventory.InsufficientStock(f"stock for {n.sku} at {n.location} was not reserved")
        before[n.variant_id, n.location_id] = on_hand + n.quantity
    movements: list[dict] = []
    for order in paid:
        for n in sum_needs(order.needs):
            level = (n.variant_id, n.location_id)
            before[level] -= n.quantity
            movements.append({
                "variant_id": n.variant_id, "location_id": n.location_id, "delta": -n.quantity,
                "on_hand_after": before[level], "source": "sale", "source_ref": f"order {order.order_id}", "reason": "",
            })
    return movements


def _declined(order: Placing, reason: str | None) -> PosError:
    from pos.errors import PaymentDeclined

    failed = order.status == PaymentStatus.FAILED
    reason = reason or "declined"
    return PaymentDeclined(
        f"payment {'failed' if failed else 'declined'} ({reason}): "
        f"order {order.order_id} is payment_failed and no stock was taken", reason=reason,
    )


def _settled_elsewhere(conn: Connection, order: Placing) -> Outcome:
    doc = order_document(conn, order.order_id)
    if doc.payments[0].status != order.status:
        return Outcome(doc.id, doc.status, error=SettleConflict(
            f"order {doc.id} was settled as {doc.status} by a reconcile, but {order.processor.name} answered "
            f"{order.status}: check the payment with the processor and refund or re-sell by hand",
            order=doc.plain(),
        ))
    return Outcome(doc.id, doc.status, doc=doc)
