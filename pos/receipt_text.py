"""Plain-text receipts for roll paper: a pure function of the order document.

`receipt_blocks` gives styled lines (what a receipt printer needs to know: centre this, bold that);
`receipt_text` joins them into the text a 32, 42 or 48 column roll would show. Widths are terminal cells
(pos.textcells), so CJK names and emoji never push a line past the roll. Neither imports the database, a
printer library or rich beyond its cell-width table, so they can be tested and used anywhere.
"""

from __future__ import annotations

from pos.clock import local_time
from pos.models.statuses import OrderStatus
from pos.models.statuses import PaymentStatus
from pos.money import format_money
from pos.textcells import cell_len, fit, pad, visible, visible_doc, wrap

WIDTHS = (32, 42, 48)

# Styles a printer may honour; plain text ignores them (centring is already in the text).
TITLE, CENTER, NORMAL, BOLD, RULE = "title", "center", "normal", "bold", "rule"

Block = tuple[str, str]  # (style, one line of text already fitted to the width)


def check_width(width: int) -> int:
    if width not in WIDTHS:
        from pos.errors import InvalidInput

        raise InvalidInput(f"receipt width must be one of {', '.join(map(str, WIDTHS))} columns, not {width}")
    return width


def two_sides(left: str, right: str, width: int) -> list[str]:
    """`left` and `right` on one line, the right one flush right; `left` wraps above when it cannot fit."""
    right = fit(right, width)
    room = width - cell_len(right) - 1
    if room >= cell_len(left):
        return [pad(left, width - cell_len(right)) + right]
    if room < 1:  # no room beside it at all: each on its own lines
        return [*_wrap(left, width), pad(right, width, "right")]
    body = left.lstrip(" ")
    wrapped = _wrap(body, room, left[: len(left) - len(body)])  # "  2 x 19.99" keeps its indent
    return [*wrapped[:-1], pad(wrapped[-1], width - cell_len(right)) + right]


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return wrap(text, width, indent)


def _center(text: str, width: int, style: str = CENTER) -> list[Block]:
    return [(style, pad(line, width, "center").rstrip()) for line in _wrap(text, width)]


def payment_rows(payment: dict | None, currency: str) -> list[tuple[str, str]]:
    """The payment lines of a receipt as (label, value), the same on paper and on screen (pos.commands._render).

    A processor's reason is its own text: callers show it as data.
    """
    if not payment:
        return []
    label = payment["processor"]
    if payment.get("last4"):
        label = f"{payment.get('brand') or 'card'} ****{payment['last4']}"
    said = f"Paid by {label}" if payment["status"] == PaymentStatus.APPROVED else f"{label}: {payment['status']}"
    rows = [(said, format_money(payment["amount"], currency))]
    if payment.get("tendered") is not None:
        rows.append(("Tendered", format_money(payment["tendered"], currency)))
        if payment.get("change") is not None:
            rows.append(("Change due", format_money(payment["change"], currency)))
    if payment.get("reason") and payment["status"] != PaymentStatus.APPROVED:
        rows.append(("Reason", payment["reason"]))
    return rows


def first_name(name: str | None) -> str:
    """What a receipt shows of a clerk: the first word of the name ('Ann Lee' -> 'Ann')."""
    words = (name or "").split()
    return words[0] if words else ""


def _because(label: str, reason: str | None) -> str:
    return f"{label}: {reason}" if reason else label


def item_adjustments(item: dict, currency: str) -> list[tuple[str, str]]:
    """What was done to a line's price, as (label, value) rows under it: a changed price and a line
    discount, each with its reason (a person's text: callers show it as data). The same on paper, on
    screen and in the till."""
    rows = []
    if item.get("list_price") is not None and item["list_price"] != item["unit_price"]:
        rows.append((_because(f"price changed from {format_money(item['list_price'], currency)}",
                              item.get("price_reason")), ""))
    if item.get("discount"):
        pct = f" {item['discount_percent']}%" if item.get("discount_percent") else ""
        rows.append((_because(f"discount{pct}", item.get("discount_reason")), format_money(-item["discount"], currency)))
    return rows


def order_adjustments(doc: dict, currency: str) -> list[tuple[str, str]]:
    """The order discount as a (label, value) row, with its reason; none when there is none."""
    if not doc.get("discount") and not doc.get("discount_percent"):  # 10 % of an empty sale still shows
        return []
    pct = f" {doc['discount_percent']}%" if doc.get("discount_percent") else ""
    return [(_because(f"Discount{pct}", doc.get("discount_reason")), format_money(-doc["discount"], currency))]


def order_payment_rows(order: dict) -> list[tuple[str, str]]:
    """Every payment (part) of an order as receipt rows; while a split payment is short of the total, what is
    paid and what is still due."""
    cur = order["currency"]
    payments = order.get("payments") or ([order["payment"]] if order.get("payment") else [])
    rows = [row for payment in payments for row in payment_rows(payment, cur)]
    if order.get("balance_due"):
        rows += [("Paid so far", format_money(order.get("paid") or 0, cur)),
                 ("BALANCE DUE", format_money(order["balance_due"], cur))]
    return rows


