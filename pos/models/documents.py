"""The documents that `--json` prints, by name: `pos schema NAME` publishes each one's JSON Schema.

The documents themselves live next to their tables (pos/models/<participant>.py); the ones that belong to
no table (reports of import, export and init, the error) are here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, TypeAdapter

from pos.models._common import Document
from pos.models.cart import CartPublic
from pos.models.catalog import LocationPublic, ProductPublic, VariantPublic
from pos.models.clerks import AuditPage, ClerkPublic
from pos.models.inventory import LowStockList, ReorderLine, StockHistoryPage, StockPublic, TransferPublic
from pos.models.order import (
    BatchLine, BatchLineResult, BatchSummary, FulfilResult, OrderPage, OrderPublic, PickList, ReconcileResult,
)
from pos.models.payment import ProcessorPublic
from pos.models.refund import CancellationPublic, RefundList, RefundPublic
from pos.models.shifts import CashMovementPublic, ShiftList, ShiftReport
from pos.models.report import ReportPublic


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


# name -> (the document, what it is). A list document is the type `list[...]`.
DOCUMENTS: dict[str, tuple[Any, str]] = {
    "audit-page": (AuditPage, "`pos audit`"),
    "batch-line": (BatchLine, "a line of the input of `pos batch` (JSON Lines)"),
    "batch-result": (BatchLineResult | BatchSummary, "a line of `pos batch --json`: a result, and a summary last"),
    "cart": (CartPublic, "a cart (`pos cart ...`)"),
    "cancellation": (CancellationPublic, "`pos order cancel`"),
    "cart-list": (list[CartPublic], "`pos cart list`"),
    "clerk": (ClerkPublic, "`pos clerk add/pin/disable`"),
    "clerk-list": (list[ClerkPublic], "`pos clerk list`"),
    "error": (ErrorDocument, "any command's failure with --json"),
    "export": (ExportReport, "`pos export ... --output FILE` (refunds too)"),
    "fulfilment": (FulfilResult, "`pos order fulfil`"),
    "import": (ImportReport, "`pos import ...`"),
    "init": (InitReport, "`pos init`"),
    "location": (LocationPublic, "`pos location add/update`"),
    "location-list": (list[LocationPublic], "`pos location list`"),
    "low-stock": (LowStockList, "`pos stock low`"),
    "order": (OrderPublic, "an order (`pos checkout`, `pos order show`, `pos receipt`)"),
    "order-page": (OrderPage, "`pos order list`"),
    "pick-list": (PickList, "`pos order pick`"),
    "processor-list": (list[ProcessorPublic], "`pos payment list`"),
    "product": (ProductPublic, "`pos product add/show`"),
    "product-list": (list[ProductPublic], "`pos product list`"),
    "reconcile": (list[ReconcileResult], "`pos order reconcile`"),
    "refund": (RefundPublic, "a refund (`pos return`, `pos refund show`)"),
    "refund-list": (RefundList, "`pos refund list`"),
    "shift": (ShiftReport, "a shift's X or Z report (`pos shift open/x/close/show`)"),
    "shift-list": (ShiftList, "`pos shift list`"),
    "cash-movement": (CashMovementPublic, "`pos shift cash-in/cash-out/no-sale`"),
    "reorder": (ReorderLine, "`pos stock reorder`"),
    "report": (ReportPublic, "`pos report sales`"),
    "stock": (StockPublic, "`pos stock set/adjust/check`"),
    "stock-history": (StockHistoryPage, "`pos stock history`"),
    "transfer": (TransferPublic, "`pos stock transfer`"),
    "variant": (VariantPublic, "`pos variant add`"),
}


def adapter(name: str) -> TypeAdapter[Any]:
    return TypeAdapter(DOCUMENTS[name][0])


def json_schema(name: str) -> dict[str, Any]:
    schema = adapter(name).json_schema(by_alias=True)
    schema.setdefault("title", name)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
