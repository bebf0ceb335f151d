"""pos payment: the installed payment processors."""

from __future__ import annotations

import typer

from pos.commands._common import JsonFlag, emit

app = typer.Typer(help="Payment processors, built in and from plugins.", no_args_is_help=True)


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """List installed payment processors (entry-point group pos.payment_processors)."""
    from pos.commands._render import processors_view
    from pos.services.payments import describe_processors

    emit(describe_processors(), as_json, processors_view)
