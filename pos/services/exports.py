"""CSV export of the catalog, stock and orders, streamed row by row.

Catalog and inventory exports have exactly the columns `pos import` reads, so an export imports back
with no change. Text cells that a spreadsheet would run as a formula get a leading `'` (the import
removes it again).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from functools import partial
from typing import IO, Any

from sqlalchemy import Connection, select

from pos.models._common import iso
from pos.models.outcomes import ExportReport
from pos.money import format_money, format_tax_rate
from pos.services import tables as t
from pos.services.catalog import location_by_code
from pos.services.db import Database
from pos.services.imports.csvsource import guard
from pos.services.settings import currency as store_currency

V, P, L, SL = t.variant, t.product, t.location, t.stock_level
STREAM = {"stream_results": True, "yield_per": 5_000}


def _write(out: IO[str], header: list[str], rows: Iterable[Sequence[Any]]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([guard(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([guard(v) if isinstance(v, str) else v for v in row])
        count += 1
    return count


write_csv = _write  # for other CSV outputs (`pos stock low --csv`, `pos order pick --csv`): one convention


def export_catalog(db: Database, *, out: IO[str]) -> ExportReport:
    """One row per variant, with an option:NAME column for every option any variant has."""
    with db.read() as conn:
        cur = store_currency(conn)
        names: set[str] = set()
        for (options,) in conn.execution_options(**STREAM).execute(select(V.c.options)):
            names.update(json.loads(options or "{}"))
        option_names = sorted(names)
        header = ["product", "product_name", "sku", "price", "variant_name", "barcode", "deliverable",
                  *(f"option:{n}" for n in option_names)]
        stmt = (
            select(P.c.code, P.c.name, V.c.sku, V.c.price, V.c.name, V.c.barcode, V.c.is_deliverable, V.c.options)
            .join(P, P.c.id == V.c.product_id)
            .order_by(P.c.code, V.c.sku)
        )

        def rows() -> Iterable[list[Any]]:
            for product, product_name, sku, price, name, barcode, deliverable, options in (
                conn.execution_options(**STREAM).execute(stmt)
            ):
                chosen = json.loads(options or "{}")
                yield [product, product_name, sku, format_money(price, cur), name, barcode or "",
                       "yes" if deliverable else "no", *(chosen.get(n, "") for n in option_names)]

        count = _write(out, header, rows())
    return ExportReport(kind="catalog", rows=count)


def export_inventory(db: Database, *, out: IO[str], location: str | None = None) -> ExportReport:
    """On-hand stock and reorder level per SKU and location: the columns of `pos import inventory`, so that
    the file reads back with no change (an empty reorder level leaves a level without one as it is)."""
    with db.read() as conn:
        stmt = (
            select(V.c.sku, L.c.code, SL.c.on_hand, SL.c.reorder_level)
            .join(V, V.c.id == SL.c.variant_id)
            .join(L, L.c.id == SL.c.location_id)
            .order_by(V.c.sku, L.c.code)
        )
        if location:
            stmt = stmt.where(SL.c.location_id == location_by_code(conn, location)["id"])
        rows = conn.execution_options(**STREAM).execute(stmt)
        count = _write(out, ["sku", "location", "quantity", "reorder_level"],
                       ([sku, code, on_hand, "" if level is None else level] for sku, code, on_hand, level in rows))
    return ExportReport(kind="inventory", rows=count)


def export_orders(db: Database, *, out: IO[str], location: str | None = None) -> ExportReport:
    """One row per order line, with its order's status, totals and payment; then the line's list price, its
    own discount, its share of the order discount and what it was paid before tax (order_subtotal is after
    every discount)."""
    O, I, PAY = t.orders, t.order_item, t.payment
    line_loc = L.alias("line_location")
    stmt = (
        select(
            O.c.id, O.c.created_at, O.c.status, L.c.code, I.c.sku, I.c.name, I.c.quantity, line_loc.c.code,
            I.c.unit_price, I.c.line_total, O.c.subtotal, O.c.tax_rate, O.c.tax, O.c.total, O.c.currency,
            PAY.c.processor, PAY.c.status, I.c.list_price, I.c.discount, I.c.order_discount,
        )
        .join(L, L.c.id == O.c.location_id)
        .join(I, I.c.order_id == O.c.id)
        .join(line_loc, line_loc.c.id == I.c.location_id)
        .outerjoin(PAY, (PAY.c.order_id == O.c.id) & (PAY.c.part == 1))  # a split payment: its first part
        .order_by(O.c.id, I.c.id)
    )
    header = ["order", "created_at", "status", "location", "sku", "name", "quantity", "from_location",
              "unit_price", "line_total", "order_subtotal", "tax_rate", "order_tax", "order_total", "currency",
              "payment", "payment_status", "list_price", "discount", "order_discount", "net_total"]
    with db.read() as conn:
        if location:
            stmt = stmt.where(O.c.location_id == location_by_code(conn, location)["id"])
        count = _write(out, header, _order_rows(conn, stmt))
    return ExportReport(kind="orders", rows=count)


def _order_rows(conn: Connection, stmt) -> Iterable[list[Any]]:
    for (oid, created, status, loc, sku, name, qty, from_loc, unit, line_total, subtotal, rate, tax, total, cur,
         processor, pay_status, list_price, discount, order_discount) in conn.execution_options(**STREAM).execute(stmt):
        money = partial(format_money, currency=cur)
        yield [oid, iso(created), status, loc, sku, name, qty, from_loc, money(unit), money(line_total),
               money(subtotal), format_tax_rate(rate), money(tax), money(total), cur, processor or "",
               pay_status or "", money(list_price), money(discount), money(order_discount),
               money(line_total - discount - order_discount)]


def export_refunds(db: Database, *, out: IO[str], location: str | None = None) -> ExportReport:
    """One row per refunded line: refund, order, status, method, where the units went, and the amounts."""
    R, RI, O = t.refund, t.refund_item, t.orders
    to_loc = L.alias("to_location")
    stmt = (
        select(
            R.c.id, R.c.order_id, R.c.created_at, R.c.kind, R.c.status, L.c.code, R.c.method, RI.c.sku,
            RI.c.quantity, to_loc.c.code, RI.c.restocked, RI.c.amount, R.c.tax, R.c.amount, R.c.currency, R.c.reason,
        )
        .join(O, O.c.id == R.c.order_id)
        .join(L, L.c.id == O.c.location_id)
        .join(RI, RI.c.refund_id == R.c.id)
        .join(to_loc, to_loc.c.id == RI.c.location_id)
        .order_by(R.c.id, RI.c.id)
    )
    header = ["refund", "order", "created_at", "kind", "status", "location", "method", "sku", "quantity",
              "to_location", "restocked", "line_amount", "refund_tax", "refund_amount", "currency", "reason"]
    with db.read() as conn:
        if location:
            stmt = stmt.where(O.c.location_id == location_by_code(conn, location)["id"])
        rows = (
            [rid, oid, iso(created), kind, status, loc, method, sku, qty, to, "yes" if restocked else "no",
             format_money(line, cur), format_money(tax, cur), format_money(amount, cur), cur, reason]
            for (rid, oid, created, kind, status, loc, method, sku, qty, to, restocked, line, tax, amount, cur, reason)
            in conn.execution_options(**STREAM).execute(stmt)
        )
        count = _write(out, header, rows)
    return ExportReport(kind="refunds", rows=count)
