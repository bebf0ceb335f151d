"""The `pos` command: wiring only. Each group lives in pos/commands/<noun>.py."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands import audit, batch, cart, clerk, location, order, payment, product, receipt, stock, till, variant
from pos.commands import checkout as checkout_cmd
from pos.commands import exports, imports
from pos.commands import refund, report, returns, setup, shift
from pos.commands import schema as schema_cmd
from pos.commands._common import PosGroup, invocation

app = typer.Typer(
    name="pos",
    cls=PosGroup,
    help="A point of sale for the command line: catalog, stock per location, carts, checkout, receipts.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,  # locals in tracebacks could hold card numbers
    pretty_exceptions_show_locals=False,
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        from pos import __version__

        typer.echo(f"pos {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database: a file path or a SQLAlchemy URL (postgresql://...). Default: "
                     "$POS_DATABASE_URL, else pos.db in your user data folder.", metavar="PATH|URL"),
    ] = None,
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.", callback=_version, is_eager=True)] = False,
) -> None:
    invocation(ctx).db = db


app.command("init")(setup.init)
app.command("demo")(setup.demo)
app.add_typer(location.app, name="location")
app.add_typer(product.app, name="product")
app.add_typer(variant.app, name="variant")
app.add_typer(stock.app, name="stock")
app.add_typer(cart.app, name="cart")
app.command("checkout")(checkout_cmd.checkout)
app.add_typer(order.app, name="order")
app.command("return")(returns.return_)
app.add_typer(refund.app, name="refund")
app.command("receipt")(receipt.receipt)
app.command("till")(till.till)
app.add_typer(shift.app, name="shift")
app.add_typer(payment.app, name="payment")
app.command("batch")(batch.batch)
app.add_typer(imports.app, name="import")
app.add_typer(exports.app, name="export")
app.add_typer(report.app, name="report")
app.command("schema")(schema_cmd.schema)
app.add_typer(clerk.app, name="clerk")
app.command("audit")(audit.audit)


def main() -> None:
    app()
