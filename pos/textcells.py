"""Text measured in terminal cells, not characters.

A CJK character or most emoji take two cells, a combining accent none; `len()` gets all three wrong.
Every width on a receipt or in the till's compact view goes through these helpers, which measure with
rich's `cell_len` (the same tables rich uses to draw tables, so the two agree). Only `rich.cells` is
imported: it is small and loads no console machinery.
"""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len

ELLIPSIS = "…"

# C0 and C1 control characters but the line break: ESC starts terminal and printer commands (ESC p opens a
# cash drawer), a tab or carriage return breaks every column. Names refuse them (`control_free`); text that
# still carries one (a plugin's message, a row written by an older version) shows it as a visible escape.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def control_free(text: str, what: str, *, lines: bool = False) -> str:
    """`text` unchanged, or ValueError naming `what` when it holds a control character (a line break is
    allowed where `lines`, as in an address)."""
    found = _CONTROL.search(text) or (None if lines else re.search("\n", text))
    if found:
        shown = "a line break" if found.group() == "\n" else visible(found.group())
        raise ValueError(f"{what} must not contain control characters (found {shown})")
    return text


def plain_text(text: str, what: str, *, lines: bool = False) -> str:
    """`control_free` for text a person or a file gave a command: InvalidInput (a one-line error, exit 1)
    instead of ValueError (which the document models turn into a validation error)."""
    try:
        return control_free(text, what, lines=lines)
    except ValueError as exc:
        from pos.errors import InvalidInput

        raise InvalidInput(str(exc)) from None


def visible(text: str) -> str:
    """Control characters (but line breaks) as visible escapes, `\\x1b`: shown, never obeyed."""
    if not _CONTROL.search(text):  # the common case, on every scan: no copy
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(text: str) -> str:
    """`visible`, and line breaks shown as `\\n` / `\\r` too: for text quoted inside a line of its own
    (a file name in a message, a value in an import problem), which must stay that one line."""
    if "\n" in text or "\r" in text:
        text = text.replace("\r", "\\r").replace("\n", "\\n")
    return visible(text)


def visible_doc(doc: Any) -> Any:
    """`visible` applied to every string in a document (dicts and lists, as JSON has it)."""
    if isinstance(doc, str):
        return visible(doc)
    if isinstance(doc, dict):
        return {k: visible_doc(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [visible_doc(v) for v in doc]
    return doc


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
