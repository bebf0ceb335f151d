"""The cart documents (`pos cart ...`, the till's sale), with no table class beside them: the cart service
builds them from prebuilt SQL, so `pos cart add` answers without loading the SQLModel tables
(`pos.models.cart` re-exports them)."""

from __future__ import annotations

from pydantic import Field

from pos.models._common import Document, Shipping
from pos.models.statuses import CartStatus


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
