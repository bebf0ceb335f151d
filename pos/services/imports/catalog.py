"""`pos import catalog`: products and their variants, created or updated by SKU.

Rows are read one at a time and handled in batches inside one write transaction: each batch is checked
(codes, prices, yes/no values, SKUs and barcodes already used elsewhere or earlier in the file), then
written with a few batched statements. Codes seen earlier in the file are kept in a temporary table, not
in memory. Only the columns the file has are changed on existing variants; when it has option columns
(`option:size`, ...), a variant's options become exactly the non-empty ones.
"""

from __future__ import annotations

from collections.abc import Callable

import json
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import Column, Connection, Integer, MetaData, Table, Text, bindparam, select

from pos.barcodes import lookup_barcode, normal_barcode
from pos.errors import InvalidInput
from pos.models import ProductCreate, VariantCreate
from pos.models.outcomes import ImportReport
from pos.money import parse_money
from pos.services import tables as t
from pos.services.catalog import validation_message
from pos.services.db import Database
from pos.services.imports._common import rejects_file, run_import
from pos.services.imports.csvsource import (
    MAX_LISTED, CsvSource, Problem, Progress, list_problems, rejected_message, undecodable, unguard,
)
from pos.services.settings import currency as store_currency

COLUMNS = ("product", "product_name", "sku", "price")
OPTIONAL = ("variant_name", "barcode", "deliverable")
BATCH = 500
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
V, P = t.variant, t.product


@dataclass
class _Row:
    line: int
    raw: list[str]
    product: str
    product_name: str
    values: dict  # variant columns the file sets: sku, price, and what optional columns it has


class _Bad(Exception):
    def __init__(self, column: str, message: str) -> None:
        self.problem = (column, message)


