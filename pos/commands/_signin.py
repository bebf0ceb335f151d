"""Signing a clerk in for one command: `--clerk` (or POS_CLERK) and a PIN, and a manager's `--approve`.

    with signed_in(clerk, approve, manager=True):
        doc = service(...)

In a store without clerks this yields None and changes nothing. Otherwise the clerk's PIN comes from
POS_PIN, else it is asked on the terminal with the input hidden (never from an option: options end up in
shell history and `ps`). An action that needs a manager is approved by the clerk themself when they are
one, else by the manager named with `--approve` (or POS_APPROVER), whose PIN is POS_APPROVER_PIN or asked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pos.services.auth import Actor

ClerkOption = Annotated[str | None, typer.Option(
    "--clerk", metavar="NAME", show_default=False,
    help="The clerk doing this (default: $POS_CLERK); the PIN is $POS_PIN or asked, hidden. "
         "Needed once the store has clerks.")]
ApproveOption = Annotated[str | None, typer.Option(
    "--approve", metavar="NAME", show_default=False,
    help="The manager approving this (default: $POS_APPROVER); their PIN is $POS_APPROVER_PIN or asked, "
         "hidden. A manager signed in approves their own actions.")]


def ask_pin(prompt: str, env: str | None) -> str:
    """A PIN from the environment variable `env`, else asked on the terminal with the input hidden."""
    from pos.errors import PinRequired

    pin = os.environ.get(env) if env else None
    if pin is not None:
        return pin.strip()
    if not sys.stdin.isatty():
        how = f"set {env}" if env else "run it at a terminal"
        raise PinRequired(f"{prompt} is needed and there is no terminal to ask it on: {how}")
    return str(typer.prompt(prompt, hide_input=True, err=True, prompt_suffix=": ")).strip()


def _pin_of(name: str, *, who: str = "POS_CLERK", pin: str = "POS_PIN", prompt: str = "") -> str:
    # POS_PIN is POS_CLERK's PIN (POS_APPROVER_PIN POS_APPROVER's): someone else is asked for their own.
    named = os.environ.get(who)
    if name.isdigit():  # a PIN typed where the name goes: never echoed, not even in the prompt
        from pos.errors import AuthFailed

        raise AuthFailed("a clerk's name is never only digits (was that a PIN?): give the name with --clerk NAME")
    return ask_pin(f"PIN for {name}{prompt}", None if named and named != name else pin)


def sign_in(clerk: str | None) -> Actor | None:
    """The signed-in clerk of this command, or None in a store without clerks."""
    from pos.commands._common import database
    from pos.errors import InvalidInput, SignInRequired
    from pos.services import clerks

    db = database()
    if not clerks.clerks_exist(db):
        if clerk:
            raise InvalidInput("this store has no clerks: add the first one with `pos clerk add NAME --role manager`")
        return None
    name = clerk or os.environ.get("POS_CLERK")
    if not name:
        raise SignInRequired("this store has clerks: say who you are with --clerk NAME (or POS_CLERK)")
    return clerks.sign_in(db, name, _pin_of(name))


def approved(actor: Actor, approve: str | None) -> Actor:
    """`actor` with a manager's approval: their own when they are a manager (and named nobody else),
    else the manager named by `approve` or POS_APPROVER, signed in with their PIN."""
    from pos.commands._common import database
    from pos.errors import ApprovalRequired
    from pos.services import clerks

    if actor.is_manager and (not approve or approve == actor.name):  # $POS_APPROVER is for clerks
        return actor.approved_by(actor.clerk_id, actor.name)
    name = approve or os.environ.get("POS_APPROVER")
    if not name:
        raise ApprovalRequired(f"this needs a manager's approval: {actor.name} is a clerk, so name a manager "
                               "with --approve NAME (or POS_APPROVER)")
    pin = _pin_of(name, who="POS_APPROVER", pin="POS_APPROVER_PIN", prompt=" (approving)")
    return clerks.approve(database(), actor, name, pin)


@contextmanager
def signed_in(clerk: str | None, approve: str | None = None, *, manager: bool = False) -> Iterator[Actor | None]:
    """Run the body as the signed-in clerk (None without clerks), approved by a manager when `manager`
    (or when --approve names one)."""
    from pos.services import auth

    actor = sign_in(clerk)
    # A manager named (--approve, or POS_APPROVER for scripts) approves whatever the action turns out to
    # need: some needs show only in the data (a discount that ends above the store's limit).
    if actor is not None and (manager or approve or os.environ.get("POS_APPROVER")):
        actor = approved(actor, approve)
    with auth.acting(actor):
        yield actor
