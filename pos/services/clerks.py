"""Clerks: who may act, their PINs, sign-in with lock-out, and a manager's approval.

A store without clerk rows needs nobody to sign in. Once the first clerk (a manager: somebody must be able
to approve) exists, the command layer signs a clerk in here and runs its service as that clerk
(`auth.acting`). Lock-out is written with conditional UPDATEs, never read-compare-write, so two tills
trying PINs for one clerk at once still lock it at the fifth wrong one. A failed sign-in's audit rows are
committed before the error is raised: the command fails, the record of the attempt stays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, select
from sqlalchemy.exc import IntegrityError

from pos.errors import (
    AlreadyExists, ApprovalRequired, AuthFailed, ClerkDisabled, ClerkLocked, InvalidInput, NotAManager, NotFound, SignInRequired,
)
from pos.models._common import iso, utcnow
from pos.models.clerks import ClerkPublic
from pos.models.statuses import ClerkRole
from pos.services import audit, auth, pins, sql
from pos.services import tables as t
from pos.services.audit import Action
from pos.services.db import Database
from pos.services.sql import Sql

MAX_ATTEMPTS = 5
LOCK_FOR = timedelta(minutes=5)
NAME_MAX = 100

now: Callable[[], datetime] = utcnow
"""The clock of lock-outs: tests move it instead of sleeping five minutes."""

_DUMMY: list[str] = []  # a hash checked when the name is unknown, so that takes as long as a wrong PIN


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(pins.hash_pin("0000"))
    return _DUMMY[0]


def _aware(value: Any) -> datetime | None:
    return None if value is None else sql.read_timestamp(value)


def clerks_exist(db: Database) -> bool:
    """Does this store have clerks (then changes need a signed-in clerk)?"""
    with db.read() as conn:
        return _any_clerk(conn)


# Prebuilt: every command that changes something asks this first, and the table classes would cost a
# one-shot command (`pos cart add`) more than the rest of its work.
_ANY_CLERK = Sql("SELECT id FROM clerk LIMIT 1")


def _any_clerk(conn: Connection) -> bool:
    return sql.scalar(conn, _ANY_CLERK) is not None


def _row(conn: Connection, name: str) -> Mapping[Any, Any] | None:
    return conn.execute(select(t.clerk).where(t.clerk.c.name == name)).mappings().first()


def _document(row: Mapping[Any, Any]) -> ClerkPublic:
    locked = _aware(row["locked_until"])
    return ClerkPublic(
        name=row["name"], role=row["role"], active=bool(row["active"]),
        locked_until=iso(locked) if locked is not None and locked > now() else None,
        created_at=iso(_aware(row["created_at"]) or now()),
    )


def _clean_name(name: str) -> str:
    from pos.textcells import plain_text

    name = name.strip()
    if not name:
        raise InvalidInput("a clerk's name cannot be empty")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"a clerk's name is at most {NAME_MAX} characters")
    if name.isdigit():
        raise InvalidInput("a clerk's name cannot be only digits: it could be taken for a PIN")
    return plain_text(name, "clerk name")


def _require_manager(conn: Connection, what: str) -> None:
    """Managing clerks needs a signed-in manager once the store has clerks."""
    if not _any_clerk(conn):
        return
    actor = auth.current()
    if actor is None:
        raise SignInRequired(f"{what} needs a signed-in manager: --clerk NAME (or POS_CLERK)")
    if not actor.is_manager:
        raise NotAManager(f"{what} needs a manager; {actor.name} is a clerk")


def require_approval(what: str) -> None:
    """Refuse an action that needs a manager when a clerk acts without one (the command layer asks first;
    this keeps every way in, the till and `pos batch` too, to the same rule). Nobody acting: no clerks."""
    actor = auth.current()
    if actor is not None and actor.approver_id is None and not actor.is_manager:  # a manager approves themself
        raise ApprovalRequired(f"{what} needs a manager's approval: {actor.name} is a clerk, so name a manager "
                               "with --approve NAME (or POS_APPROVER)")


# -- managing clerks ------------------------------------------------------------------------------------


def add_clerk(db: Database, *, name: str, role: str, pin: str) -> ClerkPublic:
    """A new clerk. The store's first clerk must be a manager; later ones are added by a manager."""
    name = _clean_name(name)
    if role not in (ClerkRole.CLERK, ClerkRole.MANAGER):
        raise InvalidInput(f"a clerk's role is clerk or manager, not {role!r}")
    pin_hash = pins.hash_pin(pin)  # slow on purpose: before the transaction, not inside it
    with db.write() as conn:
        if not _any_clerk(conn) and role != ClerkRole.MANAGER:
            raise InvalidInput("the first clerk must be a manager (--role manager): somebody must be able to "
                               "approve returns, stock changes and new clerks")
        _require_manager(conn, "adding a clerk")
        if _row(conn, name) is not None:
            raise AlreadyExists(f"clerk {name} already exists")
        try:
            new_id = conn.execute(t.clerk.insert().values(name=name, role=role, pin_hash=pin_hash)
                                  .returning(t.clerk.c.id)).scalar_one()
        except IntegrityError:  # added by another till meanwhile
            raise AlreadyExists(f"clerk {name} already exists") from None
        actor = auth.current()
        audit.record(conn, Action.CLERK_ADDED, detail=f"{name} ({role})",
                     clerk_id=None if actor else new_id, clerk_name=None if actor else name)
        return _document(_row(conn, name) or {})


