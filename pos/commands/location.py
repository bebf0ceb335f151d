"""pos location: the stores and warehouses that hold stock."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import JsonFlag, command_group, database, emit, views
from pos.commands._signin import ApproveOption, ClerkOption

app = command_group(help="Stores and warehouses: each holds its own stock and has its own tax rate.")


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(metavar="CODE", help="Short code, e.g. STORE-1.")],
    name: Annotated[str, typer.Option("--name", help="Name printed on receipts.")],
    tax_rate: Annotated[str, typer.Option("--tax-rate", help="Sales tax in percent, e.g. 8.25.")] = "0",
    address: Annotated[str, typer.Option("--address", help="Address printed on receipts.")] = "",
    footer: Annotated[str, typer.Option("--footer", help="Receipt footer text.")] = "",
    timezone: Annotated[str | None, typer.Option(
        "--timezone", metavar="ZONE", help="IANA time zone of its receipts and views, e.g. Europe/Berlin. "
                                           "Default: the store's (set by `pos init`).")] = None,
    max_discount: Annotated[str, typer.Option(
        "--max-discount", metavar="PERCENT",
        help="The largest discount, in percent, a clerk may give without a manager (price changes always need one).",
    )] = "0",
    clerk: ClerkOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a location."""
    from pos.commands._signin import signed_in
    from pos.services.catalog import add_location

    with signed_in(clerk):
        doc = add_location(database(), code=code, name=name, tax_rate=tax_rate, address=address,
                           receipt_footer=footer, timezone=timezone, max_discount=max_discount)
    emit(doc, as_json, lambda d: views().locations_view([d]))


@app.command("update")
def update(
    code: Annotated[str, typer.Argument(metavar="CODE", help="Location code.")],
    name: Annotated[str | None, typer.Option("--name", help="New name printed on receipts.")] = None,
    tax_rate: Annotated[str | None, typer.Option("--tax-rate", help="Percent, e.g. 8.25.")] = None,
    address: Annotated[str | None, typer.Option("--address", help="New address printed on receipts.")] = None,
    footer: Annotated[str | None, typer.Option("--footer", help="Receipt footer text.")] = None,
    timezone: Annotated[str | None, typer.Option(
        "--timezone", metavar="ZONE", help="IANA time zone of its receipts and views, e.g. Europe/Berlin.")] = None,
    max_discount: Annotated[str | None, typer.Option(
        "--max-discount", metavar="PERCENT",
        help="The largest discount, in percent, a clerk may give without a manager (price changes always need one).",
    )] = None,
    clerk: ClerkOption = None,
    approve: ApproveOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Change a location's name, tax rate, address, receipt footer, time zone or discount limit (a tax rate
    or a discount limit: a manager)."""
    from pos.commands._signin import signed_in
    from pos.services.catalog import update_location

    with signed_in(clerk, approve, manager=tax_rate is not None or max_discount is not None):
        doc = update_location(
            database(), code=code, name=name, tax_rate=tax_rate, address=address, receipt_footer=footer,
            timezone=timezone, max_discount=max_discount,
        )
    emit(doc, as_json, lambda d: views().locations_view([d]))


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """List locations."""
    from pos.services.catalog import list_locations

    emit(list_locations(database()), as_json, "locations_view")
