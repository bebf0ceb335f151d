"""`pos import catalog --format shopify`: a Shopify product CSV export, as it comes.

Each row becomes a row of the native catalog import (pos/services/imports/catalog.py), which checks it,
reports `FILE:LINE` problems, and writes all or nothing in one transaction, exactly as for a native file:

| Shopify column                       | pos                                                           |
|--------------------------------------|---------------------------------------------------------------|
| Handle                               | product code (rows sharing a Handle are one product's variants) |
| Title (on the handle's first row)    | product name                                                  |
| Option1..3 Name / Option1..3 Value   | options (name in lower case), variant name "M / Red"; "Default Title" is no option |
| Variant SKU                          | SKU (required: an empty one is an error naming the line)      |
| Variant Price                        | price (decimal text, 19.99)                                   |
| Variant Barcode                      | barcode (a GTIN is checked and normalised)                    |
| Variant Requires Shipping            | deliverable (TRUE / FALSE)                                    |
| Variant Inventory Qty                | with `--location`: the count on hand there (history `FILE:LINE`) |

Other columns (Body (HTML), Image Src, SEO Title, ...) are ignored, and rows that only add an image to
a product (a Handle and no variant fields) are skipped without a word.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from pos.errors import InvalidInput
from pos.services import tables as t
from pos.services.catalog import location_by_code
from pos.services.db import Database
from pos.services.imports._common import rejects_file, run_import
from pos.services.imports._stage import Stage
from pos.services.imports.catalog import _Bad, _barcode, _check, _Import, _price, _Row
from pos.services.imports.csvsource import CsvSource, Progress
from pos.services.imports.inventory import _parse_quantity
from pos.models import ProductCreate, VariantCreate
from pos.models.outcomes import ImportReport

HANDLE, TITLE, SKU, PRICE = "handle", "title", "variant sku", "variant price"
COLUMNS = (HANDLE, TITLE, SKU, PRICE)
BARCODE, SHIPPING, QUANTITY = "variant barcode", "variant requires shipping", "variant inventory qty"
OPTIONS = tuple((f"option{n} name", f"option{n} value") for n in (1, 2, 3))
VARIANT_FIELDS = (SKU, PRICE, BARCODE, QUANTITY, *(value for _name, value in OPTIONS))
# How problems name the columns: as Shopify's header writes them.
SHOWN = {HANDLE: "Handle", TITLE: "Title", SKU: "Variant SKU", PRICE: "Variant Price", BARCODE: "Variant Barcode",
         SHIPPING: "Variant Requires Shipping", QUANTITY: "Variant Inventory Qty",
         "product": "Handle", "product_name": "Title", "sku": "Variant SKU", "price": "Variant Price",
         "barcode": "Variant Barcode", "name": "Option1 Value", "quantity": "Variant Inventory Qty", "row": "row"}
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


def import_shopify(
    db: Database, *, path: str, location: str | None = None, dry_run: bool = False, skip_invalid: bool = False,
    rejects: str | None = None, progress: Progress | None = None,
) -> ImportReport:
    """Create or update products and variants from a Shopify product export (`-` for standard input);
    with `location`, each row's Variant Inventory Qty becomes the count on hand there."""

    def work(conn: Connection, src: CsvSource) -> ImportReport:
        location_id = location_by_code(conn, location)["id"] if location else None
        if location and src.position(QUANTITY) is None:
            raise InvalidInput(f"{src.name}: --location sets stock from the Variant Inventory Qty column, "
                               "which this file does not have")
        with rejects_file(rejects if skip_invalid else None, src.header) as out:
            job = _ShopifyImport(conn, src, out, location_id=location_id)
            doc = job.run(skip_invalid=skip_invalid, dry_run=dry_run, progress=progress)
            return doc.model_copy(update={"format": "shopify", "location": location, "stock_changed": job.stock_changed})

    return run_import(db, path, COLUMNS, dry_run=dry_run, work=work)