def list_clerks(db: Database) -> list[ClerkPublic]:
    with db.read() as conn:
        rows = conn.execute(select(t.clerk).order_by(t.clerk.c.name)).mappings().all()
        return [_document(row) for row in rows]


def change_pin(db: Database, *, name: str, pin: str) -> ClerkPublic:
    """A new PIN for `name`: by that clerk signed in, or by a manager. It also ends a lock-out."""
    pin_hash = pins.hash_pin(pin)
    with db.write() as conn:
        row = _row(conn, name)
        if row is None:
            raise NotFound(f"no clerk {name}")
        actor = auth.current()
        if actor is None or actor.clerk_id != row["id"]:
            _require_manager(conn, "changing another clerk's PIN")
        conn.execute(t.clerk.update().where(t.clerk.c.id == row["id"])
                     .values(pin_hash=pin_hash, failed_attempts=0, locked_until=None))
        audit.record(conn, Action.CLERK_PIN_CHANGED, detail=name)
        return _document(_row(conn, name) or {})


def disable_clerk(db: Database, *, name: str) -> ClerkPublic:
    """A clerk who can no longer sign in (kept, so the sales they rang up still name them)."""
    with db.write() as conn:
        _require_manager(conn, "disabling a clerk")
        row = _row(conn, name)
        if row is None:
            raise NotFound(f"no clerk {name}")
        if row["role"] == ClerkRole.MANAGER and row["active"]:
            others = conn.execute(select(func.count()).select_from(t.clerk).where(
                t.clerk.c.role == ClerkRole.MANAGER, t.clerk.c.active.is_(True), t.clerk.c.id != row["id"],
            )).scalar_one()
            if not others:
                raise InvalidInput(f"{name} is the last active manager: add another manager first")
        conn.execute(t.clerk.update().where(t.clerk.c.id == row["id"]).values(active=False))
        audit.record(conn, Action.CLERK_DISABLED, detail=name)
        return _document(_row(conn, name) or {})


# -- signing in -----------------------------------------------------------------------------------------


