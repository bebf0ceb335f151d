"""The sales report (`pos report sales`): figures per day, hour, SKU, clerk, tender, location or shift.

Money in minor units. The figures are those of the Z report (see README, "Sales reports"): gross is what
approved payments took, refunds what approved refunds paid back, net = gross - refunds, tax the tax of
the sales completed (at the payment that paid each in full) minus the tax refunded.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from pos.models._common import Document


class ReportBy(StrEnum):
    DAY = "day"
    HOUR = "hour"
    SKU = "sku"
    CLERK = "clerk"
    TENDER = "tender"
    LOCATION = "location"
    SHIFT = "shift"


NO_CLERK = "no clerk"
OUTSIDE_SHIFT = "outside any shift"


class ReportRow(Document):
    """One key's figures (or, as `totals`, the whole report's)."""

    key: str = Field(description="day YYYY-MM-DD, hour 'YYYY-MM-DD HH:00 +HH:MM', SKU, clerk name or 'no clerk', "
                                 "tender, location code, shift id or 'outside any shift'; 'total' for the totals")
    name: str | None = Field(default=None, description="sku: the item's name as sold; location: its name")
    sales_count: int = Field(description="sales completed: orders whose approved payments reached the total, counted "
                                         "at the payment that did (per SKU: such orders with that SKU)")
    gross: int = Field(description="approved payments (per SKU: its lines with their share of the order's tax)")
    refunds_count: int = Field(description="approved refunds (per SKU: refunds with that SKU)")
    refunds: int = Field(description="approved refunds paid back (per SKU: its refunded lines, tax included)")
    net: int = Field(description="gross - refunds")
    tax: int = Field(description="tax of the paid orders minus tax refunded")
    units: int | None = Field(default=None, description="sku: units sold")
    units_returned: int | None = Field(default=None, description="sku: units refunded")


class ReportPublic(Document):
    """`pos report sales --json`: one row per key, in key order, and the totals."""

    by: ReportBy
    from_: str = Field(alias="from", description="first local day, YYYY-MM-DD (inclusive)")
    to: str = Field(description="last local day, YYYY-MM-DD (inclusive)")
    location: str | None = Field(description="the one location reported on, None for all")
    timezones: list[str] = Field(description="the zones whose local days and hours the report uses")
    currency: str
    rows: list[ReportRow]
    totals: ReportRow
