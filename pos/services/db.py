"""The database: engine set-up (the transaction recipe of shared/notes/transactions.md) and units of work.

SQLite: the driver's own transaction handling is switched off and every write transaction starts with
`BEGIN IMMEDIATE`, so a second till waits on the busy timeout instead of failing with "database is
locked"; WAL, foreign keys and a chosen `synchronous` level are set on every connection.
PostgreSQL: READ COMMITTED with conditional updates; `lock_timeout` and `statement_timeout` are set so a
stuck till cannot hold the others forever.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError, ProgrammingError

from pos.dburl import resolve_url
from pos.errors import DatabaseBusy, DatabaseUnavailable, InvalidInput, NotInitialised, require_extra

# The newest migration in pos/migrations/versions. A test keeps the two in step.
SCHEMA_HEAD = "0015"

def _env_seconds(name: str, default: str) -> float:
    """A timeout in seconds from the environment ("30", "2.5"); a bad value is a one-line error."""
    text = os.environ.get(name, default)
    try:
        millis = int(Decimal(text) * 1000)
    except (InvalidOperation, ValueError):
        raise DatabaseUnavailable(f"{name} must be a number of seconds, not {text!r}") from None
    return millis / 1000


BUSY_TIMEOUT_S = _env_seconds("POS_BUSY_TIMEOUT", "30")


def describe_url(url: str) -> str:
    """The URL for messages: a SQLite file as its path, a server URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


