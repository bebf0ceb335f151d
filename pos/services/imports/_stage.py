"""The staging tables of an inventory import, and the set-based SQL that checks and applies them.

`import_stage` holds the good rows as four integers (line, variant, location, quantity); `import_bad`
holds every row with a problem, with its text so that it can be reported and written to a rejects file.
Both are temporary tables of the import's own connection and transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, text

from pos.models._common import utcnow
from pos.services import auth, sql

BATCH = 10_000
LAST_LINE = 2**62  # beyond any file's last line (the stage's line is a BIGINT)
# An import that writes at least BULK_LEVELS levels, and BULK_RATIO times as many as the store has, builds
# stock_level's secondary indexes after its writes (`Stage._bulk_indexes`).
BULK_LEVELS = 50_000
BULK_RATIO = 3
WIDE = 50  # rows of one INSERT into a staging table on SQLite (4-5 values each: under its 999 variables)
GOOD, BAD = "import_stage", "import_bad"
_GOOD_COLUMNS = "line, variant_id, location_id, quantity"
_BAD_COLUMNS = "line, sku, location, raw, quantity, location_id, col, error"
# The optional `reorder_level` column: its value (NULL: leave the level's reorder level as it is) and, for a
# bad row, its text as the file had it.
_REORDER = ", reorder_level"
_REORDER_BAD = ", reorder_raw, reorder_level"


class PlainRows(NamedTuple):
    """Good rows made ready to stage (`Stage.plain_rows`): on SQLite the wide INSERT's parameters and those of
    the rows left over; on PostgreSQL the rows for COPY (and nothing left over)."""

    wide: list
    rest: list


class Stage:
    def __init__(self, conn: Connection, *, reorder: bool = False) -> None:
        self.conn = conn
        self.reorder = reorder  # the file has a reorder_level column: rows carry it last
        self.pg = conn.dialect.name == "postgresql"
        big = "BIGINT" if self.pg else "INTEGER"
        if not self.pg:
            self.sql(f"DROP TABLE IF EXISTS temp.{GOOD}")
            self.sql(f"DROP TABLE IF EXISTS temp.{BAD}")
        after = " ON COMMIT DROP" if self.pg else ""
        self.sql(f"CREATE TEMP TABLE {GOOD} (line {big} PRIMARY KEY, variant_id INTEGER, location_id INTEGER, "
                 f"quantity {big}, reorder_level {big}){after}")
        # `code`: the normal form of a GTIN given in another form (UPC-A for an EAN-13), to look it up by.
        self.sql(f"CREATE TEMP TABLE {BAD} (line {big} PRIMARY KEY, sku TEXT, location TEXT, raw TEXT, "
                 f"quantity {big}, location_id INTEGER, col TEXT, error TEXT, variant_id INTEGER, code TEXT, "
                 f"reorder_raw TEXT, reorder_level {big}){after}")
        # Whether two good rows may name the same SKU and location. The loader clears it when it has
        # checked every good row itself; a barcode resolved by SQL sets it again.
        self.duplicates_possible = True
        self.add_good = self._writer(GOOD, _GOOD_COLUMNS + (_REORDER if reorder else ""))
        self.add_bad = self._writer(BAD, _BAD_COLUMNS + ", code" + (_REORDER_BAD if reorder else ""))
        self.add_plain_rows = self._plain_writer()
        self._reserved: bool | None = None  # `stock_reserved`, once asked (SQLite)
        self.applied = 0  # changes written so far (history rows)
        self._now: Any = None  # the history rows' time
        self._levels_before: int | None = None  # stock_level's highest id before the import wrote a level
        self._bulk = False  # the indexes were dropped, to be built after the writes
        self._recount_at = 0  # the changes written at which to count the store's levels again
        self._dropped: list[tuple[str, str]] = []  # (name, definition) of each dropped index

    def sql(self, statement: str):
        """Run one statement of the staging: text composed in this module from constants, never from a value."""
        return self.conn.exec_driver_sql(statement)

    def lookup(self, statement: str) -> dict:
        """A two-column query as a dict, read on the driver's cursor (no row objects: the catalog can be large)."""
        cursor = self.conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(statement)
            return dict(cast(Iterable[tuple[Any, Any]], cursor))
        finally:
            cursor.close()

    def _writer(self, table: str, columns: str) -> Callable[[list[tuple]], None]:
        """Batched rows into a staging table: COPY on PostgreSQL, the driver's executemany on SQLite."""
        cursor = self.conn.connection.dbapi_connection.cursor()
        if self.pg:
            def copy(rows: list[tuple]) -> None:
                if rows:
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as out:
                        for row in rows:
                            out.write_row(row)

            return copy
        width = columns.count(",") + 1
        one = f"({', '.join('?' * width)})"
        insert = f"INSERT INTO temp.{table} ({columns}) VALUES {one}"
        # WIDE rows a statement: half the time of one row a statement, where a million rows are staged.
        wide = f"INSERT INTO temp.{table} ({columns}) VALUES {', '.join([one] * WIDE)}"

        def many(rows: list[tuple]) -> None:
            whole = len(rows) - len(rows) % WIDE
            if whole:
                flat = chain.from_iterable(rows[:whole])
                cursor.executemany(wide, list(zip(*[flat] * (width * WIDE), strict=True)))
            if whole < len(rows):
                cursor.executemany(insert, rows[whole:])

        return many

    def plain_rows(self, lines: list[int], variants: list[int], locations: list[int],
                   quantities: list[int]) -> PlainRows:
        """Good rows given a column at a time (line, variant, location, quantity; no reorder level: NULL), made
        ready for `add_plain_rows`. Pure Python, touching no connection: the import's reading thread calls it.

        On SQLite the four columns are laid into one flat list by slice assignment and cut into the wide
        INSERT's parameters by slicing: no tuple per row, no regrouping (a third of the staging's Python time
        for a million rows)."""
        count = len(lines)
        if not (count == len(variants) == len(locations) == len(quantities)):
            raise ValueError("staged columns differ in length")
        if self.pg:
            return PlainRows(list(zip(lines, variants, locations, quantities, strict=True)), [])
        values: list[int | None] = [None] * (4 * count)
        values[0::4], values[1::4], values[2::4], values[3::4] = lines, variants, locations, quantities
        whole, step = 4 * (count - count % WIDE), 4 * WIDE
        return PlainRows([values[i:i + step] for i in range(0, whole, step)],
                         [values[i:i + 4] for i in range(whole, len(values), 4)])

    def _plain_writer(self) -> Callable[[PlainRows], None]:
        if self.pg:
            copy = self._writer(GOOD, _GOOD_COLUMNS)  # the reorder level, if the file has one, stays NULL
            return lambda rows: copy(rows.wide)
        cursor = self.conn.connection.dbapi_connection.cursor()
        one = "(?, ?, ?, ?)"
        insert = f"INSERT INTO temp.{GOOD} ({_GOOD_COLUMNS}) VALUES {one}"
        wide = f"INSERT INTO temp.{GOOD} ({_GOOD_COLUMNS}) VALUES {', '.join([one] * WIDE)}"

        def write(rows: PlainRows) -> None:
            if rows.wide:
                cursor.executemany(wide, rows.wide)
            if rows.rest:
                cursor.executemany(insert, rows.rest)

        return write

    # -- checks that need the database --------------------------------------------------------------------

    def check(self, *, mode: str) -> None:
        # A barcode works where a SKU is asked for, as at the till.
        self.sql(f"UPDATE {BAD} SET variant_id = COALESCE("
                 f"(SELECT v.id FROM variant v WHERE v.barcode = {BAD}.code), "
                 f"(SELECT v.id FROM variant v WHERE v.barcode = {BAD}.sku)) WHERE error IS NULL")
        found = self.sql(f"INSERT INTO {GOOD} ({_GOOD_COLUMNS}{_REORDER}) SELECT {_GOOD_COLUMNS}{_REORDER} FROM {BAD} "
                         "WHERE error IS NULL AND variant_id IS NOT NULL").rowcount
        if found:
            self.sql(f"DELETE FROM {BAD} WHERE error IS NULL AND variant_id IS NOT NULL")
            self.duplicates_possible = True
        self.sql(f"UPDATE {BAD} SET col = 'sku', error = 'unknown SKU or barcode ''' || sku || '''' "
                 "WHERE error IS NULL")
        if self.duplicates_possible:
            self._move_duplicates()
        if self.pg:
            self.sql(f"ANALYZE {GOOD}")
        if self.pg:
            # Checkouts must not reserve stock between this check and the writes that follow.
            self.sql("LOCK TABLE stock_level IN SHARE ROW EXCLUSIVE MODE")
        if mode == "set":
            if self.stock_reserved():
                self._move_to_bad(
                    "quantity", "'is below the ' || CAST(sl.reserved AS TEXT) || ' units held by checkouts awaiting payment'",
                    "s.quantity < sl.reserved",
                )
        elif self.sql(f"SELECT 1 FROM {GOOD} WHERE quantity < 0 LIMIT 1").first():
            self._move_to_bad(
                "quantity", "'would take on-hand stock (' || CAST(COALESCE(sl.on_hand, 0) AS TEXT) || ') below "
                "zero or below what checkouts hold reserved (' || CAST(COALESCE(sl.reserved, 0) AS TEXT) || ')'",
                "s.quantity < 0 AND COALESCE(sl.on_hand, 0) + s.quantity < COALESCE(sl.reserved, 0)",
            )

    def stock_reserved(self) -> bool:
        """Whether checkouts hold stock anywhere. On SQLite the import's write lock keeps the answer true
        until it commits; on PostgreSQL it is asked again each time (after the check's table lock)."""
        if self._reserved is None or self.pg:
            self._reserved = self.sql("SELECT 1 FROM stock_level WHERE reserved > 0 LIMIT 1").first() is not None
        return self._reserved

    def _move_duplicates(self) -> None:
        """A SKU and location given twice: the later lines are refused, naming the first."""
        self.sql(f"CREATE INDEX {'' if self.pg else 'temp.'}{GOOD}_key ON {GOOD} (variant_id, location_id, line)")
        first = f"(SELECT MIN(e.line) FROM {GOOD} e WHERE e.variant_id = s.variant_id AND e.location_id = s.location_id)"
        if self.sql(f"SELECT 1 FROM {GOOD} GROUP BY variant_id, location_id HAVING COUNT(*) > 1 LIMIT 1").first():
            self._move_to_bad("sku", f"'the same SKU and location as line ' || CAST({first} AS TEXT)",
                              f"s.line > {first}")

    def _move_to_bad(self, col: str, error: str, where: str) -> None:
        """Move the staged rows (`s`, with their level `sl`) that `where` picks to the bad table.

        `error` and `where` are SQL fragments written in this module; `col` is bound."""
        moved = self.conn.execute(text(
            f"""INSERT INTO {BAD} ({_BAD_COLUMNS}{_REORDER_BAD})
                SELECT s.line, v.sku, l.code, CAST(s.quantity AS TEXT), s.quantity, s.location_id, :col, {error},
                       COALESCE(CAST(s.reorder_level AS TEXT), ''), s.reorder_level
                FROM {GOOD} s JOIN variant v ON v.id = s.variant_id JOIN location l ON l.id = s.location_id
                LEFT JOIN stock_level sl ON sl.variant_id = s.variant_id AND sl.location_id = s.location_id
                WHERE {where}"""
        ), {"col": col}).rowcount
        if moved:
            self.sql(f"DELETE FROM {GOOD} WHERE line IN (SELECT line FROM {BAD})")

    # -- what was found -------------------------------------------------------------------------------------

    def count_bad(self) -> int:
        return self.sql(f"SELECT COUNT(*) FROM {BAD}").scalar_one()

    def problems(self, limit: int) -> list:
        from pos.services.imports.csvsource import Problem

        rows = self.conn.execute(text(f"SELECT line, col, error FROM {BAD} ORDER BY line LIMIT :limit"), {"limit": limit})
        return [Problem(line, col, error) for line, col, error in rows]

    def rejected_rows(self) -> Iterator[tuple[int, tuple[str, ...], str, str]]:
        rows = self.sql(f"SELECT line, sku, location, raw, col, error, reorder_raw FROM {BAD} ORDER BY line")
        for line, sku, loc, raw, col, error, reorder in rows:
            values = (sku or "", loc or "", raw or "") + ((reorder or "",) if self.reorder else ())
            yield line, values, col, error

    # -- apply ----------------------------------------------------------------------------------------------

    @staticmethod
    def _change(mode: str) -> tuple[str, str, str, str, str]:
        """(delta, on-hand after, which rows change, the level update, which existing levels change).

        `new`: rows that have no level yet, either mode (their history is written without looking one up)."""
        if mode == "new":
            return ("s.quantity", "s.quantity", "s.quantity <> 0", "", "")
        if mode == "set":
            return ("s.quantity - COALESCE(sl.on_hand, 0)", "s.quantity", "s.quantity <> COALESCE(sl.on_hand, 0)",
                    "on_hand = s.quantity", "stock_level.on_hand <> s.quantity")
        return ("s.quantity", "COALESCE(sl.on_hand, 0) + s.quantity", "s.quantity <> 0",
                "on_hand = stock_level.on_hand + s.quantity", "s.quantity <> 0")

    def count_changes(self, mode: str) -> int:
        change = self._change(mode)[2]
        return self.sql(
            f"""SELECT COUNT(*) FROM {GOOD} s LEFT JOIN stock_level sl
                ON sl.variant_id = s.variant_id AND sl.location_id = s.location_id WHERE {change}"""
        ).scalar_one()

    def apply(self, mode: str, name: str, *, after: int = 0) -> int:
        """Write the staged rows after line `after` (the lines up to it were written as they were read, by
        `apply_lines`), then build again any index a big import dropped (`_bulk_indexes`)."""
        changed = self.apply_lines(mode, name, after + 1, LAST_LINE)
        self._rebuild_indexes()
        return changed

    def _rebuild_indexes(self) -> None:
        for _name, definition in self._dropped:
            self.sql(definition)
        self._dropped = []

    def apply_lines(self, mode: str, name: str, first: int, last: int) -> int:
        """Write the staged rows of lines `first` to `last`: history rows first (they need the levels as they
        were), then the levels, one statement each. The rows of two calls must not share a level."""
        if self._levels_before is None and not self.pg:
            self._levels_before = self.sql("SELECT COALESCE(MAX(id), 0) FROM stock_level").scalar_one()
        # A store with no levels when the import began (its first stock take) has none for these rows
        # either: no two applied rows share a level (`apply_lines`), and the repeats of a pair were refused.
        # Then each change is a new level, the history needs no look-up of the level, and the levels are
        # plain INSERTs (an upsert costs a tenth more), in either mode.
        fresh = self._levels_before == 0
        delta, after, change, new_level, new_change = self._change("new" if fresh else mode)
        level = "" if fresh else ("LEFT JOIN stock_level sl "
                                  "ON sl.variant_id = s.variant_id AND sl.location_id = s.location_id")
        history = text(
            f"""INSERT INTO stock_movement
                    (created_at, variant_id, location_id, delta, on_hand_after, reason, source, source_ref,
                     clerk_id, approver_id)
                SELECT :now, s.variant_id, s.location_id, {delta}, {after}, '', 'import', :ref || CAST(s.line AS TEXT),
                       :clerk_id, :approver_id
                FROM {GOOD} s {level} WHERE s.line BETWEEN :first AND :last AND {change}"""
        )
        if self._now is None:  # one time for the whole import, however many statements write it
            self._now = sql.timestamp(self.conn, utcnow())  # as the column stores it, without its table class
        now = self._now
        lines = {"first": first, "last": last}
        changed = self.conn.execute(history, {"now": now, "ref": name[:480] + ":", **auth.who(), **lines}).rowcount
        self.applied += changed
        if changed:
            self._bulk_indexes()
            self._apply_levels("new" if fresh else mode, new_level, new_change, lines)
        return changed

    def _apply_levels(self, mode: str, new_level: str, new_change: str, lines: dict[str, int]) -> None:
        if mode == "new":
            self.conn.execute(text(f"""
                INSERT INTO stock_level (variant_id, location_id, on_hand, reserved)
                SELECT s.variant_id, s.location_id, s.quantity, 0 FROM {GOOD} s
                WHERE s.line BETWEEN :first AND :last AND s.quantity <> 0"""), lines)
        elif mode == "set":
            # No join here: the upsert finds the level itself, and leaves an unchanged one unwritten. A count
            # of zero creates no level (the EXISTS is asked only for those rows).
            self.conn.execute(text(f"""
                INSERT INTO stock_level (variant_id, location_id, on_hand, reserved)
                SELECT s.variant_id, s.location_id, s.quantity, 0 FROM {GOOD} s
                WHERE s.line BETWEEN :first AND :last AND (s.quantity <> 0 OR EXISTS (SELECT 1 FROM stock_level sl
                    WHERE sl.variant_id = s.variant_id AND sl.location_id = s.location_id))
                ON CONFLICT (variant_id, location_id) DO UPDATE SET on_hand = excluded.on_hand
                WHERE stock_level.on_hand <> excluded.on_hand"""), lines)
        else:
            # Not an upsert: the row an upsert proposes to insert is checked (on_hand >= 0) before the
            # conflict is seen, which would refuse a delivery of -2 to a level of 5.
            self.conn.execute(text(f"""
                UPDATE stock_level SET {new_level} FROM {GOOD} s
                WHERE s.variant_id = stock_level.variant_id AND s.location_id = stock_level.location_id
                AND s.line BETWEEN :first AND :last AND {new_change}"""), lines)
            self.conn.execute(text(f"""
                INSERT INTO stock_level (variant_id, location_id, on_hand, reserved)
                SELECT s.variant_id, s.location_id, s.quantity, 0 FROM {GOOD} s
                WHERE s.line BETWEEN :first AND :last AND s.quantity <> 0 AND NOT EXISTS (SELECT 1 FROM stock_level sl
                    WHERE sl.variant_id = s.variant_id AND sl.location_id = s.location_id)"""), lines)

    def _bulk_indexes(self) -> None:
        """Where an import writes many levels into a store that has few (a store's first stock take), build
        stock_level's secondary indexes once after the writes instead of entry by entry during them: drop
        them here, once the import has written BULK_LEVELS changes and BULK_RATIO times as many as the store
        had levels; `apply` makes them again.

        SQLite only: there the indexes are dropped and made again from their own definitions in this same
        transaction, so a rollback or a crash leaves them as they were, and readers keep their snapshot. A
        million new levels: 0.8 s of writes and 0.2 s to build the location index, against 1.2 s. On
        PostgreSQL a DROP INDEX would lock the table against readers: the writes keep their indexes."""
        if self.pg or self._bulk or self.applied < max(BULK_LEVELS, self._recount_at):
            return
        # The levels the store had, counted only as far as the rule needs (a big store's count is a long
        # scan), and again only once the import has written twice as many changes.
        enough = self.applied // BULK_RATIO + 1 if BULK_RATIO else 1
        there = self.conn.execute(text("SELECT COUNT(*) FROM (SELECT 1 FROM stock_level WHERE id <= :before "
                                       "LIMIT :enough) AS s"),
                                  {"before": self._levels_before, "enough": enough}).scalar_one()
        if self.applied < BULK_RATIO * there:
            self._recount_at = 2 * self.applied  # most writes may change levels that exist: keep the indexes
            return
        self._bulk = True
        # Plain indexes made by CREATE INDEX only: a unique one may be what the upsert's ON CONFLICT needs.
        self._dropped = [tuple(row) for row in self.sql(
            "SELECT m.name, m.sql FROM pragma_index_list('stock_level') AS i "
            "JOIN sqlite_master AS m ON m.name = i.name AND m.type = 'index' "
            "WHERE i.\"unique\" = 0 AND i.origin = 'c' AND m.sql IS NOT NULL ORDER BY m.name")]
        for name, _definition in self._dropped:
            self.sql(f'DROP INDEX "{name}"')

    # -- reorder levels (the optional column) ------------------------------------------------------------------

    def count_reorder_changes(self) -> int:
        """Rows whose reorder level is not the level's now (a level not stocked yet counts too)."""
        return self.sql(
            f"""SELECT COUNT(*) FROM {GOOD} s LEFT JOIN stock_level sl
                ON sl.variant_id = s.variant_id AND sl.location_id = s.location_id
                WHERE s.reorder_level IS NOT NULL AND (sl.reorder_level IS NULL OR sl.reorder_level <> s.reorder_level)"""
        ).scalar_one()

    def apply_reorder(self) -> int:
        """Set the reorder levels the file gives (after the stock: a level it created exists by then)."""
        self.sql(f"""INSERT INTO stock_level (variant_id, location_id, on_hand, reserved)
                     SELECT s.variant_id, s.location_id, 0, 0 FROM {GOOD} s
                     WHERE s.reorder_level IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stock_level sl
                         WHERE sl.variant_id = s.variant_id AND sl.location_id = s.location_id)""")
        return self.sql(f"""UPDATE stock_level SET reorder_level = s.reorder_level FROM {GOOD} s
                            WHERE s.variant_id = stock_level.variant_id AND s.location_id = stock_level.location_id
                            AND s.reorder_level IS NOT NULL
                            AND (stock_level.reorder_level IS NULL OR stock_level.reorder_level <> s.reorder_level)""").rowcount

    def drop(self) -> None:
        self._rebuild_indexes()  # done by `apply` already: this only makes sure no path commits without them
        if not self.pg:  # PostgreSQL drops them at commit
            self.sql(f"DROP TABLE temp.{GOOD}")
            self.sql(f"DROP TABLE temp.{BAD}")
