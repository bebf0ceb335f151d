"""Store-wide settings: the database itself and its currency."""

from __future__ import annotations

from sqlalchemy import Connection, select

from pos.errors import InvalidInput
from pos.money import validate_currency
from pos.services import sql
from pos.services import tables as t
from pos.services.sql import Sql
from pos.services.db import Database, describe_url

DEFAULT_CURRENCY = "USD"


def init_store(db: Database, *, currency: str | None = None) -> dict:
    """Create or upgrade the schema, then set the currency. Running it twice is harmless."""
    before, after = db.upgrade()
    db.forget("currency")
    with db.write() as conn:
        current = get_setting(conn, "currency")
        if currency is not None:
            wanted = validate_currency(currency)
            if current is not None and current != wanted and _has_sales_data(conn):
                raise InvalidInput(
                    f"this store already prices in {current}; its currency cannot change once it has products"
                )
            put_setting(conn, "currency", wanted)
            current = wanted
        elif current is None:
            put_setting(conn, "currency", DEFAULT_CURRENCY)
            current = DEFAULT_CURRENCY
    return {
        "database": describe_url(db.url),
        "backend": db.backend,
        "schema_before": before,
        "schema": after,
        "created": before is None,
        "currency": current,
    }


def get_setting(conn: Connection, key: str) -> str | None:
    return conn.execute(select(t.setting.c.value).where(t.setting.c.key == key)).scalar()


def put_setting(conn: Connection, key: str, value: str) -> None:
    updated = conn.execute(t.setting.update().where(t.setting.c.key == key).values(value=value))
    if updated.rowcount == 0:
        conn.execute(t.setting.insert().values(key=key, value=value))


_CURRENCY = Sql("SELECT value FROM setting WHERE key = 'currency'")


def currency(conn: Connection) -> str:
    return sql.scalar(conn, _CURRENCY) or DEFAULT_CURRENCY


def cached_currency(db: Database) -> str:
    """The store's currency, read once per process: it cannot change once there are products to sell."""
    def read() -> str:
        with db.read() as conn:
            return currency(conn)

    return db.memo("currency", read)


def _has_sales_data(conn: Connection) -> bool:
    return conn.execute(select(t.variant.c.id).limit(1)).first() is not None
