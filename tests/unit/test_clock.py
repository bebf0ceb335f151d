"""A store's own clock: UTC moments shown in the store's local time with its offset."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.clock import check_zone, local_time, machine_zone
from pos.commands import _render as r
from pos.errors import InvalidInput
from pos.receipt_text import receipt_text



def order(**changes) -> dict:
    doc = {
        "id": 17, "status": "processing", "cart_id": 4, "location": "STORE-1",
        "store": {"code": "STORE-1", "name": "Main Street Store", "address": "12 Main Street", "receipt_footer": ""},
        "created_at": "2026-11-25T21:32:07Z", "timezone": "UTC",
        "items": [{"sku": "TSHIRT-M", "name": "T-shirt Medium", "quantity": 2, "location": "STORE-1",
                   "unit_price": 1999, "line_total": 3998, "delivery": False}],
        "subtotal": 3998, "tax_rate": "0", "tax": 0, "total": 3998, "currency": "USD",
        "payment": {"processor": "cash", "status": "approved", "amount": 3998, "reason": None, "reference": "c"},
        "shipping": None,
    }
    return doc | changes


@pytest.mark.parametrize(("utc", "zone", "shown"), [
    ("2026-11-26T09:32:07Z", "Europe/Berlin", "2026-11-26 10:32 +01:00"),      # winter time
    ("2026-07-01T09:32:07Z", "Europe/Berlin", "2026-07-01 11:32 +02:00"),      # summer time
    ("2026-03-29T00:59:59Z", "Europe/Berlin", "2026-03-29 01:59 +01:00"),      # the minute before the change
    ("2026-03-29T01:00:00Z", "Europe/Berlin", "2026-03-29 03:00 +02:00"),      # and after it
    ("2026-11-25T21:32:07Z", "Asia/Kolkata", "2026-11-26 03:02 +05:30"),       # the next day, half-hour offset
    ("2026-11-26T09:32:07Z", "America/St_Johns", "2026-11-26 06:02 -03:30"),
    ("2026-07-01T09:32:07Z", "America/St_Johns", "2026-07-01 07:02 -02:30"),
    ("2026-11-26T09:32:07Z", "UTC", "2026-11-26 09:32 +00:00"),
])
def test_a_utc_moment_is_shown_in_the_stores_local_time_with_its_offset(utc, zone, shown):
    assert local_time(utc, zone) == shown


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)),
       st.sampled_from(["Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe", "UTC"]))
def test_the_local_time_minus_its_offset_is_always_the_utc_minute(moment, zone):
    utc = moment.replace(tzinfo=UTC, second=0, microsecond=0)
    shown = local_time(utc.isoformat().replace("+00:00", "Z"), zone)
    day, clock, offset = shown.split(" ")
    sign = -1 if offset[0] == "-" else 1
    delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])) * sign
    assert datetime.fromisoformat(f"{day}T{clock}") - delta == utc.replace(tzinfo=None)


def test_a_receipt_shows_the_stores_local_time_and_fits_32_columns():
    for width in (32, 42, 48):
        text = receipt_text(order(timezone="Asia/Kolkata"), width)
        assert "2026-11-26 03:02 +05:30" in text and "UTC" not in text
        assert max(len(line) for line in text.splitlines()) <= width


def test_a_long_order_number_puts_the_time_on_its_own_line_on_32_columns():
    lines = receipt_text(order(id=123456, timezone="America/St_Johns"), 32).splitlines()
    at = lines.index("Order 123456")
    assert lines[at + 1] == "2026-11-25 18:02 -03:30".rjust(32)


def test_the_rich_receipt_orders_and_history_show_local_time():
    from rich.console import Console

    def text_of(renderable) -> str:
        console = Console(width=120, file=io.StringIO())
        console.print(renderable)
        return console.file.getvalue()

    assert "2026-11-26 03:02 +05:30" in text_of(r.receipt_view(order(timezone="Asia/Kolkata")))
    listed = [{"id": 1, "created_at": "2026-11-25T21:32:07Z", "timezone": "America/St_Johns", "location": "S",
               "status": "processing", "payment": {"processor": "cash"}, "total": 100, "currency": "USD"}]
    assert "2026-11-25 18:02 -03:30" in text_of(r.orders_view(listed))
    rows = [{"id": 1, "at": "2026-11-25T21:32:07Z", "timezone": "Asia/Kolkata", "sku": "A", "location": "S",
             "change": 1, "on_hand": 1, "source": "set", "ref": "", "reason": ""}]
    assert "2026-11-26 03:02 +05:30" in text_of(r.history_view(rows))


def test_an_unknown_zone_name_is_an_input_error():
    for bad in ("Mars/Olympus_Mons", "", "../../etc/passwd", "+05:30", "europe/berlin x"):
        with pytest.raises(InvalidInput, match="unknown timezone"):
            check_zone(bad)
    assert check_zone(" Europe/Berlin ") == "Europe/Berlin"


def test_the_machine_zone_comes_from_tz_else_falls_back_to_a_real_zone(monkeypatch):
    monkeypatch.setenv("TZ", ":America/St_Johns")
    assert machine_zone() == "America/St_Johns"
    monkeypatch.setenv("TZ", "not a zone")
    assert check_zone(machine_zone())  # /etc/localtime, /etc/timezone or UTC: always a name zoneinfo knows
