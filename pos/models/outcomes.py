"""The documents that belong to no table: what an import, an export and `pos init` did, and the error.

They live apart from pos.models.documents (which gathers every document, and with them every table class)
so that a command that prints only one of these, `pos import inventory` say, does not build the models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from pos.models._common import Document


class InitReport(Document):
    """What `pos init` did to the database."""

    database: str = Field(description="the database URL, without its password")
    backend: str
    schema_before: str | None = Field(description="the schema revision before, None for a new database")
    schema_: str = Field(alias="schema", description="the schema revision now")
    created: bool
    currency: str
    timezone: str


class ImportReport(Document):
    """What `pos import ...` read, applied and rejected (`--dry-run` says what it would have done)."""

    file: str
    kind: Literal["locations", "catalog", "inventory"]
    mode: Literal["set", "add"] | None = Field(default=None, description="inventory: set or add to on-hand stock")
    dry_run: bool
    read: int
    applied: int
    created: int | None = None
    updated: int | None = None
    unchanged: int
    rejected: int
    products_created: int | None = None
    errors: list[str] = Field(description="the first problems, one line each")
    rejects_file: str | None
    # A Shopify export's import says so, last (as it always has in --json).
    format: Literal["shopify"] | None = None
    location: str | None = Field(default=None, description="shopify: the location given its stock")
    stock_changed: int | None = None
    reorder_levels: int | None = Field(default=None, description="inventory with a reorder_level column: "
                                       "reorder levels set or changed")


class ExportReport(Document):
    """What `pos export ... --output FILE` wrote."""

    kind: Literal["catalog", "inventory", "orders", "refunds"]
    rows: int
    output: str | None = Field(default=None, description="the file written (set by the command)")


class ErrorBody(Document):
    """A stable `code` to branch on, a message for people, and details that depend on the error."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class ErrorDocument(Document):
    """What a command given `--json` prints on stdout when it fails (with a non-zero exit status)."""

    error: ErrorBody
