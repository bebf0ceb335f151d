"""`read_ahead`: an import's file is read by a thread of its own while the command's thread writes. What a
user would see if it broke: rows out of order or lost, an error in the file swallowed or reported late, a
stopped import that keeps a thread reading (and a file open) behind it."""

from __future__ import annotations

import threading
from contextlib import closing

import pytest

from pos.errors import InvalidInput
from pos.handover import read_ahead


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name == "pos-read-ahead"}


def test_items_come_in_order_made_by_another_thread():
    made_in: set[int] = set()

    def items():
        for i in range(1000):
            made_in.add(threading.get_ident())
            yield i

    assert list(read_ahead(items(), depth=2)) == list(range(1000))
    assert made_in and threading.get_ident() not in made_in
    assert not _threads()


def test_an_error_while_reading_comes_out_in_the_caller_after_the_items_before_it():
    def items():
        yield "a"
        yield "b"
        raise InvalidInput("stock.csv:4: row: the csv module cannot read it")

    got = []
    with pytest.raises(InvalidInput, match="stock.csv:4"):
        for item in read_ahead(items()):
            got.append(item)
    assert got == ["a", "b"]
    assert not _threads()


def test_a_caller_that_stops_early_stops_the_reading_thread_and_closes_the_source():
    read, closed = [], threading.Event()

    def items():
        try:
            for i in range(1_000_000):
                read.append(i)
                yield i
        finally:
            closed.set()

    with closing(read_ahead(items(), depth=2)) as ahead:
        for item in ahead:
            if item == 3:
                break
    assert closed.is_set()
    assert not _threads()
    assert len(read) < 10  # it read at most `depth` (and the one in hand) ahead, not the whole source


def test_an_error_in_the_caller_stops_the_reading_thread():
    def items():
        i = 0
        while True:
            yield i
            i += 1

    with pytest.raises(KeyboardInterrupt), closing(read_ahead(items())) as ahead:
        for item in ahead:
            if item == 5:
                raise KeyboardInterrupt
    assert not _threads()

