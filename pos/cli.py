"""The `pos` command: wiring only. Each group lives in pos/commands/<noun>.py."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands import audit, batch, receipt, returns, setup, till
from pos.commands import checkout as checkout_cmd
from pos.commands import schema as schema_cmd
from pos.commands._common import PosGroup, invocation


class Pos(PosGroup):
    # Each group's module and its `app`, imported and built on first use (see PosGroup.groups); `pos --help`
    # lists them in this order, after the commands.
    groups = {
        "location": "pos.commands.location", "product": "pos.commands.product", "variant": "pos.commands.variant",
        "stock": "pos.commands.stock", "cart": "pos.commands.cart", "order": "pos.commands.order",
        "refund": "pos.commands.refund", "shift": "pos.commands.shift", "payment": "pos.commands.payment",
        "import": "pos.commands.imports", "export": "pos.commands.exports", "report": "pos.commands.report",
        "clerk": "pos.commands.clerk",
    }


app = typer.Typer(
    name="pos",
    cls=Pos,
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
app.command("checkout")(checkout_cmd.checkout)
app.command("return")(returns.return_)
app.command("receipt")(receipt.receipt)
app.command("till")(till.till)
app.command("batch")(batch.batch)
app.command("schema")(schema_cmd.schema)
app.command("audit")(audit.audit)


def main() -> None:
    app()
