"""GTINs and Shopify exports through the CLI: what a clerk sees at the till and in errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent.parent / "data" / "shopify_products.csv"
LUHN_GTIN14 = "15199619839148"  # a valid GTIN-14 whose digits also pass the Luhn check


@pytest.fixture
def shop(db_url):
    """`pos --db ...` on a shop with a mug (EAN-13 5012345678900, 10 at S1) and an empty cart 1."""
    from typer.testing import CliRunner

    from pos.cli import app

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(app, ["--db", db_url, *args], input=input)

    for args in (["init"], ["location", "add", "S1", "--name", "Shop"], ["product", "add", "MUG", "--name", "Mug"],
                 ["variant", "add", "MUG-1", "--product", "MUG", "--price", "3.00", "--barcode", "5012345678900"],
                 ["stock", "set", "MUG-1", "S1", "10"], ["cart", "new", "--location", "S1"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
    return run


def test_four_of_an_ean13_at_the_till_is_echoed_as_typed_and_sold(shop):
    result = shop("till", "--location", "S1", input="4 5012345678900\npay cash 20\n")
    assert "> 4 5012345678900" in result.stdout and "****8900" not in result.output
    assert "4 x" in result.stdout and "order 1 paid" in result.stdout


def test_an_unknown_gtin_that_passes_luhn_is_named_in_the_error_not_masked(shop):
    result = shop("cart", "add", "1", LUHN_GTIN14)
    assert result.exit_code == 1
    assert f"no variant with SKU or barcode '{LUHN_GTIN14}'" in result.stderr


def test_a_till_scan_of_an_unknown_luhn_passing_gtin_names_it(shop):
    result = shop("till", "--location", "S1", input=f"{LUHN_GTIN14}\n")
    assert f"> {LUHN_GTIN14}" in result.stdout
    assert f"no variant with SKU or barcode '{LUHN_GTIN14}'" in result.stderr


def test_a_card_shaped_number_given_to_checkout_stays_masked_even_if_it_is_gtin_shaped(shop):
    result = shop("checkout", "1", "--pay", "card", LUHN_GTIN14)
    assert result.exit_code == 2
    assert LUHN_GTIN14 not in result.output and "****9148" in result.output


def test_the_upc_a_form_of_a_stored_ean13_is_found_by_the_stock_commands(shop):
    shop("variant", "add", "SOUP-1", "--product", "MUG", "--price", "1.99", "--barcode", "0036000291452")
    result = shop("stock", "adjust", "036000291452", "S1", "4", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sku"] == "SOUP-1"


def test_a_barcode_with_a_wrong_check_digit_is_a_one_line_invalid_input(shop):
    result = shop("variant", "add", "NEW-1", "--product", "MUG", "--price", "1", "--barcode", "1234567890123", "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "invalid_input" and "'1234567890123' has a wrong check digit" in error["message"]


def test_a_shopify_export_on_standard_input_imports_with_stock(shop):
    result = shop("import", "catalog", "-", "--format", "shopify", "--location", "S1", "--json",
                  input=SAMPLE.read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["file"], doc["format"], doc["created"], doc["stock_changed"]) == ("stdin", "shopify", 6, 3)
    history = json.loads(shop("stock", "history", "MUG-WHT", "--json").stdout)
    assert history["history"][0]["ref"] == "stdin:7"


def test_a_shopify_summary_names_the_stock_it_set(shop):
    result = shop("import", "catalog", str(SAMPLE), "--format", "shopify", "--location", "S1")
    assert result.exit_code == 0, result.output
    assert "6 variants new" in result.stdout and "stock at S1: 3 changed" in result.stdout


def test_location_without_the_shopify_format_is_a_usage_error(shop):
    result = shop("import", "catalog", str(SAMPLE), "--location", "S1")
    assert result.exit_code == 2 and "--location needs --format shopify" in result.output
