"""The local days and hours of a sales report, as UTC ranges: for every zone and every range of days they
tile the range exactly (no gap, no overlap), in order, each key once."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pos.models.report import ReportBy
from pos.services.reports import buckets, local_midnight

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe",
         "America/Havana", "Pacific/Chatham", "America/St_Johns", "Pacific/Apia"]


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(ZONES), first=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
       days=st.integers(0, 40), by=st.sampled_from([ReportBy.DAY, ReportBy.HOUR, ReportBy.SKU]))
def test_buckets_tile_the_local_days_exactly(zone, first, days, by):
    last = first + timedelta(days=days)
    found = buckets(by, zone, first, last)
    assert found[0].start == local_midnight(first, zone)
    assert found[-1].end == local_midnight(last + timedelta(days=1), zone)
    assert all(a.end == b.start for a, b in zip(found, found[1:], strict=False))  # no gap, no overlap
    assert all(b.start < b.end for b in found)
    assert len({b.key for b in found}) == len(found)
    if by == ReportBy.DAY:
        assert [b.key for b in found] == [str(first + timedelta(days=n)) for n in range(days + 1)]
    if by == ReportBy.HOUR:
        # at most an hour: a clock change of half an hour (Lord Howe) starts a part-hour of its own
        assert all(b.end - b.start <= timedelta(hours=1) for b in found)
        assert all(b.key[:10] in {str(first + timedelta(days=n)) for n in range(days + 1)} for b in found)


def test_a_zone_this_machine_does_not_know_counts_as_utc():
    day = buckets(ReportBy.DAY, "Mars/Olympus_Mons", date(2026, 11, 1), date(2026, 11, 1))[0]
    assert day.zone == "Mars/Olympus_Mons"  # still matched against the location's own text
    assert (day.start.isoformat(), day.end.isoformat()) == ("2026-11-01T00:00:00+00:00", "2026-11-02T00:00:00+00:00")
