"""Statements of the checkout hot path, run on the transaction's own DBAPI connection.

SQLAlchemy Core costs about 25-30 µs per statement here even when prebuilt (its cache key and result
machinery), and about 190 µs when the statement object is built per call; the driver itself takes about
5 µs. A checkout runs some forty statements, so the cart and checkout services use these instead, inside
the same transaction that `Database.write()` began (BEGIN IMMEDIATE on SQLite), so nothing about
atomicity changes. Statements are written once with `:name` parameters, which sqlite3 takes as they are;
for psycopg they are rewritten to `%(name)s` once per statement.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Table
from sqlalchemy.exc import DBAPIError

from pos.models._common import utcnow

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
# `= ANY(:name)`, a list parameter as PostgreSQL takes it; on SQLite the list goes in as JSON (`listed`).
_ANY = re.compile(r"(?<![<>!])= ANY\(:([A-Za-z_]\w*)\)")  # `=` only: `>= ANY(...)` has no IN form


REGISTRY: list[Sql] = []
"""Every prebuilt statement, in the order the modules defining them were imported; a test prepares each."""


class Sql:
    """One named, prebuilt statement with `:name` parameters. `only` names the one dialect that runs it
    (a `FOR UPDATE` that SQLite does not need); `where` says which module defines it, for test reports.

    A list of values is one parameter, written `column = ANY(:name)` and passed through `listed()`: PostgreSQL
    takes it as an array, SQLite as `column IN (SELECT value FROM json_each(:name))`. A window's rows are
    then changed or read by one statement, whatever their number."""

    __slots__ = ("written", "sqlite", "_pg", "only", "where")

    def __init__(self, text: str, *, only: str | None = None) -> None:
        self.written = " ".join(text.split())
        self.sqlite = _ANY.sub(r"IN (SELECT value FROM json_each(:\1))", self.written)
        if "ANY(" in self.sqlite:
            raise ValueError(f"only `column = ANY(:name)` takes a list here: {self.written}")
        self._pg: str | None = None
        self.only = only
        self.where = sys._getframe(1).f_globals.get("__name__", "?")
        REGISTRY.append(self)

    def __repr__(self) -> str:
        return f"<Sql {self.where}: {self.sqlite[:60]}>"

    def text_for(self, dialect: str) -> str:
        if dialect == "sqlite":
            return self.sqlite
        if self._pg is None:
            if "%" in self.written:
                raise ValueError("hot-path SQL must not contain '%'")
            self._pg = _PARAM.sub(r"%(\1)s", self.written)
        return self._pg


def _as_sqlalchemy(conn: Connection, sql: Sql, exc: Exception) -> Exception:
    """The driver's own error as SQLAlchemy's (IntegrityError, OperationalError...), as if the statement had
    gone through SQLAlchemy: callers catch one family on both engines (psycopg's UniqueViolation is not
    sqlalchemy.exc.IntegrityError), and `translate_errors` turns a busy database into DatabaseBusy.
    Parameters stay out of the message: they can hold what a customer typed."""
    dbapi: Any = conn.dialect.loaded_dbapi
    return DBAPIError.instance(sql.text_for(conn.dialect.name), None, exc, dbapi.Error, hide_parameters=True,
                               dialect=conn.dialect)


def _cursor_call(conn: Connection, sql: Sql, params: Mapping[str, Any] | None):
    raw: Any = conn.connection.dbapi_connection  # open: the Connection is checked out
    try:  # a plain try (not a context manager): this runs a dozen times per scan at the till
        return raw.execute(sql.text_for(conn.dialect.name), params or {})
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _as_sqlalchemy(conn, sql, exc) from exc


def listed(conn: Connection, values: Iterable[Any]) -> Any:
    """`values` as the one parameter of a `= ANY(:name)` (see Sql): a JSON array on SQLite, a list on PostgreSQL."""
    if conn.dialect.name == "sqlite":
        return json.dumps(list(values))
    return list(values)


def execute(conn: Connection, sql: Sql, params: Mapping[str, Any] | None = None) -> int:
    """Run a statement; returns the number of rows it changed."""
    cur = _cursor_call(conn, sql, params)
    count = cur.rowcount
    cur.close()
    return count


def execute_many(conn: Connection, sql: Sql, rows: Iterable[Mapping[str, Any]]) -> int:
    """Run a statement once per row; returns the rows changed in all, as the driver counts them (-1 when it
    cannot say)."""
    raw: Any = conn.connection.dbapi_connection
    cur = raw.cursor()
    try:
        cur.executemany(sql.text_for(conn.dialect.name), list(rows))
        return cur.rowcount
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _as_sqlalchemy(conn, sql, exc) from exc
    finally:
        cur.close()


def scalar(conn: Connection, sql: Sql, params: Mapping[str, Any] | None = None) -> Any:
    cur = _cursor_call(conn, sql, params)
    row = cur.fetchone()
    cur.close()
    return None if row is None else row[0]


def one(conn: Connection, sql: Sql, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    cur = _cursor_call(conn, sql, params)
    row = cur.fetchone()
    names = [d[0] for d in cur.description] if row is not None else []
    cur.close()
    return None if row is None else dict(zip(names, row, strict=True))


def all_rows(conn: Connection, sql: Sql, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = _cursor_call(conn, sql, params)
    rows = cur.fetchall()
    names = [d[0] for d in cur.description] if cur.description else []
    cur.close()
    return [dict(zip(names, row, strict=True)) for row in rows]


def insert_defaults(conn: Connection, table: Table, *, now: datetime | None = None) -> dict[str, Any]:
    """The values a new row of `table` takes when the statement does not say: the defaults declared once on
    the table models (`status`, `created_at`, `updated_at`...), as parameters for a prebuilt INSERT.

    Every timestamp default gets the same moment (`now`, or the current time), in the column's stored form.
    """
    return with_defaults(conn, defaults_of(table), now=now)


Defaults = tuple[dict[str, Any], tuple[str, ...]]
"""A table's insert defaults: (scalar defaults by column, columns whose default is the current time)."""


