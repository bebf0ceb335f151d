"""pos variant: the sellable things (a SKU with a price)."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import JsonFlag, command_group, database, emit
from pos.commands._signin import ClerkOption

app = command_group(help="Variants: what is sold, by SKU or barcode.")


@app.command("add")
def add(
    sku: Annotated[str, typer.Argument(metavar="SKU", help="Stock-keeping unit, e.g. TSHIRT-M.")],
    product: Annotated[str, typer.Option("--product", help="Code of the product it belongs to.")],
    price: Annotated[str, typer.Option("--price", help="Unit price as decimal text, e.g. 12.50.")],
    name: Annotated[str, typer.Option("--name", help="Variant name, e.g. 'Medium'.")] = "",
    barcode: Annotated[str | None, typer.Option(
        "--barcode", help="EAN/UPC/GTIN that a scanner types (check digit validated), or a code of your own with letters.",
    )] = None,
    option: Annotated[list[str] | None, typer.Option("--option", help="name=value, repeatable: --option size=M.")] = None,
    deliverable: Annotated[bool, typer.Option("--deliverable/--not-deliverable", help="May it ship from another location?")] = True,
    clerk: ClerkOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a variant to a product."""
    from pos.commands._signin import signed_in
    from pos.services.catalog import add_variant, parse_options

    with signed_in(clerk):
        doc = add_variant(
            database(), sku=sku, product=product, price=price, name=name, barcode=barcode,
            options=parse_options(option), deliverable=deliverable,
        )
    emit(doc, as_json, "variant_line")