class _ShopifyImport(_Import):
    def __init__(self, conn: Connection, src: CsvSource, rejects, *, location_id: int | None) -> None:
        super().__init__(conn, src, rejects)
        self.location_id = location_id
        self.stage = Stage(conn) if location_id is not None else None
        self.products: dict[str, tuple[str, list[str]]] = {}  # handle -> (title, option names)
        self.quantities: dict[int, int] = {}  # line -> count, for the rows of the batch being written
        self.stock_changed = 0
        self.dry_run = self.skip_invalid = False

    def _read_header(self, src: CsvSource) -> None:
        self.at = {c: i for c in (*COLUMNS, BARCODE, SHIPPING, QUANTITY, *(c for pair in OPTIONS for c in pair))
                   if (i := src.position(c)) is not None}
        self.options = {}

    def run(self, *, skip_invalid: bool, dry_run: bool, progress: Progress | None) -> ImportReport:
        self.dry_run, self.skip_invalid = dry_run, skip_invalid
        return super().run(skip_invalid=skip_invalid, dry_run=dry_run, progress=progress)

    def _reject(self, line: int, fields: list[str], column: str, message: str) -> None:
        super()._reject(line, fields, SHOWN.get(column, column), message)  # problems name Shopify's columns

    def _parse(self, line: int, f: list[str]) -> _Row | None:
        cell = self._cells(f)
        handle = cell(HANDLE)
        if not any(cell(c) for c in VARIANT_FIELDS):
            return None  # an image row (Handle, Image Src, ...): nothing to sell
        _check(ProductCreate, "product", code=handle, name="-")
        title, names = self.products.get(handle, ("", []))
        if cell(TITLE) and not title:
            names = [cell(name) for name, _value in OPTIONS]
            title = cell(TITLE)
            self.products[handle] = (title, names)
        if not title:
            raise _Bad(TITLE, f"is empty: the first row of {handle!r} must name the product")
        try:
            _check(ProductCreate, "product", code=handle, name=title)
        except _Bad as bad:
            raise _Bad(TITLE, bad.problem[1]) from None  # only the name is left to be wrong
        sku = cell(SKU)
        if not sku:
            raise _Bad(SKU, "is empty: pos needs a SKU for every variant")
        values: dict = {"sku": sku, "price": _price(cell(PRICE), self.currency, PRICE), "name": "", "options": "{}"}
        if BARCODE in self.at:
            values["barcode"] = _barcode(cell(BARCODE), BARCODE)
        if SHIPPING in self.at and (answer := cell(SHIPPING).lower()):
            if answer not in _TRUE | _FALSE:
                raise _Bad(SHIPPING, f"must be TRUE or FALSE, not {cell(SHIPPING)!r}")
            values["is_deliverable"] = answer in _TRUE
        chosen = [((name or f"option{n}").lower(), cell(value))
                  for n, (name, (_name, value)) in enumerate(zip(names, OPTIONS, strict=True), start=1) if cell(value)]
        if chosen and chosen != [("title", "Default Title")]:  # Shopify's way of saying "no options"
            values["name"] = " / ".join(value for _name, value in chosen)
            values["options"] = json.dumps(dict(chosen), sort_keys=True)
        _check(VariantCreate, "sku", product_code=handle, price=values["price"], sku=sku,
               barcode=values.get("barcode"), name=values["name"])
        if self.stage is not None and cell(QUANTITY):
            quantity, why = _parse_quantity(cell(QUANTITY), "set")
            if why is not None:
                raise _Bad(QUANTITY, why)
            self.quantities[line] = quantity
        return _Row(line, f, handle, title, values)

    # -- stock at --location ------------------------------------------------------------------------------

    def _written(self, rows: list[_Row]) -> None:
        """Stage the counts of the rows just written, by their variants' ids (new variants have theirs now)."""
        if self.stage is None:
            return
        counted = [r for r in rows if r.line in self.quantities]
        if counted:
            ids = dict(self.conn.execute(
                select(t.variant.c.sku, t.variant.c.id).where(t.variant.c.sku.in_({r.values["sku"] for r in counted}))
            ).all())
            self.stage.add_good([(r.line, ids[r.values["sku"]], self.location_id, self.quantities[r.line])
                                 for r in counted])
        self.quantities.clear()

    def _finish(self) -> None:
        """Check the staged counts with the database (not below what checkouts hold reserved) and set them,
        with a history row each naming FILE:LINE, in the import's transaction."""
        if self.stage is None:
            return
        self.stage.check(mode="set")
        for line, (sku, _loc, quantity), column, error in self.stage.rejected_rows():
            self._reject(line, [sku, quantity], column, error)
        if self.bad and not self.skip_invalid:
            return  # the import is refused and rolled back: nothing to count or set
        if self.dry_run:
            self.stock_changed = self.stage.count_changes("set")
        else:
            self.stock_changed = self.stage.apply("set", self.src.name)
        self.stage.drop()
