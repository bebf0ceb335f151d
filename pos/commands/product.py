"""pos product: products and, through `pos variant`, the variants that are sold."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import JsonFlag, command_group, database, emit, views
from pos.commands._signin import ClerkOption

app = command_group(help="Products: a name that groups sellable variants.")


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(metavar="CODE", help="Product code, e.g. TSHIRT.")],
    name: Annotated[str, typer.Option("--name", help="Product name.")],
    clerk: ClerkOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a product (then add its variants with `pos variant add`)."""
    from pos.commands._signin import signed_in
    from pos.services.catalog import add_product

    with signed_in(clerk):
        doc = add_product(database(), code=code, name=name)
    emit(doc, as_json, lambda d: views().products_view([d]))


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """List products with their variants."""
    from pos.services.catalog import list_products

    emit(list_products(database()), as_json, "products_view")


@app.command("show")
def show(
    code: Annotated[str, typer.Argument(metavar="CODE", help="Product code (or a SKU or barcode of one of its variants).")],
    as_json: JsonFlag = False,
) -> None:
    """Show a product, its variants and their stock."""
    from pos.services.catalog import show_product

    emit(show_product(database(), code=code), as_json, "product_view")
