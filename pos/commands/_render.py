"""Pure functions from a service result (a plain document) to what a person sees.

Text is data: every value that came from a person, a file, a plugin or the database goes to rich as a
`Text` (through `_t`), never inside a markup string, so `Mug [/]`, `Tee [red]` or `:smile:` show as typed
and cannot make a command fail after its change was saved. Markup is only for the program's own styling.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pos.clock import local_time
from pos.models.statuses import OrderStatus
from pos.money import format_money
from pos.textcells import visible
from pos.receipt_text import first_name, item_adjustments, order_adjustments, order_payment_rows


def _m(minor: int | None, currency: str) -> str:
    return "" if minor is None else format_money(minor, currency)


def _t(value: Any, style: str = "") -> Text:
    """A value shown exactly as it is: rich parses neither markup nor emoji codes in a Text."""
    return Text("" if value is None else visible(str(value)), style=style)


def _row(table: Table, *cells: Any) -> None:
    table.add_row(*(cell if isinstance(cell, Text) else _t(cell) for cell in cells))


def _titled(title: str, table: Table) -> Group:
    """A title above a table that may be wider than the table (a long product name): a table's own title
    is wrapped to the table's width, which would break the name across lines."""
    return Group(_t(title, "table.title"), table)


def cart_view(cart: dict) -> Any:
    cur = cart["currency"]
    if not cart["items"]:
        return f"Cart {cart['id']} at {cart['location']} ({cart['status']}): empty"
    table = Table(title=_t(f"Cart {cart['id']} at {cart['location']} ({cart['status']})", "table.title"),
                  title_justify="left")
    table.add_column("SKU")
    table.add_column("Item")
    table.add_column("Qty", justify="right")
    table.add_column("From")
    table.add_column("Price", justify="right")
    table.add_column("Total", justify="right")
    for item in cart["items"]:
        where = f"{item['location']} (delivery)" if item.get("delivery") else item["location"]
        _row(table, item["sku"], item["name"], item["quantity"], where, _m(item["unit_price"], cur),
             _m(item["line_total"], cur))
        for label, value in item_adjustments(item, cur):
            _row(table, "", _t(f"  {label}", "italic"), "", "", "", value)  # the reason is a person's text
    table.add_section()
    for label, value in order_adjustments(cart, cur):
        _row(table, "", label, "", "", "", value)
    table.add_row("", "Subtotal", str(sum(i["quantity"] for i in cart["items"])), "", "", _m(cart["subtotal"], cur))
    parts: list[Any] = [table]
    if cart.get("shipping"):
        parts.append(Text(f"Ship to: {cart['shipping']['name']}, {cart['shipping']['address']}"))
    if cart.get("parked_at"):
        note = f": {cart['park_note']}" if cart.get("park_note") else ""
        parts.append(_t(f"Parked {local_time(cart['parked_at'], None)}{note} (resume {cart['id']} at a till)"))
    return Group(*parts)


def order_view(order: dict) -> Any:
    """`pos order show`: the receipt view, naming the clerk and the approving manager in full."""
    return receipt_view(order, full_names=True)


