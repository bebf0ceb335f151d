"""Money as integers in minor units. Decimal appears only here, where text is parsed or printed."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from pos.errors import InvalidInput

# ISO 4217 currencies whose minor unit is not 1/100.
_EXPONENTS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

# The largest amount accepted anywhere, in minor units (ten trillion dollars, say).
MAX_MINOR = 10**15

# Tax rates are kept as integer millionths (8.25 % -> 82_500).
TAX_RATE_SCALE = 1_000_000


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def validate_currency(currency: str) -> str:
    code = currency.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise InvalidInput(f"currency must be a three-letter ISO code such as USD, not {currency!r}")
    return code


# A comma is only a thousands separator: 1,234.56. "12,50" (a decimal comma) must not become 1250.
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")


def _decimal(text: str, what: str) -> Decimal:
    cleaned = str(text).strip()
    for symbol in ("$", "€", "£", "¥"):
        cleaned = cleaned.removeprefix(symbol)
    if "," in cleaned:
        if not _THOUSANDS.fullmatch(cleaned):
            raise InvalidInput(f"{what} must use a point for decimals, such as 12.50, not {text!r}")
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput(f"{what} must be a decimal amount such as 12.50, not {text!r}") from None
    if not value.is_finite():
        raise InvalidInput(f"{what} must be a decimal amount such as 12.50, not {text!r}")
    return value


def parse_money(text: str, currency: str, *, what: str = "amount", allow_zero: bool = True) -> int:
    """Parse '12.50' into 1250 (for a two-decimal currency). Refuses negatives and sub-cent digits."""
    value = _decimal(text, what)
    places = exponent(currency)
    minor = value.scaleb(places)
    if minor != minor.to_integral_value():
        raise InvalidInput(f"{what} {text!r} has more than {places} decimal places for {currency}")
    if value < 0:
        raise InvalidInput(f"{what} must not be negative, got {text!r}")
    if not allow_zero and value == 0:
        raise InvalidInput(f"{what} must be more than zero")
    if minor > MAX_MINOR:
        raise InvalidInput(f"{what} {text!r} is larger than pos handles")
    return int(minor)


def format_money(minor: int, currency: str, *, symbol: bool = False) -> str:
    """1250 -> '12.50' (or '$12.50' with symbol=True for USD)."""
    places = exponent(currency)
    sign = "-" if minor < 0 else ""
    text = f"{Decimal(abs(minor)).scaleb(-places):.{places}f}"
    if symbol:
        prefix = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(currency.upper())
        if prefix:
            return f"{sign}{prefix}{text}"
        return f"{sign}{text} {currency.upper()}"
    return f"{sign}{text}"


def parse_tax_rate(text: str, *, what: str = "tax rate") -> int:
    """'8.25' (percent) -> 82_500 millionths. At most four decimal places of a percent."""
    value = _decimal(text, what)
    if value < 0 or value > 100:
        raise InvalidInput(f"{what} is a percentage from 0 to 100, not {text!r}")
    scaled = value.scaleb(4)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(f"{what} {text!r} has more than 4 decimal places")
    return int(scaled)


def parse_percent(text: str, *, what: str = "percent") -> int:
    """'10', '10%' or '12.5' (percent, above 0, at most 100) -> millionths, as tax rates are kept."""
    value = _decimal(str(text).strip().removesuffix("%"), what)
    if value <= 0 or value > 100:
        raise InvalidInput(f"{what} must be above 0 and at most 100, not {text!r}")
    scaled = value.scaleb(4)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(f"{what} {text!r} has more than 4 decimal places")
    return int(scaled)


def format_tax_rate(millionths: int) -> str:
    text = f"{Decimal(millionths).scaleb(-4):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def tax_for(subtotal: int, rate_millionths: int) -> int:
    """Tax on a whole order, rounded half-up once, in integers only."""
    if subtotal < 0:
        raise ValueError("subtotal must not be negative")
    return (subtotal * rate_millionths + TAX_RATE_SCALE // 2) // TAX_RATE_SCALE
