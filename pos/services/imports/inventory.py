"""`pos import inventory`: stock counts (`set`) or deliveries (`add`) per SKU and location, at scale.

How it stays fast and safe with a million rows:

1. One write transaction for the whole file. A reading thread takes rows straight from csv.reader,
   10,000 at a time, and checks them while the command's thread stages and writes the batch before
   (`read_ahead`: the SQL runs without Python's interpreter lock, so the two share two cores). A batch
   of common rows (a known SKU and location, digits for the quantity) is checked a column at a time in C
   loops (dict look-ups by `map`, one digits test of the joined quantities) and becomes four integers a
   row in the temporary table `import_stage`, 50 rows an INSERT. Any other batch goes row by row, and an
   unusual row takes a slow path that checks and reports it (column count, whole numbers, UTF-8, a guard
   quote, a barcode) into `import_bad`.
   The reader also marks each (variant, location) pair in a byte map, so a pair given twice is noticed
   without sorting the staged rows; only then (or when a barcode was resolved) does SQL look for it.
2. On SQLite, the file's leading batches of common rows are written as they come (a history row per
   change, then the levels): no later check can refuse them (`_load` says why). A store's first stock
   take (no levels yet) writes its levels as plain INSERTs, and from 50,000 of them builds the location
   index after its writes.
3. Set-based SQL (pos/services/imports/_stage.py) resolves barcodes and finds what needs the database:
   the same SKU and location twice in the file, a count below what checkouts hold reserved, a removal
   below zero.
4. If any row is bad and --skip-invalid was not given, the transaction rolls back: nothing is written.
   Otherwise one INSERT ... SELECT writes a stock history row (source `import`, source_ref `FILE:LINE`)
   for every level the rest of the file changes, then the levels change, in the same transaction.

Memory stays flat as the file grows: rows live in the staging tables, never in a Python list. What does
grow is the SKU-to-id map, with the catalog (about 25 MB per 200,000 SKUs), and the byte map (one byte
per variant and location: 1 MB for 200,000 SKUs at 5 locations; above 16 M pairs SQL checks instead).

An interrupted import (Ctrl-C, a killed process, a full disk) rolls back as a whole, so the database is
as it was and running the same file again reaches the same final state. The price: on SQLite, other
writers wait (busy timeout) while an import runs, including while a slow pipe feeds standard input; on
PostgreSQL the stock_level table is locked against reservations only for the short check-and-apply step.
"""

from __future__ import annotations

import gc
from collections.abc import Generator
from contextlib import closing
from itertools import islice, repeat
from operator import add, itemgetter, mul
from typing import NamedTuple, cast

from sqlalchemy import Connection

from pos.models.outcomes import ImportReport
from pos.barcodes import lookup_barcode
from pos.errors import InvalidInput
from pos.services.db import Database
from pos.services.stock_levels import MAX_QUANTITY
from pos.handover import read_ahead
from pos.services.imports._common import rejects_file, run_import
from pos.services.imports._stage import BATCH, PlainRows, Stage
from pos.services.imports.csvsource import (
    MAX_LISTED, CsvSource, Problem, Progress, list_problems, readable, rejected_message, undecodable, unguard,
)

COLUMNS = ("sku", "location", "quantity")
REORDER = "reorder_level"  # optional: the level's reorder level (`pos stock reorder`); empty leaves it as it is
MODES = ("set", "add")


def import_inventory(
    db: Database, *, path: str, mode: str = "set", dry_run: bool = False, skip_invalid: bool = False,
    rejects: str | None = None, progress: Progress | None = None,
) -> ImportReport:
    """Import stock per SKU and location from a CSV file (`-` for standard input)."""
    if mode not in MODES:
        raise InvalidInput(f"mode must be set or add, not {mode!r}")

    def work(conn: Connection, src: CsvSource) -> ImportReport:
        return _run(conn, src, mode=mode, skip_invalid=skip_invalid, rejects=rejects, progress=progress,
                    dry_run=dry_run)

    return run_import(db, path, COLUMNS, dry_run=dry_run, work=work)


