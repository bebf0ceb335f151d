"""`KEY=VALUE` words (`--pay-option card=...`, `--option size=M`, `pay acme token=...` at the till): one reading.

No imports, so the command modules can use it at start-up.
"""

from __future__ import annotations


def key_value(word: str) -> tuple[str, str] | None:
    """`KEY=VALUE` as (key, value), both stripped of spaces; None when the word has no `=` or no key."""
    key, sep, value = word.partition("=")
    key = key.strip()
    return (key, value.strip()) if sep and key else None
