"""What both imports share: one transaction (rolled back for a dry run or Ctrl-C) and the rejects file."""

from __future__ import annotations

import csv
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import IO, Any

from sqlalchemy import Connection

from pos.errors import Interrupted, InvalidInput
from pos.models.outcomes import ImportReport
from pos.services.db import Database
from pos.services.imports.csvsource import CsvSource, guard, open_source


class _Rollback(Exception):
    """Raised inside the transaction of a dry run so that it rolls back, carrying the result out."""

    def __init__(self, result: ImportReport) -> None:
        self.result = result


def run_import(
    db: Database, path: str, columns: tuple[str, ...], *, dry_run: bool,
    work: Callable[[Connection, CsvSource], ImportReport],
) -> ImportReport:
    """Open the file, check its header, then run `work` in one write transaction.

    The transaction commits only when `work` returns and this is not a dry run; any exception, a dry
    run, or Ctrl-C rolls everything back.
    """
    from pos.services.clerks import require_approval

    if not dry_run:
        require_approval("an import")  # it sets stock or can change prices
    committed = False
    try:
        with open_source(path) as src:
            src.require(columns)
            try:
                with ExitStack() as held:
                    with db.write() as conn:
                        result = work(conn, src)
                        if dry_run:
                            raise _Rollback(result)
                        _audit(conn, result)
                        held.enter_context(_interrupts_held())  # until `committed` is set
                    committed = True
            except _Rollback as done:
                result = done.result
    except KeyboardInterrupt:
        if committed:
            return result  # Ctrl-C came after the commit: the import is done, and says so
        raise Interrupted(f"{path}: import interrupted; nothing was imported (the database is as it was)") from None
    return result


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C waits while the import commits. Once COMMIT is under way the database decides whether the
    import happened; an interrupt raised when it returns would report "nothing was imported" of an
    import that was. Held, the Ctrl-C is let go: the import completes and reports what it did."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield  # only the main thread may set handlers; None: one set outside Python, which cannot be put back
        return
    signal.signal(signal.SIGINT, lambda _signum, _frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _audit(conn: Connection, result: ImportReport) -> None:
    """One audit row per import (not per row), in its transaction."""
    from pos.services import audit

    action = audit.Action.STOCK_CHANGE if result.kind == "inventory" else audit.Action.CATALOG_CHANGE
    changed = result.stock_changed if result.stock_changed is not None else result.applied
    what = f"import {result.kind}" + (f" ({result.mode})" if result.mode else "")
    audit.record(conn, action, detail=f"{what} of {result.file}: {result.read} rows read, {changed} applied, "
                                      f"{result.rejected} rejected")


class RejectsFile:
    """The rejected rows and their reasons, as CSV that can be fixed and imported again."""

    def __init__(self, path: str | None, header: Iterable[str]) -> None:
        self.path = path
        self._header = [*header, "error"]
        self._fh: IO[str] | None = None
        self._writer: Any = None
        self.count = 0

    def add(self, values: Iterable[str], reason: str) -> None:
        if self.path is None:
            return
        if self._writer is None:
            try:
                self._fh = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in close()
            except OSError as exc:
                raise InvalidInput(f"cannot write the rejects file {self.path}: {exc.strerror}") from None
            self._writer = csv.writer(self._fh)
            self._writer.writerow(self._header)
        self._writer.writerow([guard(v) for v in values] + [guard(reason)])
        self.count += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


@contextmanager
def rejects_file(path: str | None, header: Iterable[str]) -> Iterator[RejectsFile]:
    out = RejectsFile(path, header)
    try:
        yield out
    finally:
        out.close()
