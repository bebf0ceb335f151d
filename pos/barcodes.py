"""Barcodes: an all-digit code of 8, 12, 13 or 14 digits is a GTIN, checked and kept in one normal form.

GTIN-8 (EAN-8), GTIN-12 (UPC-A), GTIN-13 (EAN-13) and GTIN-14 name the same item when they are equal once
zero-padded to 14 digits: UPC-A `036000291452`, EAN-13 `0036000291452` and GTIN-14 `00036000291452` are
one code. The normal form is the shortest of the forms people see printed under the bars: the 8 digits of
an EAN-8 (a padded GTIN-14 starting with six zeros), else the 13 digits of an EAN-13 (a UPC-A gets its
leading 0), else all 14. Check digits are validated by python-stdnum, not by hand.

Codes that are not all digits (a store's internal `SHELF-12A`) are kept exactly as given.
"""

from __future__ import annotations

from stdnum import ean

from pos.errors import InvalidInput

GTIN_LENGTHS = (8, 12, 13, 14)


def _digits(code: str) -> bool:
    return code.isascii() and code.isdigit()


def is_gtin(code: str) -> bool:
    """True for 8, 12, 13 or 14 ASCII digits whose check digit is right."""
    return _digits(code) and len(code) in GTIN_LENGTHS and ean.is_valid(code)


def _normal(code: str) -> str:
    padded = code.zfill(14)
    if padded.startswith("000000"):
        return padded[6:]
    return padded[1:] if padded.startswith("0") else padded


def normal_barcode(code: str) -> str:
    """The barcode to store: a GTIN in its normal form, any other code as given (trimmed).

    An all-digit code must be a GTIN: another length, or a wrong check digit, is InvalidInput naming it.
    """
    code = code.strip()
    if not _digits(code):
        return code
    if len(code) not in GTIN_LENGTHS:
        raise InvalidInput(f"barcode {code!r} is all digits but not a GTIN: a GTIN has 8, 12, 13 or 14 digits")
    if not ean.is_valid(code):
        raise InvalidInput(f"barcode {code!r} has a wrong check digit (its last digit does not match the others)")
    return _normal(code)


def lookup_barcode(code: str) -> str:
    """What to look a scanned or typed code up by: a valid GTIN in its normal form, anything else as given
    (so a barcode stored before GTINs were checked is still found by what was stored)."""
    code = code.strip()
    return _normal(code) if is_gtin(code) else code
