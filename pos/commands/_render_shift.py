"""What a person sees of shifts: the X/Z report with its hour-by-hour bar chart, the list, a cash movement.

Pure functions of the documents (a report as `ShiftReport.view()` gives it). Text is data (see _render).
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pos.clock import local_time
from pos.commands._render import _m, _row, _t
from pos.receipt_shift import MOVEMENT_LABELS, figure_rows, shift_title, when_rows

BAR_WIDTH = 32


def hour_chart(hours: list[tuple[str, int]], currency: str) -> Table:
    """Sales per hour as horizontal bars, scaled to the busiest hour."""
    top = max((amount for _label, amount in hours), default=0)
    table = Table(show_header=False, box=None, pad_edge=False, title=_t("Sales by hour", "table.title"),
                  title_justify="left")
    table.add_column("Hour")
    table.add_column("Bar")
    table.add_column("Sales", justify="right")
    for label, amount in hours:
        size = round(BAR_WIDTH * amount / top) if top > 0 else 0
        bar = Text("█" * size or ("▏" if amount > 0 else ""), style="green")
        table.add_row(_t(label[11:]), bar, _t(_m(amount, currency)))
    return table


def shift_view(report: dict, *, chart: bool = True) -> Any:
    view = report["_view"]
    cur = view["currency"]
    figures = Table(show_header=False, box=None, pad_edge=False)
    figures.add_column("What")
    figures.add_column("Amount", justify="right")
    for label, value in figure_rows(report):
        style = "bold" if label in ("Net sales", "Expected cash") else ""
        if label == "Over/short" and report["over_short"]:
            style = "bold red" if report["over_short"] < 0 else "bold yellow"
        figures.add_row(_t(label, style), _t(value, style))
    parts: list[Any] = [_t(f"Register {report['register']} at {report['location']}")]
    parts += [_t(text) for text in when_rows(report)]
    parts.append(figures)
    if report["by_tender"]:
        tenders = Table(title=_t("Tenders", "table.title"), title_justify="left", box=None, pad_edge=False)
        tenders.add_column("Method")
        tenders.add_column("Payments", justify="right")
        tenders.add_column("Amount", justify="right")
        for t in report["by_tender"]:
            _row(tenders, t["method"], t["count"], _m(t["amount"], cur))
        parts.append(tenders)
    if report["by_clerk"]:
        clerks = Table(title=_t("Sales per clerk", "table.title"), title_justify="left", box=None, pad_edge=False)
        clerks.add_column("Clerk")
        clerks.add_column("Sales", justify="right")
        clerks.add_column("Amount", justify="right")
        for c in report["by_clerk"]:
            _row(clerks, c["clerk"] if c["clerk"] is not None else Text("(no clerk)", style="dim"), c["count"],
                 _m(c["amount"], cur))
        parts.append(clerks)
    if view.get("movements"):
        moves = Table(title=_t("Drawer", "table.title"), title_justify="left", box=None, pad_edge=False)
        moves.add_column("Time")
        moves.add_column("What")
        moves.add_column("Amount", justify="right")
        moves.add_column("Clerk", overflow="fold")
        moves.add_column("Reason", overflow="fold")  # on a narrow terminal a long reason wraps, never cut
        for move in view["movements"]:
            _row(moves, local_time(move["at"], view.get("timezone"))[11:16], MOVEMENT_LABELS.get(move["kind"], move["kind"]),
                 _m(move["amount"], cur), move.get("clerk") or "", move.get("reason") or "")
        parts.append(moves)
    if chart and view.get("hours"):
        parts.append(hour_chart(view["hours"], cur))
    closed = report["status"] == "closed"
    style = "green" if not closed or report["over_short"] == 0 else "yellow"
    return Panel(Group(*parts), title=_t(shift_title(report), "bold"), border_style=style, expand=False)


def shifts_view(page: dict) -> Any:
    rows, cur = page["shifts"], page["currency"]
    if not rows:
        return "No shifts yet: `pos shift open --location LOC --float AMOUNT` opens one."
    table = Table()
    for name in ("Shift", "Status", "Location", "Register", "Opened", "By", "Closed", "Over/short"):
        table.add_column(name, justify="right" if name in ("Shift", "Over/short") else "left")
    for s in rows:
        _row(table, s["id"], s["status"], s["location"], s["register"], local_time(s["opened_at"], s["timezone"]),
             s["opened_by"] or "", local_time(s["closed_at"], s["timezone"]) if s["closed_at"] else "",
             _m(s["over_short"], cur))
    return table


def movement_view(move: dict) -> Any:
    cur = move["currency"]
    label = MOVEMENT_LABELS.get(move["kind"], move["kind"])
    text = _t(f"{label} {_m(move['amount'], cur)} on shift {move['shift_id']}"
              + (f": {move['reason']}" if move["reason"] else "")
              + f"; the drawer should hold {_m(move['expected_cash'], cur)}")
    return text
