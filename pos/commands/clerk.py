"""pos clerk: the people who sign in, their roles and PINs."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from pos.commands._common import JsonFlag, command_group, database, emit
from pos.commands._signin import ClerkOption

app = command_group(help="Clerks who sign in with a PIN. The first clerk must be a manager; after that, "
                         "a signed-in manager adds and disables clerks.")

Name = Annotated[str, typer.Argument(metavar="NAME", help="The clerk's name (shown first word only on receipts).")]
PinStdin = Annotated[bool, typer.Option(
    "--pin-stdin", help="Read the new PIN from the first line of standard input (for scripts) instead of "
                        "asking twice on the terminal.")]


def _new_pin(from_stdin: bool) -> str:
    """The new PIN: one line of stdin, or asked twice, hidden, on the terminal. Never from an option."""
    from pos.errors import InvalidInput, PinRequired
    from pos.services.pins import check_pin

    if from_stdin:
        return check_pin(sys.stdin.readline().strip())
    if not sys.stdin.isatty():
        raise PinRequired("the new PIN is asked on a terminal; in scripts give it on standard input with --pin-stdin")
    first = str(typer.prompt("New PIN (4 to 8 digits)", hide_input=True, err=True)).strip()
    check_pin(first)
    if str(typer.prompt("The same PIN again", hide_input=True, err=True)).strip() != first:
        raise InvalidInput("the two PINs differ: nothing was changed")
    return first


def _views():
    from pos.commands import _render_clerks

    return _render_clerks


@app.command("add")
def add(
    name: Name,
    role: Annotated[str, typer.Option("--role", metavar="clerk|manager",
                                      help="A manager approves returns, cancellations, price and stock changes.")],
    pin_stdin: PinStdin = False,
    clerk: ClerkOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a clerk. The store's first clerk must be a manager; after that a manager signs in to add one."""
    from pos.commands._signin import signed_in
    from pos.services.clerks import add_clerk

    with signed_in(clerk):
        pin = _new_pin(pin_stdin)
        doc = add_clerk(database(), name=name, role=role, pin=pin)
    emit(doc, as_json, lambda d: _views().clerks_view([d]))


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """List the clerks, their roles, and who is disabled or locked out."""
    from pos.services.clerks import list_clerks

    emit(list_clerks(database()), as_json, lambda d: _views().clerks_view(d))


@app.command("pin")
def pin(name: Name, pin_stdin: PinStdin = False, clerk: ClerkOption = None, as_json: JsonFlag = False) -> None:
    """Change a PIN: your own (signed in as NAME, the default), or anyone's as a manager. Ends a lock-out."""
    import os

    from pos.commands._signin import signed_in
    from pos.services.clerks import change_pin

    with signed_in(clerk or os.environ.get("POS_CLERK") or name):
        new = _new_pin(pin_stdin)
        doc = change_pin(database(), name=name, pin=new)
    emit(doc, as_json, lambda d: _views().clerks_view([d]))


@app.command("disable")
def disable(name: Name, clerk: ClerkOption = None, as_json: JsonFlag = False) -> None:
    """Stop a clerk signing in (a manager's action). Their sales keep their name."""
    from pos.commands._signin import signed_in
    from pos.services.clerks import disable_clerk

    with signed_in(clerk):
        doc = disable_clerk(database(), name=name)
    emit(doc, as_json, lambda d: _views().clerks_view([d]))
