"""What a person sees of clerks and the audit log: pure functions of their documents. Text is data."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from pos.clock import local_time
from pos.commands._render import _m, _row, _t


def clerks_view(clerks: list[dict]) -> Any:
    if not clerks:
        return "No clerks: anyone may use every command. Add the first (a manager) with `pos clerk add NAME --role manager`."
    table = Table(title=_t("Clerks", "table.title"), title_justify="left")
    table.add_column("Name")
    table.add_column("Role")
    table.add_column("Status")
    for clerk in clerks:
        status = "disabled" if not clerk["active"] else "active"
        if clerk.get("locked_until"):
            status += f", locked until {local_time(clerk['locked_until'], None)[11:]}"
        _row(table, clerk["name"], clerk["role"], status)
    return table


def audit_view(entries: list[dict], zone: str, currency: str) -> Any:
    if not entries:
        return "No audit entries."
    table = Table(title=_t("Audit log", "table.title"), title_justify="left")
    for column in ("#", "When", "Action", "Clerk", "Approved by", "On", "Amount", "Detail"):
        table.add_column(column, justify="right" if column in ("#", "Amount") else "left",
                         no_wrap=column in ("#", "When", "Action", "Amount"))
    for e in entries:
        on = ", ".join(part for part in (
            e["location"], f"order {e['order_id']}" if e["order_id"] else None,
            f"refund {e['refund_id']}" if e["refund_id"] else None,
            f"shift {e['shift_id']}" if e["shift_id"] else None, e["sku"]) if part)
        _row(table, e["id"], local_time(e["at"], zone), e["action"], e["clerk"] or "", e["approved_by"] or "", on,
             _m(e["amount"], currency), e["detail"])
    return table
