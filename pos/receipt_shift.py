"""A shift's X or Z report for roll paper: a pure function of the report as `ShiftReport.view()` gives it.

Styled lines like a receipt's (pos.receipt_text blocks), each at most `width` terminal cells, so the same
lines go to plain text and to an ESC/POS printer. Names and reasons are data: control characters show
as escapes (`visible`), long or wide text wraps at display width.
"""

from __future__ import annotations

from pos.clock import local_time
from pos.money import format_money
from pos.receipt_text import BOLD, NORMAL, RULE, TITLE, Block, blocks_text, check_width, two_sides
from pos.textcells import visible, visible_doc, wrap

MOVEMENT_LABELS = {"cash_in": "Cash in", "cash_out": "Cash out", "no_sale": "No sale"}


def shift_title(report: dict) -> str:
    kind = "Z report" if report["status"] == "closed" else "X report"
    return f"{kind}: shift {report['id']}"


def _signed(minor: int | None, currency: str) -> str:
    if minor is None:
        return "-"
    text = format_money(minor, currency)
    return f"+{text}" if minor > 0 else text


def figure_rows(report: dict) -> list[tuple[str, str]]:
    """The report's figures as (label, value), the same on paper and on screen."""
    cur = report["_view"]["currency"]
    m = lambda minor: "-" if minor is None else format_money(minor, cur)  # noqa: E731
    return [
        ("Float", m(report["float"])),
        (f"Sales ({report['sales_count']})", m(report["gross"])),
        ("Refunds", m(report["refunds"])),
        ("Net sales", m(report["net"])),
        ("Tax collected", m(report["tax"])),
        ("Cash in", m(report["cash_in"])),
        ("Cash out", m(report["cash_out"])),
        ("Expected cash", m(report["expected_cash"])),
        ("Counted", m(report["counted"])),
        ("Over/short", _signed(report["over_short"], cur)),
    ]


def when_rows(report: dict) -> list[str]:
    zone = report["_view"].get("timezone")
    rows = [f"Opened {local_time(report['opened_at'], zone)}" + (f" by {report['opened_by']}" if report["opened_by"] else "")]
    if report["closed_at"]:
        rows.append(f"Closed {local_time(report['closed_at'], zone)}"
                    + (f" by {report['closed_by']}" if report["closed_by"] else ""))
    return rows


def shift_blocks(report: dict, width: int = 42) -> list[Block]:
    """The report as styled lines of at most `width` terminal cells."""
    check_width(width)
    view = report["_view"]
    report = {**visible_doc({k: v for k, v in report.items() if k != "_view"}), "_view": view}
    cur = view["currency"]
    rule = "-" * width
    out: list[Block] = [(TITLE, line) for line in wrap(shift_title(report).upper(), width)]
    out += [(NORMAL, line) for line in wrap(f"Register {report['register']} at {report['location']}", width)]
    for text in when_rows(report):
        out += [(NORMAL, line) for line in wrap(text, width)]
    out.append((RULE, rule))
    for label, value in figure_rows(report):
        style = BOLD if label in ("Net sales", "Expected cash", "Over/short") else NORMAL
        out += [(style, line) for line in two_sides(label, value, width)]
    out += _section("Tenders", [(f"  {t['method']} ({t['count']})", format_money(t["amount"], cur))
                                for t in report["by_tender"]], width)
    out += _section("Sales per clerk", [(f"  {c['clerk'] or '(no clerk)'} ({c['count']})", format_money(c["amount"], cur))
                                        for c in report["by_clerk"]], width)
    if view.get("movements"):
        out += [(RULE, rule), (BOLD, "Drawer")]
        for move in view["movements"]:
            head = f"  {local_time(move['at'], view.get('timezone'))[11:16]} {MOVEMENT_LABELS.get(move['kind'], move['kind'])}"
            if move.get("clerk"):
                head += f" ({visible(move['clerk'])})"
            out += [(NORMAL, line) for line in two_sides(head, format_money(move["amount"], cur), width)]
            if move.get("reason"):
                out += [(NORMAL, line) for line in wrap(visible(move["reason"]), width, "    ")]
    if view.get("hours"):
        out += _section("Sales by hour", [(f"  {label}", format_money(amount, cur)) for label, amount in view["hours"]],
                        width)
    return out


def _section(title: str, rows: list[tuple[str, str]], width: int) -> list[Block]:
    if not rows:
        return []
    out: list[Block] = [(RULE, "-" * width), (BOLD, title)]
    for label, value in rows:
        out += [(NORMAL, line) for line in two_sides(label, value, width)]
    return out


def shift_text(report: dict, width: int = 42) -> str:
    """The report as plain roll-paper text, ending with a newline."""
    return blocks_text(shift_blocks(report, width))
