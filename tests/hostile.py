"""Hostile and foreign text: names a shop really has, and names that break careless programs.

Shared by every test that checks "text is data": each entry must reach the screen, the receipt, the
printer and an export exactly as typed. Product and variant names are at most 200 characters (the
column's limit); codes (SKU, location code) have their own strict syntax and are not text.
"""

from __future__ import annotations

NAMES: list[str] = [
    "Mug [/]",  # an unmatched closing tag: rich raised MarkupError
    "Tee [red]",  # a style tag: rich swallowed it ("Tee")
    "Cable [2m]",
    "Mug [XL]",
    "[bold]Loud[/bold] & [link=https://example.com]linked[/link]",
    r"Back\[slash] C:\temp\[x]",  # a backslash before a bracket is rich's escape
    ":smile: :coffee: codes",  # emoji codes that rich would replace
    'Quoted "inch" and \'single\'',
    "Comma, separated; semi;colon",
    "=SUM(A1:A9)",  # a leading = + - @ is a formula to a spreadsheet
    "+44 adaptor",
    "-10% sale",
    "@home cushion",
    "日本語の長い商品名です本当に長い名前",  # CJK: two cells a character, no spaces to break at
    "咖啡杯 大号 特价 限时 优惠",
    "🍺 Beer and 🍕 pizza 👩‍👩‍👧 pack",  # emoji, and a joined family
    "שלום עולם מוצר",  # right to left
    "منتج عربي جميل",
    "Cafe\u0301 cre\u0300me bru\u0302le\u0301e",  # combining accents after plain letters
    "Z\u0335a\u0336l\u0337g\u0338o",
    "Wide " + "word " * 38 + "end",  # 200 characters with spaces
    "L" * 200,  # 200 characters, one word
    "  Spaced name  ",  # leading and trailing spaces (trimmed on the way in: see README)
]


def stored(name: str) -> str:
    """The name as it is kept: surrounding whitespace trimmed, everything inside exactly as typed."""
    return name.strip()