def receipt_view(order: dict, *, full_names: bool = False) -> Any:
    cur = order["currency"]
    store = order.get("store") or {"name": order["location"], "address": "", "receipt_footer": ""}
    table = Table(show_header=True, box=None, pad_edge=False, expand=False)
    table.add_column("Item")
    table.add_column("Qty", justify="right")
    table.add_column("Price", justify="right")
    table.add_column("Total", justify="right")
    for item in order["items"]:
        name = f"{item['name']} [{item['sku']}]"
        if item.get("delivery"):
            name += f"\n  ships from {item['location']}"
            shipped = item.get("fulfilment") or {}
            if shipped.get("state") == "shipped":
                name += f"\n  shipped {local_time(shipped['shipped_at'], order.get('timezone'))}"
                name += f" {shipped['tracking']}" if shipped.get("tracking") else ""
        _row(table, name, item["quantity"], _m(item["unit_price"], cur), _m(item["line_total"], cur))
        for label, value in item_adjustments(item, cur):
            _row(table, _t(f"  {label}", "italic"), "", "", value)
    table.add_section()
    for label, value in order_adjustments(order, cur):
        _row(table, label, "", "", value)
    table.add_row("Subtotal", "", "", _m(order["subtotal"], cur))
    table.add_row(f"Tax {order['tax_rate']}%", "", "", _m(order["tax"], cur))
    table.add_row(Text("TOTAL", style="bold"), "", "", Text(_m(order["total"], cur), style="bold"))
    for label, value in order_payment_rows(order):
        _row(table, label, "", "", value)  # a processor's reason is its own text
    if order.get("refunds"):
        from pos.commands._render_refund import order_refund_rows

        for label, value in order_refund_rows(order):
            _row(table, label, "", "", value)
    lines: list[Any] = []
    if store.get("address"):
        lines.append(Text(store["address"]))
    lines.append(Text(f"Order {order['id']}  {local_time(order['created_at'], order.get('timezone'))}  status: {order['status']}"))
    if order.get("clerk"):
        served = f"Served by {order['clerk'] if full_names else first_name(order['clerk'])}"
        if full_names and order.get("approved_by"):
            served += f", approved by {order['approved_by']}"
        lines.append(_t(served))
    lines.append(table)
    if order.get("shipping"):
        lines.append(Text(f"Ship to: {order['shipping']['name']}\n         {order['shipping']['address']}"))
    if store.get("receipt_footer"):
        lines.append(Text(store["receipt_footer"], style="italic"))
    paid = (OrderStatus.PROCESSING, OrderStatus.COMPLETED, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
    style = "green" if order["status"] in paid else ("red" if order["status"] == OrderStatus.PAYMENT_FAILED else "yellow")
    return Panel(Group(*lines), title=_t(store["name"], "bold"), border_style=style, expand=False)


def stock_view(stock: dict) -> Any:
    table = Table()
    table.add_column("Location")
    table.add_column("On hand", justify="right")
    table.add_column("Reserved", justify="right")
    table.add_column("Available", justify="right")
    for lv in stock["levels"]:
        _row(table, lv["location"], lv["on_hand"], lv["reserved"], lv["available"])
    if not stock["levels"]:
        table.add_row("(not stocked anywhere)", "", "", "")
    return _titled(f"{stock['sku']}  {stock['name']}", table)


def history_view(rows: list[dict]) -> Any:
    skus = {r["sku"] for r in rows}
    title = f"Stock history of {next(iter(skus))}" if len(skus) == 1 else "Stock history"
    table = Table(title=_t(f"{title} (newest first, local times)", "table.title"), title_justify="left")
    for col, justify in (("When", "left"), ("Location", "left"), ("Change", "right"), ("On hand", "right"),
                         ("Cause", "left"), ("Reason", "left")):
        table.add_column(col, justify=justify, no_wrap=col in {"When", "Change", "On hand"})
    for r in rows:
        change = f"+{r['change']}" if r["change"] > 0 else str(r["change"])
        if r["source"] == "sale":
            cause = r["ref"]  # "order 12"
        elif not r["ref"] or r["ref"].startswith("pos "):
            cause = r["source"]  # a clerk's `pos stock set/adjust`
        else:
            cause = f"{r['source']} {r['ref']}"  # "import inventory.csv:14"
        _row(table, local_time(r["at"], r.get("timezone")), r["location"], change, r["on_hand"], cause, r["reason"])
    if not rows:
        table.add_row("(no changes recorded)", "", "", "", "", "")
    return table


def variant_line(v: dict) -> str:
    """One line for a variant just added: what a clerk checks at a glance."""
    extras = [f"barcode {v['barcode']}"] if v["barcode"] else []
    extras += [f"{k}={val}" for k, val in v["options"].items()]
    extras.append("deliverable" if v["is_deliverable"] else "not deliverable")
    return f"{v['sku']}: {v['name']} at {_m(v['price'], v['currency'])} {v['currency']} ({', '.join(extras)})"


def locations_view(rows: list[dict]) -> Any:
    table = Table(title="Locations", title_justify="left")
    for col in ("Code", "Name", "Tax %", "Address", "Time zone", "Max discount %"):
        table.add_column(col)
    for r in rows:
        _row(table, r["code"], r["name"], r["tax_rate"], r["address"], r.get("timezone", ""), r.get("max_discount", ""))
    return table


def products_view(rows: list[dict]) -> Any:
    table = Table(title="Products", title_justify="left")
    for col, justify in (("Product", "left"), ("SKU", "left"), ("Variant", "left"), ("Price", "right"),
                         ("Barcode", "left"), ("Options", "left"), ("Delivers", "left")):
        table.add_column(col, justify=justify)
    for p in rows:
        if not p["variants"]:
            _row(table, f"{p['code']} {p['name']}", "(no variants)", "", "", "", "", "")
        for i, v in enumerate(p["variants"]):
            _row(
                table,
                f"{p['code']} {p['name']}" if i == 0 else "", v["sku"], v["name"], _m(v["price"], v["currency"]),
                v["barcode"] or "", ", ".join(f"{k}={val}" for k, val in v["options"].items()),
                "yes" if v["is_deliverable"] else "no",
            )
    return table


def product_view(p: dict) -> Any:
    table = Table()
    for col, justify in (("SKU", "left"), ("Variant", "left"), ("Price", "right"), ("Barcode", "left"),
                         ("Options", "left"), ("Delivers", "left"), ("Stock (available)", "left")):
        table.add_column(col, justify=justify)
    for v in p["variants"]:
        stock = ", ".join(f"{lv['location']} {lv['available']}" for lv in v.get("levels", [])) or "none"
        _row(table, v["sku"], v["name"], _m(v["price"], v["currency"]), v["barcode"] or "",
             ", ".join(f"{k}={val}" for k, val in v["options"].items()), "yes" if v["is_deliverable"] else "no", stock)
    return _titled(f"{p['code']}  {p['name']}", table)


def orders_view(rows: list[dict]) -> Any:
    table = Table(title="Orders (newest first)", title_justify="left")
    for col, justify in (("Order", "right"), ("When", "left"), ("Store", "left"), ("Status", "left"),
                         ("Paid by", "left"), ("Total", "right")):
        table.add_column(col, justify=justify, no_wrap=col in {"When", "Total"})
    for r in rows:
        _row(table, r["id"], local_time(r["created_at"], r.get("timezone")), r["location"], r["status"],
             r["payment"]["processor"] or "", _m(r["total"], r["currency"]))
    return table


def processors_view(rows: list[dict]) -> Any:
    table = Table(title="Payment processors", title_justify="left")
    for col in ("Name", "Description", "Parameters", "From"):
        table.add_column(col)
    for r in rows:
        params = ", ".join(f"--{k}" if k in {"card", "expiry", "tendered"} else f"--pay-option {k}=..." for k in r["parameters"])
        # A plugin's name, description and error are its own text: shown as they are, styled by us.
        about = _t(f"broken: {r['error']}", "red") if r["error"] else _t(r["description"])
        _row(table, r["name"], about, params, r["distribution"] or r["module"])
    return table
