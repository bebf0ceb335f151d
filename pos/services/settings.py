"""Store-wide settings: the database itself, its currency and its time zone (the default of new locations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from pos.errors import InvalidInput
from pos.money import validate_currency
from pos.services import sql
from pos.services import tables as t
from pos.services.sql import Sql
from pos.services.db import Database, describe_url

if TYPE_CHECKING:
    from pos.models.outcomes import InitReport

DEFAULT_CURRENCY = "USD"


def init_store(db: Database, *, currency: str | None = None, timezone: str | None = None) -> InitReport:
    """Create or upgrade the schema, then set the currency and the store's time zone. Harmless to repeat.

    The time zone is the default of locations added without one. The first `pos init` that records it (a
    new store, or one made before locations had zones) takes `timezone` or else the machine's local zone,
    and gives it to the locations that exist then; later, `timezone` changes it for new locations only.
    """
    from pos.clock import check_zone, machine_zone

    zone_given = check_zone(timezone) if timezone is not None else None
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
        zone = get_setting(conn, "timezone")
        if zone is None:
            zone = zone_given or machine_zone()
            conn.execute(t.location.update().values(timezone=zone))  # locations from before zones existed
        elif zone_given is not None:
            zone = zone_given
        put_setting(conn, "timezone", zone)
    from pos.models.outcomes import InitReport  # every document of pos: not loaded for each command

    return InitReport.model_validate({
        "database": describe_url(db.url),
        "backend": db.backend,
        "schema_before": before,
        "schema": after,
        "created": before is None,
        "currency": current,
        "timezone": zone,
    })


def get_setting(conn: Connection, key: str) -> str | None:
    return conn.execute(select(t.setting.c.value).where(t.setting.c.key == key)).scalar()


def put_setting(conn: Connection, key: str, value: str) -> None:
    updated = conn.execute(t.setting.update().where(t.setting.c.key == key).values(value=value))
    if updated.rowcount == 0:
        conn.execute(t.setting.insert().values(key=key, value=value))


_CURRENCY = Sql("SELECT value FROM setting WHERE key = 'currency'")


def currency(conn: Connection) -> str:
    return sql.scalar(conn, _CURRENCY) or DEFAULT_CURRENCY


def default_zone(conn: Connection) -> str:
    """The zone a location gets when none is given: the store's, recorded by `pos init`."""
    return get_setting(conn, "timezone") or "UTC"


def cached_currency(db: Database) -> str:
    """The store's currency, read once per process: it cannot change once there are products to sell."""
    def read() -> str:
        with db.read() as conn:
            return currency(conn)

    return db.memo("currency", read)


def _has_sales_data(conn: Connection) -> bool:
    return conn.execute(select(t.variant.c.id).limit(1)).first() is not None
