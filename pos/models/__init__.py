"""SQLModel tables and schemas, split by participant of the purchase flow.

Importing this package registers every table on `SQLModel.metadata`.
"""

from pos.models.catalog import (
    Location, LocationCreate, Product, ProductCreate, Setting, Variant, VariantCreate,
)
from pos.models.inventory import StockLevel, StockMovement
from pos.models.cart import Cart, CartItem
from pos.models.order import Fulfilment, Order, OrderItem
from pos.models.payment import Payment, ProcessorLedger
from pos.models.refund import OrderItemReturn, Refund, RefundItem
from pos.models.staff import AuditEntry, CashMovement, Clerk, Register, Shift

from sqlmodel import SQLModel

metadata = SQLModel.metadata

__all__ = [
    "AuditEntry", "CashMovement", "Clerk", "Register", "Shift",
    "Cart", "CartItem", "Fulfilment", "Location", "LocationCreate",
    "Order", "OrderItem", "OrderItemReturn", "Payment", "ProcessorLedger", "Product",
    "ProductCreate", "Refund", "RefundItem", "Setting", "StockLevel", "StockMovement", "Variant", "VariantCreate", "metadata",
]
