"""`pos import catalog --format shopify`: a Shopify product export as it comes, on a real database."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from pos.errors import InvalidInput, NotFound
from pos.services import catalog, inventory
from pos.services.imports import import_shopify

SAMPLE = str(Path(__file__).parent.parent / "data" / "shopify_products.csv")
HEADER = ("Handle,Title,Body (HTML),Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,"
          "Variant Inventory Qty,Variant Price,Variant Requires Shipping,Variant Barcode,Image Src,SEO Title\n")


def _csv(tmp_path, body: str, name: str = "products_export.csv") -> str:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def _variants(db) -> dict[str, dict]:
    return {v.sku: {**v.model_dump(exclude_unset=True), "product_name": p.name}
            for p in catalog.list_products(db) for v in p.variants}


def test_a_shopify_export_becomes_products_and_their_variants(store):
    result = import_shopify(store, path=SAMPLE)
    assert (result.read, result.created, result.rejected, result.products_created) == (6, 6, 0, 3)
    v = _variants(store)
    shirt = v["TS-M-BLK"]
    assert (shirt["product"], shirt["product_name"], shirt["name"]) == ("organic-t-shirt", "Organic T-shirt",
                                                                       "Organic T-shirt M / Black")
    assert (shirt["price"], shirt["options"], shirt["is_deliverable"]) == (2199, {"size": "M", "color": "Black"}, True)
    mug = v["MUG-WHT"]  # Option1 "Title" / "Default Title": a product without options
    assert (mug["name"], mug["options"], mug["price"]) == ("Stoneware mug", {}, 1250)
    assert mug["barcode"] == "0036000291452"  # the UPC-A of the export, in its normal form
    assert v["GIFT-50"]["is_deliverable"] is False and v["GIFT-50"]["options"] == {"denomination": "$50"}


def test_importing_the_same_export_again_changes_nothing(store):
    import_shopify(store, path=SAMPLE)
    again = import_shopify(store, path=SAMPLE)
    assert (again.applied, again.unchanged) == (0, 6)


def test_with_a_location_the_inventory_quantities_become_stock_with_file_and_line(store):
    result = import_shopify(store, path=SAMPLE, location="WH-1")
    assert result.stock_changed == 3  # 12, 8 and 30; the 0 of TS-M-BLK changes nothing
    assert inventory.check_stock(store, sku="TS-S-WHT", location="WH-1").on_hand == 12
    # The first product row spans lines 2-3 (its description has a line break): the next starts at 4.
    history = inventory.stock_history(store, sku="TS-M-WHT", location="WH-1")
    assert [(h.change, h.source, h.ref) for h in history] == [(8, "import", "shopify_products.csv:4")]
    assert inventory.check_stock(store, sku="0036000291452", location="WH-1").on_hand == 30


def test_without_a_location_no_stock_is_touched(store):
    import_shopify(store, path=SAMPLE)
    assert inventory.check_stock(store, sku="TS-S-WHT").on_hand == 0


def test_an_unknown_location_or_a_file_without_quantities_is_refused_before_anything_is_written(store, tmp_path):
    with pytest.raises(NotFound, match="no location 'NOWHERE'"):
        import_shopify(store, path=SAMPLE, location="NOWHERE")
    plain = tmp_path / "plain.csv"
    plain.write_text("Handle,Title,Variant SKU,Variant Price\nmug,Mug,MUG-1,3.00\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="Variant Inventory Qty column"):
        import_shopify(store, path=str(plain), location="WH-1")
    assert "MUG-1" not in _variants(store)


BAD = [
    ("mug,Mug,,,,,,,1,3.00,TRUE,,,", "Variant SKU", "is empty: pos needs a SKU for every variant"),
    ("mug,Mug,,,,,,MUG-1,1,3.999,TRUE,,,", "Variant Price", "'3.999' has more than 2 decimal places"),
    ("mug,Mug,,,,,,MUG-1,1,3.00,maybe,,,", "Variant Requires Shipping", "must be TRUE or FALSE, not 'maybe'"),
    ("mug,Mug,,,,,,MUG-1,1,3.00,TRUE,1234567890123,,", "Variant Barcode", "'1234567890123' has a wrong check digit"),
    ("mug,Mug,,,,,,MUG-1,-2,3.00,TRUE,,,", "Variant Inventory Qty", "must be zero or more for a count"),
    ("bad handle!,Mug,,,,,,MUG-1,1,3.00,TRUE,,,", "Handle", "product code 'bad handle!' must be 1-64 letters"),
    ("mug,,,,,,,MUG-1,1,3.00,TRUE,,,", "Title", "is empty: the first row of 'mug' must name the product"),
]


@pytest.mark.parametrize(("row", "column", "why"), BAD)
def test_each_kind_of_bad_shopify_row_is_named_by_file_and_line_and_nothing_is_written(store, tmp_path, row, column,
                                                                                        why):
    path = _csv(tmp_path, "cup,Cup,,,,,,CUP-1,5,2.00,TRUE,,,\n" + row + "\n")
    with pytest.raises(InvalidInput) as err:
        import_shopify(store, path=path, location="STORE-1")
    assert f"products_export.csv:3: {column}: {why}" in err.value.message
    assert "CUP-1" not in _variants(store)


def test_skip_invalid_imports_the_good_rows_and_writes_the_bad_ones_with_their_reasons(store, tmp_path):
    path = _csv(tmp_path, "cup,Cup,,,,,,CUP-1,5,2.00,TRUE,,,\ncup,,,,,,,,5,2.50,TRUE,,,\n")
    rejects = tmp_path / "rejects.csv"
    result = import_shopify(store, path=path, location="STORE-1", skip_invalid=True, rejects=str(rejects))
    assert (result.created, result.rejected, result.stock_changed) == (1, 1, 1)
    rows = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8"))))
    assert rows[0]["error"] == "products_export.csv:3: Variant SKU: is empty: pos needs a SKU for every variant"
    assert inventory.check_stock(store, sku="CUP-1", location="STORE-1").on_hand == 5


def test_a_dry_run_reports_what_would_change_and_writes_nothing(store):
    result = import_shopify(store, path=SAMPLE, location="STORE-1", dry_run=True)
    assert (result.created, result.stock_changed, result.dry_run) == (6, 3, True)
    assert "TS-S-WHT" not in _variants(store)


def test_image_rows_and_unknown_columns_are_ignored(store, tmp_path):
    path = _csv(tmp_path, "cup,Cup,<p>A cup</p>,Size,Small,,,CUP-S,,2.00,TRUE,,https://cdn.example/cup.jpg,Cup!\n"
                          "cup,,,,,,,,,,,,https://cdn.example/cup-2.jpg,\n"
                          "cup,,,,Large,,,CUP-L,,2.50,TRUE,,,\n")
    result = import_shopify(store, path=path)
    assert (result.read, result.created, result.rejected) == (2, 2, 0)
    assert _variants(store)["CUP-L"]["name"] == "Cup Large"


def test_a_stock_count_below_what_checkouts_hold_reserved_is_refused_with_its_line(store, tmp_path):
    path = _csv(tmp_path, "TSHIRT,T-shirt,,,,,,TSHIRT-M,1,19.99,TRUE,,,\n")
    with store.write() as conn:  # a checkout awaiting payment holds 3 of the 10 at STORE-1
        conn.exec_driver_sql("UPDATE stock_level SET reserved = 3 WHERE location_id = "
                             "(SELECT id FROM location WHERE code = 'STORE-1') AND variant_id = "
                             "(SELECT id FROM variant WHERE sku = 'TSHIRT-M')")
    with pytest.raises(InvalidInput, match="products_export.csv:2: Variant Inventory Qty: is below the 3 units held"):
        import_shopify(store, path=path, location="STORE-1")
    assert inventory.check_stock(store, sku="TSHIRT-M", location="STORE-1").on_hand == 10
