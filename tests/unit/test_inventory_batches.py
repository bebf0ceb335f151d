"""The inventory import reads rows a batch at a time: the line each row starts on, and the column-wise check
of a plain batch, must give exactly what reading row by row gives."""

from __future__ import annotations

import csv
import io

from hypothesis import example, given
from hypothesis import strategies as st

from pos.services.imports.inventory import _Columns, _plain, _rows, _Seen, _starts

_CELL = st.text(alphabet=st.sampled_from(["a", "7", " ", ",", '"', "\n", "\r", "é", "漢"]), max_size=6)


@given(rows=st.lists(st.lists(_CELL, min_size=0, max_size=4), max_size=12),
       terminator=st.sampled_from(["\n", "\r\n", "\r"]))
def test_the_start_line_of_each_row_is_what_the_reader_counts(rows, terminator):
    """`_starts` counts a row's quoted line breaks; the csv reader counts the lines it is given."""
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator=terminator).writerows(rows)
    reader = csv.reader(io.StringIO(text.getvalue(), newline=""))
    expected, parsed, prev = [], [], 0
    for row in reader:
        expected.append(prev + 1)
        parsed.append(row)
        prev = reader.line_num
    assert _starts(parsed, 0) == expected


_VARIANTS = {"A": 1, "B": 2, "漢": 3}
_LOCATIONS = {"S1": 1, "W1": 2}
_ROW = st.lists(st.one_of(st.sampled_from(["A", "B", "漢", "S1", "W1", "0", "12", "007", "999999999", "1000000000",
                                            "-1", "1.5", "", " A", "٣", "x"])),
                min_size=2, max_size=4)


@given(rows=st.lists(_ROW, min_size=1, max_size=10), order=st.permutations([0, 1, 2]))
@example(rows=[["A", "S1", "1"], ["B", "W1", "-1"]], order=[0, 1, 2])  # known SKUs, one quantity not plain
def test_a_batch_checked_a_column_at_a_time_stages_what_row_by_row_stages(rows, order):
    cols = _Columns(*order, reorder=None, width=3)
    lines = list(range(2, 2 + len(rows)))
    fast_seen, slow_seen = _Seen(_VARIANTS, _LOCATIONS), _Seen(_VARIANTS, _LOCATIONS)
    slow: list[tuple] = []
    bad: list[tuple] = []
    columns = _plain(rows, cols, _VARIANTS, _LOCATIONS, fast_seen)
    _rows(rows, lines, cols, "set", _VARIANTS, _LOCATIONS, slow_seen, slow, bad)
    every_row_plain = all(
        len(r) == 3 and r[cols.sku] in _VARIANTS and r[cols.location] in _LOCATIONS
        and r[cols.quantity].isascii() and r[cols.quantity].isdigit() and len(r[cols.quantity]) <= 9
        for r in rows)
    assert (columns is not None) == every_row_plain
    if columns is not None:  # the columns, with their lines, are the rows row-by-row stages
        assert list(zip(lines, *columns, strict=True)) == slow and not bad
        assert (fast_seen.marks, fast_seen.twice) == (slow_seen.marks, slow_seen.twice)
    else:  # nothing marked: the batch goes row by row instead
        assert not any(fast_seen.marks) and not fast_seen.twice


def test_a_cr_ending_one_value_and_an_lf_starting_the_next_are_two_lines():
    """Hypothesis found it: `",\\r","\\n"` spans three lines of the file, so the next row starts on line 4."""
    rows = [[",\r", "\n"], ["next"]]
    assert _starts(rows, 0) == [1, 4]
