"""SQLModel tables and schemas, split by participant of the purchase flow.

The package loads its modules on first use: `from pos.models import Order` imports pos.models.order,
and `pos.models.metadata` imports every table module first, so the metadata holds every table. A
one-shot command that needs only documents (`pos.models.stock`) or statuses (`pos.models.statuses`)
never pays for the SQLModel table classes (tests/e2e/test_startup.py checks it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from pos.models.cart import Cart, CartItem
    from pos.models.catalog import Location, LocationCreate, Product, ProductCreate, Setting, Variant, VariantCreate
    from pos.models.inventory import StockLevel, StockMovement
    from pos.models.order import Fulfilment, Order, OrderItem
    from pos.models.payment import Payment, ProcessorLedger
    from pos.models.refund import OrderItemReturn, Refund, RefundItem
    from pos.models.staff import AuditEntry, CashMovement, Clerk, Register, Shift

    metadata: MetaData

_HOME = {
    "catalog": ("Location", "LocationCreate", "Product", "ProductCreate", "Setting", "Variant", "VariantCreate"),
    "inventory": ("StockLevel", "StockMovement"),
    "cart": ("Cart", "CartItem"),
    "order": ("Fulfilment", "Order", "OrderItem"),
    "payment": ("Payment", "ProcessorLedger"),
    "refund": ("OrderItemReturn", "Refund", "RefundItem"),
    "staff": ("AuditEntry", "CashMovement", "Clerk", "Register", "Shift"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = [
    "AuditEntry", "CashMovement", "Clerk", "Register", "Shift",
    "Cart", "CartItem", "Fulfilment", "Location", "LocationCreate",
    "Order", "OrderItem", "OrderItemReturn", "Payment", "ProcessorLedger", "Product",
    "ProductCreate", "Refund", "RefundItem", "Setting", "StockLevel", "StockMovement", "Variant", "VariantCreate", "metadata",
]


def __getattr__(name: str) -> Any:
    if name == "metadata":
        for participant in _HOME:  # every table registers itself on SQLModel.metadata as its module loads
            importlib.import_module(f"pos.models.{participant}")
        from sqlmodel import SQLModel

        return SQLModel.metadata
    home = _MODULE_OF.get(name)
    if home is None:
        raise AttributeError(f"module 'pos.models' has no attribute {name!r}")
    return getattr(importlib.import_module(f"pos.models.{home}"), name)
