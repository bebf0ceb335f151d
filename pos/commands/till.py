"""pos till: a scan-speed interactive sale loop for one store.

Every line goes to `TillSession.handle` (pos/services/till/), which uses the same cart and checkout
services as `pos cart` and `pos checkout`. At a terminal the sale is drawn with rich after each line; with
standard input piped from a file the session prints plain text, each input line echoed first (card numbers
masked), so a scripted shift reads like a transcript.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from pos.commands._common import database, note, plain, report_error
from pos.commands._complete import complete_location
from pos.commands._signin import ClerkOption


def till(
    location: Annotated[str, typer.Option("--location", help="The store this till sells for.",
                                          autocompletion=complete_location)],
    printer: Annotated[str | None, typer.Option(
        "--printer", metavar="SPEC",
        help="Print each receipt on an ESC/POS printer: file:/dev/usb/lp0, network:HOST[:PORT], "
             "usb:VENDOR:PRODUCT or dummy:PATH.")] = None,
    width: Annotated[int, typer.Option("--width", help="Receipt width in columns: 32, 42 or 48.")] = 42,
    register: Annotated[str | None, typer.Option("--register", metavar="NAME",
                                                 help="The drawer this till uses, when the store has several.")] = None,
    resume: Annotated[bool | None, typer.Option(
        "--resume/--new", help="Resume this store's unfinished sale, or start a new one. Default: ask at a "
                               "terminal; with piped input, start a new one.")] = None,
    clerk: ClerkOption = None,
) -> None:
    """Sell at the counter: scan or type SKUs, take payment, print receipts. Type `help` inside.

    Once the store has clerks, the clerk signs in when the till starts, and again after `lock` or after
    $POS_TILL_IDLE seconds (default 300) without input.
    """
    from pos.commands._till_signin import LOCK_HELP, TillClerk
    from pos.errors import ApprovalRequired, PosError
    from pos.services import auth
    from pos.receipt_text import check_width
    from pos.services.till import HELP, TillSession, is_payment_line, redact

    check_width(width)
    if printer:
        from pos.services.printer import parse_spec

        parse_spec(printer)  # a mistyped SPEC is an error now, not after the first sale
    from pos.services.shifts import check_register

    session = TillSession(database(), location=location, register=check_register(register))
    screen = _Screen(interactive=sys.stdin.isatty(), width=width)
    at_till = TillClerk(database(), interactive=screen.interactive)
    at_till.start(clerk)
    with auth.acting(at_till.actor):
        _offer_resume(session, screen, resume)
    screen.sale(plain(session.current()))
    while True:
        try:
            line = screen.read(f"{session.location}> ", redact)
        except EOFError:
            break
        except KeyboardInterrupt:
            screen.say("^C: input cancelled, the sale is kept")
            continue
        if at_till.enabled and (line.strip().lower() == "lock" or at_till.idle_expired()):
            if line.strip().lower() != "lock":
                screen.say(f"idle for more than {at_till.idle:g}s: that line was not run")
            try:
                at_till.unlock(screen.read_raw, screen.say)
            except EOFError:
                break
            continue
        try:
            try:
                with auth.acting(at_till.for_line(line)):
                    result = session.handle(line)
            except ApprovalRequired:
                if not at_till.may_approve(line):
                    raise
                screen.say("above this store's discount limit, or a price change: a manager approves")
                with auth.acting(at_till.approving()):
                    result = session.handle(line)
        except PosError as err:  # one line, and the till carries on with the sale as it was
            report_error(err.code, err.message, payment=is_payment_line(line))
            continue
        except KeyboardInterrupt:
            screen.say("^C: interrupted; the sale is as shown by `total`")
            continue
        finally:
            at_till.touch()
        if result.kind == "quit":
            break
        if result.kind == "help":
            screen.say(HELP + ("\n" + LOCK_HELP if at_till.enabled else ""))
        elif result.kind == "sale" and result.sale is not None:
            screen.sale(plain(result.sale))
        elif result.kind == "paid" and result.order is not None:
            order = plain(result.order)  # the views and the printer take the order as JSON has it
            screen.receipt(order)
            if printer:
                _print(order, printer, width)
            screen.say(f"order {result.order.id} paid. New sale.")
        elif result.kind == "part" and result.order is not None:
            screen.receipt(plain(result.order))
            screen.say(_part_paid(plain(result.order)))
        elif result.kind == "abandoned" and result.cancellation is not None:
            screen.say(_abandoned(result.cancellation))
        elif result.kind == "refund" and result.refund_order is not None:
            _show_refund(screen, result.refund_order, result.refund, printer, width)
        elif result.kind in ("parked", "parked_list", "resumed"):
            _show_parking(screen, session, result)
    half_paid = session.leave()
    left = session.current() if session.cart_id is not None else None
    if half_paid is not None:
        note(f"sale {half_paid.cart_id} is paid in part (order {half_paid.id}): finish it with "
             f"`pos checkout {half_paid.cart_id} --pay ...`, or give it up with `pos order cancel {half_paid.id}`")
    elif left and left.items:
        note(f"sale {left.id} is still open; `pos till --location {session.location} --resume` continues it")


def _part_paid(order: dict) -> str:
    from pos.money import format_money

    cur = order["currency"]
    return (f"order {order['id']}: {format_money(order['paid'], cur)} paid, {format_money(order['balance_due'], cur)} "
            "due. Pay the rest, or `cancel` to give up and pay the parts back.")


def _abandoned(done: dict) -> str:
    from pos.money import format_money

    back = ", ".join(f"{format_money(r['amount'], r['currency'])} by {r['method']}" for r in done["refunds"])
    return f"order {done['order_id']} cancelled; paid back: {back or 'nothing'}. New sale."


def _offer_resume(session: Any, screen: _Screen, resume: bool | None) -> None:
    if resume is False:
        return
    found = session.open_sale()
    if found is None:
        return
    if resume is None and not screen.interactive:
        note(f"sale {found.id} at {session.location} is unfinished; --resume continues it (starting a new sale)")
        return
    if resume is None:
        screen.sale(plain(found))
        if not typer.confirm(f"Resume sale {found.id}?", default=True):
            return
    session.resume(found.id)
    note(f"resuming sale {found.id}")


def _show_parking(screen: _Screen, session: Any, result: Any) -> None:
    from pos.commands._render_stock import parked_view

    if result.kind == "parked":
        screen.say(f"sale {result.sale.id} parked; `resume {result.sale.id}` brings it back. New sale.")
    elif result.kind == "resumed":
        screen.say(f"resuming parked sale {result.sale.id}")
        screen.sale(plain(result.sale))
    else:
        screen.show(parked_view([plain(sale) for sale in result.parked or []]))


def _show_refund(screen: _Screen, order: dict, refund: dict | None, printer: str | None, width: int) -> None:
    if refund is None:
        screen.say(f"order {order['id']} is {order['status']}: it was never paid, nothing to refund")
        return
    screen.refund(refund)
    if printer:
        from pos.errors import PrinterError
        from pos.services.printer import print_refund_receipt

        try:
            print_refund_receipt(refund, spec=printer, width=width)
        except PrinterError as err:  # the refund is paid; the till goes on, the receipt can be reprinted
            report_error(err.code, err.message)
    screen.say(f"refund {refund['id']} paid back; order {order['id']} is {order['status']}.")


def _print(order: dict, printer: str, width: int) -> None:
    from pos.errors import PrinterError
    from pos.services.printer import print_receipt

    try:
        print_receipt(order, spec=printer, width=width)
    except PrinterError as err:  # the sale is paid; the till goes on, the receipt can be reprinted
        report_error(err.code, err.message)


class _Screen:
    """Rich at a terminal, plain text otherwise."""

    def __init__(self, *, interactive: bool, width: int) -> None:
        self.interactive = interactive
        self.width = width
        self.fancy = interactive and sys.stdout.isatty()
        self._console = None
        if interactive:
            try:
                import readline  # noqa: F401 - line editing and history for input()
            except ImportError:  # not on every platform
                pass

    @property
    def console(self):
        if self._console is None:
            self._console = till_console()
        return self._console

    def read(self, prompt: str, redact) -> str:
        if not self.interactive:
            line = sys.stdin.readline()
            if not line:
                raise EOFError
            line = line.rstrip("\n")
            if line.strip():
                typer.echo(f"> {redact(line)}")
            return line
        line = input(prompt)
        shown = redact(line)
        if shown != line.strip():
            _forget_last_input()
            if sys.stdout.isatty():  # overwrite the echoed line so the card number leaves the screen
                sys.stdout.write(f"\x1b[1A\x1b[2K{prompt}{shown}\n")
                sys.stdout.flush()
        return line

    def read_raw(self) -> str:
        """One line of piped input, not echoed (a PIN after `lock`)."""
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    def say(self, text: str) -> None:
        typer.echo(text)

    def show(self, renderable: Any) -> None:
        """A rich view: styled at a terminal, its plain text otherwise."""
        if self.fancy:
            self.console.print(renderable)
        else:
            from pos.commands._common import console

            console(width=100, no_color=True).print(renderable)

    def sale(self, sale: dict) -> None:
        if self.fancy:
            self.console.print(sale_view(sale))
        else:
            from pos.receipt_text import sale_text

            typer.echo(sale_text(sale))

    def receipt(self, order: dict) -> None:
        if self.fancy:
            from pos.commands._render import receipt_view

            self.console.print(receipt_view(order))
        else:
            from pos.receipt_text import receipt_text

            typer.echo(receipt_text(order, self.width), nl=False)

    def refund(self, refund: dict) -> None:
        if self.fancy:
            from pos.commands._render_refund import refund_view

            self.console.print(refund_view(refund))
        else:
            from pos.receipt_refund import refund_text

            typer.echo(refund_text(refund, self.width), nl=False)


def _forget_last_input() -> None:
    """Keep a payment line out of the up-arrow history."""
    try:
        import readline

        last = readline.get_current_history_length()
        if last:
            readline.remove_history_item(last - 1)
    except (ImportError, ValueError):
        pass


def till_console(file: Any = None, *, force_terminal: bool | None = None) -> Any:
    """A console for the sale view. soft_wrap leaves long lines to the terminal, which halves the time
    rich takes to print a sale (it no longer re-wraps every line on each scan)."""
    from pos.commands._common import console

    return console(file=file, soft_wrap=True, force_terminal=force_terminal)


def sale_view(sale: dict) -> Any:
    """The sale in progress, compact: one row a line, then the running total.

    Built as styled text with computed column widths rather than a rich Table: a Table measures every
    cell on each render, which costs several milliseconds a scan on a long sale. Widths are terminal cells,
    so a CJK or emoji name keeps the price columns in line; names are appended as plain text (no markup).
    """
    from rich.text import Text

    from pos.money import format_money
    from pos.receipt_text import item_adjustments, order_adjustments
    from pos.textcells import cell_len, pad, visible

    cur = sale["currency"]
    out = Text()
    title = f"Sale {sale['id']} at {sale['location']}" if sale["id"] else f"New sale at {sale['location']}"
    out.append(title + "\n", style="bold")
    rows = [(f"{i['quantity']} x", visible(i["sku"]), visible(i["name"]), format_money(i["unit_price"], cur),
             format_money(i["line_total"], cur), f"from {i['location']}" if i.get("delivery") else "")
            for i in sale["items"]]
    widths = [max([cell_len(r[c]) for r in rows], default=0) for c in range(5)]
    for item, (qty, sku, name, price, total, where) in zip(sale["items"], rows, strict=True):
        out.append(f"  {pad(qty, widths[0], 'right')} {pad(sku, widths[1])}  {pad(name, widths[2])}  "
                   f"{pad(price, widths[3], 'right')}  {pad(total, widths[4], 'right')}")
        if where:
            out.append(f"  {where}", style="cyan")
        out.append("\n")
        for label, value in item_adjustments(item, cur):  # a reason is a person's text: appended as data
            out.append(f"      {visible(label)}  {value}\n", style="italic")
    if not rows:
        out.append("  (empty)\n", style="dim")
    for label, value in order_adjustments(sale, cur):
        out.append(f"  {visible(label)}  {value}\n", style="italic")
    count = sum(i["quantity"] for i in sale["items"])
    out.append(f"  {count} item{'s' if count != 1 else ''}  subtotal {format_money(sale['subtotal'], cur)}"
               f"  tax {format_money(sale['tax'], cur)}  ")
    out.append(f"TOTAL {format_money(sale['total'], cur)}", style="bold green")
    if sale.get("shipping"):
        out.append(f"\n  ship to: {visible(sale['shipping']['name'])} / {visible(sale['shipping']['address'])}")
    return out
