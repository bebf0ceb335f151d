"""A `pos batch` file's lines cut into windows: N lines, or what arrived within T milliseconds.

A list, or a file on disk (standard input redirected from one too), has every line there already and is
cut by size alone. A pipe or a terminal may trickle: a reader thread hands its lines over, so a window also
closes T milliseconds after its first line arrived and lines are not held back waiting for more.
pos.services.batch_window places each window's orders.
"""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from pos.errors import InvalidInput
from pos.handover import Handover, is_regular


def decoded(text: str) -> Any:
    """A line's JSON, or InvalidInput saying why not: bytes that are not UTF-8 (kept as surrogates by the
    reader), not JSON, or a JSON escape that no database can store (a NUL, `\\u0000`, or half of a
    surrogate pair, `\\ud800`): those would fail deep in the write, on one engine or both."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept as surrogates by the reader
        raise InvalidInput("the line is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    if "\\u" in text:  # only an escape can put a NUL or a lone surrogate in the decoded text
        _storable(data)
    return data


def _storable(value: Any) -> None:
    """InvalidInput if any text in `value` (a decoded JSON document) holds a NUL or a lone surrogate."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput("the line holds a NUL character (\\u0000), which no field may hold")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput("the line holds half of a surrogate pair (such as \\ud800), which is not text") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable(key)
            _storable(item)
    elif isinstance(value, list):
        for item in value:
            _storable(item)


Numbered = tuple[int, str]


def windows(lines: Iterable[str], *, size: int, wait_ms: int) -> Iterator[list[Numbered]]:
    """The non-blank lines, numbered from 1, in windows of at most `size` lines. A window also closes
    `wait_ms` after its first line arrived, so lines trickling in from a pipe are not held back waiting
    for more. A list or a file on disk (everything there already) is cut by size only."""
    numbered = ((n, text) for n, text in enumerate(lines, start=1) if text.strip())
    if isinstance(lines, (list, tuple)) or is_regular(lines) or size <= 1:
        while window := list(islice(numbered, size)):
            yield window
        return
    yield from _timed(numbered, size=size, wait_s=wait_ms / 1000)


def _timed(numbered: Iterator[Numbered], *, size: int, wait_s: float) -> Iterator[list[Numbered]]:
    """Windows cut by size or by time: a reader thread hands the lines over, so waiting for the next line
    can end when the window's time is up."""
    # Memory stays bounded however long the file. The reader is not waited for at the end: a pipe or a
    # terminal may block its read.
    handover: Handover[Numbered] = Handover(numbered, depth=4 * size, name="pos-batch-reader")
    window: list[Numbered] = []
    closes = 0.0
    try:
        while True:
            try:
                more, item = handover.get(timeout=max(0.0, closes - time.monotonic()) if window else None)
            except queue.Empty:
                yield window
                window = []
                continue
            if not more or item is None:
                break
            if not window:
                closes = time.monotonic() + wait_s
            window.append(item)
            if len(window) >= size:
                yield window
                window = []
        if window:
            yield window
    finally:
        handover.stop(wait=False)
