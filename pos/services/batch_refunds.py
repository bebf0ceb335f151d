"""Return and cancel lines of `pos batch`, run through the same refund service as `pos return`.

    {"ref": "r-1", "return": {"order": 12, "items": [{"sku": "TSHIRT-M", "qty": 1}], "restock": true}}
    {"ref": "c-1", "cancel": {"order": 13}}

Optional in `return`: "to" (a location), "refund_to" ("original" or "cash"), "reason"; an item without
"qty" returns every unit of it not yet returned. `ref` is the idempotency key, as for order lines.
"""

from __future__ import annotations

from pos.models.order import OrderStatus

import json
from dataclasses import dataclass

from pos.errors import InvalidInput
from pos.services.db import Database
from pos.services.refunds import DEFAULT_TIMEOUT_S, ReturnLine, cancel_order, return_items

MAX_REF = 180


@dataclass(frozen=True)
class RefundLineResult:
    order_id: int
    refund_id: int | None
    status: OrderStatus  # the order's status after the line
    replayed: bool


def is_refund_line(text: str) -> bool:
    """True for a line that is a JSON object with a `return` or `cancel` member (cheap for order lines)."""
    if '"return"' not in text and '"cancel"' not in text:
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and ("return" in data or "cancel" in data)


def _order_id(body: object, what: str) -> int:
    if not isinstance(body, dict):
        raise InvalidInput(f"{what} must be an object with an order")
    order = body.get("order")
    if isinstance(order, bool) or not isinstance(order, int) or order <= 0:
        raise InvalidInput(f"{what}.order must be an order number")
    return order


def _items(body: dict) -> list[ReturnLine] | None:
    if body.get("all") is True:
        return None
    raw = body.get("items")
    if not isinstance(raw, list) or not raw:
        raise InvalidInput('return.items must be a non-empty list of {"sku": ..., "qty": ...} (or "all": true)')
    lines = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("sku"), str) or not item["sku"].strip():
            raise InvalidInput(f"return.items[{i}] needs a sku")
        qty = item.get("qty")
        if qty is not None and (isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0):
            raise InvalidInput(f"return.items[{i}].qty must be a whole number above 0")
        lines.append(ReturnLine(item["sku"].strip(), qty))
    return lines


def _text(body: dict, key: str, what: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{what}.{key} must be text")
    return value


def run_refund_line(db: Database, text: str, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> RefundLineResult:
    from pos.services.batch_lines import decoded

    data = decoded(text)
    ref = data.get("ref")
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput("ref is required: a non-empty string that identifies the return (its idempotency key)")
    if len(ref) > MAX_REF:
        raise InvalidInput(f"ref is longer than {MAX_REF} characters")
    key = f"batch:{ref.strip()}"
    if "return" in data and "cancel" in data:
        raise InvalidInput("a line is a return or a cancel, not both")
    if "cancel" in data:
        body = data["cancel"]
        order_id = _order_id(body, "cancel")
        done = cancel_order(db, order_id=order_id, reason=_text(body, "reason", "cancel") or "", ref=key,
                            timeout=timeout)
        return RefundLineResult(order_id, done.refund.id if done.refund else None, OrderStatus(done.status), done.replayed)
    body = data["return"]
    order_id = _order_id(body, "return")
    restock = body.get("restock", True)
    if not isinstance(restock, bool):
        raise InvalidInput("return.restock must be true or false")
    refund = return_items(
        db, order_id=order_id, lines=_items(body), restock=restock, to_location=_text(body, "to", "return"),
        refund_to=_text(body, "refund_to", "return") or "original", reason=_text(body, "reason", "return") or "",
        ref=key, timeout=timeout,
    )
    return RefundLineResult(order_id, refund.id, OrderStatus(refund.order_status), refund.replayed)