def _run(conn: Connection, src: CsvSource, *, mode: str, skip_invalid: bool, rejects: str | None,
         progress: Progress | None, dry_run: bool) -> ImportReport:
    reorder = src.position(REORDER) is not None
    stage = Stage(conn, reorder=reorder)
    read, written, through = _load(src, stage, mode=mode, progress=progress, write=not dry_run)
    stage.check(mode=mode)
    total_bad = stage.count_bad()
    problems = stage.problems(MAX_LISTED)
    if total_bad and not skip_invalid:
        raise rejected_message(src.name, problems, total_bad, read)
    if rejects and total_bad:
        with rejects_file(rejects, COLUMNS + ((REORDER,) if reorder else ())) as out:
            for line, values, col, error in stage.rejected_rows():
                out.add(values, Problem(line, col, error).render(src.name))
    changed = stage.count_changes(mode) if dry_run else written + stage.apply(mode, src.name, after=through)
    extra = {}
    if reorder:
        extra["reorder_levels"] = stage.count_reorder_changes() if dry_run else stage.apply_reorder()
    stage.drop()
    return ImportReport.model_validate({
        "file": src.name, "kind": "inventory", "mode": mode, "dry_run": dry_run,
        "read": read, "applied": changed, "unchanged": read - total_bad - changed, "rejected": total_bad,
        "errors": list_problems(src.name, problems, total_bad), "rejects_file": rejects if total_bad else None,
        **extra,
    })


def _load(src: CsvSource, stage: Stage, *, mode: str, progress: Progress | None,
          write: bool) -> tuple[int, int, int]:
    """Read every row; good rows go to the stage as four integers, the others with their text and problem.
    Returns (rows read, changes written as they were read, the last line written so).

    Rows come in batches of BATCH, read and checked by a thread of their own (`_batches`) while this one
    stages them. A batch whose every row is plain (the header's width, a known SKU and location, ASCII
    digits for the quantity) is checked a column at a time (`_plain`); any other batch goes row by row
    (`_rows`), where the unusual row (a guard quote, a barcode, a negative delivery, a problem) takes the
    slow path.

    The file's leading plain batches are also written (history and levels) as they come, on SQLite, while
    the next batch is read: nothing the checks after the reading do can refuse their rows. None of them
    names a SKU and location twice (the byte map says so as each batch is read), any later row naming one of
    theirs is the later line and is refused as a repeat, and a count (--mode set) can be below what
    checkouts hold only where they hold some: then nothing is written before the checks. Any refusal still
    rolls the whole import back, as the writes share its transaction.
    """
    variants = stage.lookup("SELECT sku, id FROM variant")
    locations = stage.lookup("SELECT code, id FROM location")
    seen = _Seen(variants, locations)
    at = src.require(COLUMNS)
    cols = _Columns(at["sku"], at["location"], at["quantity"], src.position(REORDER), len(src.header))
    as_read = (write and not stage.pg and seen.exact and cols.reorder is None
               and (mode == "add" or not stage.stock_reserved()))
    read = written = through = 0
    pending: tuple[int, int] | None = None  # the lines of a staged batch to write as soon as the next comes
    # The rows of a batch are alive together, and Python's cyclic garbage collector would walk them again
    # and again while they are read (half a second per million rows); they hold no cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        checked = _batches(src, cols, mode, variants, locations, seen, stage)
        with closing(read_ahead(checked) if src.size is not None else checked) as batches:
            for batch in batches:
                if pending:  # written while the reading thread reads the next batch
                    written += stage.apply_lines(mode, src.name, *pending)
                    through, pending = pending[1], None
                if batch.plain is None:
                    stage.add_good(batch.good)
                    stage.add_bad(batch.bad)
                else:
                    stage.add_plain_rows(batch.plain)
                read += batch.count
                as_read = as_read and batch.leading
                if as_read:
                    pending = (batch.first, batch.last)
                if progress:
                    progress(batch.bytes_read, read)
            if pending:
                written += stage.apply_lines(mode, src.name, *pending)
                through = pending[1]
    finally:
        if collecting:
            gc.enable()
    stage.duplicates_possible = seen.twice or not seen.exact
    return read, written, through


class _Batch(NamedTuple):
    first: int  # the lines its rows start on, first and last
    last: int
    count: int  # rows read (a blank line is not one)
    plain: PlainRows | None  # its rows made ready to stage, when every one is plain; else good and bad:
    good: list[tuple]
    bad: list[tuple]
    leading: bool  # plain, and no SKU and location in it was given before (nor in an earlier batch)
    bytes_read: int


