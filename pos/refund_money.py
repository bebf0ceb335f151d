"""How much each returned unit gives back: its price and its share of the order's tax.

The order's tax was rounded once, on the whole subtotal, so a unit's share of it is not a whole number
of cents. Shares are given out cumulatively: the first `x` of the subtotal (in the order returns come)
carries `tax * x / subtotal` of the tax, rounded half-up, and a refund gets the difference between where
the returns stood before it and after it. The refund that returns the last unit takes whatever tax is
left, so the refunds of an order add up to exactly its total, to the cent, however it is split.
Integers only.
"""

from __future__ import annotations


def tax_share(order_subtotal: int, order_tax: int, upto: int) -> int:
    """The tax carried by the first `upto` minor units of the subtotal, rounded half-up."""
    if order_subtotal <= 0:
        return 0
    return (2 * order_tax * upto + order_subtotal) // (2 * order_subtotal)


def refund_tax(
    *, order_subtotal: int, order_tax: int, before: int, this: int, tax_before: int, last: bool
) -> int:
    """Tax refunded with `this` subtotal, when `before` subtotal (carrying `tax_before` tax) went back
    already; `last` when no unit of the order is left to return after this one."""
    left = order_tax - tax_before
    if last:
        return left
    share = tax_share(order_subtotal, order_tax, before + this) - tax_share(order_subtotal, order_tax, before)
    return max(0, min(share, left))


def split(amount: int, weights: list[int]) -> list[int]:
    """`amount` given out in proportion to `weights` (cumulatively, half-up): the parts add up to it."""
    total = sum(weights)
    parts, upto = [], 0
    for w in weights:
        parts.append(tax_share(total, amount, upto + w) - tax_share(total, amount, upto))
        upto += w
    if total == 0 and parts:
        parts[-1] += amount
    return parts
