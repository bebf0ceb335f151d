"""pos payment: the installed payment processors."""

from __future__ import annotations

from pos.commands._common import JsonFlag, command_group, emit

app = command_group(help="Payment processors, built in and from plugins.")


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """List installed payment processors (entry-point group pos.payment_processors)."""
    from pos.services.payments import describe_processors

    emit(describe_processors(), as_json, "processors_view")
