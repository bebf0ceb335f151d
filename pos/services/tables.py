"""Core `Table` objects of the SQLModel tables, for set-based statements on the hot paths.

Services write stock with conditional UPDATEs through SQLAlchemy Core: never load-compare-assign.
"""

from pos.models import (
    Cart, CartItem, Location, Order, OrderItem, Payment, ProcessorLedger, Product, Setting, StockLevel, StockMovement,
    Variant,
)

setting = Setting.__table__
location = Location.__table__
product = Product.__table__
variant = Variant.__table__
stock_level = StockLevel.__table__
stock_movement = StockMovement.__table__
cart = Cart.__table__
cart_item = CartItem.__table__
orders = Order.__table__
order_item = OrderItem.__table__
payment = Payment.__table__
processor_ledger = ProcessorLedger.__table__
