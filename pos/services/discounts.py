"""Discounts and changed prices on a cart (`pos cart discount`, `pos cart price`, the till's `disc`/`price`).

The cart keeps what the clerk asked for (a percent or an amount, a changed unit price) with its reason;
what that takes off each line is worked out whenever the cart is priced (pos.discounts), so it follows
the lines as they change. Checkout copies the result onto the order and its items.

Each location has a limit (`max_discount`): a discount above it, or any price change, needs a manager's
approval (`needs_approval`; `_ask_approval` asks it of the acting clerk, and audits every change).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from pos.discounts import Off, over_limit, price_rows
from pos import reasons
from pos.errors import InvalidInput, NotFound
from pos.services import audit
from pos.services.audit import Action
from pos.services.clerks import require_approval
from pos.models._common import utcnow
from pos.models.cart import CartPublic
from pos.money import format_money, format_tax_rate, parse_money, parse_percent
from pos.services import sql
from pos.services.cart import cart_document, cart_lines, cart_row, open_cart_row
from pos.services.catalog import get_variant, location_by_code
from pos.services.db import Database
from pos.services.settings import currency as store_currency
from pos.services.sql import Sql


_LIMIT = Sql("SELECT code, max_discount FROM location WHERE id = :id")
_LINE_DISCOUNT = Sql(
    "UPDATE cart_item SET discount_percent = :percent, discount_amount = :amount, discount_reason = :reason "
    "WHERE id = :id"
)
_LINE_PRICE = Sql("UPDATE cart_item SET unit_price = :price, price_reason = :reason WHERE id = :id")
_ORDER_DISCOUNT = Sql(
    "UPDATE cart SET discount_percent = :percent, discount_amount = :amount, discount_reason = :reason, "
    "updated_at = :now WHERE id = :id"
)
_TOUCH = Sql("UPDATE cart SET updated_at = :now WHERE id = :id")


def needs_approval(off: Off | None, base: int, limit: int, *, price_changed: bool) -> bool:
    """A manager approves any price change, and a discount taking more than the location's limit
    (millionths) of what it comes off (`base`)."""
    return price_changed or (off is not None and over_limit(off, base, limit))


def check_reason(reason: str) -> str:
    """A reason is required, one line, and fits its column; kept as typed (but outer spaces)."""
    return reasons.check_reason(reason or "", strip=True,
                                required="say why: a discount or price change needs a reason (--reason TEXT)")


def parse_off(percent: str | None, amount: str | None, reason: str, currency: str) -> Off:
    """`--percent 10` or `--amount 5.00` (one of them) and the reason, as a discount."""
    if (percent is None) == (amount is None):
        raise InvalidInput("give the discount as --percent N or --amount AMOUNT (one of them)")
    reason = check_reason(reason)
    if percent is not None:
        return Off(percent=parse_percent(percent, what="the discount percent"), reason=reason)
    assert amount is not None
    return Off(amount=parse_money(amount, currency, what="the discount", allow_zero=False), reason=reason)


def set_discount(
    db: Database, *, cart_id: int, percent: str | None = None, amount: str | None = None, reason: str,
    code: str | None = None, from_location: str | None = None,
) -> CartPublic:
    """A line discount (`code` given: the cart's line of that SKU) or the order discount (no `code`),
    replacing the one it had."""
    with db.write() as conn:
        currency = store_currency(conn)
        off = parse_off(percent, amount, reason, currency)
        cart = open_cart_row(conn, cart_id, lock=True)
        lines = cart_lines(conn, cart_id)
        if code is not None:
            line = _line(conn, cart_id, lines, code, from_location)
            base = line["quantity"] * _unit_price(line)
            what = f"a discount of {_shown(off, currency)} on {line['sku']}"
            _refuse_more_than(off, base, f"{line['sku']}'s line total", currency)
            _ask_approval(conn, cart, off, base, price_changed=False, what=what)
            sql.execute(conn, _LINE_DISCOUNT, {
                "id": line["id"], "percent": off.percent, "amount": off.amount, "reason": off.reason,
            })
        else:
            priced, _order = price_rows({}, lines)  # what the lines cost after their own discounts
            base = sum(p.net for p in priced)
            if off.amount is not None and not lines:
                raise InvalidInput(f"cart {cart_id} is empty: add something before taking an amount off it")
            _refuse_more_than(off, base, "the sale", currency)
            _ask_approval(conn, cart, off, base, price_changed=False,
                          what=f"a discount of {_shown(off, currency)} on the sale")
        _save_order_discount(conn, cart_id, off if code is None else None, keep=code is not None)
        return cart_document(conn, cart_id)


def clear_discount(db: Database, *, cart_id: int, code: str | None = None, from_location: str | None = None) -> CartPublic:
    """Remove a line's discount (`code`) or the order discount; changed prices stay."""
    with db.write() as conn:
        open_cart_row(conn, cart_id, lock=True)
        if code is not None:
            line = _line(conn, cart_id, cart_lines(conn, cart_id), code, from_location)
            sql.execute(conn, _LINE_DISCOUNT, {"id": line["id"], "percent": None, "amount": None, "reason": None})
        _save_order_discount(conn, cart_id, None, keep=code is not None)
        return cart_document(conn, cart_id)


def change_price(
    db: Database, *, cart_id: int, code: str, price: str, reason: str, from_location: str | None = None,
) -> CartPublic:
    """Sell a line at another unit price. The list price itself puts the line back to it (no approval)."""
    with db.write() as conn:
        currency = store_currency(conn)
        new_price = parse_money(price, currency, what="the price")
        reason = check_reason(reason)
        cart = open_cart_row(conn, cart_id, lock=True)
        line = _line(conn, cart_id, cart_lines(conn, cart_id), code, from_location)
        if new_price == line["price"]:
            sql.execute(conn, _LINE_PRICE, {"id": line["id"], "price": None, "reason": None})
        else:
            _ask_approval(conn, cart, None, 0, price_changed=True, what=(
                f"{line['sku']} at {format_money(new_price, currency)} instead of {format_money(line['price'], currency)}"
            ) + f" ({reason})")
            sql.execute(conn, _LINE_PRICE, {"id": line["id"], "price": new_price, "reason": reason})
        _save_order_discount(conn, cart_id, None, keep=True)
        return cart_document(conn, cart_id)


def _ask_approval(conn: Connection, cart: Mapping[str, Any], off: Off | None, base: int, *, price_changed: bool,
                  what: str) -> None:
    where = sql.one(conn, _LIMIT, {"id": cart["location_id"]})
    assert where is not None  # the cart's location is a foreign key
    reason = f" ({off.reason})" if off is not None else ""
    if needs_approval(off, base, where["max_discount"], price_changed=price_changed):
        limit = format_tax_rate(where["max_discount"])
        why = "a price change" if price_changed else f"above {where['code']}'s limit of {limit}%"
        require_approval(f"{what}{reason}: {why}")  # a store without clerks: nobody to ask
    audit.record(conn, Action.PRICE_CHANGE if price_changed else Action.DISCOUNT, location_id=cart["location_id"],
                 detail=f"cart {cart['id']}: {what}{reason}")


def _refuse_more_than(off: Off, base: int, what: str, currency: str) -> None:
    if off.amount is not None and off.amount > base:
        raise InvalidInput(
            f"the discount {format_money(off.amount, currency)} is more than {what} ({format_money(base, currency)})"
        )


def _save_order_discount(conn: Connection, cart_id: int, off: Off | None, *, keep: bool) -> None:
    """Set (or with keep=True, leave) the cart's order discount, and mark the cart changed."""
    now = sql.timestamp(conn, utcnow())
    if keep:
        sql.execute(conn, _TOUCH, {"id": cart_id, "now": now})
        return
    sql.execute(conn, _ORDER_DISCOUNT, {
        "id": cart_id, "now": now, "percent": off.percent if off else None, "amount": off.amount if off else None,
        "reason": off.reason if off else None,
    })


def recheck_limits(conn: Connection, cart_id: int) -> None:
    """An amount off is a larger share of a line (or sale) that shrank: fewer units, or a line removed. A
    discount taken within the limit that ends above it is asked for again (a manager approves, once clerks
    exist), in the transaction of the change, which is refused without one."""
    cart = cart_row(conn, cart_id)
    lines = cart_lines(conn, cart_id)
    if cart.get("discount_amount") is None and all(line["discount_amount"] is None for line in lines):
        return  # a percent off stays the same share of whatever is left: nothing to ask again
    where = sql.one(conn, _LIMIT, {"id": cart["location_id"]})
    assert where is not None  # the cart's location is a foreign key
    limit, currency = where["max_discount"], store_currency(conn)
    above = f"(now above {where['code']}'s limit of {format_tax_rate(limit)}%)"
    for line in lines:
        if line["discount_amount"] is not None and over_limit(
                Off(amount=line["discount_amount"]), line["quantity"] * _unit_price(line), limit):
            require_approval(f"the discount of {format_money(line['discount_amount'], currency)} on {line['sku']} "
                             f"{above}")
    if cart.get("discount_amount") is not None and lines:
        base = sum(p.net for p in price_rows({}, lines)[0])
        if over_limit(Off(amount=cart["discount_amount"]), base, limit):
            require_approval(f"the discount of {format_money(cart['discount_amount'], currency)} on the sale {above}")


def _unit_price(line: Mapping[str, Any]) -> int:
    return line["price"] if line["price_override"] is None else line["price_override"]


def _shown(off: Off, currency: str) -> str:
    return f"{format_tax_rate(off.percent)}%" if off.percent is not None else format_money(off.amount or 0, currency)


def _line(conn: Connection, cart_id: int, lines: list[dict], code: str, from_location: str | None) -> dict:
    """The cart's line of this SKU (or barcode); with lines of it from several locations, the one
    `from_location` names."""
    variant = get_variant(conn, code)
    own = [line for line in lines if line["variant_id"] == variant["id"]]
    if from_location is not None:
        loc_id = location_by_code(conn, from_location)["id"]
        own = [line for line in own if line["location_id"] == loc_id]
    if not own:
        raise NotFound(f"cart {cart_id} has no line for {variant['sku']}")
    if len(own) > 1:
        raise InvalidInput(
            f"{variant['sku']} is on {len(own)} lines ({', '.join(line['location'] for line in own)}): "
            "say which location (--from LOCATION)"
        )
    return own[0]
