"""pos order and pos receipt: orders are append-only facts of every checkout."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import (
    AfterOption, AllFlag, CsvFlag, JsonFlag, command_group, database, emit, emit_or_csv, emit_page,
)
from pos.commands._signin import ApproveOption, ClerkOption

app = command_group(help="Orders: every checkout, paid or not.")

OrderId = Annotated[int, typer.Argument(metavar="ORDER", min=1, max=2**63 - 1, help="Order number.")]


@app.command("show")
def show(order: OrderId, as_json: JsonFlag = False) -> None:
    """Show one order with its items, payment and shipping."""
    from pos.services.orders import show_order

    emit(show_order(database(), order_id=order), as_json, "order_view")


@app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(
        "--status", help="pending, processing, completed, payment_failed, partially_refunded, refunded or "
                 "cancelled.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Only this store.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many orders, newest first.")] = 50,
    all_: AllFlag = False,
    after: AfterOption = None,
    as_json: JsonFlag = False,
) -> None:
    """List orders, newest first. A cut list says so on stderr (and in --json: truncated, next_after)."""
    from pos.services.orders import order_page

    page = order_page(database(), status=status, location=location, limit=None if all_ else limit, after=after)
    emit_page(page, "orders", as_json, "orders_view", "orders")


@app.command("cancel")
def cancel(
    order: OrderId,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the refund and in the stock history).")] = "",
    ref: Annotated[str | None, typer.Option("--ref", metavar="KEY", help="Idempotency key: the same key with the "
                                            "same request replays the result.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the processor.")] = 30.0,
    clerk: ClerkOption = None,
    approve: ApproveOption = None,
    register: Annotated[str | None, typer.Option("--register", metavar="NAME", help="The drawer paying it back, when "
                                                 "the order's store has several open.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Cancel an order nothing was returned from: refund it whole, restock everything, status cancelled.

    A payment_failed order is set cancelled and its cart closed (the customer left). Needs a manager.
    """
    from pos.commands._render_refund import cancellation_view
    from pos.commands._signin import signed_in
    from pos.services.refunds import cancel_order

    with signed_in(clerk, approve, manager=True):
        doc = cancel_order(database(), order_id=order, reason=reason, ref=ref, timeout=timeout, register=register)
    emit(doc.model_dump(mode="json"), as_json, cancellation_view)


@app.command("pick")
def pick(
    location: Annotated[str, typer.Option("--location", help="The location the lines ship from.")],
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """List the delivery lines to ship from a location, oldest order first (paid, not shipped, not returned)."""
    from pos.commands._render_stock import pick_view
    from pos.services.fulfilment import pick_list, write_pick_csv

    if as_json and as_csv:
        raise typer.BadParameter("choose --json or --csv, not both", param_hint="--csv")
    emit_or_csv(pick_list(database(), location=location), as_json, as_csv, write_pick_csv, pick_view)


@app.command("fulfil")
def fulfil(
    order: OrderId,
    location: Annotated[str | None, typer.Option("--location", help="Only the lines shipping from here "
                                                 "(default: every location).")] = None,
    tracking: Annotated[str, typer.Option("--tracking", metavar="TEXT", help="Carrier and tracking number, "
                                          "kept with the lines shipped.")] = "",
    clerk: ClerkOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Mark an order's delivery lines shipped. The order becomes completed when its last line ships
    (store lines are handed over at the sale); an order with a refund keeps its refund status."""
    from pos.commands._render_stock import fulfil_view
    from pos.commands._signin import signed_in
    from pos.services.fulfilment import fulfil_order

    with signed_in(clerk):
        doc = fulfil_order(database(), order_id=order, location=location, tracking=tracking)
    emit(doc, as_json, fulfil_view)


@app.command("reconcile")
def reconcile(
    older_than: Annotated[float, typer.Option("--older-than", help="Orders whose till this machine cannot see (or "
                                              "that is still running) are settled only after pending this many "
                                              "seconds; orders of a till that is gone are settled at once.")] = 120.0,
    unknown_as_failed: Annotated[bool, typer.Option("--unknown-as-failed", help="Fail orders whose processor cannot "
                                                    "say what happened (after checking the terminal by hand).")] = False,
    clerk: ClerkOption = None,
    approve: ApproveOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Settle orders and refunds left pending by a till that stopped mid-way, by asking their processor.

    Every pending order is listed: settled, or left alone with the reason and when it becomes eligible.
    It can give up a sale paid in parts and pay the parts back, so it needs a manager.
    """
    from pos.commands._signin import signed_in
    from pos.services.reconcile import reconcile as run

    with signed_in(clerk, approve, manager=True):
        doc = run(database(), older_than=older_than, unknown_as_failed=unknown_as_failed)
    emit(doc, as_json, _reconcile_text)


_LEFT = {"waiting", "unknown", "error"}


def _reconcile_text(rows: list[dict]) -> str:
    if not rows:
        return "no pending orders"
    lines = []
    for r in rows:
        if "refund_id" in r:
            what = f"refund {r['refund_id']} of order {r['order_id']}"
            detail = f"left pending ({r['outcome']})" if r["outcome"] in _LEFT else f"{r['outcome']} -> {r['status']}"
            lines.append(f"{what}: {detail}" + (f": {r['reason']}" if r.get("reason") else ""))
        elif r["outcome"] in _LEFT:
            lines.append(f"order {r['order_id']}: left pending ({r['outcome']}): {r['reason']}")
        else:
            lines.append(f"order {r['order_id']}: {r['outcome']} -> {r['status']}" + (f" ({r['reason']})" if r["reason"] else ""))
    left = sum(r["outcome"] in _LEFT for r in rows)
    lines.append(f"{len(rows) - left} settled, {left} left pending")
    return "\n".join(lines)
