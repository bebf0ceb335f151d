"""Which process owns a pending order, and whether that process is certainly gone.

An owner is (host name, process id, process start). The start is the kernel's boot id and the
process's start time in clock ticks (/proc/PID/stat field 22), so a pid reused after the owner died,
or a machine rebooted since, is told apart from the owner itself. Only the standard library is used;
on a system without /proc the start is unknown and a live pid counts as the owner.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

PROC = Path("/proc")


class OwnerState(StrEnum):
    GONE = "gone"  # same machine, no such process (or another one with the same pid): settle now
    ALIVE = "alive"  # same machine, the very process: it may still be waiting for its processor
    UNSEEN = "unseen"  # another machine, or nothing recorded: only the age threshold can tell


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int
    start: str | None


def _boot_id() -> str | None:
    try:
        return (PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None


def _start_ticks(pid: int) -> tuple[str, str] | None:
    """(state letter, start time in clock ticks since boot) of a process, from /proc; None if it has none."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or ')': split after the last one.
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[0], fields[19]


def start_of(pid: int) -> str | None:
    boot, found = _boot_id(), _start_ticks(pid)
    if boot is None or found is None:
        return None
    return f"{boot}:{found[1]}"


def host_name() -> str:
    return socket.gethostname()


@cache
def current() -> Owner:
    """This process, as recorded on the orders it places (computed once per process)."""
    pid = os.getpid()
    return Owner(host_name(), pid, start_of(pid))


def state_of(host: str | None, pid: int | None, start: str | None) -> OwnerState:
    if host is None or pid is None or host != host_name():
        return OwnerState.UNSEEN
    boot = _boot_id()
    if start is not None and boot is not None and not start.startswith(boot + ":"):
        return OwnerState.GONE  # placed before this machine last started
    found = _start_ticks(pid)
    if found is None:
        if PROC.is_dir():
            return OwnerState.GONE
        return OwnerState.ALIVE if _pid_exists(pid) else OwnerState.GONE
    letter, ticks = found
    if letter in {"Z", "X"}:  # killed, not yet reaped by its parent: it will never settle anything
        return OwnerState.GONE
    if start is not None and start.rsplit(":", 1)[-1] != ticks:
        return OwnerState.GONE  # the pid now belongs to another process
    return OwnerState.ALIVE


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
