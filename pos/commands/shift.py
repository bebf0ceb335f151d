"""pos shift: open a drawer with a float, cash in and out, no-sale, the X report, close with the Z report."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from pos.commands._common import Format, JsonFlag, command_group, database, emit, invocation, mark_format_json, note
from pos.commands._complete import complete_location
from pos.commands._signin import ApproveOption, ClerkOption, signed_in

app = command_group(help="Shifts and the cash drawer: open, cash in/out, no-sale, X and Z reports.")

Location = Annotated[str | None, typer.Option("--location", metavar="LOC", autocompletion=complete_location,
                                              help="The store (needed when shifts are open at several).")]
Register = Annotated[str | None, typer.Option("--register", metavar="NAME",
                                              help="The drawer, when the location has several (default: main).")]
Reason = Annotated[str, typer.Option("--reason", help="Why the cash moved (kept, and shown in the reports).")]
Amount = Annotated[str, typer.Argument(metavar="AMOUNT", help="How much, e.g. 20.00.")]




FormatOption = Annotated[Format | None, typer.Option(
    "--format", callback=mark_format_json,
    help="rich (on screen, with the hour-by-hour chart on a terminal), text (roll paper) or json. "
         "Default: rich, or nothing on screen when --printer is given.")]
Width = Annotated[int, typer.Option("--width", help="Columns of roll paper for text and the printer: 32, 42 or 48.")]
Printer = Annotated[str | None, typer.Option(
    "--printer", metavar="SPEC", help="Also print it: file:/dev/usb/lp0, network:HOST[:PORT], usb:VENDOR:PRODUCT or "
                                      "dummy:PATH (raw ESC/POS bytes appended to PATH).")]


def _show(report: Any, format_: Format | None, as_json: bool, width: int, printer: str | None) -> None:
    """A report on screen (rich, text or JSON) and, with --printer, on paper."""
    doc = report.view()
    if printer:
        from pos.errors import PrinterError
        from pos.receipt_shift import shift_blocks
        from pos.services.printer import escpos_blocks, parse_spec, send

        parsed = parse_spec(printer)
        try:
            send(parsed, escpos_blocks(shift_blocks(doc, width)))
        except PrinterError as err:
            raise PrinterError(f"printer {parsed} failed: {err.message}; shift {report.id} is {report.status} and kept, "
                               f"reprint with `pos shift show {report.id} --printer {printer}`",
                               shift_id=report.id, printer=str(parsed)) from None
        note(f"report of shift {report.id} sent to {parsed}")
    chosen = Format.json if as_json else format_
    if chosen is None and printer:
        return
    if chosen == Format.text:
        from pos.receipt_shift import shift_text

        invocation().rendering = True
        typer.echo(shift_text(doc, width), nl=False)
        return
    from pos.commands._render_shift import shift_view

    emit(report, chosen == Format.json, lambda _plain: shift_view(doc, chart=sys.stdout.isatty()))


def _check_output(width: int, printer: str | None) -> None:
    """Refuse a bad --width or --printer before anything changes."""
    from pos.receipt_text import check_width

    check_width(width)
    if printer:
        from pos.services.printer import parse_spec

        parse_spec(printer)


@app.command("open")
def open_(
    location: Annotated[str, typer.Option("--location", metavar="LOC", autocompletion=complete_location,
                                          help="The store whose drawer opens.")],
    float_: Annotated[str, typer.Option("--float", metavar="AMOUNT", help="Cash counted into the drawer, e.g. 150.00.")],
    register: Register = None,
    clerk: ClerkOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Open a shift on a register with its float. Payments and refunds there are recorded against it."""
    from pos.services.shifts import open_shift

    with signed_in(clerk):
        report = open_shift(database(), location=location, register=register, float_amount=float_)
    _show(report, None, as_json, 42, None)


@app.command("cash-in")
def cash_in(amount: Amount, reason: Reason = "", location: Location = None, register: Register = None,
            clerk: ClerkOption = None, as_json: JsonFlag = False) -> None:
    """Put cash into the open drawer (change from the bank, say); --reason is required."""
    from pos.services.shifts import cash_in as run

    with signed_in(clerk):
        doc = run(database(), amount=amount, reason=reason, location=location, register=register)
    emit(doc, as_json, _movement)


@app.command("cash-out")
def cash_out(amount: Amount, reason: Reason = "", location: Location = None, register: Register = None,
             clerk: ClerkOption = None, as_json: JsonFlag = False) -> None:
    """Take cash out of the open drawer (a bank drop, say), never more than it should hold; --reason is required."""
    from pos.services.shifts import cash_out as run

    with signed_in(clerk):
        doc = run(database(), amount=amount, reason=reason, location=location, register=register)
    emit(doc, as_json, _movement)


@app.command("no-sale")
def no_sale(reason: Reason = "", location: Location = None, register: Register = None, clerk: ClerkOption = None,
            approve: ApproveOption = None, as_json: JsonFlag = False) -> None:
    """Open the drawer without a sale (needs a manager); recorded against the open shift."""
    from pos.services.shifts import no_sale as run

    with signed_in(clerk, approve, manager=True):
        doc = run(database(), reason=reason, location=location, register=register)
    emit(doc, as_json, _movement)


def _movement(doc: dict) -> Any:
    from pos.commands._render_shift import movement_view

    return movement_view(doc)


@app.command("x")
def x(location: Location = None, register: Register = None, format_: FormatOption = None, width: Width = 42,
      printer: Printer = None, as_json: JsonFlag = False) -> None:
    """The X report: the open shift's figures so far (the shift stays open)."""
    from pos.services.shifts import x_report

    _check_output(width, printer)
    _show(x_report(database(), location=location, register=register), format_, as_json, width, printer)


@app.command("close")
def close(
    counted: Annotated[str, typer.Option("--counted", metavar="AMOUNT", help="The cash counted in the drawer.")],
    location: Location = None,
    register: Register = None,
    format_: FormatOption = None,
    width: Width = 42,
    printer: Printer = None,
    clerk: ClerkOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Count the drawer and close the shift: the Z report, with over/short against the expected cash."""
    from pos.services.shifts import close_shift

    _check_output(width, printer)
    with signed_in(clerk):
        report = close_shift(database(), counted=counted, location=location, register=register)
    _show(report, format_, as_json, width, printer)


@app.command("show")
def show(
    shift: Annotated[int, typer.Argument(metavar="ID", min=1, max=2**63 - 1, help="Shift number.")],
    format_: FormatOption = None,
    width: Width = 42,
    printer: Printer = None,
    as_json: JsonFlag = False,
) -> None:
    """One shift's report: the Z report of a closed shift, the X report of an open one."""
    from pos.services.shifts import show_shift

    _check_output(width, printer)
    _show(show_shift(database(), shift_id=shift), format_, as_json, width, printer)


@app.command("list")
def list_(
    location: Location = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many shifts, newest first.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List shifts, newest first, with who opened them and what the count came to."""
    from pos.commands._render_shift import shifts_view
    from pos.services.shifts import list_shifts

    emit(list_shifts(database(), location=location, limit=limit), as_json, shifts_view)