def _batches(src: CsvSource, cols: _Columns, mode: str, variants: dict, locations: dict, seen: _Seen,
             stage: Stage) -> Generator[_Batch, None, None]:
    """The file's rows in checked batches (run in the reading thread: it touches no connection)."""
    reader = src.reader
    prev = src.line_offset  # the last line of the previous row, in the file's numbering
    with src.csv_errors():
        while True:
            before = reader.line_num
            rows = list(islice(reader, BATCH))
            if not rows:
                return
            spanned = reader.line_num - before
            lines = list(range(prev + 1, prev + 1 + spanned)) if spanned == len(rows) else _starts(rows, prev)
            prev += spanned
            plain = None if cols.reorder is not None else _plain(rows, cols, variants, locations, seen)
            if plain is None:
                good: list[tuple] = []
                bad: list[tuple] = []
                _rows(rows, lines, cols, mode, variants, locations, seen, good, bad)
                yield _Batch(lines[0], lines[-1], len(good) + len(bad), None, good, bad, False, src.bytes_read())
            else:
                yield _Batch(lines[0], lines[-1], len(lines), stage.plain_rows(lines, *plain), [], [],
                             not seen.twice, src.bytes_read())


def _starts(rows: list[list[str]], prev: int) -> list[int]:
    """The line each row starts on, in a batch where some row spans several lines (a quoted line break).

    The reader counts the lines its file gives, and the file (newline="") ends a line at LF, CR LF or a lone
    CR, which a quoted value keeps as they were: so a row takes one line more for each of those in it. Each
    value is counted on its own: a CR that ends one value and an LF that starts the next are two line ends
    in the file (a quote and a comma lie between them), not one CR LF."""
    starts = []
    line = prev + 1
    for row in rows:
        starts.append(line)
        line += 1
        for value in row:
            line += value.count("\n") + value.count("\r") - value.count("\r\n")
    return starts


class _Columns(NamedTuple):
    sku: int
    location: int
    quantity: int
    reorder: int | None
    width: int


def _plain(rows: list[list[str]], cols: _Columns, variants: dict, locations: dict,
           seen: _Seen) -> tuple[list[int], list[int], list[int]] | None:
    """A batch of plain rows as three columns (variant ids, location ids, quantities), or None if any row
    is not plain (and nothing is marked seen).

    Plain: every row as wide as the header, a SKU and a location known as written, and a quantity of one to
    nine ASCII digits: what the per-row path would stage unchanged, checked here by C loops over columns."""
    if set(map(len, rows)) != {cols.width}:
        return None
    vids = list(map(variants.get, map(itemgetter(cols.sku), rows)))
    lids = list(map(locations.get, map(itemgetter(cols.location), rows)))
    if None in vids or None in lids:
        return None
    quantities = list(map(itemgetter(cols.quantity), rows))
    sizes = set(map(len, quantities))
    if min(sizes) < 1 or max(sizes) > 9:
        return None
    digits = "".join(quantities)
    if not (digits.isascii() and digits.isdigit()):
        return None
    known_vids, known_lids = cast(list[int], vids), cast(list[int], lids)
    seen.mark(list(map(add, map(mul, known_vids, repeat(seen.span)), known_lids)))
    return known_vids, known_lids, list(map(int, quantities))


def _rows(rows: list[list[str]], lines: list[int], cols: _Columns, mode: str, variants: dict,
          locations: dict, seen: _Seen, good: list[tuple], bad: list[tuple]) -> None:
    """Check and stage a batch row by row: the hot path is two dict look-ups and an ASCII-digits test."""
    i_sku, i_loc, i_qty, i_reo, width = cols
    vget, lget = variants.get, locations.get
    add_good = good.append
    keys: list[int] = []
    key = keys.append
    span = seen.span
    for line, f in zip(lines, rows, strict=True):
        if len(f) == width:
            vid, lid, qty = vget(f[i_sku]), lget(f[i_loc]), f[i_qty]
            if vid is not None and lid is not None and qty.isdigit() and qty.isascii() and len(qty) < 10:
                if i_reo is None:
                    key(vid * span + lid)
                    add_good((line, vid, lid, int(qty)))
                    continue
                reo = f[i_reo]
                if not reo or (reo.isdigit() and reo.isascii() and len(reo) < 10):
                    key(vid * span + lid)
                    add_good((line, vid, lid, int(qty), int(reo) if reo else None))
                    continue
            before = len(good)
            _slow(line, f, i_sku, i_loc, i_qty, i_reo, mode, variants, locations, good, bad)
            if len(good) > before:
                key(good[-1][1] * span + good[-1][2])
        elif f:  # a blank line is skipped, not counted
            wanted = (i_sku, i_loc, i_qty) + (() if i_reo is None else (i_reo,))
            cells = [readable(f[i].strip()) if i < len(f) else "" for i in wanted]
            bad.append((line, *cells[:3], None, None, "row",
                        f"has {len(f)} values, the header has {width}", None,
                        *(() if i_reo is None else (cells[3], None))))
    seen.mark(keys)


