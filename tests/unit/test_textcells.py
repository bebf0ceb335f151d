"""Widths in terminal cells: the rules hold for every text, not just the examples."""

import pytest
from hostile import NAMES
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from pos.textcells import ELLIPSIS, fit, pad, wrap

# Letters from every script, marks, symbols (emoji) and spaces; no control characters.
text = st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs")), max_size=120)
widths = st.integers(min_value=2, max_value=60)  # a line must hold one wide character


@given(text, widths)
def test_no_wrapped_line_is_wider_than_its_width(value, width):
    assert all(cell_len(line) <= width for line in wrap(value, width))


@given(text, widths)
def test_wrapping_loses_no_visible_character(value, width):
    assert "".join("".join(wrap(value, width)).split()) == "".join(value.split())


@given(text, widths)
def test_a_fitted_text_is_at_most_its_width_and_says_when_it_was_cut(value, width):
    fitted = fit(value, width)
    assert cell_len(fitted) <= width
    assert fitted == value or fitted.endswith(ELLIPSIS)


@given(text, st.integers(min_value=0, max_value=200), st.sampled_from(["left", "right", "center"]))
def test_padding_reaches_the_width_in_cells_and_keeps_the_text(value, width, align):
    padded = pad(value, width, align)
    assert cell_len(padded) == max(width, cell_len(value))
    assert value in padded


def test_a_cut_keeps_an_accent_with_its_letter():
    assert fit("Cafe\u0301 au lait", 5) == "Cafe\u0301" + ELLIPSIS


def test_wide_characters_count_two_cells():
    assert wrap("日本語の商品", 6) == ["日本語", "の商品"]
    assert pad("日本", 6) == "日本  "


def test_text_that_fits_is_kept_exactly_as_typed():
    assert wrap("A  B", 10) == ["A  B"]


@pytest.mark.parametrize("name", NAMES)
def test_every_hostile_name_wraps_within_a_32_column_roll(name):
    assert all(cell_len(line) <= 32 for line in wrap(name, 32))
