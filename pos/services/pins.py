"""PINs: checked for shape, stored only as salted scrypt hashes, compared in constant time.

The stored string describes itself (`scrypt$n$r$p$salt$hash`, base64 without padding), so the cost can be
raised later without breaking the PINs already stored. Nothing here logs, prints or keeps a PIN.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from pos.errors import InvalidInput

SCHEME = "scrypt"
N, R, P = 2**15, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
PIN_MIN, PIN_MAX = 4, 8
# n=2**15, r=8 needs 32 MiB: above OpenSSL's default 32 MiB limit once its own overhead is counted.
_MAXMEM = 64 * 1024 * 1024


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def is_valid_pin(pin: str) -> bool:
    return PIN_MIN <= len(pin) <= PIN_MAX and pin.isascii() and pin.isdigit()


def check_pin(pin: str) -> str:
    """The PIN, or InvalidInput (which never repeats what was typed)."""
    if not is_valid_pin(pin):
        raise InvalidInput(f"a PIN is {PIN_MIN} to {PIN_MAX} digits (0-9)")
    return pin


def _derive(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=KEY_BYTES)


def hash_pin(pin: str) -> str:
    """A new salted hash of a valid PIN (InvalidInput otherwise)."""
    check_pin(pin)
    salt = secrets.token_bytes(SALT_BYTES)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(_derive(pin, salt, N, R, P))}"


def verify_pin(pin: str, stored: str) -> bool:
    """Does `pin` match `stored`? Constant-time comparison; a malformed stored hash never matches."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = _unb64(digest)
        candidate = _derive(pin, _unb64(salt), int(n), int(r), int(p)) if is_valid_pin(pin) else b"\0" * len(expected)
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(candidate, expected) and is_valid_pin(pin)
