"""pos audit: who did what, when, on what, approved by whom."""

from __future__ import annotations

from typing import Annotated

import typer

from pos.commands._common import AfterOption, AllFlag, JsonFlag, database, emit_page


def audit(
    clerk: Annotated[str | None, typer.Option("--clerk", metavar="NAME",
                                              help="Only what this clerk did or approved (or a name tried at sign-in).")] = None,
    action: Annotated[str | None, typer.Option(
        "--action", metavar="ACTION",
        help="Only this action: sale, return, cancel, stock_change, price_change, catalog_change, shift_open, "
             "shift_close, cash_in, cash_out, no_sale, sign_in_failed, locked_out, clerk_added, "
             "clerk_pin_changed, clerk_disabled.")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", metavar="DATE", help="From this local date or date and time on (the store's time zone), "
                                        "e.g. 2026-11-26 or '2026-11-26 14:30'.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many entries, newest first.")] = 100,
    all_: AllFlag = False, after: AfterOption = None, as_json: JsonFlag = False,
) -> None:
    """Show the audit log, newest first: sales, returns, stock and price changes, sign-in failures, ...

    Read-only: needs no sign-in. A cut list says so on stderr (and in --json: truncated, next_after).
    """
    from pos.services.audit_log import audit_page

    page = audit_page(database(), clerk=clerk, action=action, since=since, limit=None if all_ else limit,
                      after=after)
    zone = page.timezone

    def render(entries):
        from pos.commands._render_clerks import audit_view
        from pos.services.settings import cached_currency

        return audit_view(entries, zone, cached_currency(database()))

    emit_page(page, "entries", as_json, render, "entries")