def with_defaults(conn: Connection, defaults: Defaults, *, now: datetime | None = None) -> dict[str, Any]:
    """`defaults` (from `defaults_of`, or a copy of them kept as a constant where loading the table classes
    would cost a command its start-up, held equal by a test) as the parameters `insert_defaults` gives."""
    fixed, stamps = defaults
    moment = timestamp(conn, now or utcnow()) if stamps else None
    return {**fixed, **dict.fromkeys(stamps, moment)}


_DEFAULTS: dict[str, Defaults] = {}


def defaults_of(table: Table) -> Defaults:
    """(scalar defaults by column, columns whose default is the current time), worked out once per table."""
    known = _DEFAULTS.get(table.name)
    if known is None:
        fixed: dict[str, Any] = {}
        stamps: list[str] = []
        for column in table.columns:
            default: Any = column.default
            if default is None or column.primary_key:
                continue
            if default.is_scalar:
                fixed[column.name] = default.arg
            elif default.is_callable and _is_timestamp(column):
                stamps.append(column.name)
            else:
                raise TypeError(f"{table.name}.{column.name}: a default prebuilt statements cannot give")
        known = _DEFAULTS[table.name] = (fixed, tuple(stamps))
    return known


def _is_timestamp(column: Any) -> bool:
    kind = column.type
    return isinstance(getattr(kind, "impl_instance", kind), DateTime)  # SQLModel wraps DateTime in a decorator


def timestamp(conn: Connection, moment: datetime) -> Any:
    """A UTC timestamp as the column type stores it (SQLite: SQLAlchemy's text form; PostgreSQL: as is)."""
    if conn.dialect.name == "sqlite":
        return moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


def read_timestamp(value: Any) -> datetime:
    """What `timestamp` wrote, read back as an aware UTC datetime."""
    from datetime import UTC

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def page(key: str, rows: list[dict], limit: int | None, count: Callable[[], int]) -> dict:
    """A list cut at `limit` rows, saying so: `rows` holds up to limit + 1 rows (the extra one, if there,
    only tells that more follow). `count()` is asked only for a cut list."""
    truncated = limit is not None and len(rows) > limit
    shown = rows[:limit] if truncated else rows
    return {
        key: shown,
        "count": len(shown),
        "total": count() if truncated else len(shown),
        "truncated": truncated,
        "next_after": shown[-1]["id"] if truncated else None,
    }
