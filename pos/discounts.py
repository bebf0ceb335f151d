"""Discounts and changed prices: what each line of a sale costs. Pure: integers only, no database.

A line has its list price (the catalogue's), the unit price it is sold at (the list price, or a price a
clerk changed it to), and `line_total = quantity * unit_price`. Two discounts may come off it:

- its own line discount: a percent of its line total (rounded half-up), or an amount (never more than
  the line total);
- its share of the order discount. The order discount is a percent of, or an amount off, what the lines
  cost after their own discounts; it is spread over the lines in proportion to those amounts,
  cumulatively (pos.refund_money.split), so the last line takes the remainder and the shares add up to
  the order discount exactly. No share is ever more than its line has left.

A line's `net` (line total less both) is what was paid for it before tax; the order's subtotal is the sum
of the nets, and tax is computed on that.

Percents are integer millionths, as tax rates are (pos.money): 10 % is 100_000.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pos.money import TAX_RATE_SCALE, format_tax_rate
from pos.refund_money import split, tax_share

FULL = TAX_RATE_SCALE  # 100 %


@dataclass(frozen=True)
class Off:
    """A discount asked for: `percent` (millionths) or `amount` (minor units), never both; and why."""

    percent: int | None = None
    amount: int | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("a discount is a percent or an amount")


@dataclass(frozen=True)
class PricedLine:
    list_price: int
    unit_price: int
    quantity: int
    line_total: int
    discount: int  # the line's own discount
    order_discount: int  # its share of the order discount

    @property
    def net(self) -> int:
        return self.line_total - self.discount - self.order_discount


def percent_of(amount: int, percent: int) -> int:
    """`percent` (millionths) of `amount`, rounded half-up."""
    return (amount * percent + FULL // 2) // FULL


def taken(base: int, off: Off | None) -> int:
    """What `off` takes from `base`: never more than `base`, never less than 0."""
    if off is None or base <= 0:
        return 0
    wanted = percent_of(base, off.percent) if off.percent is not None else off.amount or 0
    return max(0, min(wanted, base))


def price_lines(
    lines: list[tuple[int, int, int, Off | None]], order_off: Off | None
) -> tuple[list[PricedLine], int]:
    """Lines as (list price, unit price, quantity, own discount) priced; and the order discount taken."""
    own = [(lp, up, q, q * up, taken(q * up, off)) for lp, up, q, off in lines]
    after = [total - disc for _lp, _up, _q, total, disc in own]
    order_discount = taken(sum(after), order_off)
    shares = split(order_discount, after) if own else []
    priced = [
        PricedLine(lp, up, q, total, disc, share)
        for (lp, up, q, total, disc), share in zip(own, shares, strict=True)
    ]
    return priced, order_discount


def over_limit(off: Off, base: int, limit: int) -> bool:
    """Whether `off` takes more than `limit` (millionths) of what it comes off (`base`): a percent is
    compared as it is, an amount as the share of `base` it is."""
    if off.percent is not None:
        return off.percent > limit
    return base > 0 and (off.amount or 0) * FULL > limit * base


def unit_paid(net: int, quantity: int, upto: int) -> int:
    """What the first `upto` units of a line whose `quantity` units cost `net` together were paid,
    rounded half-up: the units' shares add up to `net` exactly when `upto` reaches `quantity`."""
    return tax_share(quantity, net, upto)


def refund_subtotal(*, net: int, quantity: int, units_before: int, paid_before: int, units: int) -> int:
    """What `units` more units of a line give back (before tax), when `units_before` of them went back
    already for `paid_before`: the last unit takes what is left, so the returns of a line add up to
    exactly what was paid for it, however they are split."""
    left = net - paid_before
    if units_before + units >= quantity:
        return left
    return max(0, min(unit_paid(net, quantity, units_before + units) - paid_before, left))


# -- rows of the cart tables ---------------------------------------------------------------------------


def row_off(row: Mapping[str, Any]) -> Off | None:
    """The discount a cart or cart line row holds (its discount_percent / discount_amount / reason)."""
    if row.get("discount_percent") is not None:
        return Off(percent=row["discount_percent"], reason=row.get("discount_reason") or "")
    if row.get("discount_amount") is not None:
        return Off(amount=row["discount_amount"], reason=row.get("discount_reason") or "")
    return None


def price_rows(cart: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]) -> tuple[list[PricedLine], int]:
    """A cart's lines priced: each line row has the variant's `price`, its `quantity` and, when changed,
    `price_override`; the discounts are those the rows hold."""
    return price_lines(
        [
            (line["price"], line["price"] if line.get("price_override") is None else line["price_override"],
             line["quantity"], row_off(line))
            for line in lines
        ],
        row_off(cart),
    )


# -- what checkout copies onto an order, and what its document shows ---------------------------------------


def _percent_text(percent: int | None) -> str | None:
    return None if percent is None else format_tax_rate(percent)


def item_price_columns(line: Mapping[str, Any], priced: PricedLine) -> dict[str, Any]:
    """An order item's price and discount columns, from its cart line and what pricing made of it."""
    own = priced.discount > 0 or line["discount_percent"] is not None or line["discount_amount"] is not None
    return {
        "unit_price": priced.unit_price, "line_total": priced.line_total, "list_price": priced.list_price,
        "price_reason": line["price_reason"] if line["price_override"] is not None else None,
        "discount": priced.discount, "discount_percent": line["discount_percent"] if own else None,
        "discount_reason": line["discount_reason"] if own else None, "order_discount": priced.order_discount,
    }


def order_discount_columns(cart: Mapping[str, Any], order_discount: int) -> dict[str, Any]:
    given = cart["discount_percent"] is not None or cart["discount_amount"] is not None
    return {
        "discount": order_discount, "discount_percent": cart["discount_percent"],
        "discount_reason": cart["discount_reason"] if given else None,
    }


def item_discount_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """An order item document's discount fields, from its order_item row."""
    return {
        "list_price": row["list_price"], "price_reason": row["price_reason"], "discount": row["discount"],
        "discount_percent": _percent_text(row["discount_percent"]), "discount_reason": row["discount_reason"],
        "order_discount": row["order_discount"],
        "net_total": row["line_total"] - row["discount"] - row["order_discount"],
    }


def order_discount_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "discount": row["discount"], "discount_percent": _percent_text(row["discount_percent"]),
        "discount_reason": row["discount_reason"],
    }

