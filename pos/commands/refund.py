"""pos refund: the refunds of returns and cancellations (append-only, like orders)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from pos.commands._common import JsonFlag, command_group, database, emit
from pos.commands.returns import Printer, Width, show_refund

app = command_group(help="Refunds: money paid back for returns and cancellations.")


class Format(str, Enum):
    rich = "rich"
    text = "text"


@app.command("show")
def show(
    refund: Annotated[int, typer.Argument(metavar="ID", min=1, max=2**63 - 1, help="Refund number.")],
    format_: Annotated[Format, typer.Option("--format", help="rich (the terminal view) or text (roll paper).")] = Format.rich,
    width: Width = 42,
    printer: Printer = None,
    as_json: JsonFlag = False,
) -> None:
    """Show one refund (its receipt) with its items, where they went back, and how it was paid back."""
    from pos.receipt_text import check_width
    from pos.services.refund_documents import show_refund as find

    check_width(width)
    doc = find(database(), refund_id=refund).model_dump(mode="json")
    if format_ == Format.text and not as_json:
        from pos.receipt_refund import refund_text

        if printer:
            from pos.commands._common import note
            from pos.services.printer import print_refund_receipt

            note(f"receipt of refund {refund} sent to {print_refund_receipt(doc, spec=printer, width=width)}")
        typer.echo(refund_text(doc, width), nl=False)
        return
    show_refund(doc, as_json, printer, width)


@app.command("list")
def list_(
    order: Annotated[int | None, typer.Option("--order", min=1, max=2**63 - 1, help="Only this order's.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Only orders of this store.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List refunds, newest first."""
    from pos.commands._render_refund import refunds_view
    from pos.services.refund_documents import list_refunds

    found = list_refunds(database(), order_id=order, location=location)
    emit(found if as_json else found.refunds, as_json, refunds_view)
