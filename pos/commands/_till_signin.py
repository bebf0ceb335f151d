"""Who is at the till: the clerk signs in when it starts, and again after `lock` or a spell of idleness.

In a store without clerks nothing here asks anything. At a terminal the clerk's name is asked (default
$POS_CLERK) and the PIN with the input hidden (getpass: it never enters the line history). With piped
input the first sign-in takes POS_CLERK and POS_PIN; after `lock` the next two input lines are the
clerk's name and PIN, and the PIN line is never echoed into the transcript. A return or cancellation
by a clerk who is not a manager asks for a manager's name and PIN (POS_APPROVER, POS_APPROVER_PIN).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from pos.services.auth import Actor
    from pos.services.db import Database

IDLE_DEFAULT_S = 300
clock: Callable[[], float] = time.monotonic
"""The idle clock: tests move it instead of waiting five minutes."""

LOCK_HELP = "lock                  lock the till until a clerk signs in again (also after $POS_TILL_IDLE s idle)"


def idle_seconds() -> float:
    from pos.errors import InvalidInput

    text = os.environ.get("POS_TILL_IDLE", str(IDLE_DEFAULT_S))
    try:
        seconds = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"POS_TILL_IDLE must be a number of seconds, not {text!r}") from None
    if not seconds.is_finite() or seconds <= 0:
        raise InvalidInput(f"POS_TILL_IDLE must be a positive number of seconds, not {text!r}")
    return float(seconds)


class TillClerk:
    """The signed-in clerk of one till session (None throughout in a store without clerks)."""

    def __init__(self, db: Database, *, interactive: bool) -> None:
        from pos.services.clerks import clerks_exist

        self.db = db
        self.interactive = interactive
        self.enabled = clerks_exist(db)
        self.idle = idle_seconds() if self.enabled else 0.0
        self.actor: Actor | None = None
        self.last = clock()

    # -- signing in ----------------------------------------------------------------------------------------

    def start(self, clerk: str | None) -> None:
        """The first sign-in; an error ends the till before it sells anything."""
        from pos.commands._signin import ask_pin
        from pos.errors import SignInRequired
        from pos.services.clerks import sign_in

        if not self.enabled:
            return
        name = clerk or os.environ.get("POS_CLERK")
        if not name and self.interactive:
            name = str(typer.prompt("Clerk", err=True)).strip()
        if not name:
            raise SignInRequired("this store has clerks: say who is at the till with --clerk NAME (or POS_CLERK)")
        env_clerk = os.environ.get("POS_CLERK")
        pin = ask_pin(f"PIN for {name}", "POS_PIN" if not env_clerk or env_clerk == name else None)
        self.actor = sign_in(self.db, name, pin)
        self.touch()

    def unlock(self, read_line: Callable[[], str], say: Callable[[str], None]) -> None:
        """Locked: ask for a clerk and PIN until one signs in. EOFError when the input ends first."""
        from pos.commands._common import report_error
        from pos.errors import PosError
        from pos.services.clerks import sign_in

        before = self.actor
        self.actor = None
        say("locked: sign in to go on (the sale in progress is kept)")
        while self.actor is None:
            if self.interactive:
                default = before.name if before else None
                name = str(typer.prompt("Clerk", default=default, err=True)).strip()
                pin = str(typer.prompt(f"PIN for {name}", hide_input=True, err=True)).strip()
            else:
                name = read_line().strip()
                typer.echo(f"> clerk {name}" if not name.isdigit() else "> clerk (digits: not shown)")
                pin = read_line().strip()  # never echoed
            try:
                self.actor = sign_in(self.db, name, pin)
            except PosError as err:
                report_error(err.code, err.message)
        say(f"signed in: {self.actor.name}")
        self.touch()

    # -- while selling ------------------------------------------------------------------------------------

    def touch(self) -> None:
        self.last = clock()

    def idle_expired(self) -> bool:
        return self.enabled and self.actor is not None and clock() - self.last > self.idle

    def for_line(self, line: str) -> Actor | None:
        """Who a line runs as: the clerk, approved by a manager for a return or cancellation."""
        if self.actor is None or not _is_refund(line):
            return self.actor
        return self.approving()

    def approving(self) -> Actor:
        """The clerk with a manager's approval: their own, POS_APPROVER's, or a manager asked for by name."""
        from pos.commands._signin import approved

        assert self.actor is not None
        if self.actor.is_manager or not self.interactive or os.environ.get("POS_APPROVER"):
            return approved(self.actor, None)
        name = str(typer.prompt("Manager approving", err=True)).strip()
        return approved(self.actor, name)

    def may_approve(self, line: str) -> bool:
        """A discount or price line a clerk was refused for want of a manager: asked again, approved.
        (Setting a discount or a price twice leaves it as once, so running the line again is safe.)"""
        return self.actor is not None and not self.actor.is_manager and (
            _is_kind(line, "price") or _is_kind(line, "quantity"))


def _is_kind(line: str, kind: str) -> bool:
    from pos.errors import PosError
    from pos.services.till import CancelOrder, ChangePrice, Discount, Remove, ReturnItems, SetQuantity, parse_line

    kinds = {"refund": (ReturnItems, CancelOrder), "price": (Discount, ChangePrice),
             "quantity": (SetQuantity, Remove)}[kind]
    try:
        return isinstance(parse_line(line), kinds)
    except PosError:
        return False  # the session refuses it with its own message


def _is_refund(line: str) -> bool:
    return _is_kind(line, "refund")
