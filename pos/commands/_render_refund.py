"""What a person sees of refunds: pure functions of the refund documents. Text is data (see _render)."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pos.clock import local_time
from pos.commands._render import _m, _row, _t
from pos.models.refund import CASH_METHOD, RefundKind, RefundStatus


def order_refund_rows(order: dict) -> list[tuple[str, str]]:
    cur = order["currency"]
    rows = []
    for r in order.get("refunds") or []:
        label = f"Refund {r['id']} ({r['method']})" + ("" if r["status"] == RefundStatus.APPROVED else f": {r['status']}")
        rows.append((label, "-" + _m(r["amount"], cur)))
    rows.append(("Refunded", "-" + _m(order.get("refunded", 0), cur)))
    return rows


def refund_view(refund: dict) -> Any:
    cur = refund["currency"]
    store = refund.get("store") or {}
    table = Table(show_header=True, box=None, pad_edge=False, expand=False)
    table.add_column("Item")
    table.add_column("Qty", justify="right")
    table.add_column("Back to")
    table.add_column("Refund", justify="right")
    for item in refund["items"]:
        where = item["location"] if item["restocked"] else "not restocked"
        _row(table, f"{item['name']} [{item['sku']}]", item["quantity"], where, "-" + _m(item["amount"], cur))
    table.add_section()
    table.add_row("of which tax", "", "", _m(refund["tax"], cur))
    table.add_row(Text("REFUND", style="bold"), "", "", Text("-" + _m(refund["amount"], cur), style="bold"))
    method = "cash from the drawer" if refund["method"] == CASH_METHOD else refund["method"]
    lines: list[Any] = [
        _t(f"Refund {refund['id']} of order {refund['order_id']}  {local_time(refund['created_at'], refund.get('timezone'))}"
           f"  status: {refund['status']}  (order: {refund['order_status']})"),
        table,
        _t(f"Paid back by {method}" if refund["status"] == RefundStatus.APPROVED else f"{method}: {refund['status']}"),
    ]
    if refund.get("clerk"):
        by = f"Taken back by {refund['clerk']}"
        lines.append(_t(by + (f", approved by {refund['approved_by']}" if refund.get("approved_by") else "")))
    if refund.get("decline_reason"):
        lines.append(_t(f"Reason declined: {refund['decline_reason']}"))
    if refund.get("reason"):
        lines.append(_t(f"Reason: {refund['reason']}"))
    style = {RefundStatus.APPROVED: "green", RefundStatus.DECLINED: "red"}.get(refund["status"], "yellow")
    title = {RefundKind.CANCEL: "Cancellation", RefundKind.ABANDON: "Sale given up"}.get(refund["kind"], "Refund")
    return Panel(Group(*lines), title=_t(f"{title}: {store.get('name') or ''}".rstrip(": "), "bold"),
                 border_style=style, expand=False)


def refunds_view(rows: list[dict]) -> Any:
    if not rows:
        return "no refunds"
    table = Table()
    for name, justify in (("Refund", "right"), ("Order", "right"), ("When", "left"), ("Status", "left"),
                          ("Method", "left"), ("Items", "right"), ("Amount", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        _row(table, r["id"], r["order_id"], local_time(r["created_at"], r.get("timezone")), r["status"], r["method"],
             sum(i["quantity"] for i in r["items"]), _m(r["amount"], r["currency"]))
    return table


def cancellation_view(doc: dict) -> Any:
    if len(doc.get("refunds") or []) > 1:  # a sale paid in parts and given up: each part paid back
        return Group(_t(f"order {doc['order_id']} is {doc['status']}; each part paid is paid back"),
                     *(refund_view(r) for r in doc["refunds"]))
    if doc.get("refund"):
        return Group(_t(f"order {doc['order_id']} is {doc['status']}"), refund_view(doc["refund"]))
    return f"order {doc['order_id']} is {doc['status']}: nothing had been paid, so nothing was refunded; its cart is closed"