def import_catalog(
    db: Database, *, path: str, dry_run: bool = False, skip_invalid: bool = False, rejects: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update products and variants from a CSV file (`-` for standard input)."""

    def work(conn: Connection, src: CsvSource) -> ImportReport:
        with rejects_file(rejects if skip_invalid else None, src.header) as out:
            return _Import(conn, src, out).run(skip_invalid=skip_invalid, dry_run=dry_run, progress=progress)

    return run_import(db, path, COLUMNS, dry_run=dry_run, work=work)


class _Import:
    def __init__(self, conn: Connection, src: CsvSource, rejects) -> None:
        self.conn, self.src, self.rejects = conn, src, rejects
        self.currency = store_currency(conn)
        self._read_header(src)
        self.problems: list[Problem] = []
        self.bad = 0
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "products_created": 0}
        pg = conn.dialect.name == "postgresql"
        conn.exec_driver_sql("DROP TABLE IF EXISTS temp.import_seen" if not pg else "SELECT 1")
        conn.exec_driver_sql(
            "CREATE TEMP TABLE import_seen (code TEXT PRIMARY KEY, line INTEGER, name TEXT)"
            + (" ON COMMIT DROP" if pg else "")
        )
        self.pg = pg

    def _read_header(self, src: CsvSource) -> None:
        self.at = src.require(COLUMNS) | {c: i for c in OPTIONAL if (i := src.position(c)) is not None}
        self.options = {h.split(":", 1)[1].strip(): i for i, h in enumerate(src.header) if h.startswith("option:")}

    def run(self, *, skip_invalid: bool, dry_run: bool, progress: Progress | None) -> ImportReport:
        batch: list[_Row] = []
        read = 0
        for line, fields in self.src.rows():
            read += 1
            try:
                row = self._parse(line, fields)
            except _Bad as bad:
                self._reject(line, fields, *bad.problem)
            else:
                if row is None:  # a row that is not a variant (a Shopify image row): not counted
                    read -= 1
                else:
                    batch.append(row)
            if len(batch) >= BATCH:
                self._written(self._batch(batch))
                batch = []
                if progress:
                    progress(self.src.bytes_read(), read)
        self._written(self._batch(batch))
        if progress:
            progress(self.src.bytes_read(), read)
        if not self.pg:
            self.conn.exec_driver_sql("DROP TABLE temp.import_seen")
        self._finish()
        if self.bad and not skip_invalid:
            raise rejected_message(self.src.name, sorted(self.problems, key=lambda p: p.line), self.bad, read)
        c = self.counts
        return ImportReport(
            file=self.src.name, kind="catalog", dry_run=dry_run, read=read,
            applied=c["created"] + c["updated"], created=c["created"], updated=c["updated"],
            unchanged=c["unchanged"], rejected=self.bad, products_created=c["products_created"],
            errors=list_problems(self.src.name, sorted(self.problems, key=lambda p: p.line), self.bad),
            rejects_file=self.rejects.path if self.bad else None,
        )

    def _reject(self, line: int, fields: list[str], column: str, message: str) -> None:
        self.bad += 1
        problem = Problem(line, column, message)
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)
        self.rejects.add(fields, problem.render(self.src.name))

    def _written(self, rows: list[_Row]) -> None:
        """Called with the rows of each batch that were written (or found unchanged)."""

    def _finish(self) -> None:
        """Called once every row is written, before the result is decided."""

    # -- one row, no database ---------------------------------------------------------------------------

    def _cells(self, f: list[str]) -> Callable[[str], str]:
        """The row's cell reader, once the row has the header's shape and is text: a column's value
        without a formula guard or surrounding spaces ("" for a column the file does not have)."""
        if len(f) != len(self.src.header):
            raise _Bad("row", f"has {len(f)} values, the header has {len(self.src.header)}")
        if undecodable(f):
            raise _Bad("row", "is not UTF-8 text (save the file as CSV UTF-8)")

        def cell(column: str) -> str:
            return unguard(f[self.at[column]].strip()).strip() if column in self.at else ""

        return cell

    def _parse(self, line: int, f: list[str]) -> _Row | None:
        cell = self._cells(f)
        product, product_name = cell("product"), cell("product_name")
        _check(ProductCreate, "product", code=product, name=product_name or "-")
        if not product_name:
            raise _Bad("product_name", "is empty")
        values: dict = {"sku": cell("sku"), "price": _price(cell("price"), self.currency)}
        if "variant_name" in self.at:
            values["name"] = cell("variant_name")
        if "barcode" in self.at:
            values["barcode"] = _barcode(cell("barcode"))
        if "deliverable" in self.at and (answer := cell("deliverable").lower()):
            if answer not in _YES | _NO:
                raise _Bad("deliverable", f"must be yes or no, not {answer!r}")
            values["is_deliverable"] = answer in _YES
        if self.options:
            chosen = {name: unguard(f[i].strip()).strip() for name, i in self.options.items()}
            values["options"] = json.dumps({k: v for k, v in chosen.items() if v}, sort_keys=True)
        _check(VariantCreate, "sku", product_code=product, price=values["price"], sku=values["sku"],
               barcode=values.get("barcode"), name=values.get("name", ""))
        return _Row(line, f, product, product_name, values)

    # -- a batch, against the database and earlier rows -------------------------------------------------

    def _batch(self, rows: list[_Row]) -> list[_Row]:
        """Check a batch against the database and earlier rows, write it; the rows kept."""
        rows = self._unique_in_file(rows)
        if not rows:
            return []
        codes = {r.values["sku"] for r in rows} | {r.values["barcode"] for r in rows if r.values.get("barcode")}
        codes |= {lookup_barcode(r.values["sku"]) for r in rows}  # a SKU that is a GTIN in another form
        holders = self.conn.execute(
            select(V.c.id, V.c.sku, V.c.barcode, V.c.name, V.c.price, V.c.options, V.c.is_deliverable, V.c.product_id)
            .where(V.c.sku.in_(codes) | V.c.barcode.in_(codes))
        ).mappings().all()
        by_sku = {h["sku"]: h for h in holders}
        owner = {h["barcode"]: h["sku"] for h in holders if h["barcode"]} | {h["sku"]: h["sku"] for h in holders}
        good = []
        for r in rows:
            sku, barcode = r.values["sku"], r.values.get("barcode")
            if owner.get(lookup_barcode(sku), sku) != sku or owner.get(sku, sku) != sku:
                holder = owner.get(sku) or owner[lookup_barcode(sku)]
                self._reject(r.line, r.raw, "sku", f"{sku} is the barcode of variant {holder}")
            elif barcode and owner.get(barcode, sku) != sku:
                self._reject(r.line, r.raw, "barcode", f"{barcode} is already used by variant {owner[barcode]}")
            else:
                good.append(r)
        products = self._products(good)
        new, changed = [], []
        for r in good:
            values = {**r.values, "product_id": products[r.product]}
            old = by_sku.get(values["sku"])
            if old is None:
                new.append({"name": "", "barcode": None, "options": "{}", "is_deliverable": True, **values})
            elif any(old[k] != v for k, v in values.items()):
                changed.append({**{k: old[k] for k in ("name", "price", "barcode", "options", "is_deliverable",
                                                        "product_id")}, **values, "old_id": old["id"]})
            else:
                self.counts["unchanged"] += 1
        if new:
            self.conn.execute(V.insert(), new)
            self.counts["created"] += len(new)
        if changed:
            self.conn.execute(
                V.update().where(V.c.id == bindparam("old_id")).values(
                    {c: bindparam(c) for c in ("sku", "name", "price", "barcode", "options", "is_deliverable",
                                               "product_id")}
                ),
                changed,
            )
            self.counts["updated"] += len(changed)
        return good

    def _unique_in_file(self, rows: list[_Row]) -> list[_Row]:
        """Drop (and reject) rows whose SKU or barcode appeared earlier in the file, or whose product
        name disagrees with an earlier row of the same product."""
        keys = {f"code:{r.values['sku']}" for r in rows} | {f"code:{r.values['barcode']}" for r in rows
                                                            if r.values.get("barcode")}
        keys |= {f"product:{r.product}" for r in rows}
        seen = {k: (line, name) for k, line, name in self.conn.execute(
            select(_seen.c.code, _seen.c.line, _seen.c.name).where(_seen.c.code.in_(keys))
        )}
        fresh: dict[str, tuple[int, str | None]] = {}
        kept = []
        for r in rows:
            sku, barcode = r.values["sku"], r.values.get("barcode")
            earlier = {**seen, **fresh}
            product = earlier.get(f"product:{r.product}")
            if f"code:{sku}" in earlier:
                self._reject(r.line, r.raw, "sku", f"{sku} already appears at line {earlier[f'code:{sku}'][0]}")
            elif barcode and f"code:{barcode}" in earlier or barcode == sku:
                where = earlier.get(f"code:{barcode}", (r.line,))[0]
                self._reject(r.line, r.raw, "barcode", f"{barcode} already appears at line {where}")
            elif product is not None and product[1] != r.product_name:
                self._reject(r.line, r.raw, "product_name",
                             f"{r.product_name!r} differs from {product[1]!r} at line {product[0]}")
            else:
                fresh[f"code:{sku}"] = (r.line, None)
                if barcode:
                    fresh[f"code:{barcode}"] = (r.line, None)
                fresh.setdefault(f"product:{r.product}", (r.line, r.product_name))
                kept.append(r)
        new_keys = [{"code": k, "line": v[0], "name": v[1]} for k, v in fresh.items() if k not in seen]
        if new_keys:
            self.conn.execute(_seen.insert(), new_keys)
        return kept

    def _products(self, rows: list[_Row]) -> dict[str, int]:
        """Ids of the rows' products: created when missing, renamed when the file names them differently."""
        names = {r.product: r.product_name for r in rows}
        if not names:
            return {}
        found = {code: (pid, name) for pid, code, name in self.conn.execute(
            select(P.c.id, P.c.code, P.c.name).where(P.c.code.in_(names))
        )}
        missing = [{"code": c, "name": n} for c, n in names.items() if c not in found]
        if missing:
            self.conn.execute(P.insert(), missing)
            self.counts["products_created"] += len(missing)
            found |= {code: (pid, name) for pid, code, name in self.conn.execute(
                select(P.c.id, P.c.code, P.c.name).where(P.c.code.in_([m["code"] for m in missing]))
            )}
        renamed = [{"pid": found[c][0], "new_name": n} for c, n in names.items() if found[c][1] != n]
        if renamed:
            self.conn.execute(P.update().where(P.c.id == bindparam("pid")).values(name=bindparam("new_name")), renamed)
        return {code: pid for code, (pid, _name) in found.items()}


def _price(given: str, currency: str, column: str = "price") -> int:
    if "," in given:  # parse_money drops commas as thousands separators: "12,50" would be 1250.00
        raise _Bad(column, f"{given!r} is ambiguous: write 12.50, with a point and no thousands separator")
    try:
        return parse_money(given, currency, what="price")
    except InvalidInput as exc:
        raise _Bad(column, exc.message.removeprefix("price ")) from None


def _barcode(given: str, column: str = "barcode") -> str | None:
    """A GTIN in its normal form (so UPC-A and EAN-13 of one item clash as they should), else as given."""
    if not given:
        return None
    try:
        return normal_barcode(given)
    except InvalidInput as exc:
        raise _Bad(column, exc.message.removeprefix("barcode ")) from None


def _check(schema: type, column: str, **data: object) -> None:
    try:
        schema.model_validate(data)
    except ValidationError as exc:
        field = str(exc.errors()[0].get("loc", (column,))[0])
        column = {"code": "product", "product_code": "product"}.get(field, field)
        raise _Bad(column, validation_message(exc).removeprefix(f"{field}: ")) from None


_seen = Table("import_seen", MetaData(), Column("code", Text, primary_key=True), Column("line", Integer),
              Column("name", Text), prefixes=["TEMPORARY"])
