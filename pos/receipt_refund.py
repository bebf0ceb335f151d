"""Refund receipts for roll paper, and the refunds shown under a sale on its receipt.

Pure functions of the refund document (`RefundPublic` dumped as JSON) or of the order document, in the
same styled blocks as pos.receipt_text, so the same ESC/POS printing and text joining serve both.
"""

from __future__ import annotations

from pos.clock import local_time
from pos.models.refund import CASH_METHOD, RefundKind, RefundStatus
from pos.money import format_money
from pos.receipt_text import (
    BOLD, NORMAL, RULE, TITLE, Block, _center, _wrap, blocks_text, check_width, first_name, footer_blocks, two_sides,
)
from pos.textcells import fit, visible_doc


def refund_blocks(refund: dict, width: int = 42) -> list[Block]:
    """A refund's receipt as styled lines, each at most `width` terminal cells."""
    check_width(width)
    refund = visible_doc(refund)  # a control character in a name is printed as an escape, never obeyed
    cur = refund["currency"]
    store = refund.get("store") or {}
    rule = "-" * width
    out: list[Block] = _center(store.get("name") or "", width, TITLE) if store.get("name") else []
    for part in (store.get("address") or "").splitlines():
        out += _center(part, width)
    out += _center("REFUND" if refund["kind"] == RefundKind.RETURN else "CANCELLATION", width, TITLE)
    out.append((RULE, rule))
    out += [(NORMAL, line) for line in two_sides(f"Refund {refund['id']}",
                                                                  local_time(refund["created_at"], refund.get("timezone")),
                                                                  width)]
    out += [(NORMAL, line) for line in _wrap(f"for order {refund['order_id']}", width)]
    if refund.get("clerk"):
        out += [(NORMAL, line) for line in _wrap(f"Served by {first_name(refund['clerk'])}", width)]
    if refund["status"] != RefundStatus.APPROVED:
        out.append((BOLD, fit(f"NOT PAID BACK: {refund['status']}", width)))
    out.append((RULE, rule))
    for item in refund["items"]:
        out += [(NORMAL, line) for line in _wrap(item["name"], width)]
        out += [(NORMAL, line) for line in two_sides(f"  {item['quantity']} x {item['sku']}",
                                                     "-" + format_money(item["amount"], cur), width)]
        where = f"back in stock at {item['location']}" if item["restocked"] else "not restocked"
        out += [(NORMAL, line) for line in _wrap(where, width, "  ")]
    out.append((RULE, rule))
    out += [(NORMAL, line) for line in two_sides("of which tax", format_money(refund["tax"], cur), width)]
    out += [(BOLD, line) for line in two_sides(f"REFUND {cur}", "-" + format_money(refund["amount"], cur), width)]
    method = "cash from the drawer" if refund["method"] == CASH_METHOD else refund["method"]
    out += [(NORMAL, line) for line in _wrap(f"Paid back by {method}", width)]
    if refund.get("reason"):
        out += [(NORMAL, line) for line in _wrap(f"Reason: {refund['reason']}", width)]
    return out + footer_blocks(store, width)


def refund_text(refund: dict, width: int = 42) -> str:
    return blocks_text(refund_blocks(refund, width))


def order_refund_blocks(order: dict, width: int) -> list[Block]:
    """The refunds of an order, under its sale: each refund and the total paid back."""
    refunds = order.get("refunds") or []
    if not refunds:
        return []
    cur = order["currency"]
    out: list[Block] = [(RULE, "-" * width)]
    for r in refunds:
        label = f"Refund {r['id']} ({r['method']})" + ("" if r["status"] == RefundStatus.APPROVED else f": {r['status']}")
        out += [(NORMAL, line) for line in two_sides(label, "-" + format_money(r["amount"], cur), width)]
    out += [(BOLD, line) for line in two_sides("REFUNDED", "-" + format_money(order.get("refunded", 0), cur), width)]
    return out
