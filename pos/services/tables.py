"""Core `Table` objects of the SQLModel tables, for set-based statements on the hot paths.

Services write stock with conditional UPDATEs through SQLAlchemy Core: never load-compare-assign.
"""

from typing import Any

from sqlalchemy import Table

from pos.models import (
    Cart, CartItem, Fulfilment, Location, Order, OrderItem, OrderItemReturn, Payment, ProcessorLedger, Product, Refund, RefundItem,
    Setting, StockLevel, StockMovement, Variant,
)
from pos.models import AuditEntry, CashMovement, Clerk, Register, Shift


def _table(model: Any) -> Table:
    return model.__table__  # SQLModel sets it on each table=True class; its type stubs do not say so


setting = _table(Setting)
location = _table(Location)
product = _table(Product)
variant = _table(Variant)
stock_level = _table(StockLevel)
stock_movement = _table(StockMovement)
cart = _table(Cart)
cart_item = _table(CartItem)
orders = _table(Order)
order_item = _table(OrderItem)
payment = _table(Payment)
processor_ledger = _table(ProcessorLedger)
refund = _table(Refund)
refund_item = _table(RefundItem)
order_item_return = _table(OrderItemReturn)
clerk = _table(Clerk)
audit_log = _table(AuditEntry)
register = _table(Register)
shift = _table(Shift)
cash_movement = _table(CashMovement)
fulfilment = _table(Fulfilment)
