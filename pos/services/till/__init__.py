"""Till mode in three parts: parse.py turns a line into an action (pure), session.py keeps the sale in
progress between lines, and the rules and totals are the cart and order services' own, shared with
`pos cart` and `pos checkout`."""

from pos.services.till.parse import (
    HELP, Action, Add, CancelOrder, ChangePrice, ClearDiscount, Command, Discount, Park, Pay, Remove, Resume,
    ReturnItems, SetQuantity, Ship, is_payment_line, mask_card_numbers, parse_line, redact,
)
from pos.services.till.session import Result, TillSession

__all__ = [
    "HELP", "Action", "Add", "CancelOrder", "ChangePrice", "ClearDiscount", "Command", "Discount", "Park", "Resume",
    "ReturnItems", "Pay", "Remove", "SetQuantity", "Ship", "Result", "TillSession",
    "is_payment_line", "mask_card_numbers", "parse_line", "redact",
]
