"""The stock documents `pos stock check` prints, with no table class beside them: the command builds them
from prebuilt SQL without loading the SQLModel tables (`pos.models.catalog` and `pos.models.inventory`
re-export them)."""

from __future__ import annotations

from pydantic import Field

from pos.models._common import Document


class StockAtLocation(Document):
    location: str
    on_hand: int
    reserved: int
    available: int


class StockPublic(Document):
    """A variant's stock: per location, and summed."""

    sku: str
    name: str
    levels: list[StockAtLocation]
    on_hand: int
    available: int
    change: int | None = Field(default=None, description="what `pos stock set/adjust` changed on hand by")
