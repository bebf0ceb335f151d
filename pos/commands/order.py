"""pos order and pos receipt: orders are append-only facts of every checkout."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import JsonFlag, database, emit

app = typer.Typer(help="Orders: every checkout, paid or not.", no_args_is_help=True)

OrderId = Annotated[int, typer.Argument(help="Order number.")]


@app.command("show")
def show(order: OrderId, as_json: JsonFlag = False) -> None:
    """Show one order with its items, payment and shipping."""
    from pos.commands._render import receipt_view
    from pos.services.orders import show_order

    emit(show_order(database(), order_id=order), as_json, receipt_view)


@app.command("list")
def list_(
    status: Annotated[str | None, typer.Option("--status", help="pending, processing or payment_failed.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Only this store.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List orders, newest first."""
    from pos.commands._render import orders_view
    from pos.services.orders import list_orders

    emit(list_orders(database(), status=status, location=location, limit=limit), as_json, orders_view)

