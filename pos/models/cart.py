"""Carts: a sale in progress at one store, each line drawing on one location's stock.

The cart documents and CartStatus live in table-free modules (`pos.models.cart_documents`,
`pos.models.statuses`), re-exported here: `pos cart add` builds them without loading the table classes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from pos.models._common import Money, utcnow
from pos.models.cart_documents import CartItemPublic as CartItemPublic, CartPublic as CartPublic
from pos.models.cart_documents import SalePublic as SalePublic
from pos.models.statuses import CartStatus as CartStatus


class Cart(SQLModel, table=True):
    __tablename__ = "cart"
    __table_args__ = (
        # Only carts still in play, per store (a till resuming its sale); closed carts stay out of it.
        Index("ix_cart_unsettled", "location_id", sqlite_where=text("status <> 'closed'"),
              postgresql_where=text("status <> 'closed'")),
    )
    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    status: str = Field(default=CartStatus.OPEN, max_length=16)
    ship_name: str | None = Field(default=None, max_length=200)
    ship_address: str | None = Field(default=None, max_length=500)
    # Set while the sale is parked at a till (`park`); a till resuming it clears it, one till only.
    parked_at: datetime | None = Field(default=None)
    park_note: str | None = Field(default=None, max_length=200)
    # The order discount (pos cart discount CART ...): a percent (millionths) or an amount, and why.
    discount_percent: int | None = Field(default=None)
    discount_amount: int | None = Field(default=None, sa_type=Money)
    discount_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})


class CartItem(SQLModel, table=True):
    __tablename__ = "cart_item"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id", "location_id", name="uq_cart_item_line"),
        CheckConstraint("quantity > 0", name="ck_cart_item_quantity_positive"),
    )
    id: int | None = Field(default=None, primary_key=True)
    cart_id: int = Field(foreign_key="cart.id")  # the line key (cart, variant, location) indexes it
    variant_id: int = Field(foreign_key="variant.id")
    location_id: int = Field(foreign_key="location.id")
    quantity: int
    # A changed unit price (None: the variant's price) and the line's own discount, each with its reason.
    unit_price: int | None = Field(default=None, sa_type=Money)
    price_reason: str | None = Field(default=None, max_length=500)
    discount_percent: int | None = Field(default=None)
    discount_amount: int | None = Field(default=None, sa_type=Money)
    discount_reason: str | None = Field(default=None, max_length=500)
