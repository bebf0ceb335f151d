"""Refunds: money and stock going back for an order, once.

A refund is recorded `pending` (with its idempotency key) before its processor is asked to pay it back,
then settled `approved` or `declined`. Its items say which order lines went back, how many units, where
they were restocked (or that they were not), and what each refunded. `order_item_return` counts the
units of each order line already taken back (or being taken back by a pending refund): a conditional
UPDATE on it is what stops two tills refunding the last unit twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from pos.models._common import Document, Money, utcnow

if TYPE_CHECKING:  # pos.models.order imports this module; it completes these documents once it is loaded
    from pos.models.order import OrderStatus


class RefundStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class RefundKind(StrEnum):
    RETURN = "return"  # pos return: some or all units
    CANCEL = "cancel"  # pos order cancel: the whole order, which ends `cancelled`
    ABANDON = "abandon"  # a sale paid in parts and given up before the parts covered it: one approved part back


CASH_METHOD = "cash"


class Refund(SQLModel, table=True):
    __tablename__ = "refund"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="ck_refund_amount_nonnegative"),
        CheckConstraint("tax >= 0 AND tax <= amount", name="ck_refund_tax"),
        # `pos order reconcile` looks for pending refunds; the index holds only those.
        Index("ix_refund_pending", "id", sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
        # The sales reports: approved refunds over a range of moments (0013).
        Index("ix_refund_status_created_at", "status", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    payment_id: int | None = Field(default=None, foreign_key="payment.id",
                                   description="the payment (part) it pays back, or that a cash refund stands for")
    kind: str = Field(default=RefundKind.RETURN, max_length=16)
    status: str = Field(default=RefundStatus.PENDING, max_length=16)
    method: str = Field(max_length=64, description="the processor that pays it back: the order's, or cash")
    amount: int = Field(sa_type=Money)
    tax: int = Field(sa_type=Money)
    currency: str = Field(max_length=3)
    reason: str = Field(default="", max_length=500)
    idempotency_key: str = Field(max_length=200, unique=True)
    request_hash: str | None = Field(default=None, max_length=64)
    reference: str | None = Field(default=None, max_length=200, description="the processor's own id")
    decline_reason: str | None = Field(default=None, max_length=500)
    owner_host: str | None = Field(default=None, max_length=255)
    owner_pid: int | None = Field(default=None)
    owner_start: str | None = Field(default=None, max_length=64)
    clerk_id: int | None = Field(default=None, description="who gave it")
    approver_id: int | None = Field(default=None, description="the manager who approved it")
    shift_id: int | None = Field(default=None, index=True, description="the drawer shift it was paid from, if any")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RefundItem(SQLModel, table=True):
    __tablename__ = "refund_item"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_refund_item_quantity_positive"),
        CheckConstraint("amount >= 0", name="ck_refund_item_amount_nonnegative"),
    )
    id: int | None = Field(default=None, primary_key=True)
    refund_id: int = Field(foreign_key="refund.id", index=True)
    order_item_id: int = Field(foreign_key="order_item.id")
    sku: str = Field(max_length=64)
    quantity: int
    location_id: int = Field(foreign_key="location.id", description="where the units go back on hand")
    restocked: bool
    subtotal: int = Field(sa_type=Money)
    tax: int = Field(sa_type=Money)
    amount: int = Field(sa_type=Money)


class OrderItemReturn(SQLModel, table=True):
    """Units of an order line returned or being returned: `returned <= sold`, guarded by the database."""

    __tablename__ = "order_item_return"
    __table_args__ = (
        CheckConstraint("returned >= 0 AND returned <= sold", name="ck_order_item_return_within_sale"),
    )
    order_item_id: int = Field(foreign_key="order_item.id", primary_key=True)
    sold: int
    returned: int = 0


# -- documents --------------------------------------------------------------------------------------------


class RefundStore(Document):
    """The store of the refunded order, as its refund receipts show it."""

    code: str
    name: str
    address: str
    receipt_footer: str
    timezone: str


class RefundItemPublic(Document):
    sku: str
    name: str
    quantity: int
    location: str
    restocked: bool
    amount: int


class RefundPublic(Document):
    """One refund (`pos return`, `pos refund show`): what went back, where, and how it was paid back."""

    id: int
    order_id: int
    kind: RefundKind
    status: RefundStatus
    amount: int
    tax: int
    currency: str
    method: str
    reason: str
    reference: str | None = None
    decline_reason: str | None = None
    idempotency_key: str
    created_at: str = Field(description="UTC, ISO 8601 with Z")
    timezone: str | None = None
    store: RefundStore | None = None
    order_status: OrderStatus = Field(description="the order's status after this refund")
    items: list[RefundItemPublic]
    replayed: bool = False
    clerk: str | None = Field(default=None, description="the clerk who took it back (None: a store without clerks)")
    approved_by: str | None = Field(default=None, description="the manager who approved it")


class RefundSummary(Document):
    """A refund as the order document lists it."""

    id: int
    amount: int
    status: RefundStatus
    method: str
    created_at: str


class CancellationPublic(Document):
    """`pos order cancel`: the order's new status and, when money went back, its refund."""

    order_id: int
    status: OrderStatus
    refund: RefundPublic | None = None
    refunds: list[RefundPublic] = Field(
        default_factory=list, description="a sale abandoned between parts: one refund per approved part paid back")
    replayed: bool = False


class RefundList(Document):
    """`pos refund list --json`: refunds, newest first."""

    refunds: list[RefundPublic]
    count: int
