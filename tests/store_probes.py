"""Read-only looks into a store's schema that tests on several layers share."""

from __future__ import annotations

from sqlalchemy import text


def level_indexes(db) -> list[tuple[str, str]]:
    """stock_level's indexes and their definitions, as the database holds them (SQLite or PostgreSQL)."""
    with db.read() as conn:
        if db.is_sqlite:
            rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                     "AND tbl_name = 'stock_level' ORDER BY name"))
        else:
            rows = conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'stock_level' "
                                     "AND schemaname = current_schema() ORDER BY indexname"))
        return [tuple(row) for row in rows]
