"""Core `Table` objects of the SQLModel tables, for set-based statements on the hot paths.

Services write stock with conditional UPDATEs through SQLAlchemy Core: never load-compare-assign.

Each table is found on first use (`t.cart_item` loads pos.models.cart, and the modules of the tables its
foreign keys point at), so a one-shot command pays only for the table classes it touches: building the
SQLModel classes is most of a command's start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Table

    setting: Table
    location: Table
    product: Table
    variant: Table
    stock_level: Table
    stock_movement: Table
    cart: Table
    cart_item: Table
    orders: Table
    order_item: Table
    payment: Table
    processor_ledger: Table
    refund: Table
    refund_item: Table
    order_item_return: Table
    clerk: Table
    audit_log: Table
    register: Table
    shift: Table
    cash_movement: Table
    fulfilment: Table

# table name (also its name here) -> (module of pos.models, model class)
_MODELS = {
    "setting": ("catalog", "Setting"), "location": ("catalog", "Location"), "product": ("catalog", "Product"),
    "variant": ("catalog", "Variant"), "stock_level": ("inventory", "StockLevel"),
    "stock_movement": ("inventory", "StockMovement"), "cart": ("cart", "Cart"), "cart_item": ("cart", "CartItem"),
    "orders": ("order", "Order"), "order_item": ("order", "OrderItem"), "fulfilment": ("order", "Fulfilment"),
    "payment": ("payment", "Payment"), "processor_ledger": ("payment", "ProcessorLedger"),
    "refund": ("refund", "Refund"), "refund_item": ("refund", "RefundItem"),
    "order_item_return": ("refund", "OrderItemReturn"), "clerk": ("staff", "Clerk"),
    "audit_log": ("staff", "AuditEntry"), "register": ("staff", "Register"), "shift": ("staff", "Shift"),
    "cash_movement": ("staff", "CashMovement"),
}


def _load(name: str) -> Table:
    module, model = _MODELS[name]
    table: Table = getattr(importlib.import_module(f"pos.models.{module}"), model).__table__
    globals()[name] = table  # found once: later lookups are plain attribute reads
    for fk in table.foreign_keys:  # the tables it joins to are in the metadata too, as they always were
        target = fk.target_fullname.split(".")[0]
        if target in _MODELS and target not in globals():
            _load(target)
    return table


def __getattr__(name: str) -> Any:
    if name not in _MODELS:
        raise AttributeError(f"module 'pos.services.tables' has no attribute {name!r}")
    return _load(name)
