"""Orders and their items: append-only facts, copied from the cart at checkout."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from pos.models._common import Money, utcnow

ORDER_PENDING = "pending"
ORDER_PROCESSING = "processing"
ORDER_PAYMENT_FAILED = "payment_failed"
ORDER_PARTIALLY_REFUNDED = "partially_refunded"  # some units returned and paid back
ORDER_REFUNDED = "refunded"  # every unit returned and paid back
ORDER_CANCELLED = "cancelled"  # cancelled whole (pos order cancel), or a failed payment's customer left
ORDER_STATUSES = (
    ORDER_PENDING, ORDER_PROCESSING, ORDER_PAYMENT_FAILED, ORDER_PARTIALLY_REFUNDED, ORDER_REFUNDED, ORDER_CANCELLED,
)


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
    status: str = Field(default=ORDER_PENDING, max_length=32)
    currency: str = Field(max_length=3)
    subtotal: int = Field(sa_type=Money)
    tax: int = Field(sa_type=Money)
    total: int = Field(sa_type=Money)
    tax_rate: int
    ship_name: str | None = Field(default=None, max_length=200)
    ship_address: str | None = Field(default=None, max_length=500)
    idempotency_key: str = Field(max_length=200, unique=True)
    request_hash: str | None = Field(default=None, max_length=64)
    # The process that placed the order and is paying for it (set once, at checkout), so that
    # `pos order reconcile` can tell a till that died from one still waiting for its processor.
    owner_host: str | None = Field(default=None, max_length=255)
    owner_pid: int | None = Field(default=None)
    owner_start: str | None = Field(default=None, max_length=64, description="boot id and process start ticks")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


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
