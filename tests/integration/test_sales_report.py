"""`pos report sales` figures on both databases, against a hand-made history (tests/report_data.py).

Every expected figure below is worked out by hand from the rows that history writes.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_data import build
from sqlalchemy import select

from pos.errors import InvalidInput, NotFound
from pos.models.report import ReportBy
from pos.services import catalog
from pos.services import tables as t
from pos.services.reports import buckets, local_midnight, sales_report

NOV1 = dict(first=date(2026, 10, 31), last=date(2026, 11, 2))
FIGURES = ("sales_count", "gross", "refunds_count", "refunds", "net", "tax")


def rows(doc) -> dict[str, tuple]:
    return {r.key: tuple(getattr(r, f) for f in FIGURES) for r in doc.rows}


def totals(doc) -> tuple:
    return tuple(getattr(doc.totals, f) for f in FIGURES)


@pytest.fixture
def history(db):
    return build(db)


def test_days_are_local_to_each_store_and_a_refund_counts_on_its_own_day(db, history):
    doc = sales_report(db, by="day", **NOV1)
    assert [r.key for r in doc.rows] == ["2026-10-31", "2026-11-01", "2026-11-02"]
    assert rows(doc) == {
        "2026-10-31": (1, 1080, 0, 0, 1080, 80),  # A: 23:59 in New York, though 1 Nov in UTC
        # B, G, F, C (23:30 on the 25-hour day, 2 Nov in UTC) and Berlin's D (31 Oct in UTC)
        "2026-11-01": (5, 2700 + 540 + 540 + 540 + 1785, 0, 0, 6105, 200 + 40 + 40 + 40 + 285),
        "2026-11-02": (0, 0, 1, 1080, -1080, -80),  # R1, the refund of B, a day later
    }
    assert totals(doc) == (6, 7185, 1, 1080, 6105, 605)
    assert doc.timezones == ["America/New_York", "Europe/Berlin"]


def test_one_day_leaves_out_what_was_that_day_in_utc_but_not_locally(db, history):
    doc = sales_report(db, by="day", first=date(2026, 11, 1), last=date(2026, 11, 1))
    assert rows(doc) == {"2026-11-01": (5, 6105, 0, 0, 6105, 605)}
    assert totals(doc) == (5, 6105, 0, 0, 6105, 605)


def test_hours_carry_their_offset_so_the_repeated_hour_is_two_rows(db, history):
    doc = sales_report(db, by="hour", **NOV1)
    assert rows(doc) == {
        "2026-11-01 00:00 +01:00": (1, 1785, 0, 0, 1785, 285),  # D in Berlin, first in time
        "2026-10-31 23:00 -04:00": (1, 1080, 0, 0, 1080, 80),  # A
        "2026-11-01 00:00 -04:00": (1, 2700, 0, 0, 2700, 200),  # B
        "2026-11-01 01:00 -04:00": (1, 540, 0, 0, 540, 40),  # G, 01:30 EDT
        "2026-11-01 01:00 -05:00": (1, 540, 0, 0, 540, 40),  # F, 01:30 EST, an hour later
        "2026-11-01 23:00 -05:00": (1, 540, 0, 0, 540, 40),  # C
        "2026-11-02 10:00 -05:00": (0, 0, 1, 1080, -1080, -80),  # R1
    }
    assert [r.key for r in doc.rows] == list(rows(doc))  # in time order, not in text order
    assert totals(doc) == (6, 7185, 1, 1080, 6105, 605)


def test_skus_get_their_lines_with_their_share_of_the_order_tax(db, history):
    doc = sales_report(db, by="sku", **NOV1)
    by_sku = {r.key: r for r in doc.rows}
    # SKU-A: A (1000 + 80) and B's two (2000 + 160 of B's 200 tax); one back in R1 (1000 + 80)
    a = by_sku["SKU-A"]
    assert (a.units, a.units_returned, a.sales_count, a.gross, a.refunds_count, a.refunds, a.net, a.tax) == (
        3, 1, 2, 3240, 1, 1080, 2160, 160)
    # SKU-B: B (500 + 40), G, F, C (540 each) and D (1500 + 285)
    b = by_sku["SKU-B"]
    assert (b.units, b.units_returned, b.sales_count, b.gross, b.refunds_count, b.refunds, b.net, b.tax) == (
        7, 0, 5, 3945, 0, 0, 3945, 445)
    assert a.name == "Item SKU-A"
    assert totals(doc) == (6, 7185, 1, 1080, 6105, 605)  # B counts once in the totals


def test_clerks_by_name_with_the_sales_of_no_clerk_last(db, history):
    doc = sales_report(db, by="clerk", **NOV1)
    assert [r.key for r in doc.rows] == ["Alice", "Bob", "no clerk"]
    assert rows(doc) == {
        "Alice": (2, 1080 + 1785, 0, 0, 2865, 365),  # A, D
        "Bob": (1, 540, 1, 1080, -540, -40),  # C, and he gave R1
        "no clerk": (3, 2700 + 540 + 540, 0, 0, 3780, 280),  # B, G, F
    }


def test_tenders_take_payments_and_refunds_by_method(db, history):
    assert rows(sales_report(db, by="tender", **NOV1)) == {
        "card": (2, 2865, 0, 0, 2865, 365),
        "cash": (4, 4320, 1, 1080, 3240, 240),
    }


def test_locations_show_code_and_name(db, history):
    doc = sales_report(db, by="location", **NOV1)
    assert rows(doc) == {"STORE-BE": (1, 1785, 0, 0, 1785, 285), "STORE-NY": (5, 5400, 1, 1080, 4320, 320)}
    assert [r.name for r in doc.rows] == ["Berlin", "New York"]


def test_shifts_by_id_and_card_sales_outside_any_shift_on_their_own_row(db, history):
    doc = sales_report(db, by="shift", **NOV1)
    s1, s2 = str(history["s1"]), str(history["s2"])
    assert [r.key for r in doc.rows] == [s1, s2, "outside any shift"]
    assert rows(doc) == {
        s1: (5, 5400, 0, 0, 5400, 400),
        s2: (0, 0, 1, 1080, -1080, -80),  # the refund was paid from the back register
        "outside any shift": (1, 1785, 0, 0, 1785, 285),
    }


def test_one_location_only(db, history):
    doc = sales_report(db, by="day", location="STORE-NY", **NOV1)
    assert doc.location == "STORE-NY" and doc.timezones == ["America/New_York"]
    assert rows(doc) == {
        "2026-10-31": (1, 1080, 0, 0, 1080, 80),
        "2026-11-01": (4, 4320, 0, 0, 4320, 320),
        "2026-11-02": (0, 0, 1, 1080, -1080, -80),
    }


@pytest.mark.parametrize("by", [b.value for b in ReportBy])
def test_every_grouping_adds_up_to_the_same_totals(db, history, by):
    doc = sales_report(db, by=by, **NOV1)
    assert totals(doc) == (6, 7185, 1, 1080, 6105, 605)
    if by != "sku":  # an order with two SKUs is in two SKU rows
        assert tuple(sum(r[i] for r in rows(doc).values()) for i in range(len(FIGURES))) == totals(doc)
    else:
        assert sum(r.gross for r in doc.rows) == doc.totals.gross and sum(r.tax for r in doc.rows) == doc.totals.tax


def test_no_sales_in_the_range_is_an_empty_report(db, history):
    doc = sales_report(db, by="day", first=date(2025, 1, 1), last=date(2025, 1, 31))
    assert doc.rows == [] and totals(doc) == (0, 0, 0, 0, 0, 0)


def test_a_store_without_sales_or_locations_reports_nothing(db):
    doc = sales_report(db, by="clerk")
    assert doc.rows == [] and totals(doc) == (0, 0, 0, 0, 0, 0)
    assert (date.fromisoformat(doc.to) - date.fromisoformat(doc.from_)).days == 6  # the last seven days


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"by": "week"}, InvalidInput),
    ({"first": date(2026, 11, 2), "last": date(2026, 11, 1)}, InvalidInput),
    ({"location": "NOWHERE"}, NotFound),
])
def test_bad_requests_are_refused(db, history, kwargs, error):
    with pytest.raises(error):
        sales_report(db, **kwargs)


# -- the buckets themselves: no database -----------------------------------------------------------------


def test_a_dst_day_is_25_or_23_hours_long():
    fall = buckets(ReportBy.HOUR, "America/New_York", date(2026, 11, 1), date(2026, 11, 1))
    spring = buckets(ReportBy.HOUR, "Europe/Berlin", date(2026, 3, 29), date(2026, 3, 29))
    assert len(fall) == 25 and len(spring) == 23
    assert [b.key[11:] for b in spring[:3]] == ["00:00 +01:00", "01:00 +01:00", "03:00 +02:00"]
    day = buckets(ReportBy.DAY, "America/New_York", date(2026, 11, 1), date(2026, 11, 1))[0]
    assert (day.end - day.start).total_seconds() == 25 * 3600


def test_half_hour_zones_start_their_hours_on_the_half_hour():
    hours = buckets(ReportBy.HOUR, "Asia/Kolkata", date(2026, 11, 1), date(2026, 11, 1))
    assert len(hours) == 24 and hours[0].start.minute == 30 and hours[0].key == "2026-11-01 00:00 +05:30"


def test_a_day_that_starts_at_1am_starts_when_its_clocks_do():
    # Havana moves its clocks from 00:00 to 01:00 in March: midnight never happens that day.
    start = local_midnight(date(2026, 3, 8), "America/Havana")
    assert start.isoformat() == "2026-03-08T05:00:00+00:00"


# -- the tax of each SKU, for any orders: the SQL shares it out as pos.refund_money.split does -------------

_examples = iter(range(10_000))
_line = st.tuples(st.sampled_from(["SKU-A", "SKU-B"]), st.integers(1, 5), st.integers(0, 5_000))
_order = st.tuples(st.lists(_line, min_size=1, max_size=4), st.integers(0, 250_000))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=st.lists(_order, min_size=1, max_size=5))
def test_sku_rows_share_each_order_tax_as_a_return_would_and_add_up(db, history, orders):
    from pos.money import tax_for
    from pos.refund_money import split

    from report_data import sale

    day = date(2027, 1, 1) + timedelta(days=next(_examples))  # each example on a day of its own
    expected: dict[str, list[int]] = {}
    ids = {"SKU-A": None, "SKU-B": None}
    with db.write() as conn:
        for sku in ids:
            ids[sku] = conn.execute(select(t.variant.c.id).where(t.variant.c.sku == sku)).scalar_one()
        ny = catalog.location_by_code(conn, "STORE-NY")["id"]
        for lines, rate in orders:
            subtotal = sum(q * p for _s, q, p in lines)
            tax = tax_for(subtotal, rate)
            sale(conn, location_id=ny, at=f"{day} 17:00:00", tax=tax,
                 lines=[(ids[s], s, q, p) for s, q, p in lines])
            for (sku, q, p), share in zip(lines, split(tax, [q * p for _s, q, p in lines]), strict=True):
                got = expected.setdefault(sku, [0, 0])
                got[0] += q * p + share
                got[1] += share
    doc = sales_report(db, by="sku", first=day, last=day)
    assert {r.key: [r.gross, r.tax] for r in doc.rows} == expected
    whole = sales_report(db, by="day", first=day, last=day)
    assert sum(r.gross for r in doc.rows) == whole.totals.gross == doc.totals.gross
    assert sum(r.tax for r in doc.rows) == whole.totals.tax == doc.totals.tax
