"""Barcodes that are GTINs, on a real database: any form of a code finds its variant, bad ones are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from pos.cli import app
from pos.errors import AlreadyExists, InvalidInput
from pos.migrations import upgrade
from pos.services import cart, catalog, inventory
from pos.services.db import Database
from pos.services.imports import import_catalog, import_inventory

UPC_A, EAN_13, GTIN_14 = "036000291452", "0036000291452", "00036000291452"


@pytest.fixture
def soup(store):
    catalog.add_product(store, code="SOUP", name="Tomato soup")
    catalog.add_variant(store, sku="SOUP-1", product="SOUP", price="1.99", barcode=UPC_A)
    inventory.set_stock(store, sku="SOUP-1", location="STORE-1", quantity=20)
    return store


def test_a_barcode_given_as_upc_a_is_stored_and_shown_as_ean13(soup):
    variant = catalog.show_product(soup, code="SOUP").variants[0]
    assert variant.barcode == EAN_13


@pytest.mark.parametrize("scanned", [UPC_A, EAN_13, GTIN_14])
def test_a_scan_of_any_form_of_the_code_finds_the_same_variant(soup, scanned):
    c = cart.new_cart(soup, location="STORE-1")
    doc = cart.add_item(soup, cart_id=c.id, code=scanned, quantity=2)
    assert [(i.sku, i.quantity) for i in doc.items] == [("SOUP-1", 2)]
    assert inventory.check_stock(soup, sku=scanned).sku == "SOUP-1"


def test_the_same_gtin_in_another_form_is_already_taken(soup):
    with pytest.raises(AlreadyExists, match="barcode 0036000291452 is already used by variant SOUP-1"):
        catalog.add_variant(soup, sku="SOUP-2", product="SOUP", price="1.99", barcode=GTIN_14)
    with pytest.raises(AlreadyExists):  # nor may a SKU be that code in another form
        catalog.add_variant(soup, sku=UPC_A, product="SOUP", price="1.99")


@pytest.mark.parametrize(("barcode", "why"), [("1234567890123", "has a wrong check digit"),
                                              ("12", "is all digits but not a GTIN")])
def test_a_barcode_that_is_no_valid_gtin_is_refused_naming_it(store, barcode, why):
    with pytest.raises(InvalidInput, match=f"barcode '{barcode}' {why}"):
        catalog.add_variant(store, sku="NEW-1", product="TSHIRT", price="1", barcode=barcode)
    assert "NEW-1" not in {v.sku for v in catalog.show_product(store, code="TSHIRT").variants}


def test_an_internal_code_with_letters_is_kept_as_given(store):
    doc = catalog.add_variant(store, sku="NEW-1", product="TSHIRT", price="1", barcode="SHELF-12A")
    assert doc.barcode == "SHELF-12A"


def _csv(tmp_path, body: str, name: str) -> str:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_the_catalog_import_stores_gtins_in_normal_form_and_names_a_bad_check_digit(store, tmp_path):
    header = "product,product_name,sku,price,barcode\n"
    good = _csv(tmp_path, header + f"SOUP,Soup,SOUP-1,1.99,{UPC_A}\n", "good.csv")
    import_catalog(store, path=good)
    assert catalog.show_product(store, code="SOUP").variants[0].barcode == EAN_13
    bad = _csv(tmp_path, header + "SOUP,Soup,SOUP-2,1.99,1234567890123\n", "bad.csv")
    with pytest.raises(InvalidInput, match="bad.csv:2: barcode: '1234567890123' has a wrong check digit"):
        import_catalog(store, path=bad)


def test_two_forms_of_one_gtin_in_a_catalog_file_clash(store, tmp_path):
    path = _csv(tmp_path, "product,product_name,sku,price,barcode\n"
                          f"SOUP,Soup,SOUP-1,1.99,{UPC_A}\nSOUP,Soup,SOUP-2,1.99,{GTIN_14}\n", "catalog.csv")
    with pytest.raises(InvalidInput, match="catalog.csv:3: barcode: 0036000291452 already appears at line 2"):
        import_catalog(store, path=path)


def test_the_inventory_import_finds_a_variant_by_another_form_of_its_gtin(soup, tmp_path):
    path = _csv(tmp_path, f"sku,location,quantity\n{GTIN_14},STORE-1,7\n", "stock.csv")
    result = import_inventory(soup, path=path)
    assert (result.applied, result.rejected) == (1, 0)
    assert inventory.check_stock(soup, sku="SOUP-1", location="STORE-1").on_hand == 7


def test_barcodes_stored_by_an_older_version_are_normalised_by_pos_init(db_url):
    old = Database(db_url)
    upgrade(old.engine, "0004")
    with old.engine.begin() as conn:
        for sql in (
            "INSERT INTO setting (key, value) VALUES ('currency', 'USD')",
            "INSERT INTO product (id, code, name, created_at) VALUES (1, 'SOUP', 'Soup', CURRENT_TIMESTAMP)",
            # A UPC-A, a code with a wrong check digit, and an internal code, as older versions kept them.
            f"INSERT INTO variant (id, sku, name, price, barcode, options, is_deliverable, product_id, created_at) "
            f"VALUES (1, 'SOUP-1', '', 199, '{UPC_A}', '{{}}', true, 1, CURRENT_TIMESTAMP), "
            "(2, 'SOUP-2', '', 199, '1234567890123', '{}', true, 1, CURRENT_TIMESTAMP), "
            "(3, 'SOUP-3', '', 199, 'SHELF-12A', '{}', true, 1, CURRENT_TIMESTAMP)",
        ):
            conn.execute(text(sql))
    old.dispose()
    assert CliRunner().invoke(app, ["--db", db_url, "init"]).exit_code == 0
    db = Database(db_url)
    try:
        with db.engine.connect() as conn:
            stored = dict(conn.execute(text("SELECT sku, barcode FROM variant")).all())
        assert stored == {"SOUP-1": EAN_13, "SOUP-2": "1234567890123", "SOUP-3": "SHELF-12A"}
        for scanned, sku in ((UPC_A, "SOUP-1"), (GTIN_14, "SOUP-1"), ("1234567890123", "SOUP-2"),
                             ("SHELF-12A", "SOUP-3")):
            assert inventory.check_stock(db, sku=scanned).sku == sku
    finally:
        db.dispose()


def test_the_migration_leaves_a_second_form_of_a_taken_gtin_findable_as_stored(db_url):
    old = Database(db_url)
    upgrade(old.engine, "0004")
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('currency', 'USD')"))
        conn.execute(text("INSERT INTO product (id, code, name, created_at) VALUES (1, 'SOUP', 'Soup', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO variant (id, sku, name, price, barcode, options, is_deliverable, product_id, created_at) "
            f"VALUES (1, 'SOUP-1', '', 199, '{EAN_13}', '{{}}', true, 1, CURRENT_TIMESTAMP), "
            f"(2, 'SOUP-2', '', 199, '{UPC_A}', '{{}}', true, 1, CURRENT_TIMESTAMP)"
        ))
    old.dispose()
    assert CliRunner().invoke(app, ["--db", db_url, "init"]).exit_code == 0
    db = Database(db_url)
    try:
        assert inventory.check_stock(db, sku=GTIN_14).sku == "SOUP-1"
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT barcode FROM variant WHERE sku = 'SOUP-2'")).scalar() == UPC_A
    finally:
        db.dispose()
