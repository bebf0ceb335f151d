"""Clerks, the audit log, registers, shifts and the cash drawer's movements.

A store with no clerk rows works as before: every column that names a clerk is nullable. Clerks are
never deleted (disabled instead), so the ids written on sales, refunds and stock rows stay meaningful.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from pos.models._common import Money, utcnow
from pos.models.statuses import ClerkRole


class ShiftStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CashMovementKind(StrEnum):
    CASH_IN = "cash_in"
    CASH_OUT = "cash_out"
    NO_SALE = "no_sale"  # the drawer opened without a sale: amount 0


class Clerk(SQLModel, table=True):
    """A person who signs in. `pin_hash` is a salted scrypt hash (pos.services.pins), never the PIN."""

    __tablename__ = "clerk"
    __table_args__ = (
        CheckConstraint("role IN ('clerk', 'manager')", name="ck_clerk_role"),
        CheckConstraint("failed_attempts >= 0", name="ck_clerk_failed_attempts_nonnegative"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    role: str = Field(default=ClerkRole.CLERK, max_length=16)
    pin_hash: str = Field(max_length=200)
    active: bool = Field(default=True)
    failed_attempts: int = Field(default=0, description="wrong PINs in a row since the last good one")
    locked_until: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})


class AuditEntry(SQLModel, table=True):
    """Who did what, when, on what, approved by whom. Append-only: triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_clerk", "clerk_id", "id"),
        Index("ix_audit_log_action", "action", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    action: str = Field(max_length=32)
    clerk_id: int | None = Field(default=None, description="who acted (None: a store without clerks)")
    clerk_name: str | None = Field(default=None, max_length=100, description="as typed, for failed sign-ins")
    approver_id: int | None = Field(default=None)
    location_id: int | None = Field(default=None)
    order_id: int | None = Field(default=None)
    refund_id: int | None = Field(default=None)
    shift_id: int | None = Field(default=None)
    sku: str | None = Field(default=None, max_length=64)
    amount: int | None = Field(default=None, sa_type=Money)
    detail: str = Field(default="", max_length=500)


class Register(SQLModel, table=True):
    """A cash drawer at a location. A location's first shift makes its default register."""

    __tablename__ = "register"
    __table_args__ = (UniqueConstraint("location_id", "name", name="uq_register_location_name"),)
    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    name: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class Shift(SQLModel, table=True):
    """A drawer's session, from the float counted in to the cash counted out. One open shift per register."""

    __tablename__ = "shift"
    __table_args__ = (
        CheckConstraint("float_amount >= 0", name="ck_shift_float_nonnegative"),
        CheckConstraint("counted IS NULL OR counted >= 0", name="ck_shift_counted_nonnegative"),
        Index("uq_shift_open_register", "register_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        Index("ix_shift_location", "location_id", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    register_id: int = Field(foreign_key="register.id")
    location_id: int = Field(foreign_key="location.id")
    status: str = Field(default=ShiftStatus.OPEN, max_length=16)
    float_amount: int = Field(sa_type=Money)
    opened_at: datetime = Field(default_factory=utcnow)
    opened_by: int | None = Field(default=None)
    closed_at: datetime | None = Field(default=None)
    closed_by: int | None = Field(default=None)
    counted: int | None = Field(default=None, sa_type=Money)
    expected_cash: int | None = Field(default=None, sa_type=Money, description="computed at close, kept")


class CashMovement(SQLModel, table=True):
    """Cash put into or taken out of a drawer other than by a sale or refund, and no-sale openings."""

    __tablename__ = "cash_movement"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="ck_cash_movement_amount_nonnegative"),
        CheckConstraint("kind IN ('cash_in', 'cash_out', 'no_sale')", name="ck_cash_movement_kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)
    kind: str = Field(max_length=16)
    amount: int = Field(sa_type=Money)
    reason: str = Field(default="", max_length=500)
    clerk_id: int | None = Field(default=None)
    approver_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
