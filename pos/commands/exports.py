"""pos export: the catalog, stock or orders as CSV, on stdout or in a file."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from pos.commands._common import JsonFlag, command_group, database, emit, note

app = command_group(
    help="Export as CSV (what `pos import` reads back unchanged). Text that a spreadsheet would run as a "
         "formula is prefixed with '.",
    no_args_is_help=True,
)

Output = Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help="Write here instead of stdout.")]
Location = Annotated[str | None, typer.Option("--location", help="Only this location.")]


@app.command("catalog")
def catalog(output: Output = None, as_json: JsonFlag = False) -> None:
    """Every variant with its product, price, barcode, deliverable and options."""
    from pos.services.exports import export_catalog

    _run(lambda out: export_catalog(database(), out=out), output, as_json)


@app.command("inventory")
def inventory(output: Output = None, location: Location = None, as_json: JsonFlag = False) -> None:
    """On-hand stock per SKU and location (columns sku, location, quantity)."""
    from pos.services.exports import export_inventory

    _run(lambda out: export_inventory(database(), out=out, location=location), output, as_json)


@app.command("orders")
def orders(output: Output = None, location: Location = None, as_json: JsonFlag = False) -> None:
    """One row per order line, with the order's status, totals and payment."""
    from pos.services.exports import export_orders

    _run(lambda out: export_orders(database(), out=out, location=location), output, as_json)


@app.command("refunds")
def refunds(output: Output = None, location: Location = None, as_json: JsonFlag = False) -> None:
    """One row per refunded line, with its refund's order, status, method and amounts."""
    from pos.services.exports import export_refunds

    _run(lambda out: export_refunds(database(), out=out, location=location), output, as_json)


def _run(export: Callable[[IO[str]], Any], output: str | None, as_json: bool) -> None:
    if output is None or output == "-":
        if as_json:
            raise typer.BadParameter("--json needs --output FILE (stdout carries the CSV)", param_hint="--json")
        export(sys.stdout)
        sys.stdout.flush()
        return
    doc = _to_file(export, Path(output))
    doc.output = output
    emit(doc, as_json, lambda d: note(f"wrote {d['rows']:,} {d['kind']} rows to {d['output']}"))


def _to_file(export: Callable[[IO[str]], Any], target: Path) -> Any:
    """Write beside the target and rename at the end, so a failed export never leaves half a file."""
    from pos.errors import InvalidInput

    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    except OSError as exc:
        raise InvalidInput(f"cannot write {target}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            doc = export(fh)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return doc
