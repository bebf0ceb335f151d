"""Carts: a sale in progress at one store, each line drawing on one location's stock."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from pos.models._common import Document, Money, Shipping, utcnow



class CartStatus(StrEnum):
    OPEN = "open"
    CHECKOUT = "checkout"  # a payment is being taken; nothing may change
    CLOSED = "closed"


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


# -- documents ------------------------------------------------------------------------------------------


class CartItemPublic(Document):
    sku: str
    name: str
    quantity: int
    location: str = Field(description="where the stock comes from")
    unit_price: int = Field(description="the price it is sold at: the list price, or a changed one")
    line_total: int = Field(description="quantity x unit_price, before discounts")
    delivery: bool = Field(description="drawn from another location than the cart's, so shipped")
    list_price: int = Field(default=0, description="the catalogue's price")
    price_reason: str | None = Field(default=None, description="why the unit price was changed")
    discount: int = Field(default=0, description="the line's own discount")
    discount_percent: str | None = Field(default=None, description="the line discount's percent, as text")
    discount_reason: str | None = None
    order_discount: int = Field(default=0, description="the line's share of the order discount")
    net_total: int = Field(default=0, description="line_total less both discounts: what the line costs before tax")


class CartPublic(Document):
    id: int
    location: str
    status: CartStatus
    items: list[CartItemPublic]
    subtotal: int = Field(description="the lines' net totals: after every discount, before tax")
    currency: str
    shipping: Shipping | None
    parked_at: str | None = Field(default=None, description="UTC, ISO 8601 with Z: when a till parked it; None: not parked")
    park_note: str | None = Field(default=None, description="the note it was parked with")
    discount: int = Field(default=0, description="the order discount, spread over the lines")
    discount_percent: str | None = Field(default=None, description="the order discount's percent, as text")
    discount_reason: str | None = None


class SalePublic(Document):
    """The till's sale: a cart priced at its store's tax rate as it is now, what checkout would charge.
    Before the first line there is no cart yet: `id` is None and the sale is empty."""

    id: int | None
    location: str
    status: CartStatus
    items: list[CartItemPublic]
    subtotal: int = Field(description="the lines' net totals: after every discount, before tax")
    currency: str
    shipping: Shipping | None
    discount: int = Field(default=0, description="the order discount, spread over the lines")
    discount_percent: str | None = Field(default=None, description="the order discount's percent, as text")
    discount_reason: str | None = None
    tax: int
    total: int
    parked_at: str | None = Field(default=None, description="UTC, ISO 8601 with Z: when a till parked it; None: not parked")
    park_note: str | None = Field(default=None, description="the note it was parked with")
