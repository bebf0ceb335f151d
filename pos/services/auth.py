"""Who is acting: the signed-in clerk (and the approving manager) of this command or till session.

The command layer signs a clerk in (pos.services.clerks) and runs the service inside `acting(actor)`;
services read `current()` when they write a row that names a clerk (orders, payments, refunds, stock
history, shifts, the audit log). It is a context variable, not an argument threaded through every
service, because it is the same for every write of one command, like the transaction it runs in. A store
without clerks acts as nobody: `current()` is None and every clerk column stays empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Actor:
    """A signed-in clerk; `approver_*` name the manager who approved this action, where one did (a
    manager acting alone approves their own actions)."""

    clerk_id: int
    name: str
    role: str
    approver_id: int | None = None
    approver_name: str | None = None

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    def approved_by(self, clerk_id: int, name: str) -> Actor:
        return replace(self, approver_id=clerk_id, approver_name=name)


_CURRENT: ContextVar[Actor | None] = ContextVar("pos_actor", default=None)


def current() -> Actor | None:
    """The clerk acting now, or None (a store without clerks, or a read-only command)."""
    return _CURRENT.get()


@contextmanager
def acting(actor: Actor | None) -> Iterator[Actor | None]:
    """Run the enclosed service calls as `actor` (None: as nobody)."""
    token = _CURRENT.set(actor)
    try:
        yield actor
    finally:
        _CURRENT.reset(token)


def who() -> dict[str, int | None]:
    """The clerk columns of a row written now: `clerk_id` and `approver_id` (both None without clerks)."""
    actor = _CURRENT.get()
    if actor is None:
        return {"clerk_id": None, "approver_id": None}
    return {"clerk_id": actor.clerk_id, "approver_id": actor.approver_id}
