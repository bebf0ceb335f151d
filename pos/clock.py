"""A store's own clock: IANA time zones for locations, and UTC moments shown in a store's local time.

Times are stored and written to JSON in UTC; people see the local time of the store with its UTC offset
(`2026-11-26 10:32 +01:00`, 23 characters, so it fits beside an order number on 32-column paper). No rich,
no database: the renderers and receipt printers all use this.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from pathlib import Path

DEFAULT_ZONE = "UTC"


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown, or not a key at all ("../x", "")
        return None


def is_zone(name: str) -> bool:
    return bool(name) and name == name.strip() and _zone(name) is not None


def check_zone(name: str) -> str:
    """The IANA name, or InvalidInput when zoneinfo does not know it."""
    name = name.strip()
    if not is_zone(name):
        from pos.errors import InvalidInput

        raise InvalidInput(f"unknown timezone {name!r}: give an IANA name such as Europe/Berlin, America/New_York or UTC")
    return name


def machine_zone() -> str:
    """The IANA name of this machine's local zone: $TZ when it is one, else what /etc/localtime links to,
    else /etc/timezone (Debian), else UTC. (Windows and zones set some other way fall back to UTC; the
    store's zone can be given with `pos init --timezone`.)"""
    env = os.environ.get("TZ", "").strip().lstrip(":")
    if env and is_zone(env):
        return env
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        name = target.split("zoneinfo/", 1)[1]
        for prefix in ("posix/", "right/"):
            name = name.removeprefix(prefix)
        if is_zone(name):
            return name
    try:
        name = Path("/etc/timezone").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        name = ""
    return name if name and is_zone(name) else DEFAULT_ZONE


def offset_text(moment: datetime) -> str:
    """'+01:00', '+05:30', '-03:30': the offset of an aware datetime, always with the sign and minutes."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def local_time(utc_iso: str, zone: str | None) -> str:
    """'2026-11-26T09:32:07Z' in Europe/Berlin -> '2026-11-26 10:32 +01:00'. An unknown zone shows UTC."""
    moment = datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(_zone(zone or DEFAULT_ZONE) or UTC)
    return f"{local:%Y-%m-%d %H:%M} {offset_text(local)}"
