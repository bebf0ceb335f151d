"""Reading an import file: one row at a time, whatever a spreadsheet wrote.

UTF-8 with or without a byte-order mark, comma or semicolon (sniffed from the header line), a header row
whose names are matched case-insensitively after trimming, columns in any order. Problems are reported
as `FILE:LINE: column: what is wrong`; problems with the file as a whole raise at once.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pos.errors import InvalidInput, NotFound
from pos.handover import is_regular
from pos.textcells import one_line

# Characters that make a spreadsheet treat a cell as a formula; exports put a ' in front of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# How many problems an error message lists (all of them are counted, and all go to a rejects file).
MAX_LISTED = 50

Progress = Callable[[int, int], None]  # (bytes read so far, rows read so far)


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def render(self, name: str) -> str:
        """One line, whatever the value quoted in it holds: a line break inside a quoted cell is shown as
        `\\n`, an ESC as `\\x1b` (pos.textcells.one_line), so each problem stays on its own line of the
        error, the summary and the rejects file, and is never obeyed by a terminal."""
        return one_line(f"{name}:{self.line}: {self.column}: {self.message}")


def file_label(path: str) -> str:
    """The file as messages and the stock history name it: its base name, or `stdin`."""
    return "stdin" if path == "-" else Path(path).name


def guard(value: str) -> str:
    """Keep a spreadsheet from running a text cell as a formula: `=1+2` is written as `'=1+2`.

    A value that already starts with quotes before a formula character gets one more, so that
    `unguard` always gives back exactly what was guarded.
    """
    return "'" + value if value.lstrip("'").startswith(FORMULA_STARTS) else value


def unguard(value: str) -> str:
    """Undo `guard`: `'=1+2` reads back as `=1+2`; any other value is left as it is."""
    return value[1:] if value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS) else value


def sniff_delimiter(header_line: str) -> str:
    """Comma unless the header line has more semicolons than commas (outside quotes)."""
    commas = semicolons = 0
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == ",":
            commas += 1
        elif not quoted and ch == ";":
            semicolons += 1
    return ";" if semicolons > commas else ","


def undecodable(fields: list[str]) -> bool:
    """True when the row holds bytes that were not UTF-8 (kept as surrogates by `surrogateescape`)."""
    text = "".join(fields)
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def readable(value: str) -> str:
    """Bytes that were not UTF-8 shown as U+FFFD, so that the value can be stored and reported."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class CsvSource:
    """An open import file: `header` (normalised names) and `rows()` yielding (line, values)."""

    def __init__(self, path: str, binary: IO[bytes], *, size: int | None) -> None:
        self.path = path
        self.name = file_label(path)
        self.size = size  # bytes, for a regular file; None for standard input, a pipe, a device
        self._binary = binary
        self._text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
        first = self._text.readline()
        if not first.strip():
            raise InvalidInput(f"{self.name}:1: header: the file is empty; the first row must name the columns")
        self.delimiter = sniff_delimiter(first)
        while first.count('"') % 2:  # a quoted header name with a line break in it
            more = self._text.readline()
            if not more:
                break
            first += more
        raw_header = next(csv.reader([first], delimiter=self.delimiter))
        # Rows are read straight from the file (no Python generator in between: this is the hot path);
        # `line_offset` turns the reader's line count into the file's line numbers.
        self.line_offset = first.count("\n") or 1
        self.reader = csv.reader(self._text, delimiter=self.delimiter)
        if undecodable(raw_header):
            raise InvalidInput(f"{self.name}:1: header: not UTF-8 text (save the file as CSV UTF-8)")
        self.header = [h.strip().lower() for h in raw_header]
        seen: set[str] = set()
        for name in self.header:
            if name and name in seen:
                raise InvalidInput(f"{self.name}:1: {name}: the column appears twice in the header")
            seen.add(name)

    def require(self, columns: tuple[str, ...]) -> dict[str, int]:
        """Positions of the wanted columns; every missing one is named in a single error."""
        missing = [c for c in columns if c not in self.header]
        if missing:
            lines = [f"{self.name}:1: {c}: missing column" for c in missing]
            raise InvalidInput(
                f"{self.name}: the header lacks {', '.join(missing)}\n" + "\n".join(lines),
                errors=lines,
            )
        return {c: self.header.index(c) for c in columns}

    def position(self, column: str) -> int | None:
        return self.header.index(column) if column in self.header else None

    def bytes_read(self) -> int:
        try:
            return self._binary.tell()
        except (OSError, ValueError):
            return 0

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line where the row starts, its values). Blank lines are skipped; values are not yet trimmed."""
        reader, offset = self.reader, self.line_offset
        last = offset
        with self.csv_errors():
            for fields in reader:
                start, last = last + 1, reader.line_num + offset
                if fields:
                    yield start, fields

    @contextmanager
    def csv_errors(self) -> Iterator[None]:
        """A row the csv module cannot parse at all (a NUL byte, say) stops the import with its line."""
        try:
            yield
        except csv.Error as exc:
            raise InvalidInput(f"{self.name}:{self.reader.line_num + self.line_offset}: row: {exc}") from None


@contextmanager
def open_source(path: str) -> Iterator[CsvSource]:
    """`-` is standard input; anything else a file path."""
    if path == "-":
        yield CsvSource(path, sys.stdin.buffer, size=None)
        return
    file = Path(path)
    if file.is_dir():
        raise InvalidInput(f"{one_line(path)} is a folder, not a CSV file")
    try:
        binary = open(file, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise NotFound(f"no file {one_line(path)}") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {one_line(path)}: {exc.strerror}") from None
    with binary:
        yield CsvSource(path, binary, size=os.fstat(binary.fileno()).st_size if is_regular(binary) else None)


def list_problems(name: str, problems: list[Problem], total: int) -> list[str]:
    lines = [p.render(name) for p in problems[:MAX_LISTED]]
    if total > len(lines):
        lines.append(f"... and {total - len(lines)} more")
    return lines


def rejected_message(name: str, problems: list[Problem], total: int, read: int) -> InvalidInput:
    """The all-or-nothing refusal: a summary line, then the problems one per line."""
    lines = list_problems(name, problems, total)
    head = (
        f"{name}: {total} of {read} rows are invalid; nothing was imported "
        f"(fix them, or pass --skip-invalid to import the rest)"
    )
    return InvalidInput(
        head + "\n" + "\n".join(lines), file=name, read=read, rejected=total, errors=[p.render(name) for p in problems[:MAX_LISTED]],
    )
