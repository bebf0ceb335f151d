"""Text measured in terminal cells, not characters.

A CJK character or most emoji take two cells, a combining accent none; `len()` gets all three wrong.
Every width on a receipt or in the till's compact view goes through these helpers, which measure with
rich's `cell_len` (the same tables rich uses to draw tables, so the two agree). Only `rich.cells` is
imported: it is small and loads no console machinery.
"""

from __future__ import annotations

from rich.cells import cell_len

ELLIPSIS = "…"


def _clusters(text: str) -> list[str]:
    """Characters with the zero-width marks that follow them (accents, joiners, variation selectors),
    so a cut never separates an accent from its letter."""
    out: list[str] = []
    for ch in text:
        if out and cell_len(ch) == 0:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def cut(text: str, width: int) -> str:
    """The longest start of `text` that fits in `width` cells."""
    kept: list[str] = []
    used = 0
    for cluster in _clusters(text):
        size = cell_len(cluster)
        if used + size > width:
            break
        kept.append(cluster)
        used += size
    return "".join(kept)


def fit(text: str, width: int) -> str:
    """`text` if it fits in `width` cells, else its start and an ellipsis, together at most `width` cells."""
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    return cut(text, width - 1) + ELLIPSIS


def clip_chars(text: str | None, limit: int) -> str | None:
    """At most `limit` characters (a database column's limit), ending in an ellipsis when cut."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def pad(text: str, width: int, align: str = "left") -> str:
    """`text` padded with spaces to `width` cells (left, right or center); never cut."""
    room = max(width - cell_len(text), 0)
    if align == "right":
        return " " * room + text
    if align == "center":
        return " " * (room // 2) + text + " " * (room - room // 2)
    return text + " " * room


def _split_long(word: str, width: int) -> list[str]:
    """A word wider than the line, broken into pieces of at most `width` cells (CJK has no spaces)."""
    pieces: list[str] = []
    rest = word
    while cell_len(rest) > width:
        head = cut(rest, width) or rest[0]  # a two-cell character on a one-cell line still moves on
        pieces.append(head)
        rest = rest[len(head):]
    return [*pieces, rest] if rest else pieces


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """`text` in lines of at most `width` cells, broken at spaces; a word too wide for a line is broken
    where it must be (a line needs at least 2 cells, for one wide character). Text that fits on one line
    is kept exactly; when it is wrapped, runs of whitespace between words become one space. Always at
    least one line."""
    width = max(width, 1)
    room = max(width - cell_len(indent), 1)
    if cell_len(text) <= room and text.isprintable():
        return [indent + text if text else text]
    lines: list[str] = []
    line = ""
    for word in text.split():
        for piece in _split_long(word, room) if cell_len(word) > room else [word]:
            if not line:
                line = piece
            elif cell_len(line) + 1 + cell_len(piece) <= room:
                line += " " + piece
            else:
                lines.append(line)
                line = piece
    if line or not lines:
        lines.append(line)
    return [indent + part if part else part for part in lines]
