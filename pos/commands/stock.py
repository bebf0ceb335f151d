"""pos stock: levels per location and the history of every change."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import AfterOption, AllFlag, JsonFlag, command_group, database, emit, emit_page
from pos.commands._complete import complete_location, complete_sku
from pos.commands._signin import ApproveOption, ClerkOption

app = command_group(help="Stock per variant and location; every change is kept in the stock history.")

Sku = Annotated[str, typer.Argument(metavar="SKU", help="SKU or barcode.", autocompletion=complete_sku)]
Loc = Annotated[str, typer.Argument(metavar="LOCATION", help="Location code.", autocompletion=complete_location)]
Reason = Annotated[str, typer.Option("--reason", help="Why: kept in the stock history.")]


@app.command("set", context_settings={"ignore_unknown_options": True})
def set_(sku: Sku, location: Loc, quantity: Annotated[int, typer.Argument(metavar="QTY", help="Counted quantity on hand.")],
         reason: Reason = "", clerk: ClerkOption = None, approve: ApproveOption = None, as_json: JsonFlag = False) -> None:
    """Set the quantity on hand (a count). A negative count is refused with a clear message. Needs a manager."""
    from pos.commands._signin import signed_in
    from pos.services.inventory import set_stock

    with signed_in(clerk, approve, manager=True):
        doc = set_stock(database(), sku=sku, location=location, quantity=quantity, reason=reason)
    emit(doc, as_json, "stock_view")


@app.command("adjust", context_settings={"ignore_unknown_options": True})
def adjust(sku: Sku, location: Loc, delta: Annotated[int, typer.Argument(metavar="DELTA", help="Change, e.g. 5 or -2.")],
           reason: Reason = "", clerk: ClerkOption = None, approve: ApproveOption = None,
           as_json: JsonFlag = False) -> None:
    """Add or remove stock (a delivery, breakage, ...). Negative numbers work as they are: -2. Needs a manager."""
    from pos.commands._signin import signed_in
    from pos.services.inventory import adjust_stock

    with signed_in(clerk, approve, manager=True):
        doc = adjust_stock(database(), sku=sku, location=location, delta=delta, reason=reason)
    emit(doc, as_json, "stock_view")


@app.command("check")
def check(sku: Sku, location: Annotated[str | None, typer.Option("--location", help="Only this location.")] = None,
          as_json: JsonFlag = False) -> None:
    """Show on-hand, reserved and available stock."""
    from pos.services.inventory import check_stock

    emit(check_stock(database(), sku=sku, location=location), as_json, "stock_view")


@app.command("history")
def history(sku: Sku, location: Annotated[str | None, typer.Option("--location", help="Only this location.")] = None,
            limit: Annotated[int, typer.Option("--limit", min=1, help="How many changes, newest first.")] = 100,
            all_: AllFlag = False, after: AfterOption = None, as_json: JsonFlag = False) -> None:
    """Show every change of stock: when, how much, the result, and what caused it.

    A cut list says so on stderr (and in --json: truncated, next_after).
    """
    from pos.services.inventory import history_page

    page = history_page(database(), sku=sku, location=location, limit=None if all_ else limit, after=after)
    emit_page(page, "history", as_json, "history_view", "changes")
