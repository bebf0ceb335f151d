"""`pos schema`: the JSON Schema of each document that `--json` prints, for scripts to rely on."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import print_json

# The document each command prints with --json (see `pos schema NAME`). A test holds every command with
# --json to having one here, and the e2e tests validate what they print against it.
COMMAND_DOCUMENTS: dict[str, str] = {
    "init": "init",
    "location add": "location", "location update": "location", "location list": "location-list",
    "product add": "product", "product list": "product-list", "product show": "product",
    "variant add": "variant",
    "stock set": "stock", "stock adjust": "stock", "stock check": "stock", "stock history": "stock-history",
    "stock transfer": "transfer", "stock reorder": "reorder", "stock low": "low-stock",
    "cart new": "cart", "cart add": "cart", "cart set": "cart", "cart remove": "cart", "cart ship": "cart",
    "cart clear": "cart", "cart show": "cart",
    "cart discount": "cart", "cart price": "cart", "cart list": "cart-list",
    "checkout": "order", "order show": "order", "order list": "order-page", "order reconcile": "reconcile",
    "order cancel": "cancellation",
    "order pick": "pick-list", "order fulfil": "fulfilment", "return": "refund", "refund show": "refund", "refund list": "refund-list",
    "receipt": "order",
    "payment list": "processor-list",
    "batch": "batch-result",
    "import locations": "import", "import catalog": "import", "import inventory": "import",
    "export catalog": "export", "export inventory": "export", "export orders": "export",
    "export refunds": "export",
    "clerk add": "clerk", "clerk pin": "clerk", "clerk disable": "clerk", "clerk list": "clerk-list",
    "audit": "audit-page",
    "shift open": "shift", "shift x": "shift", "shift close": "shift", "shift show": "shift",
    "shift list": "shift-list", "shift cash-in": "cash-movement", "shift cash-out": "cash-movement",
    "shift no-sale": "cash-movement",
    "report sales": "report",
}


def schema(
    name: Annotated[str | None, typer.Argument(help="A document's name; without one, the list of names.")] = None,
) -> None:
    """Print the JSON Schema of a --json document (order, cart, stock, batch-line, batch-result, error, ...).

    Without NAME, list the documents and what prints them. A failing command given --json prints the
    `error` document.
    """
    from pos.models.documents import DOCUMENTS, json_schema

    if name is None:
        width = max(map(len, DOCUMENTS))
        for key, (_doc, what) in DOCUMENTS.items():
            typer.echo(f"{key:<{width}}  {what}")
        return
    if name not in DOCUMENTS:
        from pos.errors import NotFound

        raise NotFound(f"no document {name!r}; the documents are: {', '.join(DOCUMENTS)}")
    print_json(json_schema(name))
