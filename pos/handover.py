"""Items handed over from a thread of their own to the caller, through a bounded queue.

Two readers use it: an import reads and checks its file's next batch while the command's thread writes
the one before (`read_ahead`; SQLite and the PostgreSQL driver let go of the interpreter's lock while a
statement runs, so two cores share the work), and `pos batch` takes the lines of a pipe as they trickle in,
so that a window can close on time (pos/services/batch_lines.py).

A thread blocked reading a terminal or an idle pipe cannot be stopped: `is_regular` tells a file whose
reads always return, which the caller may wait for, from one whose reader it must leave behind.
"""

from __future__ import annotations

import os
import queue
import stat
import threading
from collections.abc import Generator, Iterable, Iterator
from typing import IO, Any, Generic, TypeVar

T = TypeVar("T")


def is_regular(file: IO[Any] | Iterable[Any]) -> bool:
    """Whether `file` is a file on disk (standard input redirected from one, too): every read returns at
    once. False for a pipe, a terminal, a device, or anything without a file descriptor."""
    try:
        return stat.S_ISREG(os.fstat(file.fileno()).st_mode)  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError):
        return False


class Handover(Generic[T]):
    """`items`, produced by a thread named `name`, at most `depth` ahead of the caller's `get`. An exception
    in the thread is raised by `get` in its place; `stop` ends the thread at its next item."""

    def __init__(self, items: Iterable[T], *, depth: int, name: str) -> None:
        self._ready: queue.Queue[tuple[bool, Any]] = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, args=(iter(items),), name=name, daemon=True)
        self._thread.start()

    def _hand(self, item: tuple[bool, Any]) -> bool:
        while not self._stop.is_set():
            try:
                self._ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, source: Iterator[T]) -> None:
        try:
            for item in source:
                if not self._hand((True, item)):
                    return
            self._hand((False, None))
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread, by `get`
            self._hand((False, exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def get(self, timeout: float | None = None) -> tuple[bool, T | None]:
        """(True, the next item), or (False, None) once there are no more. queue.Empty if `timeout`
        seconds pass first."""
        more, item = self._ready.get(timeout=timeout)
        if more:
            return True, item
        if item is None:
            return False, None
        raise item

    def stop(self, *, wait: bool) -> None:
        """End the thread at its next item; with `wait`, return once it has ended (only where its reads
        always return: `is_regular`)."""
        self._stop.set()
        if wait:
            self._thread.join()


def read_ahead(items: Iterable[T], depth: int = 2) -> Generator[T, None, None]:
    """`items` in order, produced by a thread of their own up to `depth` ahead of the caller. When the
    caller stops early (an error, Ctrl-C), the thread stops too before this returns: so for a regular file
    only (`is_regular`), whose reads always return."""
    handover = Handover(items, depth=depth, name="pos-read-ahead")
    try:
        while True:
            more, item = handover.get()
            if not more:
                return
            yield item  # type: ignore[misc]
    finally:
        handover.stop(wait=True)
