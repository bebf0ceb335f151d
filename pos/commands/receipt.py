"""pos receipt: an order's receipt on the screen, as roll-paper text, as JSON, or on an ESC/POS printer."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import Format, JsonFlag, database, emit, mark_format_json, note, plain




def receipt(
    order: Annotated[int, typer.Argument(metavar="ORDER", min=1, max=2**63 - 1, help="Order number.")],
    format_: Annotated[
        Format | None,
        typer.Option("--format", help="rich (the terminal view), text (roll paper) or json (the order document). "
                     "Default: rich, or nothing on screen when --printer is given.", callback=mark_format_json),
    ] = None,
    width: Annotated[int, typer.Option("--width", help="Columns of roll paper for text and the printer: 32, 42 or 48.")] = 42,
    printer: Annotated[
        str | None,
        typer.Option("--printer", help="Also print it: file:/dev/usb/lp0, network:HOST[:PORT], usb:VENDOR:PRODUCT "
                     "or dummy:PATH (raw ESC/POS bytes appended to PATH).", metavar="SPEC"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Print an order's receipt again: store, date, lines, tax, total, payment, shipping and footer."""
    from pos.receipt_text import check_width
    from pos.services.orders import show_order

    check_width(width)
    doc = plain(show_order(database(), order_id=order))  # the receipt views take the order as JSON has it
    if printer:
        from pos.services.printer import print_receipt

        note(f"receipt of order {order} sent to {print_receipt(doc, spec=printer, width=width)}")
    chosen = Format.json if as_json else format_
    if chosen is None and printer:
        return
    if chosen == Format.text:
        from pos.receipt_text import receipt_text

        typer.echo(receipt_text(doc, width), nl=False)
        return

    emit(doc, chosen == Format.json, "receipt_view")
