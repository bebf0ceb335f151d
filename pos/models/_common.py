from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import BigInteger, Integer

# Money in minor units: 64-bit on PostgreSQL (INTEGER there ends at 21,474,836.47); SQLite's INTEGER is 64-bit.
Money = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """Timestamps are timezone-aware UTC (SQLModel stores them as UTC on SQLite and PostgreSQL)."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """'2026-11-25T21:32:07Z': UTC, to the second, for JSON and receipts."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"


class Document(BaseModel):
    """A document that a service returns and `--json` prints: its fields are the JSON keys, in order, and
    nothing else (an unexpected key fails validation, so the published schema stays true)."""

    model_config = ConfigDict(extra="forbid")

    def plain(self) -> dict[str, Any]:
        """The document as its JSON has it (keys it was not given stay absent): for error details."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class Shipping(Document):
    name: str | None
    address: str | None
