"""Documents of the cash drawer: a shift's X and Z report, the list of shifts, a cash movement.

The tables (register, shift, cash_movement) are in pos.models.staff. The report's figures follow the
shared definitions (issue 11): gross = approved payments of the shift; refunds = approved refunds paid
from it; net = gross - refunds; tax = tax of the sold orders - tax of the refunds; expected cash = float
+ cash taken - cash refunded + cash in - cash out; over/short = counted - expected.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, PrivateAttr

from pos.models._common import Document
from pos.models.staff import CashMovementKind, ShiftStatus


class TenderTotal(Document):
    """One way of paying in a shift: approved payments taken that way, and their amount less the refunds
    paid back that way (so the cash line is what cash sales and refunds did to the drawer)."""

    method: str
    count: int = Field(description="approved payments")
    amount: int = Field(description="payments minus refunds by this method, minor units")


class ClerkTotal(Document):
    """One clerk's sales in a shift: orders they took payment for, and those payments less the refunds they gave."""

    clerk: str | None = Field(description="the clerk's name; None for sales made with no clerk signed in")
    count: int
    amount: int


class ShiftReport(Document):
    """A shift's X report (open: figures so far) or Z report (closed: counted and over/short are final)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: int
    status: ShiftStatus
    location: str
    register_: str = Field(alias="register")
    opened_at: str = Field(description="UTC, ISO 8601 with Z")
    closed_at: str | None
    opened_by: str | None
    closed_by: str | None
    float_: int = Field(alias="float", description="cash in the drawer when it opened")
    sales_count: int
    gross: int
    refunds: int
    net: int
    tax: int
    by_tender: list[TenderTotal]
    cash_in: int
    cash_out: int
    expected_cash: int
    counted: int | None
    over_short: int | None = Field(description="counted - expected; None until the drawer is counted")
    by_clerk: list[ClerkTotal]
    # What the views show beyond the JSON (the currency and zone to print in, the hour-by-hour sales, the
    # cash movements with their reasons): set by the service, never serialised.
    _view: dict[str, Any] = PrivateAttr(default_factory=dict)

    def view(self) -> dict[str, Any]:
        """The report as JSON has it, with `_view` (currency, timezone, hours, movements) for the views."""
        return {**self.plain(), "_view": self._view}


class ShiftSummary(Document):
    id: int
    status: ShiftStatus
    location: str
    register_: str = Field(alias="register")
    opened_at: str
    closed_at: str | None
    opened_by: str | None
    closed_by: str | None
    float_: int = Field(alias="float")
    counted: int | None
    expected_cash: int | None = Field(description="kept when the shift closed; None while it is open")
    over_short: int | None
    timezone: str = Field(description="the location's zone: views show the times in it, JSON keeps UTC")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ShiftList(Document):
    """`pos shift list --json`: shifts, newest first."""

    shifts: list[ShiftSummary]
    count: int
    currency: str


class CashMovementPublic(Document):
    """`pos shift cash-in/cash-out/no-sale`: what went in or out of the drawer, and what it should hold now."""

    id: int
    shift_id: int
    kind: CashMovementKind
    amount: int
    reason: str
    clerk: str | None
    approver: str | None
    created_at: str
    expected_cash: int = Field(description="what the drawer should hold after this movement")
    currency: str
