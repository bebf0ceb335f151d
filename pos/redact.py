"""Card-number masking: a rule for every place text can carry one (errors, the till, batch, plugins).

A card number is never printed or stored; what looks like one is shown as `****` and its last four digits.
Where a card number is expected (a `pay` line, `--card`, a batch payment) every Luhn-valid run of 14 to 19
digits is hidden (`mask_card_numbers`); elsewhere only those that cannot be a code of the catalog
(`mask_stray_card_numbers`), so a scanned GTIN stays readable.
"""

from __future__ import annotations

import re


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# 14 to 19 digits, alone or typed in groups ("4242 4242 4242 4242", "4242-4242-..."), even glued to a word.
_CARD_LIKE = re.compile(r"(?<!\d)\d(?:[ -]?\d){13,18}(?!\d)")
_SEPARATOR = re.compile(r"[ -]")
_QUANTITY_DIGITS = 6  # at most: "4 5012345678900" is four of an EAN-13, not a card


def mask_card_numbers(text: str) -> str:
    """Hide anything shaped like a card number (14 to 19 digits passing the Luhn check) but its last four.

    For text where a card number can be: a `pay` line, `--card`, a batch payment, and errors of those.
    Elsewhere use `mask_stray_card_numbers`, which leaves the codes of the catalog alone.
    """

    def hide(match: re.Match[str]) -> str:
        digits = _SEPARATOR.sub("", match.group())
        return "****" + digits[-4:] if luhn_ok(digits) else match.group()

    return _CARD_LIKE.sub(hide, text)


def could_be_a_code(run: str) -> bool:
    """True when a run of digits is a valid GTIN, or a quantity and a GTIN (`4 5012345678900`,
    `5012345678900 4`): something a till line or a catalog message means as a code, not a card."""
    from pos.barcodes import is_gtin

    groups = _SEPARATOR.split(run)
    if len(groups) == 1:
        return is_gtin(run)  # digits typed in groups ("3056 930902 5904") are a card's way, not a code's
    if len(groups) != 2:
        return False
    first, second = groups
    return (is_gtin(second) and len(first) <= _QUANTITY_DIGITS) or (is_gtin(first) and len(second) <= _QUANTITY_DIGITS)


def mask_stray_card_numbers(text: str) -> str:
    """Hide a card number typed or swiped where no card number belongs (a SKU, an error message), but
    never what can be a code of the catalog: a valid GTIN-8/12/13/14, alone or with a quantity, stays as
    it is even when its digits happen to pass the Luhn check (about one GTIN-14 in ten does).

    All-digit barcodes must be GTINs (pos/barcodes.py), so a Luhn-valid run that is no GTIN cannot be one.
    """

    def hide(match: re.Match[str]) -> str:
        run = match.group()
        if could_be_a_code(run):
            return run
        digits = _SEPARATOR.sub("", run)
        if luhn_ok(digits):
            return "****" + digits[-4:]
        return _hide_card_beside_quantity(run)

    return _CARD_LIKE.sub(hide, text)


def _hide_card_beside_quantity(run: str) -> str:
    """`2 4242424242424242`: a quantity and a card number typed as one, whose digits together fail Luhn."""
    groups = _SEPARATOR.split(run)
    if len(groups) != 2:
        return run
    joint = run[len(groups[0])]
    first, second = groups
    if len(first) <= _QUANTITY_DIGITS and len(second) >= 14 and luhn_ok(second):
        return f"{first}{joint}****{second[-4:]}"
    if len(second) <= _QUANTITY_DIGITS and len(first) >= 14 and luhn_ok(first):
        return f"****{first[-4:]}{joint}{second}"
    return run