class _Seen:
    """One byte per (variant id, location id) pair the file can name, to notice a pair given twice while
    reading instead of sorting a million staged rows to look for one. With a very large catalog times
    locations (over 16 M pairs) it gives up (`exact` False) and the stage looks with SQL, as before."""

    LIMIT = 16_000_000

    def __init__(self, variants: dict, locations: dict) -> None:
        self.span = max(locations.values(), default=0) + 1
        pairs = (max(variants.values(), default=0) + 1) * self.span
        self.exact = pairs <= self.LIMIT
        self.marks = bytearray(pairs) if self.exact else None
        self.twice = False  # some pair was given twice (the stage then finds which lines, with SQL)

    def mark(self, keys: list[int]) -> None:
        """Mark the pairs of a batch (`variant id * span + location id`), noticing one seen before."""
        if self.marks is None or self.twice:
            return  # SQL looks for the repeats anyway
        marks = self.marks
        if len(set(keys)) < len(keys) or any(map(marks.__getitem__, keys)):
            self.twice = True
            return
        for k in keys:
            marks[k] = 1


def _slow(line: int, f: list[str], i_sku: int, i_loc: int, i_qty: int, i_reo: int | None, mode: str,
          variants: dict, locations: dict, good: list[tuple], bad: list[tuple]) -> None:
    sku, loc, qty_text = (unguard(f[i].strip()).strip() for i in (i_sku, i_loc, i_qty))
    reo_text = "" if i_reo is None else unguard(f[i_reo].strip()).strip()
    lid = locations.get(loc)
    qty, why = _parse_quantity(qty_text, mode)
    reo, reo_why = _parse_reorder(reo_text)
    tail: tuple = () if i_reo is None else (reo_text, reo)  # the reorder level, when the file has the column
    if undecodable([sku, loc, qty_text, reo_text]):
        problem = ("row", "is not UTF-8 text (save the file as CSV UTF-8)")
        sku, loc, qty_text = (readable(v) for v in (sku, loc, qty_text))
        tail = () if i_reo is None else (readable(reo_text), None)
    elif not sku:
        problem = ("sku", "is empty")
    elif lid is None:
        problem = ("location", "is empty" if not loc else f"unknown location {loc!r}")
    elif why is not None:
        problem = ("quantity", why)
    elif reo_why is not None:
        problem = (REORDER, reo_why)
    elif sku in variants:
        good.append((line, variants[sku], lid, qty, *tail[1:]))
        return
    else:
        # Perhaps a barcode: the stage resolves it with SQL (by its normal form if it is a GTIN), or
        # reports it unknown as it was written.
        normal = lookup_barcode(sku)
        bad.append((line, sku, loc, qty_text, qty, lid, None, None, normal if normal != sku else None, *tail))
        return
    bad.append((line, sku, loc, qty_text, qty, lid, *problem, None, *tail))


def _parse_reorder(text_: str) -> tuple[int | None, str | None]:
    """An empty cell leaves the reorder level as it is; otherwise a whole number, zero or more."""
    if not text_:
        return None, None
    if not (text_.isascii() and text_.isdigit()):
        return None, f"must be a whole number, zero or more, not {text_!r}"
    value = int(text_)
    if value > MAX_QUANTITY:
        return None, f"{value} is more than {MAX_QUANTITY:,}"
    return value, None


def _parse_quantity(text_: str, mode: str) -> tuple[int | None, str | None]:
    digits = text_[1:] if text_[:1] in "+-" else text_
    if not digits or not (digits.isascii() and digits.isdigit()):
        if not text_:
            return None, "is empty; a whole number is needed"
        return None, f"must be a whole number, not {text_!r}"
    value = int(text_)
    if abs(value) > MAX_QUANTITY:
        return None, f"{value} is more than {MAX_QUANTITY:,}"
    if value < 0 and mode == "set":
        return None, f"must be zero or more for a count (--mode set), not {value}"
    return value, None


