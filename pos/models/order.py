"""Orders and their items: append-only facts, copied from the cart at checkout."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from typing import Literal

from pydantic import ConfigDict

from pos.models._common import Document, Money, Shipping, utcnow
from pos.models.payment import PaymentStatus
from pos.models.statuses import OrderStatus
from pos.models.refund import CancellationPublic, RefundList, RefundPublic, RefundStatus, RefundSummary


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total = subtotal + tax", name="ck_orders_total"),
        # `pos order reconcile` looks for pending orders; the index holds only those.
        Index("ix_orders_pending", "id", sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
    )
    id: int | None = Field(default=None, primary_key=True)
    cart_id: int = Field(foreign_key="cart.id")
    location_id: int = Field(foreign_key="location.id")
    status: str = Field(default=OrderStatus.PENDING, max_length=32)
    currency: str = Field(max_length=3)
    subtotal: int = Field(sa_type=Money)
    tax: int = Field(sa_type=Money)
    total: int = Field(sa_type=Money)
    tax_rate: int
    ship_name: str | None = Field(default=None, max_length=200)
    ship_address: str | None = Field(default=None, max_length=500)
    # The order discount, spread over the items' `order_discount`; `subtotal` is already net of it.
    discount: int = Field(default=0, sa_type=Money, sa_column_kwargs={"server_default": "0"})
    discount_percent: int | None = Field(default=None, description="millionths, when given as a percent")
    discount_reason: str | None = Field(default=None, max_length=500)
    idempotency_key: str = Field(max_length=200, unique=True)
    request_hash: str | None = Field(default=None, max_length=64)
    # The process that placed the order and is paying for it (set once, at checkout), so that
    # `pos order reconcile` can tell a till that died from one still waiting for its processor.
    owner_host: str | None = Field(default=None, max_length=255)
    owner_pid: int | None = Field(default=None)
    owner_start: str | None = Field(default=None, max_length=64, description="boot id and process start ticks")
    clerk_id: int | None = Field(default=None, description="who rang it up (None: a store without clerks)")
    approver_id: int | None = Field(default=None, description="the manager who approved it, where one did")
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})


class OrderItem(SQLModel, table=True):
    __tablename__ = "order_item"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_order_item_quantity_positive"),
        CheckConstraint("line_total = quantity * unit_price", name="ck_order_item_line_total"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    variant_id: int = Field(foreign_key="variant.id")
    location_id: int = Field(foreign_key="location.id")
    sku: str = Field(max_length=64)
    name: str = Field(max_length=400)
    quantity: int
    unit_price: int = Field(sa_type=Money)
    line_total: int = Field(sa_type=Money)
    # What the line was paid is line_total - discount - order_discount (refunds give back shares of it).
    list_price: int = Field(sa_type=Money, description="the catalogue's price; unit_price differs when changed")
    price_reason: str | None = Field(default=None, max_length=500)
    discount: int = Field(default=0, sa_type=Money, sa_column_kwargs={"server_default": "0"})
    discount_percent: int | None = Field(default=None)
    discount_reason: str | None = Field(default=None, max_length=500)
    order_discount: int = Field(default=0, sa_type=Money, sa_column_kwargs={"server_default": "0"})


class Fulfilment(SQLModel, table=True):
    """A delivery line shipped from its location (order items are append-only: this is kept beside them)."""

    __tablename__ = "fulfilment"
    __table_args__ = (
        UniqueConstraint("order_item_id", name="uq_fulfilment_order_item"),
        CheckConstraint("quantity > 0", name="ck_fulfilment_quantity_positive"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    order_item_id: int = Field(foreign_key="order_item.id")
    location_id: int = Field(foreign_key="location.id", description="where it was shipped from")
    quantity: int = Field(description="units shipped: those sold less those returned before shipping")
    tracking: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


# -- documents ------------------------------------------------------------------------------------------


class FulfilmentState(StrEnum):
    AT_SALE = "at_sale"  # a store line of a paid order: handed over at the counter
    TO_SHIP = "to_ship"  # a delivery line of a paid order, not shipped yet
    SHIPPED = "shipped"  # `pos order fulfil`
    NONE = "none"  # nothing to hand over: the order was never paid, or every unit came back before shipping


class ItemFulfilment(Document):
    state: FulfilmentState
    shipped_at: str | None = Field(default=None, description="UTC, ISO 8601 with Z")
    quantity: int | None = Field(default=None, description="units shipped")
    tracking: str | None = None


class OrderStore(Document):
    """The selling location, as its receipts show it."""

    code: str
    name: str
    address: str
    receipt_footer: str
    timezone: str


class OrderItemPublic(Document):
    sku: str
    name: str
    quantity: int
    location: str
    unit_price: int = Field(description="the price it was sold at")
    line_total: int = Field(description="quantity x unit_price, before discounts")
    delivery: bool
    fulfilment: ItemFulfilment | None = None
    list_price: int = Field(description="the catalogue's price")
    price_reason: str | None = Field(description="why the unit price was changed")
    discount: int = Field(description="the line's own discount")
    discount_percent: str | None = Field(description="the line discount's percent, as text")
    discount_reason: str | None
    order_discount: int = Field(description="the line's share of the order discount")
    net_total: int = Field(description="what the line was paid before tax: line_total less both discounts")


class OrderPayment(Document):
    """The payment of an order: card payments add brand and last4, cash adds tendered and change."""

    processor: str
    status: PaymentStatus
    amount: int
    reason: str | None
    reference: str | None
    brand: str | None = None
    last4: str | None = None
    tendered: int | None = None
    change: int | None = None


class OrderPublic(Document):
    id: int
    status: OrderStatus
    cart_id: int
    location: str
    store: OrderStore
    created_at: str = Field(description="UTC, ISO 8601 with Z")
    timezone: str = Field(description="the store's zone, in which views show created_at")
    items: list[OrderItemPublic]
    discount: int = Field(description="the order discount (the items' order_discount add up to it)")
    discount_percent: str | None = Field(description="the order discount's percent, as text")
    discount_reason: str | None
    subtotal: int = Field(description="the items' net totals: after every discount, before tax")
    tax_rate: str = Field(description="percent, as text")
    tax: int
    total: int
    currency: str
    payment: OrderPayment | None = Field(description="the only payment, or the first part of a split payment")
    payments: list[OrderPayment] = Field(description="every payment (part) in the order it was made")
    paid: int = Field(description="the approved parts' amounts summed, in minor units")
    balance_due: int = Field(description="still to pay while the order is pending: total - paid; else 0")
    shipping: Shipping | None
    idempotency_key: str
    refunded: int = Field(description="paid back so far by approved refunds, in minor units")
    refunds: list[RefundSummary] = Field(description="every refund of the order, declined and pending included")
    clerk: str | None = Field(default=None, description="the clerk who rang it up (None: a store without clerks)")
    approved_by: str | None = Field(default=None, description="the manager who approved it, where one did")


class OrderSummaryPayment(Document):
    processor: str | None
    status: PaymentStatus | None


class OrderSummary(Document):
    """An order in a list."""

    id: int
    status: OrderStatus
    cart_id: int
    location: str
    created_at: str
    timezone: str
    subtotal: int
    tax: int
    total: int
    currency: str
    payment: OrderSummaryPayment


class OrderPage(Document):
    orders: list[OrderSummary]
    count: int
    total: int
    truncated: bool
    next_after: int | None


class ReconcileOwner(Document):
    host: str
    pid: int | None
    state: str


class ReconcileResult(Document):
    """What `pos order reconcile` did with one pending order, or one pending refund (`refund_id` set)."""

    order_id: int
    refund_id: int | None = Field(default=None, description="set when the row is a refund, not a sale")
    processor: str
    eligible_at: str | None
    owner: ReconcileOwner | None
    outcome: Literal["paid", "failed", "approved", "declined", "already_settled", "waiting", "unknown", "error",
                     "abandoned"] = Field(description="abandoned: a sale paid in parts that never covered its total "
                                                      "was cancelled and its approved parts paid back")
    status: OrderStatus | RefundStatus
    reason: str | None


# -- pos batch: one JSON object per line in, one result per line out ----------------------------------------


class BatchLineItem(Document):
    sku: str
    qty: int = Field(default=1, gt=0)
    from_: str | None = Field(default=None, alias="from", description="the location the stock comes from")


class BatchLinePayment(Document):
    """The processor, and its parameters (e.g. card, expiry; tendered for cash)."""

    model_config = ConfigDict(extra="allow")

    processor: str


class BatchLine(Document):
    """One line of the input of `pos batch`."""

    ref: str = Field(min_length=1, max_length=180, description="identifies the order: a re-run replays it")
    location: str = Field(min_length=1)
    items: list[BatchLineItem] = Field(min_length=1)
    payment: BatchLinePayment
    shipping: Shipping | None = None


class BatchError(Document):
    code: str
    message: str


class BatchLineResult(Document):
    line: int
    ref: str | None
    order_id: int | None
    status: OrderStatus | RefundStatus | Literal["error"]
    error: BatchError | None
    replayed: bool
    refund_id: int | None = Field(default=None, description="return and cancel lines: the refund made")


class BatchSummary(Document):
    """The last line of `pos batch --json`."""

    summary: Literal[True]
    lines: int
    ok: int
    failed: int
    replayed: int
    seconds: float
    orders_per_second: float | None


# The refund documents carry the order's status, defined here; pos.models.refund cannot import this module
# (this module imports it), so they are completed now that OrderStatus exists.
for _document in (RefundPublic, CancellationPublic, RefundList):
    _document.model_rebuild(_types_namespace={"OrderStatus": OrderStatus})


# -- pos order pick / fulfil ----------------------------------------------------------------------------------


class PickLine(Document):
    """One delivery line to ship from the pick list's location."""

    order_id: int
    ordered_at: str = Field(description="UTC, ISO 8601 with Z")
    store: str = Field(description="the location that sold it")
    sku: str
    name: str
    quantity: int = Field(description="units to ship: sold less those returned")
    ship_name: str | None
    ship_address: str | None


class PickList(Document):
    """`pos order pick`: the delivery lines still to ship from one location, oldest order first."""

    location: str
    lines: list[PickLine]
    count: int


class FulfilResult(Document):
    """`pos order fulfil`: the lines it shipped, and the order as it now is."""

    order_id: int
    location: str | None = Field(description="the location asked for; None: every location")
    shipped: list[PickLine]
    tracking: str
    status: OrderStatus
    order: OrderPublic
