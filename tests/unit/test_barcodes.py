"""Barcodes that are GTINs: check digits validated, one normal form for UPC-A, EAN-13 and GTIN-14."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from pos.barcodes import is_gtin, lookup_barcode, normal_barcode
from pos.errors import InvalidInput


def test_the_upc_a_ean13_and_gtin14_forms_of_one_code_are_stored_as_one():
    forms = ["036000291452", "0036000291452", "00036000291452"]
    assert {normal_barcode(code) for code in forms} == {"0036000291452"}
    assert {lookup_barcode(code) for code in forms} == {"0036000291452"}


def test_an_ean8_keeps_its_eight_digits_in_every_form():
    assert {normal_barcode(code) for code in ["96385074", "0000096385074", "00000096385074"]} == {"96385074"}


def test_a_gtin14_with_a_packaging_indicator_keeps_its_fourteen_digits():
    assert normal_barcode("15012345678907") == "15012345678907"


@pytest.mark.parametrize("code", ["1234567890123", "036000291453", "96385075"])
def test_a_wrong_check_digit_is_refused_naming_the_code(code):
    with pytest.raises(InvalidInput, match=f"barcode '{code}' has a wrong check digit"):
        normal_barcode(code)


@pytest.mark.parametrize("code", ["12", "1234567", "123456789012345"])
def test_an_all_digit_code_of_no_gtin_length_is_refused(code):
    with pytest.raises(InvalidInput, match=f"barcode '{code}' is all digits but not a GTIN"):
        normal_barcode(code)


@pytest.mark.parametrize("code", ["SHELF-12A", "2001-B", "X1234567890123"])
def test_a_stores_internal_code_with_letters_is_kept_as_given(code):
    assert normal_barcode(code) == code
    assert lookup_barcode(code) == code


def test_a_code_with_a_wrong_check_digit_is_looked_up_as_typed():
    """A barcode stored by an older version, before check digits were validated, is still found."""
    assert lookup_barcode("1234567890123") == "1234567890123"


def _gtin(body: str) -> str:
    return body + ean.calc_check_digit(body)


@given(st.sampled_from([7, 11, 12, 13]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)))
def test_every_form_of_a_valid_gtin_has_the_same_normal_form_and_it_is_stable(body):
    code = _gtin(body)
    padded = code.zfill(14)
    forms = {padded[i:] for i in range(0, 7) if not padded[:i].strip("0") and len(padded[i:]) in (8, 12, 13, 14)}
    assert all(is_gtin(form) for form in forms)
    assert code in forms
    normals = {normal_barcode(form) for form in forms}
    assert len(normals) == 1
    normal = normals.pop()
    assert normal_barcode(normal) == normal and normal.zfill(14) == padded
