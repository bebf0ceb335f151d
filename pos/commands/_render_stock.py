"""Views of stock transfers, reorder levels, low stock, pick lists and fulfilment: pure functions of the
plain document, every value from a person or the database shown as a `Text` (never as markup)."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table

from pos.clock import local_time
from pos.commands._render import _row, _t, _titled


def transfer_view(doc: dict) -> Any:
    table = Table()
    for col, justify in (("Location", "left"), ("Change", "right"), ("On hand", "right"), ("Reserved", "right"),
                         ("Available", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for end, change in ((doc["from"], -doc["quantity"]), (doc["to"], doc["quantity"])):
        _row(table, end["location"], f"{change:+d}", end["on_hand"], end["reserved"], end["available"])
    parts: list[Any] = [_titled(f"Transferred {doc['quantity']} x {doc['sku']}  {doc['name']}", table)]
    if doc["reason"]:
        parts.append(_t(f"Reason: {doc['reason']}"))
    return Group(*parts)


def _reorder_table(title: str, lines: list[dict], *, with_location: bool = True) -> Any:
    table = Table()
    cols = [("SKU", "left"), ("Item", "left")] + ([("Location", "left")] if with_location else [])
    cols += [("Available", "right"), ("Level", "right"), ("Order qty", "right"), ("To order", "right")]
    for col, justify in cols:
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for line in lines:
        cells = [line["sku"], line["name"]] + ([line["location"]] if with_location else [])
        qty = "auto" if line["reorder_quantity"] is None else line["reorder_quantity"]
        _row(table, *cells, line["available"], line["reorder_level"], qty, line["to_order"])
    return _titled(title, table)


def reorder_view(doc: dict) -> Any:
    state = f"low: order {doc['to_order']}" if doc["to_order"] else "not low"
    return _reorder_table(f"Reorder level of {doc['sku']} at {doc['location']} ({state})", [doc])


def low_view(doc: dict) -> Any:
    where = f" at {doc['location']}" if doc["location"] else ""
    if not doc["items"]:
        return _t(f"nothing is at or below its reorder level{where}")
    return _reorder_table(f"Low stock{where}: {doc['count']} to order", doc["items"])


def _pick_table(title: str, lines: list[dict]) -> Any:
    table = Table()
    for col, justify in (("Order", "right"), ("Ordered", "left"), ("Store", "left"), ("SKU", "left"),
                         ("Item", "left"), ("Qty", "right"), ("Ship to", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for line in lines:
        ship = "\n".join(part for part in (line["ship_name"], line["ship_address"]) if part)
        _row(table, line["order_id"], local_time(line["ordered_at"], None), line["store"], line["sku"], line["name"],
             line["quantity"], ship)
    return _titled(title, table)


def pick_view(doc: dict) -> Any:
    if not doc["lines"]:
        return _t(f"nothing to ship from {doc['location']}")
    return _pick_table(f"To ship from {doc['location']} (oldest first): {doc['count']} lines", doc["lines"])


def fulfil_view(doc: dict) -> Any:
    parts: list[Any] = [_pick_table(f"Order {doc['order_id']}: shipped {len(doc['shipped'])} lines", doc["shipped"])]
    if doc["tracking"]:
        parts.append(_t(f"Tracking: {doc['tracking']}"))
    parts.append(_t(f"Order {doc['order_id']} is {doc['status']}"))
    return Group(*parts)


def parked_view(sales: list[dict]) -> Any:
    if not sales:
        return _t("no parked sales")
    table = Table()
    for col, justify in (("Sale", "right"), ("Parked", "left"), ("Items", "right"), ("Total", "right"),
                         ("Note", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    from pos.money import format_money

    for sale in sales:
        _row(table, sale["id"], local_time(sale["parked_at"], None) if sale.get("parked_at") else "",
             sum(i["quantity"] for i in sale["items"]), format_money(sale["total"], sale["currency"]),
             sale.get("park_note") or "")
    return _titled("Parked sales (resume N brings one back)", table)