def sign_in(db: Database, name: str, pin: str) -> auth.Actor:
    """The clerk `name` if `pin` is theirs; otherwise AuthFailed (ClerkLocked at the fifth wrong PIN in a
    row, and while locked), with the attempt recorded in the audit log either way."""
    with db.read() as conn:
        row = _row(conn, name)
    moment = now()
    if row is None:
        pins.verify_pin(pin, _dummy_hash())
        # A PIN typed where the name was asked is not written down as the name tried.
        _failed(db, None, "(digits, not kept)" if name.strip().isdigit() else name, "no such clerk")
        raise AuthFailed("wrong clerk name or PIN")
    locked = _aware(row["locked_until"])
    if locked is not None and locked > moment:
        _failed(db, row["id"], name, "while locked out")
        raise _locked_error(name, locked)
    if not row["active"]:
        _failed(db, row["id"], name, "clerk disabled")
        raise ClerkDisabled(f"clerk {name} is disabled")
    if not pins.verify_pin(pin, row["pin_hash"]):
        locked_now = _wrong_pin(db, row["id"], name)
        if locked_now is not None:
            raise _locked_error(name, locked_now)
        raise AuthFailed("wrong clerk name or PIN")
    with db.write() as conn:
        moment = now()
        changed = conn.execute(t.clerk.update().where(
            t.clerk.c.id == row["id"], t.clerk.c.active.is_(True),
            (t.clerk.c.locked_until.is_(None)) | (t.clerk.c.locked_until <= moment),
        ).values(failed_attempts=0, locked_until=None)).rowcount
    if not changed:  # locked out or disabled by another till since the PIN was read
        with db.read() as conn:
            again = _row(conn, name)
        if again is not None and not again["active"]:
            raise ClerkDisabled(f"clerk {name} is disabled")
        raise _locked_error(name, _aware(again["locked_until"] if again else None) or now())
    return auth.Actor(clerk_id=row["id"], name=row["name"], role=row["role"])


def _locked_error(name: str, until: datetime) -> ClerkLocked:
    minutes = max(1, -int(-(until - now()).total_seconds() // 60))
    return ClerkLocked(f"clerk {name} is locked after {MAX_ATTEMPTS} wrong PINs; try again in {minutes} "
                       f"minute{'s' if minutes != 1 else ''} or ask a manager for a new PIN (pos clerk pin)",
                       locked_until=iso(until))


def _failed(db: Database, clerk_id: int | None, name: str, why: str) -> None:
    with db.write() as conn:
        audit.record(conn, Action.SIGN_IN_FAILED, detail=why, clerk_id=clerk_id, clerk_name=name[:NAME_MAX])


def _wrong_pin(db: Database, clerk_id: int, name: str) -> datetime | None:
    """Count a wrong PIN; at the fifth in a row, lock the clerk (and start counting afresh). Returns the end
    of the lock when this attempt locked it, or when another till's did meanwhile."""
    with db.write() as conn:
        moment = now()
        until = moment + LOCK_FOR
        reaches = t.clerk.c.failed_attempts + 1 >= MAX_ATTEMPTS
        counted = conn.execute(t.clerk.update().where(
            t.clerk.c.id == clerk_id, (t.clerk.c.locked_until.is_(None)) | (t.clerk.c.locked_until <= moment),
        ).values(
            failed_attempts=case((reaches, 0), else_=t.clerk.c.failed_attempts + 1),
            locked_until=case((reaches, until), else_=None),
        )).rowcount
        locked = _aware(conn.execute(select(t.clerk.c.locked_until).where(t.clerk.c.id == clerk_id)).scalar())
        audit.record(conn, Action.SIGN_IN_FAILED, detail="wrong PIN", clerk_id=clerk_id, clerk_name=name)
        if counted and locked is not None and locked > moment:
            audit.record(conn, Action.LOCKED_OUT, detail=f"{MAX_ATTEMPTS} wrong PINs in a row; locked until "
                         f"{iso(locked)}", clerk_id=clerk_id, clerk_name=name)
    return locked if locked is not None and locked > moment else None


def approve(db: Database, actor: auth.Actor, manager: str, pin: str) -> auth.Actor:
    """`actor`, approved by the manager `manager` whose PIN is `pin` (signed in like any clerk)."""
    approver = sign_in(db, manager, pin)
    if not approver.is_manager:
        raise NotAManager(f"{approver.name} is not a manager and cannot approve")
    return actor.approved_by(approver.clerk_id, approver.name)