def receipt_blocks(order: dict, width: int = 42) -> list[Block]:
    """The receipt as styled lines, each at most `width` terminal cells."""
    check_width(width)
    order = visible_doc(order)  # a control character in a name is printed as an escape, never obeyed
    cur = order["currency"]
    store = order.get("store") or {"name": order["location"], "address": "", "receipt_footer": ""}
    rule = "-" * width
    out: list[Block] = _center(store.get("name") or order["location"], width, TITLE)
    for part in (store.get("address") or "").splitlines():
        out += _center(part, width)
    out.append((RULE, rule))
    head, moment = f"Order {order['id']}", local_time(order["created_at"], order.get("timezone"))
    if len(head) + 1 + len(moment) <= width:
        out.append((NORMAL, head + moment.rjust(width - len(head))))
    else:  # a long order number on 32 columns: the time goes on a line of its own
        out += [(NORMAL, head), (NORMAL, moment.rjust(width))]
    if order.get("clerk"):
        out += [(NORMAL, line) for line in _wrap(f"Served by {first_name(order['clerk'])}", width)]
    paid = (OrderStatus.PROCESSING, OrderStatus.COMPLETED, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
    if order["status"] not in paid and not order.get("refunded"):
        out.append((BOLD, fit(f"NOT PAID: {order['status']}", width)))
    elif order["status"] not in (OrderStatus.PROCESSING, OrderStatus.COMPLETED):
        out.append((BOLD, fit(order["status"].replace("_", " ").upper(), width)))
    out.append((RULE, rule))
    for item in order["items"]:
        out += [(NORMAL, line) for line in _wrap(item["name"], width)]
        qty = f"  {item['quantity']} x {format_money(item['unit_price'], cur)}  {item['sku']}"
        out += [(NORMAL, line) for line in two_sides(qty, format_money(item["line_total"], cur), width)]
        for label, value in item_adjustments(item, cur):
            under = two_sides(f"  {label}", value, width) if value else _wrap(label, width, "  ")
            out += [(NORMAL, line) for line in under]
        if item.get("delivery"):
            out += [(NORMAL, line) for line in _wrap(f"ships from {item['location']}", width, "  ")]
            shipped = item.get("fulfilment") or {}
            if shipped.get("state") == "shipped":
                text = f"shipped {shipped['tracking']}".strip() if shipped.get("tracking") else "shipped"
                out += [(NORMAL, line) for line in _wrap(text, width, "  ")]
    out.append((RULE, rule))
    rows = [*order_adjustments(order, cur), ("Subtotal", format_money(order["subtotal"], cur)),
            (f"Tax {order['tax_rate']}%", format_money(order["tax"], cur))]
    for label, value in rows:
        out += [(NORMAL, line) for line in two_sides(label, value, width)]
    out += [(BOLD, line) for line in two_sides(f"TOTAL {cur}", format_money(order["total"], cur), width)]
    for label, value in order_payment_rows(order):
        # A processor's long reason wraps under its label rather than being cut to fit beside it.
        beside = cell_len(value) <= width // 2
        out += [(NORMAL, line) for line in (two_sides(label, value, width) if beside else _wrap(f"{label}: {value}", width))]
    if order.get("refunds"):
        from pos.receipt_refund import order_refund_blocks

        out += order_refund_blocks(order, width)
    if order.get("shipping"):
        out.append((RULE, rule))
        out += [(NORMAL, line) for line in _wrap(f"Ship to: {order['shipping']['name']}", width)]
        for part in (order["shipping"]["address"] or "").splitlines() or [""]:
            out += [(NORMAL, line) for line in _wrap(part, width, "  ")]
    return out + footer_blocks(store, width)


def footer_blocks(store: dict, width: int) -> list[Block]:
    """The store's receipt footer under a rule, each line centred (nothing when it has none)."""
    if not store.get("receipt_footer"):
        return []
    out: list[Block] = [(RULE, "-" * width)]
    for part in store["receipt_footer"].splitlines():
        out += _center(part, width)
    return out


def blocks_text(blocks: list[Block]) -> str:
    """Styled lines as plain roll-paper text, ending with a newline."""
    return "\n".join(text for _style, text in blocks) + "\n"


def receipt_text(order: dict, width: int = 42) -> str:
    """The receipt as plain text of at most `width` terminal cells a line, ending with a newline."""
    return blocks_text(receipt_blocks(order, width))


def sale_text(sale: dict) -> str:
    """A sale in progress (a cart document with tax and total added) as compact plain text: one line an
    item, SKU and name in fixed columns of terminal cells (cut with an ellipsis when longer). Control
    characters in names are shown as escapes (`visible`), field by field: this runs on every scan."""
    cur = sale["currency"]
    lines = [f"sale {sale['id']} at {sale['location']}:" if sale["id"] else f"new sale at {sale['location']}:"]
    for item in sale["items"]:
        where = f" from {item['location']}" if item.get("delivery") else ""
        lines.append(
            f"  {item['quantity']:>3} x {pad(fit(visible(item['sku']), 16), 16)} "
            f"{pad(fit(visible(item['name']), 28), 28)} "
            f"{format_money(item['unit_price'], cur):>9} {format_money(item['line_total'], cur):>10}{where}"
        )
        for label, value in item_adjustments(item, cur):
            lines.append(f"        {visible(label)}  {value}".rstrip())
    if not sale["items"]:
        lines.append("  (empty)")
    for label, value in order_adjustments(sale, cur):
        lines.append(f"  {visible(label)}  {value}")
    count = sum(i["quantity"] for i in sale["items"])
    lines.append(
        f"  {count} item{'s' if count != 1 else ''}  subtotal {format_money(sale['subtotal'], cur)}"
        f"  tax {format_money(sale['tax'], cur)}  TOTAL {format_money(sale['total'], cur)}"
    )
    if sale.get("shipping"):
        shipping = sale["shipping"]
        lines.append(f"  ship to: {visible(shipping['name'])} / {visible(shipping['address'])}")
    return "\n".join(lines)
