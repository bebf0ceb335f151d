"""Payment attempts. Only the card brand and last four digits are ever kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from pos.models._common import Document, Money, utcnow
from pos.models.statuses import PaymentStatus


class Payment(SQLModel, table=True):
    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="ck_payment_amount_nonnegative"),
        CheckConstraint("tendered IS NULL OR tendered >= 0", name="ck_payment_tendered_nonnegative"),
        # The sales reports: approved payments over a range of moments (0013).
        Index("ix_payment_status_created_at", "status", "created_at"),
        # A sale paid in parts has one row per part (1, 2, ...); a one-payment sale has part 1 only.
        UniqueConstraint("order_id", "part", name="uq_payment_order_part"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    part: int = Field(default=1, description="1 for the first (or only) payment of the order, then 2, 3...")
    # Set on the payment whose approval paid the order in full (its only one, or its last part): the
    # reports count the sale and its tax there, once (0015).
    completes: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    processor: str = Field(max_length=64)
    status: str = Field(default=PaymentStatus.PENDING, max_length=16)
    amount: int = Field(sa_type=Money)
    currency: str = Field(max_length=3)
    idempotency_key: str = Field(max_length=200)
    reference: str | None = Field(default=None, max_length=200, description="the processor's own id")
    reason: str | None = Field(default=None, max_length=500)
    brand: str | None = Field(default=None, max_length=32)
    last4: str | None = Field(default=None, max_length=4)
    tendered: int | None = Field(default=None, sa_type=Money)
    change_due: int | None = Field(default=None, sa_type=Money)
    clerk_id: int | None = Field(default=None, description="who took it")
    shift_id: int | None = Field(default=None, index=True, description="the drawer shift it was taken in, if any")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})


LEDGER_CHARGE = "charge"
LEDGER_REFUND = "refund"


class ProcessorLedger(SQLModel, table=True):
    """What the built-in processors (cash drawer, card simulator) did, by idempotency key.

    A real processor keeps this on its side; the built-ins keep it here so that `lookup` can answer.
    Only the brand and last four digits of a card: never its number or expiry.
    """

    __tablename__ = "processor_ledger"
    __table_args__ = (
        UniqueConstraint("processor", "idempotency_key", "kind", name="uq_processor_ledger_key"),
        CheckConstraint("amount >= 0", name="ck_processor_ledger_amount_nonnegative"),
    )
    id: int | None = Field(default=None, primary_key=True)
    processor: str = Field(max_length=64)
    idempotency_key: str = Field(max_length=200)
    kind: str = Field(default=LEDGER_CHARGE, max_length=16)
    status: str = Field(max_length=16)
    amount: int = Field(sa_type=Money)
    currency: str = Field(max_length=3)
    brand: str | None = Field(default=None, max_length=32)
    last4: str | None = Field(default=None, max_length=4)
    reference: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=500)
    change_due: int | None = Field(default=None, sa_type=Money)
    created_at: datetime = Field(default_factory=utcnow)


# -- documents ------------------------------------------------------------------------------------------


class ProcessorPublic(Document):
    """An installed payment processor (`pos payment list`)."""

    name: str
    description: str
    parameters: dict[str, str] = Field(description="parameter name to what it means")
    module: str = Field(description="the entry point: module:Class")
    distribution: str | None = Field(description="the package that provides it, and its version")
    error: str | None = Field(description="why it cannot be loaded, when it cannot")
