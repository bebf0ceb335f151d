"""Catalog import and the export/import round trip, on a real database."""

from __future__ import annotations

import io

import pytest

from pos.errors import InvalidInput
from pos.services import catalog
from pos.services.exports import export_catalog, export_inventory
from pos.services.imports import import_catalog, import_inventory
from pos.services.stock_moves import set_reorder

HEADER = "product,product_name,sku,price,variant_name,barcode,deliverable,option:size\n"


def _csv(tmp_path, text: str, name: str = "catalog.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_new_products_and_variants_are_created_and_existing_ones_updated(store, tmp_path):
    path = _csv(tmp_path, HEADER + "TSHIRT,T-shirt,TSHIRT-M,21.50,Medium,4006381333948,yes,M\n"
                                   "MUG,Mug,MUG-1,12.50,,5012345678900,yes,\n"
                                   "CROISSANT,Croissant,CROISSANT,3.25,,,no,\n")
    result = import_catalog(store, path=path)
    assert (result.created, result.updated, result.unchanged, result.rejected) == (1, 1, 1, 0)
    products = {p.code: p for p in catalog.list_products(store)}
    assert products["TSHIRT"].variants[0].price == 2150
    mug = products["MUG"].variants[0]
    assert (mug.sku, mug.barcode, mug.is_deliverable) == ("MUG-1", "5012345678900", True)


BAD = [
    ("TSHIRT,T-shirt,NEW-1,abc,,,yes,", "price", "must be a decimal amount"),
    ("TSHIRT,T-shirt,NEW-1,1.999,,,yes,", "price", "'1.999' has more than 2 decimal places"),
    ('TSHIRT,T-shirt,NEW-1,"12,50",,,yes,', "price", "'12,50' is ambiguous"),
    ("TSHIRT,T-shirt,NEW-1,1.00,,,maybe,", "deliverable", "must be yes or no"),
    ("TSHIRT,T-shirt,bad sku!,1.00,,,yes,", "sku", "SKU 'bad sku!' must be 1-64 letters"),
    ("TSHIRT,,NEW-1,1.00,,,yes,", "product_name", "is empty"),
    ("TSHIRT,T-shirt,NEW-1,1.00,,4006381333948,yes,", "barcode", "4006381333948 is already used by variant TSHIRT-M"),
    ("TSHIRT,T-shirt,NEW-1,1.00", "row", "has 4 values, the header has 8"),
]


@pytest.mark.parametrize(("row", "column", "why"), BAD)
def test_each_kind_of_bad_catalog_row_is_reported_and_nothing_is_written(store, tmp_path, row, column, why):
    path = _csv(tmp_path, HEADER + "MUG,Mug,MUG-1,12.50,,,yes,\n" + row + "\n")
    with pytest.raises(InvalidInput) as err:
        import_catalog(store, path=path)
    assert f"catalog.csv:3: {column}: {why}" in err.value.message
    assert "MUG" not in {p.code for p in catalog.list_products(store)}


def test_a_sku_twice_in_the_file_names_the_first_line(store, tmp_path):
    path = _csv(tmp_path, HEADER + "MUG,Mug,MUG-1,1.00,,,yes,\nMUG,Mug,MUG-1,2.00,,,yes,\n")
    with pytest.raises(InvalidInput, match="catalog.csv:3: sku: MUG-1 already appears at line 2"):
        import_catalog(store, path=path)


def test_skip_invalid_creates_the_good_rows_and_writes_rejects(store, tmp_path):
    path = _csv(tmp_path, HEADER + "MUG,Mug,MUG-1,1.00,,,yes,\nMUG,Mug,MUG-2,free,,,yes,\n")
    rejects = tmp_path / "rejects.csv"
    result = import_catalog(store, path=path, skip_invalid=True, rejects=str(rejects))
    assert (result.created, result.rejected) == (1, 1)
    assert "MUG-2" in rejects.read_text() and "catalog.csv:3: price:" in rejects.read_text()


def test_dry_run_creates_nothing(store, tmp_path):
    result = import_catalog(store, path=_csv(tmp_path, HEADER + "MUG,Mug,MUG-1,1.00,,,yes,\n"), dry_run=True)
    assert result.created == 1
    assert "MUG" not in {p.code for p in catalog.list_products(store)}


def test_export_then_import_changes_nothing(store, tmp_path):
    catalog.add_product(store, code="FORMULA", name="=cmd|' /C calc'!A0")
    catalog.add_variant(store, sku="F-1", product="FORMULA", price="1.00", name="+1 size", options={"note": "@x"})
    out = io.StringIO()
    export_catalog(store, out=out)
    text = out.getvalue()
    assert "'=cmd" in text and "'+1 size" in text and "'@x" in text  # guarded against formula injection
    again = import_catalog(store, path=_csv(tmp_path, text, "export.csv"))
    assert (again.read, again.unchanged, again.applied) == (3, 3, 0)

    set_reorder(store, sku="TSHIRT-M", location="STORE-1", reorder_level=4)
    stock = io.StringIO()
    export_inventory(store, out=stock)
    assert stock.getvalue().splitlines()[:2] == ["sku,location,quantity,reorder_level", "CROISSANT,STORE-1,5,"]
    assert "TSHIRT-M,STORE-1,10,4" in stock.getvalue().splitlines()  # the reorder level goes with its stock
    back = import_inventory(store, path=_csv(tmp_path, stock.getvalue(), "stock.csv"))
    assert (back.read, back.unchanged, back.applied, back.reorder_levels) == (3, 3, 0, 0)


def test_exporting_one_location_lists_only_its_stock(store):
    out = io.StringIO()
    export_inventory(store, out=out, location="WH-1")
    assert out.getvalue().splitlines()[1:] == ["TSHIRT-M,WH-1,50,"]


def test_orders_export_has_one_row_per_line_with_totals_and_payment(store):
    from pos.services import cart, orders
    from pos.services.exports import export_orders

    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=2)
    cart.add_item(store, cart_id=c.id, code="CROISSANT")
    orders.checkout(store, cart_id=c.id, processor="cash", params={"tendered": "50"})
    out = io.StringIO()
    assert export_orders(store, out=out).rows == 2
    import csv

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["sku"], r["quantity"], r["line_total"]) for r in rows] == [("TSHIRT-M", "2", "39.98"), ("CROISSANT", "1", "3.25")]
    assert rows[0]["order_total"] == "46.80" and rows[0]["payment"] == "cash" and rows[0]["tax_rate"] == "8.25"