class Database:
    """One engine per database URL; hands out short transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.backend = make_url(url).get_backend_name()
        self._schema_checked = False
        self._memo: dict[str, object] = {}
        self._pinned: Connection | None = None

    def memo(self, key: str, compute):
        """Per-process cache of values that cannot change under us (the store's currency)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def forget(self, key: str) -> None:
        self._memo.pop(key, None)

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        name = make_url(self.url).database
        return Path(name) if name and name != ":memory:" else None

    @cached_property
    def engine(self) -> Engine:
        if self.is_sqlite:
            return _sqlite_engine(self.url)
        if self.backend == "postgresql":
            require_extra("psycopg", extra="postgres", feature="a postgresql:// database")
            return _postgres_engine(self.url)
        raise DatabaseUnavailable(f"unsupported database {describe_url(self.url)!r}: use a file path or postgresql://")

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
            del self.__dict__["engine"]

    # -- units of work ------------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: commits when the block ends, rolls back on any exception."""
        with self._transaction(read_only=False) as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only snapshot (a deferred BEGIN on SQLite, so readers never queue behind writers)."""
        with self._transaction(read_only=True) as conn:
            yield conn

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Keep one connection for a run of units of work (a batch, a till shift).

        Each unit still has its own transaction; only the pool check-out per transaction is saved.
        """
        if self._pinned is not None:
            yield
            return
        self.ensure_schema()
        with translate_errors(self.url), self.engine.connect() as conn:
            self._pinned = conn
            try:
                yield
            finally:
                self._pinned = None

    @contextmanager
    def _transaction(self, *, read_only: bool) -> Iterator[Connection]:
        self.ensure_schema()
        with translate_errors(self.url):
            if self._pinned is not None:
                conn = self._pinned
                conn.execution_options(pos_read_only=read_only)
                with conn.begin():
                    yield conn
                _count_commit(read_only)
                return
            with self.engine.connect() as conn:
                if read_only:
                    conn.execution_options(pos_read_only=True)
                with conn.begin():
                    yield conn
            _count_commit(read_only)

    # -- schema ---------------------------------------------------------------------------------------

    def current_revision(self) -> str | None:
        path = self.sqlite_path
        if self.is_sqlite and path is not None and not path.exists():
            return None
        with translate_errors(self.url), self.engine.connect() as conn:
            conn.execution_options(pos_read_only=True)
            try:
                with conn.begin():
                    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except (OperationalError, ProgrammingError) as exc:
                if _is_missing_table(exc):
                    return None
                raise

    def ensure_schema(self) -> None:
        if self._schema_checked:
            return
        revision = self.current_revision()
        where = describe_url(self.url)
        if revision is None:
            raise NotInitialised(f"no pos database at {where}: run `pos init` first (or pass --db)")
        if revision != SCHEMA_HEAD:
            raise NotInitialised(
                f"the database at {where} has schema {revision}, this pos needs {SCHEMA_HEAD}: run `pos init` to upgrade"
            )
        self._schema_checked = True

    def upgrade(self) -> tuple[str | None, str]:
        """Create or upgrade the schema with the Alembic migrations; returns (before, after)."""
        from pos.migrations import upgrade

        path = self.sqlite_path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        before = self.current_revision()
        with translate_errors(self.url):
            upgrade(self.engine)
        self._schema_checked = False
        return before, SCHEMA_HEAD


_COMMITTED = [0]  # write transactions this process has committed


def _count_commit(read_only: bool) -> None:
    if not read_only:
        _COMMITTED[0] += 1


def writes_committed() -> int:
    """How many write transactions this process has committed: the CLI compares it before and after a
    command to know whether the command saved a change, so a failure to print never reads as a failure
    to save."""
    return _COMMITTED[0]


def open_database(db: str | None = None) -> Database:
    """The Database for `--db` (or its defaults). Not cached here: the CLI opens one per invocation
    (`Invocation.database` in pos/commands/_common.py) and disposes of it when the command ends."""
    return Database(resolve_url(db))


def _sqlite_engine(url: str) -> Engine:
    synchronous = os.environ.get("POS_SQLITE_SYNCHRONOUS", "FULL").upper()
    if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise DatabaseUnavailable(f"POS_SQLITE_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # The driver must not issue BEGIN itself: we do, in the "begin" event below.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA synchronous = {synchronous}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("pos_read_only"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: str) -> Engine:
    lock_ms = int(_env_seconds("POS_LOCK_TIMEOUT", str(BUSY_TIMEOUT_S)) * 1000)
    statement_ms = int(_env_seconds("POS_STATEMENT_TIMEOUT", "60") * 1000)
    parsed = make_url(url)
    # Keep any options given in the URL (a search_path, say) and add the timeouts.
    extra = parsed.query.get("options", "")
    options = f"{extra} -c lock_timeout={lock_ms} -c statement_timeout={statement_ms}".strip()
    return create_engine(
        parsed.difference_update_query(["options"]),
        pool_pre_ping=False,
        connect_args={"options": options, "connect_timeout": 10, "application_name": "pos"},
    )


def _is_missing_table(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    return "no such table" in message or "does not exist" in message or "undefinedtable" in message


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    """Turn driver errors a user can act on into one-line domain errors."""
    try:
        yield
    except OperationalError as exc:
        message = str(exc.orig).lower()
        state = _sqlstate(exc)
        if "locked" in message or "busy" in message or state in {"55P03", "57014"}:
            raise DatabaseBusy(
                "the database stayed busy (another till is writing): try again in a moment"
            ) from None
        if "unable to open" in message or "connection" in message or "could not" in message:
            raise DatabaseUnavailable(f"cannot open the database at {describe_url(url)}: {exc.orig}") from None
        raise
    except DatabaseError as exc:
        if "file is not a database" in str(exc.orig).lower():
            raise DatabaseUnavailable(f"{describe_url(url)} is not a pos database (not SQLite at all)") from None
        if _sqlstate(exc) in {"55P03", "57014"}:
            raise DatabaseBusy(
                "the database stayed busy (another till is writing): try again in a moment"
            ) from None
        if _sqlstate(exc) == "22001":  # a text longer than its column: bad input, nothing was written
            detail = (str(exc.orig).strip().splitlines() or ["value too long"])[0]
            raise InvalidInput(f"a text is too long to keep ({detail}); nothing was changed") from None
        raise
