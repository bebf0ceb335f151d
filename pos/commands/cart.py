"""pos cart: a sale in progress at one store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pos.commands._common import JsonFlag, command_group, database, emit, views
from pos.commands._complete import complete_location, complete_sku
from pos.commands._signin import ApproveOption, ClerkOption

if TYPE_CHECKING:
    from pos.models.cart import CartPublic

app = command_group(help="Carts: lines of variants, each drawing on one location's stock.")

CartId = Annotated[int, typer.Argument(metavar="CART", min=1, max=2**63 - 1, help="Cart number (from `pos cart new`).")]
Sku = Annotated[str, typer.Argument(metavar="SKU", help="SKU or barcode.", autocompletion=complete_sku)]
From = Annotated[str | None, typer.Option("--from", help="Take the line from another location (a delivery line).",
                                          autocompletion=complete_location)]


def _show(doc: CartPublic, as_json: bool) -> None:
    emit(doc, as_json, "cart_view")


@app.command("new")
def new(location: Annotated[str, typer.Option("--location", help="The store selling.", autocompletion=complete_location)],
        clerk: ClerkOption = None, as_json: JsonFlag = False) -> None:
    """Start a cart at a store."""
    from pos.commands._signin import signed_in
    from pos.services.cart import new_cart

    with signed_in(clerk):
        doc = new_cart(database(), location=location)
    _show(doc, as_json)


@app.command("add")
def add(cart: CartId, sku: Sku, qty: Annotated[int, typer.Option("--qty", help="How many to add.")] = 1,
        from_: From = None, clerk: ClerkOption = None, as_json: JsonFlag = False) -> None:
    """Add a variant (checks stock at the line's location first)."""
    from pos.commands._signin import signed_in
    from pos.services.cart import add_item

    with signed_in(clerk):
        doc = add_item(database(), cart_id=cart, code=sku, quantity=qty, from_location=from_)
    _show(doc, as_json)


@app.command("set")
def set_(cart: CartId, sku: Sku, qty: Annotated[int, typer.Argument(metavar="QTY", help="New quantity; 0 removes the line.")],
         from_: From = None, clerk: ClerkOption = None, approve: ApproveOption = None, as_json: JsonFlag = False) -> None:
    """Set a line's quantity; 0 removes it. An amount off that ends above the store's discount limit (fewer
    units) needs a manager (--approve NAME)."""
    from pos.commands._signin import signed_in
    from pos.services.cart import set_item

    with signed_in(clerk, approve):
        doc = set_item(database(), cart_id=cart, code=sku, quantity=qty, from_location=from_)
    _show(doc, as_json)


@app.command("remove")
def remove(cart: CartId, sku: Sku, from_: From = None, clerk: ClerkOption = None, approve: ApproveOption = None,
           as_json: JsonFlag = False) -> None:
    """Remove a variant's line(s) from the cart. A sale's amount off that ends above the store's discount
    limit needs a manager (--approve NAME)."""
    from pos.commands._signin import signed_in
    from pos.services.cart import remove_item

    with signed_in(clerk, approve):
        doc = remove_item(database(), cart_id=cart, code=sku, from_location=from_)
    _show(doc, as_json)


@app.command("ship")
def ship(cart: CartId, name: Annotated[str, typer.Option("--name", help="Recipient's name.")],
         address: Annotated[str, typer.Option("--address", help="Where the delivery lines go.")],
         clerk: ClerkOption = None, as_json: JsonFlag = False) -> None:
    """Set the shipping name and address for the cart's delivery lines."""
    from pos.commands._signin import signed_in
    from pos.services.cart import set_shipping

    with signed_in(clerk):
        doc = set_shipping(database(), cart_id=cart, name=name, address=address)
    _show(doc, as_json)


@app.command("clear")
def clear(cart: CartId, clerk: ClerkOption = None, as_json: JsonFlag = False) -> None:
    """Empty an open cart."""
    from pos.commands._signin import signed_in
    from pos.services.cart import clear_cart

    with signed_in(clerk):
        doc = clear_cart(database(), cart_id=cart)
    _show(doc, as_json)


Reason = Annotated[str, typer.Option("--reason", help="Why (shown on the cart, the order and every receipt).")]


@app.command("discount")
def discount(
    cart: CartId,
    percent: Annotated[str | None, typer.Option("--percent", metavar="N", help="Take N percent off.")] = None,
    amount: Annotated[str | None, typer.Option("--amount", metavar="AMOUNT", help="Take an amount off, e.g. 5.00.")] = None,
    sku: Annotated[str | None, typer.Option("--sku", metavar="SKU", help="Only this line (default: the whole sale).",
                                            autocompletion=complete_sku)] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (shown on the cart, the order and every receipt).")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the discount instead.")] = False,
    from_: From = None, clerk: ClerkOption = None, approve: ApproveOption = None, as_json: JsonFlag = False,
) -> None:
    """Take a percent or an amount off the sale, or off one line (--sku); --clear removes it.

    A sale discount is spread over the lines in proportion; tax is on what is left. Above the store's
    --max-discount a manager approves (--approve NAME, when the clerk is not one).
    """
    from pos.commands._signin import signed_in
    from pos.errors import InvalidInput
    from pos.services.discounts import clear_discount, set_discount

    if clear and (percent is not None or amount is not None):
        raise InvalidInput("--clear takes no --percent or --amount")
    with signed_in(clerk, approve):
        if clear:
            doc = clear_discount(database(), cart_id=cart, code=sku, from_location=from_)
        else:
            doc = set_discount(database(), cart_id=cart, percent=percent, amount=amount, reason=reason or "", code=sku,
                               from_location=from_)
    _show(doc, as_json)


@app.command("price")
def price(
    cart: CartId, sku: Sku,
    new_price: Annotated[str, typer.Argument(metavar="PRICE", help="The unit price to sell at, e.g. 9.99.")],
    reason: Reason, from_: From = None, clerk: ClerkOption = None, approve: ApproveOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Sell a line at another unit price (a manager approves). Its list price puts it back."""
    from pos.commands._signin import signed_in
    from pos.services.discounts import change_price

    with signed_in(clerk, approve):
        doc = change_price(database(), cart_id=cart, code=sku, price=new_price, reason=reason, from_location=from_)
    _show(doc, as_json)


@app.command("show")
def show(cart: CartId, as_json: JsonFlag = False) -> None:
    """Show a cart with its lines and subtotal."""
    from pos.services.cart import show_cart

    _show(show_cart(database(), cart_id=cart), as_json)


@app.command("list")
def list_(location: Annotated[str | None, typer.Option("--location", help="Only carts of this store.")] = None,
          status: Annotated[str, typer.Option("--status", help="open, checkout or closed.")] = "open",
          parked: Annotated[bool, typer.Option("--parked", help="Only sales parked at a till (`park`).")] = False,
          as_json: JsonFlag = False) -> None:
    """List carts (open ones by default); --parked: the sales parked at tills, which any till of the same
    store can resume (`resume N`)."""
    from pos.commands._common import console, plain
    from pos.services.cart import list_carts

    docs = list_carts(database(), status=status, location=location, parked=parked)
    if as_json:
        emit(docs, True, lambda d: d)
        return
    out = console()
    for doc in docs:
        out.print(views().cart_view(plain(doc)), markup=False)  # an empty cart is a plain sentence, not markup
    if not docs:
        out.print(f"no {'parked' if parked else status} carts", markup=False)
