"""What `pos report sales` shows: a rich table, CSV lines, and bars of net per row (pure functions)."""

from __future__ import annotations

import csv
from typing import IO, Any

from rich import box
from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text

from pos.money import format_money
from pos.textcells import visible

_HEADS = {"day": "Day", "hour": "Hour", "sku": "SKU", "clerk": "Clerk", "tender": "Tender", "location": "Location",
          "shift": "Shift"}
_BLOCKS = " ▏▎▍▌▋▊▉█"


def _t(value: Any, style: str = "") -> Text:
    return Text("" if value is None else visible(str(value)), style=style)


def _has_names(doc: dict) -> bool:
    return doc["by"] in ("sku", "location")


def title(doc: dict) -> str:
    where = f"at {doc['location']}" if doc["location"] else "all locations"
    return f"Sales by {doc['by']}, {doc['from']} to {doc['to']} ({where}, {doc['currency']})"


def report_view(doc: dict) -> Any:
    cur = doc["currency"]
    table = Table(title=_t(title(doc), "table.title"), title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    keys = [cell_len(visible(r["key"])) for r in doc["rows"]]
    table.add_column(_HEADS[doc["by"]], overflow="fold", min_width=min(max(keys, default=5), 24))
    if _has_names(doc):
        table.add_column("Name", overflow="fold", min_width=12)
    sku = doc["by"] == "sku"
    # Numbers never wrap or get cut: the text columns (names as typed) fold instead.
    # Per SKU the units take the place of the counts (still in --json and --csv), to fit 80 columns.
    heads = ("Sold", "Back", "Gross", "Refunded", "Net", "Tax") if sku else (
        "Sales", "Gross", "Refunds", "Refunded", "Net", "Tax")
    for head in heads:
        table.add_column(head, justify="right", no_wrap=True)

    def cells(row: dict, *, total: bool = False) -> list[Text]:
        style = "bold" if total else ""
        out = [_t("Total" if total else row["key"], style)]
        if _has_names(doc):
            out.append(_t("" if total else row.get("name"), style))
        if sku:
            out += [_t("" if total else row["units"], style), _t("" if total else row["units_returned"], style),
                    _t(format_money(row["gross"], cur), style), _t(format_money(row["refunds"], cur), style)]
        else:
            out += [_t(row["sales_count"], style), _t(format_money(row["gross"], cur), style),
                    _t(row["refunds_count"], style), _t(format_money(row["refunds"], cur), style)]
        out += [_t(format_money(row["net"], cur), style), _t(format_money(row["tax"], cur), style)]
        return out

    for row in doc["rows"]:
        table.add_row(*cells(row))
    if not doc["rows"]:
        table.add_row(*[_t("(no sales)")] + [_t("")] * (len(table.columns) - 1))
    table.add_section()
    table.add_row(*cells(doc["totals"], total=True))
    return table


def write_csv(doc: dict, out: IO[str]) -> None:
    """A header and one line per row; money as decimals, text cells guarded as `pos export` does."""
    from pos.services.imports.csvsource import guard

    cur = doc["currency"]
    sku = doc["by"] == "sku"
    header = [doc["by"], *(["name"] if _has_names(doc) else []), *(["units", "units_returned"] if sku else []),
              "sales_count", "gross", "refunds_count", "refunds", "net", "tax", "currency"]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in doc["rows"]:
        writer.writerow([
            guard(row["key"]), *([guard(row.get("name") or "")] if _has_names(doc) else []),
            *([row["units"], row["units_returned"]] if sku else []),
            row["sales_count"], format_money(row["gross"], cur), row["refunds_count"], format_money(row["refunds"], cur),
            format_money(row["net"], cur), format_money(row["tax"], cur), cur,
        ])
    out.flush()


def bar(value: int, largest: int, width: int) -> str:
    """`value` as a bar of up to `width` cells when `largest` fills them all (eighths of a cell)."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = round(value * width * 8 / largest)
    full, part = divmod(eighths, 8)
    return "█" * full + (_BLOCKS[part] if part else "")


def chart_view(doc: dict, width: int = 40) -> Any:
    """Net per row as horizontal bars; a negative net (more paid back than taken) as a red bar."""
    cur = doc["currency"]
    largest = max((abs(r["net"]) for r in doc["rows"]), default=0)
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column()
    table.add_column(justify="right")
    table.add_column()
    for row in doc["rows"]:
        net = row["net"]
        table.add_row(_t(row["key"]), _t(format_money(net, cur)),
                      Text(bar(abs(net), largest, width), style="red" if net < 0 else "green"))
    return Group(_t(f"Net by {doc['by']} ({cur})", "table.title"), table)
