"""Stock per variant and location, and the append-only history of every change to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from pos.models._common import Document, utcnow
from pos.models.stock import StockAtLocation, StockPublic as StockPublic


class StockLevel(SQLModel, table=True):
    """`available` is `on_hand - reserved`; reservations hold stock for checkouts awaiting payment."""

    __tablename__ = "stock_level"
    __table_args__ = (
        UniqueConstraint("variant_id", "location_id", name="uq_stock_level_variant_location"),
        CheckConstraint("on_hand >= 0", name="ck_stock_level_on_hand_nonnegative"),
        CheckConstraint("reserved >= 0", name="ck_stock_level_reserved_nonnegative"),
        CheckConstraint("reserved <= on_hand", name="ck_stock_level_reserved_within_on_hand"),
    )
    id: int | None = Field(default=None, primary_key=True)
    variant_id: int = Field(foreign_key="variant.id")
    location_id: int = Field(foreign_key="location.id", index=True)
    on_hand: int = 0
    reserved: int = 0
    reorder_level: int | None = Field(default=None, description="low when available is at or below this")
    reorder_quantity: int | None = Field(default=None, description="how many to order when low; None: enough "
                                         "to bring available back above the level")


class StockMovement(SQLModel, table=True):
    """One row per change of on-hand stock, written in the same transaction as the change."""

    __tablename__ = "stock_movement"
    __table_args__ = (Index("ix_stock_movement_variant_location", "variant_id", "location_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    variant_id: int = Field(foreign_key="variant.id")
    location_id: int = Field(foreign_key="location.id")
    delta: int
    on_hand_after: int
    reason: str = Field(default="", max_length=500)
    source: str = Field(max_length=32, description="set, adjust, sale, import, ...")
    source_ref: str = Field(default="", max_length=500, description="order id, file:line, ...")
    clerk_id: int | None = Field(default=None, description="who changed it (None: no clerks, or a sale's settlement)")
    approver_id: int | None = Field(default=None)


# -- documents ------------------------------------------------------------------------------------------


class StockMovementPublic(Document):
    id: int
    at: str = Field(description="UTC, ISO 8601 with Z")
    timezone: str = Field(description="the location's zone, in which views show `at`")
    sku: str
    location: str
    change: int
    on_hand: int = Field(description="on hand after the change")
    source: str
    ref: str
    reason: str


class StockHistoryPage(Document):
    """`pos stock history`: a list that may be cut; `truncated` says so, `next_after` is the cursor for the rest."""

    history: list[StockMovementPublic]
    count: int
    total: int
    truncated: bool
    next_after: int | None


class TransferPublic(Document):
    """`pos stock transfer`: units moved from one location to another, and both levels after."""

    sku: str
    name: str
    quantity: int
    reason: str
    from_: StockAtLocation = Field(alias="from")
    to: StockAtLocation


class ReorderLine(Document):
    """A variant's reorder rule at one location, with its stock now (`pos stock reorder`, `pos stock low`)."""

    sku: str
    name: str
    location: str
    on_hand: int
    reserved: int
    available: int
    reorder_level: int | None
    reorder_quantity: int | None = Field(description="None: order enough to bring available above the level")
    to_order: int = Field(description="0 unless available is at or below the level")


class LowStockList(Document):
    """`pos stock low`: every variant whose available stock is at or below its reorder level, per location."""

    location: str | None = Field(description="the location asked for; None: every location")
    items: list[ReorderLine]
    count: int
