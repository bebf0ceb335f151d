"""`pos import inventory`: stock counts (`set`) or deliveries (`add`) per SKU and location, at scale.

How it stays fast and safe with a million rows:

1. One write transaction for the whole file. Rows are read one at a time, checked in Python for what
   needs no database (column count, whole numbers, known location, UTF-8), and written in batches to a
   temporary staging table together with their line number and any problem found.
2. Set-based SQL then finds what needs the database (unknown SKU, the same SKU and location twice in the
   file, a count below what checkouts hold reserved) and marks those rows.
3. If any row is bad and --skip-invalid was not given, the transaction is rolled back: nothing is
   written. Otherwise one INSERT ... SELECT writes a stock history row (source `import`, source_ref
   `FILE:LINE`) for every level that changes, and one upsert changes the levels, in the same transaction.

Memory stays flat because rows live in the staging table, never in a Python list. An interrupted import
(Ctrl-C, a killed process, a full disk) rolls back as a whole, so the database is as it was and running
the same file again gives the same final state. The price: on SQLite, other writers wait (busy timeout)
while an import runs.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select, text

from pos.errors import InvalidInput
from pos.models._common import utcnow
from pos.services import tables as t
from pos.services.db import Database
from pos.services.imports._common import rejects_file, run_import
from pos.services.imports.csvsource import (
    GUARDED_STARTS, MAX_LISTED, CsvSource, Problem, Progress, list_problems, rejected_message, undecodable,
    unguard,
)

COLUMNS = ("sku", "location", "quantity")
MODES = ("set", "add")
BATCH = 10_000
STAGE = "import_stage"


def import_inventory(
    db: Database, *, path: str, mode: str = "set", dry_run: bool = False, skip_invalid: bool = False,
    rejects: str | None = None, progress: Progress | None = None,
) -> dict:
    """Import stock per SKU and location from a CSV file (`-` for standard input)."""
    if mode not in MODES:
        raise InvalidInput(f"mode must be set or add, not {mode!r}")

    def work(conn: Connection, src: CsvSource) -> dict:
        return _run(conn, src, mode=mode, skip_invalid=skip_invalid, rejects=rejects, progress=progress,
                    dry_run=dry_run)

    return run_import(db, path, COLUMNS, dry_run=dry_run, work=work)


def _run(conn: Connection, src: CsvSource, *, mode: str, skip_invalid: bool, rejects: str | None,
         progress: Progress | None, dry_run: bool) -> dict:
    stage = _Stage(conn)
    read = stage.load(src, mode=mode, progress=progress)
    stage.check(mode=mode)
    total_bad = stage.count_bad()
    problems = stage.problems(MAX_LISTED)
    if total_bad and not skip_invalid:
        raise rejected_message(src.name, problems, total_bad, read)
    if rejects and total_bad:
        stage.write_rejects(rejects, src.name)
    changed = stage.count_changes(mode) if dry_run else stage.apply(mode, src.name)
    stage.drop()
    return {
        "file": src.name, "kind": "inventory", "mode": mode, "dry_run": dry_run,
        "read": read, "applied": changed, "unchanged": read - total_bad - changed, "rejected": total_bad,
        "errors": list_problems(src.name, problems, total_bad), "rejects_file": rejects if total_bad else None,
    }


def _parse_quantity(text_: str, mode: str) -> tuple[int | None, str | None]:
    digits = text_[1:] if text_[:1] in "+-" else text_
    if not digits or not (digits.isascii() and digits.isdigit()):
        if not text_:
            return None, "is empty; a whole number is needed"
        return None, f"must be a whole number, not {text_!r}"
    value = int(text_)
    if value < 0 and mode == "set":
        return None, f"must be zero or more for a count (--mode set), not {value}"
    return value, None


class _Stage:
    """The staging table: one row per data row of the file, with its problem if it has one."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        if self.pg:
            conn.exec_driver_sql(
                f"CREATE TEMP TABLE {STAGE} (line BIGINT PRIMARY KEY, sku TEXT, location TEXT, raw TEXT, "
                "quantity BIGINT, location_id INTEGER, col TEXT, error TEXT, variant_id INTEGER) ON COMMIT DROP"
            )
        else:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{STAGE}")
            conn.exec_driver_sql(
                f"CREATE TEMP TABLE {STAGE} (line INTEGER PRIMARY KEY, sku TEXT, location TEXT, raw TEXT, "
                "quantity INTEGER, location_id INTEGER, col TEXT, error TEXT, variant_id INTEGER)"
            )

    # -- 1. read, check what needs no database, stage ------------------------------------------------------

    def load(self, src: CsvSource, *, mode: str, progress: Progress | None) -> int:
        locations = dict(self.conn.execute(select(t.location.c.code, t.location.c.id)).all())
        pos_ = src.require(COLUMNS)
        i_sku, i_loc, i_qty = pos_["sku"], pos_["location"], pos_["quantity"]
        width = len(src.header)
        write = self._copy_writer() if self.pg else self._sqlite_writer()
        batch: list[tuple] = []
        read = 0
        for line, f in src.rows():
            read += 1
            if len(f) != width:
                batch.append(_bad(line, f, i_sku, i_loc, i_qty, "row", f"has {len(f)} values, the header has {width}"))
            elif undecodable(f):
                batch.append(_bad(line, f, i_sku, i_loc, i_qty, "row", "is not UTF-8 text (save the file as CSV UTF-8)"))
            else:
                sku, loc, qty_text = f[i_sku].strip(), f[i_loc].strip(), f[i_qty].strip()
                if sku.startswith(GUARDED_STARTS):
                    sku = unguard(sku).strip()
                if loc.startswith(GUARDED_STARTS):
                    loc = unguard(loc).strip()
                if qty_text.startswith(GUARDED_STARTS):
                    qty_text = unguard(qty_text).strip()
                loc_id = locations.get(loc)
                qty, why = _parse_quantity(qty_text, mode)
                if not sku:
                    batch.append((line, sku, loc, qty_text, None, loc_id, "sku", "is empty"))
                elif loc_id is None:
                    what = "is empty" if not loc else f"unknown location {loc!r}"
                    batch.append((line, sku, loc, qty_text, None, None, "location", what))
                elif why is not None:
                    batch.append((line, sku, loc, qty_text, None, loc_id, "quantity", why))
                else:
                    batch.append((line, sku, loc, None, qty, loc_id, None, None))
            if len(batch) >= BATCH:
                write(batch)
                batch = []
                if progress:
                    progress(src.bytes_read(), read)
        write(batch)
        if progress:
            progress(src.bytes_read(), read)
        if self.pg:
            self.conn.exec_driver_sql(
                f"UPDATE {STAGE} s SET variant_id = v.id FROM variant v WHERE v.sku = s.sku"
            )
            self.conn.exec_driver_sql(f"ANALYZE {STAGE}")
        return read

    def _sqlite_writer(self):
        sql = (
            f"INSERT INTO temp.{STAGE} (line, sku, location, raw, quantity, location_id, col, error, variant_id) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, (SELECT id FROM main.variant WHERE sku = ?2))"
        )
        cursor = self.conn.connection.dbapi_connection.cursor()

        def write(rows: list[tuple]) -> None:
            if rows:
                cursor.executemany(sql, rows)

        return write

    def _copy_writer(self):
        cursor = self.conn.connection.dbapi_connection.cursor()
        columns = "line, sku, location, raw, quantity, location_id, col, error"

        def write(rows: list[tuple]) -> None:
            if rows:
                with cursor.copy(f"COPY {STAGE} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)

        return write

    # -- 2. checks that need the database --------------------------------------------------------------

    def check(self, *, mode: str) -> None:
        sql = self.conn.exec_driver_sql
        # A barcode works where a SKU is asked for, as at the till.
        sql(f"UPDATE {STAGE} SET variant_id = (SELECT v.id FROM variant v WHERE v.barcode = {STAGE}.sku) "
            "WHERE variant_id IS NULL AND error IS NULL")
        sql(f"UPDATE {STAGE} SET col = 'sku', error = 'unknown SKU or barcode ''' || sku || '''' "
            "WHERE variant_id IS NULL AND error IS NULL")
        sql(f"CREATE INDEX {'' if self.pg else 'temp.'}{STAGE}_key ON {STAGE} (variant_id, location_id, line)")
        first = (f"(SELECT MIN(e.line) FROM {STAGE} e "
                 f"WHERE e.variant_id = {STAGE}.variant_id AND e.location_id = {STAGE}.location_id)")
        has_dups = f"""SELECT 1 FROM {STAGE} WHERE variant_id IS NOT NULL AND location_id IS NOT NULL
                       GROUP BY variant_id, location_id HAVING COUNT(*) > 1 LIMIT 1"""
        if self.conn.exec_driver_sql(has_dups).first():
            sql(f"""UPDATE {STAGE} SET col = 'sku', error = 'the same SKU and location as line ' || CAST({first} AS TEXT)
                    WHERE error IS NULL AND variant_id IS NOT NULL AND line > {first}""")
        if self.pg:
            # Checkouts must not reserve stock between this check and the write below.
            sql("LOCK TABLE stock_level IN SHARE ROW EXCLUSIVE MODE")
        if mode == "set":
            low = f"""SELECT s.line FROM stock_level sl JOIN {STAGE} s
                      ON s.variant_id = sl.variant_id AND s.location_id = sl.location_id
                      WHERE sl.reserved > 0 AND s.error IS NULL AND s.quantity < sl.reserved"""
            sql(f"""UPDATE {STAGE} SET col = 'quantity', error = 'is below the ' ||
                    CAST((SELECT sl.reserved FROM stock_level sl WHERE sl.variant_id = {STAGE}.variant_id
                          AND sl.location_id = {STAGE}.location_id) AS TEXT)
                    || ' units held by checkouts awaiting payment' WHERE line IN ({low})""")
        else:
            low = f"""SELECT s.line FROM {STAGE} s LEFT JOIN stock_level sl
                      ON s.variant_id = sl.variant_id AND s.location_id = sl.location_id
                      WHERE s.quantity < 0 AND s.error IS NULL
                      AND COALESCE(sl.on_hand, 0) + s.quantity < COALESCE(sl.reserved, 0)"""
            sql(f"""UPDATE {STAGE} SET col = 'quantity',
                    error = 'would take stock below zero, or below what checkouts hold reserved'
                    WHERE line IN ({low})""")

    def count_bad(self) -> int:
        return self.conn.exec_driver_sql(f"SELECT COUNT(*) FROM {STAGE} WHERE error IS NOT NULL").scalar_one()

    def problems(self, limit: int) -> list[Problem]:
        rows = self.conn.exec_driver_sql(
            f"SELECT line, col, error FROM {STAGE} WHERE error IS NOT NULL ORDER BY line LIMIT {int(limit)}"
        )
        return [Problem(line, col, error) for line, col, error in rows]

    def write_rejects(self, path: str, name: str) -> None:
        rows = self.conn.exec_driver_sql(
            f"SELECT line, sku, location, COALESCE(raw, CAST(quantity AS TEXT)), col, error FROM {STAGE} "
            "WHERE error IS NOT NULL ORDER BY line"
        )
        with rejects_file(path, COLUMNS) as out:
            for line, sku, loc, qty, col, error in rows:
                out.add((sku or "", loc or "", qty or ""), Problem(line, col, error).render(name))

    # -- 3. apply ----------------------------------------------------------------------------------------

    def count_changes(self, mode: str) -> int:
        change = "s.quantity <> COALESCE(sl.on_hand, 0)" if mode == "set" else "s.quantity <> 0"
        return self.conn.exec_driver_sql(
            f"""SELECT COUNT(*) FROM {STAGE} s LEFT JOIN stock_level sl
                ON sl.variant_id = s.variant_id AND sl.location_id = s.location_id
                WHERE s.error IS NULL AND {change}"""
        ).scalar_one()

    def apply(self, mode: str, name: str) -> int:
        if mode == "set":
            delta, after, change = ("s.quantity - COALESCE(sl.on_hand, 0)", "s.quantity",
                                    "s.quantity <> COALESCE(sl.on_hand, 0)")
            new_level = "on_hand = excluded.on_hand"
        else:
            delta, after, change = "s.quantity", "COALESCE(sl.on_hand, 0) + s.quantity", "s.quantity <> 0"
            new_level = "on_hand = stock_level.on_hand + excluded.on_hand"
        history = text(
            f"""INSERT INTO stock_movement
                    (created_at, variant_id, location_id, delta, on_hand_after, reason, source, source_ref)
                SELECT :now, s.variant_id, s.location_id, {delta}, {after}, '', 'import',
                       :ref || CAST(s.line AS TEXT)
                FROM {STAGE} s LEFT JOIN stock_level sl
                    ON sl.variant_id = s.variant_id AND sl.location_id = s.location_id
                WHERE s.error IS NULL AND {change}"""
        ).bindparams(bindparam("now", type_=t.stock_movement.c.created_at.type))
        changed = self.conn.execute(history, {"now": utcnow(), "ref": name[:480] + ":"}).rowcount
        if changed:
            self.conn.exec_driver_sql(
                f"""INSERT INTO stock_level (variant_id, location_id, on_hand, reserved)
                    SELECT s.variant_id, s.location_id, s.quantity, 0 FROM {STAGE} s LEFT JOIN stock_level sl
                        ON sl.variant_id = s.variant_id AND sl.location_id = s.location_id
                    WHERE s.error IS NULL AND {change}
                    ON CONFLICT (variant_id, location_id) DO UPDATE SET {new_level}"""
            )
        return changed

    def drop(self) -> None:
        if not self.pg:  # PostgreSQL drops it at commit
            self.conn.exec_driver_sql(f"DROP TABLE temp.{STAGE}")


def _bad(line: int, f: list[str], i_sku: int, i_loc: int, i_qty: int, col: str, why: str) -> tuple:
    def cell(i: int) -> str:
        return f[i].strip() if i < len(f) else ""

    return (line, cell(i_sku), cell(i_loc), cell(i_qty), None, None, col, why)
