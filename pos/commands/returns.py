"""pos return: take units of an order back, pay them back, put them back on hand."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import JsonFlag, database, emit, note
from pos.commands._signin import ApproveOption, ClerkOption

Printer = Annotated[
    str | None,
    typer.Option("--printer", metavar="SPEC", help="Also print the refund receipt: file:/dev/usb/lp0, "
                 "network:HOST[:PORT], usb:VENDOR:PRODUCT or dummy:PATH."),
]
Width = Annotated[int, typer.Option("--width", help="Columns of roll paper for the printer: 32, 42 or 48.")]
Reason = Annotated[str, typer.Option("--reason", help="Why (kept with the refund and in the stock history).")]
Ref = Annotated[str | None, typer.Option("--ref", metavar="KEY", help="Idempotency key: the same key with the same "
                                         "request replays the result; with another request it is refused.")]


def return_(
    order: Annotated[int, typer.Argument(metavar="ORDER", min=1, max=2**63 - 1, help="Order number.")],
    items: Annotated[list[str] | None, typer.Argument(metavar="ITEM...", help="SKU (every unit of it not yet "
                                                      "returned) or SKU=N; a barcode works as a SKU.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Everything still returnable.")] = False,
    no_restock: Annotated[bool, typer.Option("--no-restock", help="Damaged goods: no stock moves.")] = False,
    to: Annotated[str | None, typer.Option("--to", metavar="LOC", help="Put the units on hand here instead of "
                                           "where each line was sold from.")] = None,
    refund_to: Annotated[str, typer.Option("--refund-to", metavar="original|cash", help="Pay back the way the order "
                                           "was paid (default), or in cash from the drawer.")] = "original",
    reason: Reason = "",
    ref: Ref = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the processor.")] = 30.0,
    printer: Printer = None,
    width: Width = 42,
    clerk: ClerkOption = None,
    approve: ApproveOption = None,
    register: Annotated[str | None, typer.Option("--register", metavar="NAME", help="The drawer paying it back, when "
                                                 "the order's store has several open.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Return items of an order: the money goes back the way it was paid, the units go back on hand.

    Exit 1 with refund_declined when the processor declines (nothing moves), return_exceeds_sale when
    more is asked back than is left, not_refundable for an order that was never paid. Needs a manager.
    """
    from pos.commands._signin import signed_in
    from pos.errors import InvalidInput
    from pos.services.refunds import parse_item, return_items

    if all_ and items:
        raise InvalidInput("give either items or --all, not both")
    if not all_ and not items:
        raise InvalidInput("name the items to return (SKU or SKU=N), or --all")
    lines = None if all_ else [parse_item(i) for i in items or []]
    if printer:
        from pos.receipt_text import check_width

        check_width(width)
    with signed_in(clerk, approve, manager=True):
        doc = return_items(database(), order_id=order, lines=lines, restock=not no_restock, to_location=to,
                           refund_to=refund_to, reason=reason, ref=ref, timeout=timeout, register=register)
    show_refund(doc.model_dump(mode="json"), as_json, printer, width)


def show_refund(doc: dict, as_json: bool, printer: str | None, width: int) -> None:
    if printer:
        from pos.services.printer import print_refund_receipt

        note(f"receipt of refund {doc['id']} sent to {print_refund_receipt(doc, spec=printer, width=width)}")
    from pos.commands._render_refund import refund_view

    emit(doc, as_json, refund_view)
