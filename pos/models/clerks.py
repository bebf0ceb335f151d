"""The documents of clerks and the audit log (`pos clerk ...`, `pos audit`). Never a PIN or its hash."""

from __future__ import annotations

from pydantic import Field

from pos.models._common import Document


class ClerkPublic(Document):
    """A clerk as `pos clerk add/pin/disable/list` show one."""

    name: str
    role: str = Field(description="clerk or manager")
    active: bool
    locked_until: str | None = Field(description="UTC; set while wrong PINs keep the clerk locked out")
    created_at: str


class AuditEntryPublic(Document):
    """One audit row: who did what, when (UTC), on what, approved by whom."""

    id: int
    at: str
    action: str
    clerk: str | None = Field(description="the clerk who acted, or the name tried at a failed sign-in")
    approved_by: str | None
    location: str | None
    order_id: int | None
    refund_id: int | None
    shift_id: int | None
    sku: str | None
    amount: int | None = Field(description="minor units")
    detail: str


class AuditPage(Document):
    """`pos audit`: the newest rows first, cut at --limit unless --all."""

    entries: list[AuditEntryPublic]
    count: int
    total: int
    truncated: bool
    next_after: int | None
    timezone: str = Field(description="the store's zone, in which views show `at`")
