"""Shell completion of location codes and SKUs from the database.

Completion runs the whole `pos` program on every Tab, so it must answer quickly: for a SQLite file it
reads with the standard library's sqlite3, read-only, without importing SQLAlchemy; for PostgreSQL it goes
through the services. Any failure (no database yet, a locked file) completes nothing rather than
printing an error into the shell.
"""

from __future__ import annotations


import typer

LIMIT = 200


def _db_option(ctx: typer.Context) -> str | None:
    root = ctx.find_root()
    return (root.params or {}).get("db")


def _query(ctx: typer.Context, sql: str, incomplete: str, server_fallback) -> list[str]:
    db = _db_option(ctx)
    try:
        from pos.dburl import resolve_url, sqlite_file

        path = sqlite_file(resolve_url(db))
        if path is None:
            return server_fallback(db, incomplete)
        if not path.exists():
            return []
        import sqlite3

        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
        try:
            pattern = incomplete.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            return [row[0] for row in conn.execute(sql, (pattern, LIMIT))]
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - completion must never print a traceback into the shell
        return []


def location_codes(ctx: typer.Context, incomplete: str) -> list[str]:
    return _query(
        ctx, "SELECT code FROM location WHERE code LIKE ? ESCAPE '\\' ORDER BY code LIMIT ?", incomplete,
        _server_locations,
    )


def skus(ctx: typer.Context, incomplete: str) -> list[str]:
    return _query(
        ctx, "SELECT sku FROM variant WHERE sku LIKE ? ESCAPE '\\' ORDER BY sku LIMIT ?", incomplete,
        _server_skus,
    )


def _server_locations(db: str | None, incomplete: str) -> list[str]:
    from sqlalchemy import select

    from pos.services import tables as t
    from pos.services.db import open_database

    with open_database(db).read() as conn:
        stmt = select(t.location.c.code).where(t.location.c.code.startswith(incomplete, autoescape=True))
        return list(conn.execute(stmt.order_by(t.location.c.code).limit(LIMIT)).scalars())


def _server_skus(db: str | None, incomplete: str) -> list[str]:
    from sqlalchemy import select

    from pos.services import tables as t
    from pos.services.db import open_database

    with open_database(db).read() as conn:
        stmt = select(t.variant.c.sku).where(t.variant.c.sku.startswith(incomplete, autoescape=True))
        return list(conn.execute(stmt.order_by(t.variant.c.sku).limit(LIMIT)).scalars())


def complete_location(ctx: typer.Context, incomplete: str) -> list[str]:
    return location_codes(ctx, incomplete)


def complete_sku(ctx: typer.Context, incomplete: str) -> list[str]:
    return skus(ctx, incomplete)
