"""The documents that `--json` prints, by name: `pos schema NAME` publishes each one's JSON Schema.

The documents themselves live next to their tables (pos/models/<participant>.py); the ones that belong to
no table (reports of import, export and init, the error) in pos/models/outcomes.py.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

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
from pos.models.outcomes import ErrorDocument, ExportReport, ImportReport, InitReport


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
