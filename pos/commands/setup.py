"""pos init and pos demo."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import JsonFlag, database, emit


def init(
    currency: Annotated[str | None, typer.Option("--currency", help="ISO currency of all prices, e.g. USD (default).")] = None,
    timezone: Annotated[str | None, typer.Option(
        "--timezone", metavar="ZONE", help="The store's IANA time zone, the default of new locations. "
                                           "Default: this machine's local zone, recorded at the first init.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create or upgrade the database. Running it twice is harmless."""
    from pos.services.settings import init_store

    doc = init_store(database(), currency=currency, timezone=timezone)

    def render(d: dict) -> str:
        if d["created"]:
            return f"Created a pos database ({d['currency']}, times in {d['timezone']}) at {d['database']}"
        if d["schema_before"] != d["schema"]:
            return f"Upgraded the pos database at {d['database']} to schema {d['schema']} ({d['currency']})"
        return f"The pos database at {d['database']} is up to date (schema {d['schema']}, {d['currency']})"

    emit(doc, as_json, render)


def demo(
    data_dir: Annotated[str | None, typer.Option("--data", help="Folder with the sample CSV files.")] = None,
) -> None:
    """Build a demo store from data/ in a fresh temporary database and walk through the purchase flow."""
    from pos.commands.demo import run_demo

    run_demo(data_dir)
