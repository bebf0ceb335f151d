"""The X/Z report's views: pure functions of the report document (no database, no terminal)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from pos.commands._render_shift import hour_chart, shift_view
from pos.receipt_shift import shift_text
from pos.textcells import cell_len


def report(**changes) -> dict:
    doc = {
        "id": 7, "status": "closed", "location": "STORE-1", "register": "main",
        "opened_at": "2026-11-26T08:00:00Z", "closed_at": "2026-11-26T17:30:00Z",
        "opened_by": "Ann Lee", "closed_by": "Boss", "float": 15000, "sales_count": 3, "gross": 7196,
        "refunds": 2516, "net": 4680, "tax": 357,
        "by_tender": [{"method": "card", "count": 1, "amount": 352}, {"method": "cash", "count": 2, "amount": 4328}],
        "cash_in": 2000, "cash_out": 5000, "expected_cash": 16328, "counted": 16300, "over_short": -28,
        "by_clerk": [{"clerk": "Ann Lee", "count": 3, "amount": 4680}],
        "_view": {"currency": "USD", "timezone": "Europe/Berlin",
                  "hours": [("2026-11-26 09:00", 2164), ("2026-11-26 10:00", 0), ("2026-11-26 11:00", 5032)],
                  "movements": [{"kind": "cash_in", "amount": 2000, "reason": "change", "clerk": "Ann Lee",
                                 "at": "2026-11-26T09:15:00Z"}]},
    }
    doc.update(changes)
    return doc


def _screen(renderable, width=100) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_the_z_report_on_paper_has_every_figure_in_store_time():
    text = shift_text(report(), 42)
    for line in ("Float", "Sales (3)", "Refunds", "Net sales", "Tax collected", "Cash in", "Cash out",
                 "Expected cash", "Counted", "Over/short", "card (1)", "cash (2)", "Ann Lee (3)"):
        assert line in text
    assert "Z REPORT: SHIFT 7" in text
    assert "Opened 2026-11-26 09:00 +01:00 by Ann Lee" in text and "Closed 2026-11-26 18:30 +01:00 by Boss" in text
    assert any(line.endswith("-0.28") for line in text.splitlines())
    assert any(line.startswith("Expected cash") and line.endswith("163.28") for line in text.splitlines())


def test_an_x_report_says_so_and_has_no_count_yet():
    text = shift_text(report(status="open", closed_at=None, closed_by=None, counted=None, over_short=None), 32)
    assert text.startswith("X REPORT: SHIFT 7") and "Closed" not in text
    assert [line for line in text.splitlines() if line.startswith(("Counted", "Over/short"))] == [
        "Counted" + " " * 24 + "-", "Over/short" + " " * 21 + "-"]


def test_the_hourly_chart_scales_bars_to_the_busiest_hour():
    shown = _screen(hour_chart([("2026-11-26 09:00", 2500), ("2026-11-26 10:00", 0), ("2026-11-26 11:00", 5000)], "USD"))
    bars = {line.split()[0]: line.count("█") for line in shown.splitlines() if ":00" in line}
    assert bars == {"09:00": 16, "10:00": 0, "11:00": 32}


def test_the_rich_report_draws_the_chart_only_when_asked():
    assert "Sales by hour" in _screen(shift_view(report(), chart=True))
    assert "Sales by hour" not in _screen(shift_view(report(), chart=False))


@pytest.mark.parametrize("width", [32, 42, 48])
def test_a_report_with_no_sales_fits_and_skips_empty_sections(width):
    empty = report(sales_count=0, gross=0, refunds=0, net=0, tax=0, by_tender=[], by_clerk=[],
                   _view={"currency": "USD", "timezone": "UTC", "hours": [], "movements": []})
    text = shift_text(empty, width)
    assert "Tenders" not in text and "Sales by hour" not in text
    assert max(cell_len(line) for line in text.splitlines()) <= width


@settings(max_examples=200, deadline=None)
@given(reason=st.text(min_size=1, max_size=500), clerk=st.text(min_size=1, max_size=100),
       width=st.sampled_from([32, 42, 48]))
def test_no_line_of_the_paper_report_is_wider_than_the_roll_whatever_was_typed(reason, clerk, width):
    doc = report(opened_by=clerk, by_clerk=[{"clerk": clerk, "count": 1, "amount": 1}])
    doc["_view"] = {**doc["_view"], "movements": [{"kind": "cash_out", "amount": 99_999_999_99, "reason": reason,
                                                   "clerk": clerk, "at": "2026-11-26T09:15:00Z"}]}
    text = shift_text(doc, width)
    assert max(cell_len(line) for line in text.splitlines()) <= width
