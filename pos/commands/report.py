"""pos report: sales figures a person can check against the Z reports of the same days."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from pos.commands._common import JsonFlag, command_group, database, emit, note

app = command_group(help="Reports: sales, refunds, net and tax over local days.")

BY_CHOICES = "day, hour, sku, clerk, tender, location or shift"


@app.command("sales")
def sales(
    location: Annotated[str | None, typer.Option("--location", metavar="LOC", help="Only this location.")] = None,
    from_: Annotated[str | None, typer.Option("--from", metavar="DATE", help="First local day, YYYY-MM-DD "
                                              "(default: 6 days before --to).")] = None,
    to: Annotated[str | None, typer.Option("--to", metavar="DATE", help="Last local day, YYYY-MM-DD, "
                                           "inclusive (default: today).")] = None,
    by: Annotated[str, typer.Option("--by", metavar="KEY", help=f"One row per {BY_CHOICES}.")] = "day",
    as_json: JsonFlag = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout: a header, then one line per row "
                                         "(money as decimals; the totals are the sum of the lines).")] = False,
    chart: Annotated[bool, typer.Option("--chart", help="Also draw net per row as bars (on a terminal only).")] = False,
) -> None:
    """Sales, refunds, net of refunds and tax, per local day (or hour, SKU, clerk, tender, location, shift).

    A sale counts on the day of the payment that paid it in full, a refund on its own day, both at the location of
    the order, in that location's time zone. The figures are those of the Z reports (`pos shift close`).
    """
    from pos.errors import InvalidInput
    from pos.services.reports import parse_day, sales_report

    if as_json and as_csv:
        raise InvalidInput("give --json or --csv, not both")
    first = parse_day(from_, "--from") if from_ is not None else None
    last = parse_day(to, "--to") if to is not None else None
    doc = sales_report(database(), by=by.strip().lower(), first=first, last=last, location=location)
    if as_csv:
        from pos.commands._render_report import write_csv

        emit(doc, False, lambda d: write_csv(d, sys.stdout))
    else:
        emit(doc, as_json, _view)
    if chart:
        if as_json or as_csv or not sys.stdout.isatty():
            note("chart skipped: stdout is not a terminal" if not (as_json or as_csv)
                 else "chart skipped: stdout carries the " + ("JSON" if as_json else "CSV"))
        else:
            from pos.commands._common import console
            from pos.commands._render_report import chart_view

            console().print(chart_view(doc.model_dump(mode="json", by_alias=True, exclude_unset=True)))


def _view(doc: dict):
    from pos.commands._render_report import report_view

    return report_view(doc)
