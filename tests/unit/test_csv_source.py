"""Reading import files: encodings, delimiters, headers and the formula guard, without a database."""

from __future__ import annotations

import pytest

from pos.errors import InvalidInput, NotFound
from pos.services.imports.csvsource import guard, open_source, sniff_delimiter, undecodable, unguard


def _write(tmp_path, data: bytes, name: str = "f.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_byte_order_mark_does_not_become_part_of_the_first_column_name(tmp_path):
    path = _write(tmp_path, "\ufeffsku,location,quantity\nA,B,1\n".encode())
    with open_source(path) as src:
        assert src.header == ["sku", "location", "quantity"]
        assert list(src.rows()) == [(2, ["A", "B", "1"])]


def test_semicolons_are_recognised_from_the_header_line(tmp_path):
    path = _write(tmp_path, b"sku;location;quantity\nA;B;1,5\n")
    with open_source(path) as src:
        assert src.delimiter == ";"
        assert list(src.rows()) == [(2, ["A", "B", "1,5"])]


def test_a_comma_inside_quotes_does_not_make_a_semicolon_file_look_comma_separated():
    assert sniff_delimiter('"a,b,c";d;e\n') == ";"
    assert sniff_delimiter("a,b,c\n") == ","


def test_header_names_are_matched_case_insensitively_after_trimming(tmp_path):
    path = _write(tmp_path, b" SKU ,Quantity,  LOCATION\nA,1,B\n")
    with open_source(path) as src:
        assert src.require(("sku", "location", "quantity")) == {"sku": 0, "location": 2, "quantity": 1}


def test_every_missing_column_is_named_in_one_error(tmp_path):
    path = _write(tmp_path, b"sku\nA\n")
    with open_source(path) as src, pytest.raises(InvalidInput) as err:
        src.require(("sku", "location", "quantity"))
    assert "f.csv:1: location: missing column" in err.value.message
    assert "f.csv:1: quantity: missing column" in err.value.message


def test_an_empty_file_is_refused_with_its_name(tmp_path):
    with pytest.raises(InvalidInput, match="e.csv:1: header: the file is empty"):
        with open_source(_write(tmp_path, b"", "e.csv")):
            pass


def test_a_missing_file_is_not_found(tmp_path):
    with pytest.raises(NotFound, match="no file"):
        with open_source(str(tmp_path / "nope.csv")):
            pass


def test_rows_report_the_line_they_start_on_even_after_a_quoted_line_break_and_blank_lines(tmp_path):
    path = _write(tmp_path, b'sku,name\nA,"two\nlines"\n\nB,x\n')
    with open_source(path) as src:
        assert [line for line, _ in src.rows()] == [2, 5]


def test_bytes_that_are_not_utf8_are_detected_per_row(tmp_path):
    path = _write(tmp_path, b"sku,location,quantity\nA,B,1\nCaf\xe9,B,1\n")
    with open_source(path) as src:
        rows = list(src.rows())
    assert [undecodable(f) for _, f in rows] == [False, True]
    assert not undecodable(["Café"])


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx", "'=already quoted", "plain", ""])
def test_the_formula_guard_round_trips(value):
    assert unguard(guard(value)) == value


def test_the_guard_quotes_only_cells_a_spreadsheet_would_run():
    assert guard("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert guard("Mug") == "Mug"
