"""pos checkout: create the order, take payment, print the confirmation."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import JsonFlag, database, emit, parse_pairs
from pos.commands._signin import ClerkOption


def checkout(
    cart: Annotated[int, typer.Argument(metavar="CART", min=1, max=2**63 - 1, help="Cart number.")],
    pay: Annotated[str, typer.Option("--pay", help="Payment processor: cash, card, or an installed plugin (`pos payment list`).")],
    tendered: Annotated[str | None, typer.Option("--tendered", help="Cash handed over, e.g. 50.00.")] = None,
    card: Annotated[str | None, typer.Option("--card", help="Card number; only brand and last 4 digits are kept.")] = None,
    expiry: Annotated[str | None, typer.Option("--expiry", help="Card expiry MM/YY (checked, never stored).")] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="Pay only this much now (a split payment): the order "
                                               "stays pending with the rest due; checking the cart out again pays "
                                               "the next part. Cash: the amount handed over.")] = None,
    pay_option: Annotated[list[str] | None, typer.Option("--pay-option", help="KEY=VALUE for a plugin processor, repeatable.")] = None,
    ship_name: Annotated[str | None, typer.Option("--ship-name", help="Recipient, for delivery lines.")] = None,
    ship_address: Annotated[str | None, typer.Option("--ship-address", help="Address, for delivery lines.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the processor.")] = 30.0,
    clerk: ClerkOption = None,
    register: Annotated[str | None, typer.Option("--register", metavar="NAME",
                                                 help="The drawer taking the payment, when the store has several open.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Check out a cart: order, payment, stock update, confirmation.

    A declined or failed payment leaves the stock and the cart as they were (the order is kept as
    payment_failed) so another way to pay can be tried. With --amount the sale is paid in parts: the order
    stays pending, its stock held, until the parts cover the total; `pos order cancel` gives it up and pays
    the parts back.
    """
    from pos.commands._signin import signed_in
    from pos.errors import InvalidInput, PaymentDeclined, ShippingRequired
    from pos.services.orders import Shipping
    from pos.services.orders import checkout as run_checkout

    from pos.money import parse_money
    from pos.services.settings import cached_currency

    params = parse_pairs(pay_option, "--pay-option")
    part = None
    if amount is not None:
        part = parse_money(amount, cached_currency(database()), what="--amount", allow_zero=False)
        if pay == "cash" and tendered is None:
            tendered = amount  # cash: the amount handed over; above the balance due, the rest is change
    for key, value in (("tendered", tendered), ("card", card), ("expiry", expiry)):
        if value is not None:
            params[key] = value
    shipping = None
    if ship_name or ship_address:
        if not (ship_name and ship_address and ship_name.strip() and ship_address.strip()):
            raise InvalidInput("shipping needs both --ship-name and --ship-address")
        shipping = Shipping(ship_name.strip(), ship_address.strip())
    try:
        with signed_in(clerk):
            doc = run_checkout(database(), cart_id=cart, processor=pay, params=params, shipping=shipping,
                               timeout=timeout, register=register, amount=part)
    except ShippingRequired as err:
        err.message += " (--ship-name and --ship-address)"
        raise
    except PaymentDeclined as err:
        if err.details.get("order", {}).get("status") != "pending":  # a split sale's part: its message says what is due
            err.message += f"; cart {cart} is still open: try another way to pay"
        raise
    emit(doc, as_json, "receipt_view")
