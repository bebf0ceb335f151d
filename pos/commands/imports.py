"""pos import: the catalog and stock from CSV files (spreadsheets), checked row by row."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Annotated

import typer

from pos.commands._common import JsonFlag, command_group, database, emit, invocation
from pos.commands._signin import ApproveOption, ClerkOption

app = command_group(
    help="Import locations, the catalog or stock from CSV. All-or-nothing unless --skip-invalid.", no_args_is_help=True
)


class Mode(str, Enum):
    set = "set"
    add = "add"


File = Annotated[str, typer.Argument(help="CSV file (UTF-8, comma or semicolon, header row), or - for standard input.",
                                     metavar="FILE")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check every row and report what would change; write nothing.")]
SkipInvalid = Annotated[bool, typer.Option("--skip-invalid", help="Import the valid rows and reject the others.")]
Rejects = Annotated[str | None, typer.Option(
    "--rejects", metavar="PATH", help="With --skip-invalid: write the rejected rows and their reasons to this CSV.")]


def _signed_in(clerk: str | None, approve: str | None, dry_run: bool):
    """An import changes stock or prices: a manager's. A dry run changes nothing and needs nobody."""
    from contextlib import nullcontext

    from pos.commands._signin import signed_in

    return nullcontext() if dry_run else signed_in(clerk, approve, manager=True)


@app.command("locations")
def locations(file: File, dry_run: DryRun = False, clerk: ClerkOption = None, approve: ApproveOption = None,
              as_json: JsonFlag = False) -> None:
    """Create or update stores and warehouses. Columns: code, name; optional tax_rate (percent), address,
    receipt_footer. All or nothing. Needs a manager (unless --dry-run)."""
    from pos.services.imports import import_locations

    with _signed_in(clerk, approve, dry_run):
        doc = import_locations(database(), path=file, dry_run=dry_run)
    emit(doc, as_json, _summary)


class CatalogFormat(str, Enum):
    native = "native"
    shopify = "shopify"


@app.command("catalog")
def catalog(
    file: File,
    format_: Annotated[CatalogFormat, typer.Option(
        "--format", help="native: pos's own columns; shopify: a Shopify product CSV export as it comes.")
    ] = CatalogFormat.native,
    location: Annotated[str | None, typer.Option(
        "--location", metavar="CODE", help="With --format shopify: set the stock on hand at this location from "
                                           "the Variant Inventory Qty column.")] = None,
    dry_run: DryRun = False, skip_invalid: SkipInvalid = False, rejects: Rejects = None,
    clerk: ClerkOption = None, approve: ApproveOption = None, as_json: JsonFlag = False,
) -> None:
    """Create or update products and variants. Columns: product, product_name, sku, price; optional
    variant_name, barcode, deliverable (yes/no) and option:NAME columns (option:size, option:color ...).
    With --format shopify: Handle, Title, Option1-3 Name/Value, Variant SKU, Variant Price, Variant Barcode,
    Variant Requires Shipping (other columns are ignored). Needs a manager (unless --dry-run): it can change prices."""
    from pos.services.imports import import_catalog, import_shopify

    _check_rejects(skip_invalid, rejects)
    if location is not None and format_ is not CatalogFormat.shopify:
        raise typer.BadParameter("--location needs --format shopify (a native catalog has no stock column; "
                                 "use `pos import inventory`)", param_hint="--location")
    with _signed_in(clerk, approve, dry_run), _progress(file, as_json) as progress:
        if format_ is CatalogFormat.shopify:
            doc = import_shopify(database(), path=file, location=location, dry_run=dry_run,
                                 skip_invalid=skip_invalid, rejects=rejects, progress=progress)
        else:
            doc = import_catalog(database(), path=file, dry_run=dry_run, skip_invalid=skip_invalid,
                                 rejects=rejects, progress=progress)
    emit(doc, as_json, _summary)


@app.command("inventory")
def inventory(
    file: File,
    mode: Annotated[Mode, typer.Option("--mode", help="set: the file holds counts (a stock take); "
                                                      "add: it holds deliveries (negative numbers remove).")] = Mode.set,
    dry_run: DryRun = False, skip_invalid: SkipInvalid = False, rejects: Rejects = None,
    clerk: ClerkOption = None, approve: ApproveOption = None, as_json: JsonFlag = False,
) -> None:
    """Set or add stock per SKU and location. Columns: sku, location, quantity, and optionally
    reorder_level (empty: unchanged). Every change is kept in the stock history with the file name and line.
    Needs a manager (unless --dry-run)."""
    from pos.services.imports import import_inventory

    _check_rejects(skip_invalid, rejects)
    with _signed_in(clerk, approve, dry_run), _progress(file, as_json) as progress:
        doc = import_inventory(database(), path=file, mode=mode.value, dry_run=dry_run, skip_invalid=skip_invalid,
                               rejects=rejects, progress=progress)
    emit(doc, as_json, _summary)


def _check_rejects(skip_invalid: bool, rejects: str | None) -> None:
    if rejects and not skip_invalid:
        raise typer.BadParameter("--rejects needs --skip-invalid (without it, nothing is imported if a row is bad)",
                                 param_hint="--rejects")


@contextmanager
def _progress(file: str, as_json: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A bar on stderr, only when a person watches: a terminal, a real file, and no --json."""
    if as_json or invocation().json or file == "-" or not sys.stderr.isatty():
        yield None
        return
    import os

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    size = os.path.getsize(file) if os.path.isfile(file) else None
    bar = Progress(
        TextColumn("{task.description}", style="bold", markup=False),  # a file name is not markup
        BarColumn(), TextColumn("{task.fields[rows]:,} rows"),
        TextColumn("{task.fields[rate]:,.0f} rows/s"), TimeElapsedColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    )
    task = bar.add_task(os.path.basename(file), total=size, rows=0, rate=0.0)

    def advance(done_bytes: int, rows: int) -> None:
        elapsed = bar.tasks[0].elapsed or 0.0
        bar.update(task, completed=done_bytes, rows=rows, rate=rows / elapsed if elapsed else 0.0)

    with bar:
        yield advance


def _summary(doc: dict) -> str:
    verb = "would change" if doc["dry_run"] else "changed"
    head = f"{doc['file']}: {doc['read']:,} rows read, {doc['applied']:,} {verb}, {doc['unchanged']:,} unchanged, " \
           f"{doc['rejected']:,} rejected"
    if doc["kind"] == "locations":
        head += f" ({doc['created']:,} new, {doc['updated']:,} updated)"
    if doc["kind"] == "catalog":
        head += f" ({doc['created']:,} variants new, {doc['updated']:,} updated)"
    if doc.get("location"):
        head += f"; stock at {doc['location']}: {doc['stock_changed']:,} {verb}"
    if doc.get("reorder_levels") is not None:
        head += f"; reorder levels: {doc['reorder_levels']:,} {verb}"
    lines = [head + (" (dry run: nothing written)" if doc["dry_run"] else "")]
    lines += doc["errors"]
    if doc.get("rejects_file"):
        lines.append(f"rejected rows written to {doc['rejects_file']}")
    from pos.textcells import one_line

    # Plain text, not re-wrapped; a file name or a quoted cell is shown, never obeyed, and stays on its line.
    return "\n".join(map(one_line, lines))
