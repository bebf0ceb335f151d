"""Registers, shifts and the cash drawer: open with a float, cash in and out, no-sale, X and Z reports.

A register is a drawer at a location; a location's first shift makes its register ("main" unless named).
While a shift is open on a register, every payment and refund taken there names it (`shift_for`, called
in checkout's and the refund's first transaction). Once a location has had a shift, cash cannot be taken
there with none open; cards can, outside any shift.

Each use case is one transaction, and writes its audit row in it. The report's figures follow the shared
definitions in pos.models.shifts and are computed set-based from payments, refunds and cash movements.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.exc import IntegrityError

from pos.errors import (
    InsufficientCash, InvalidInput, NoOpenShift, NotFound, RegisterRequired, ShiftAlreadyOpen, ShiftBusy, ShiftClosed,
)
from pos.models._common import iso, utcnow
from pos.models.payment import PaymentStatus
from pos.models.refund import CASH_METHOD, RefundStatus
from pos.models.shifts import CashMovementPublic, ShiftList, ShiftReport, ShiftSummary
from pos.models.staff import CashMovementKind, ShiftStatus
from pos.money import parse_money
from pos.reasons import check_reason
from pos.services import audit, auth, sql
from pos.services import tables as t
from pos.services.audit import Action
from pos.services.catalog import location_by_code
from pos.services.db import Database
from pos.services.settings import currency as store_currency
from pos.services.sql import Sql
from pos.textcells import plain_text

DEFAULT_REGISTER = "main"
REGISTER_MAX = 100

# -- which shift a payment or refund belongs to (checkout's and the refund's first transaction) -----------

_OPEN_AT = Sql(
    "SELECT s.id, r.name FROM shift s JOIN register r ON r.id = s.register_id "
    "WHERE s.location_id = :location_id AND s.status = :open ORDER BY s.id LIMIT 2"
)
_REGISTER = Sql("SELECT id FROM register WHERE location_id = :location_id AND name = :name")
_OPEN_ON = Sql("SELECT id FROM shift WHERE register_id = :register_id AND status = :open")
_HAD_SHIFT = Sql("SELECT id FROM shift WHERE location_id = :location_id LIMIT 1")
_LOCK = Sql("SELECT id FROM shift WHERE id = :id AND status = :open FOR UPDATE", only="postgresql")
_LOCATION_CODE = Sql("SELECT code FROM location WHERE id = :id")
# PostgreSQL: a payment being recorded holds its shift's row, so a close waits for it and then sees it.
_HOLD = Sql("SELECT id FROM shift WHERE id = :id AND status = :open FOR SHARE", only="postgresql")


def shift_for(conn: Connection, *, location_id: int, register: str | None, cash: bool) -> int | None:
    """The shift a payment or refund taken now at this location (on `register`, if named) is recorded
    against: the one open shift there, or None (a card outside any shift). Refuses cash with no open shift
    where the location has had one (`no_open_shift`), and a guess between open registers (`register_required`)."""
    opened = {"open": ShiftStatus.OPEN}
    if register is not None:
        register_id = sql.scalar(conn, _REGISTER, {"location_id": location_id, "name": register})
        if register_id is None:
            raise NotFound(f"no register {register!r} at {_code(conn, location_id)}: `pos shift open --register` makes one")
        shift_id = sql.scalar(conn, _OPEN_ON, {"register_id": register_id, **opened})
        if shift_id is None and cash:
            raise NoOpenShift(f"no shift is open on register {register!r} at {_code(conn, location_id)}: cash cannot be taken; "
                              "`pos shift open` first (cards can be taken)")
    else:
        found = sql.all_rows(conn, _OPEN_AT, {"location_id": location_id, **opened})
        if len(found) > 1:
            raise RegisterRequired(f"{_code(conn, location_id)} has several open registers: name one with --register")
        shift_id = found[0]["id"] if found else None
        if shift_id is None and cash and sql.scalar(conn, _HAD_SHIFT, {"location_id": location_id}) is not None:
            raise NoOpenShift(f"no shift is open at {_code(conn, location_id)}: cash cannot be taken; `pos shift open` first "
                              "(cards can be taken)")
    if shift_id is not None and conn.dialect.name == "postgresql":
        sql.scalar(conn, _HOLD, {"id": shift_id, **opened})
    return shift_id


def _code(conn: Connection, location_id: int) -> str:
    return sql.scalar(conn, _LOCATION_CODE, {"id": location_id}) or f"location {location_id}"


def check_register(name: str | None) -> str | None:
    """A register name as given (stripped), or None; refused when empty, too long or holding control characters."""
    if name is None:
        return None
    name = name.strip()
    if not name:
        raise InvalidInput("--register must not be empty")
    if len(name) > REGISTER_MAX:
        raise InvalidInput(f"a register name is at most {REGISTER_MAX} characters")
    return plain_text(name, "a register name")


def _check_reason(reason: str, *, required: bool) -> str:
    return check_reason(reason, required="--reason is required: say why the cash moved" if required else None)


# -- opening ----------------------------------------------------------------------------------------------


_MAKE_REGISTER = Sql(
    "INSERT INTO register (location_id, name, created_at) VALUES (:location_id, :name, :created_at) "
    "ON CONFLICT (location_id, name) DO NOTHING"
)


def open_shift(db: Database, *, location: str, float_amount: str, register: str | None = None) -> ShiftReport:
    """Open a shift on the location's register (made on first use) with the float counted into the drawer."""
    name = check_register(register) or DEFAULT_REGISTER
    with db.write() as conn:
        loc = location_by_code(conn, location)
        amount = parse_money(float_amount, store_currency(conn), what="float")
        R, S = t.register, t.shift
        # Two tills opening a new register at once: one inserts it, the other (after waiting) finds it.
        sql.execute(conn, _MAKE_REGISTER, {**sql.insert_defaults(conn, R), "location_id": loc["id"], "name": name})
        register_id = conn.execute(select(R.c.id).where(R.c.location_id == loc["id"], R.c.name == name)).scalar_one()
        if conn.execute(select(S.c.id).where(S.c.register_id == register_id, S.c.status == ShiftStatus.OPEN)).first():
            raise _already_open(loc["code"], name)
        actor = auth.current()
        try:
            with conn.begin_nested():  # PostgreSQL: another till opened it first (the partial unique index)
                shift_id = conn.execute(S.insert().values(
                    register_id=register_id, location_id=loc["id"], float_amount=amount,
                    opened_by=actor.clerk_id if actor else None,
                ).returning(S.c.id)).scalar_one()
        except IntegrityError:
            raise _already_open(loc["code"], name) from None
        audit.record(conn, Action.SHIFT_OPEN, location_id=loc["id"], shift_id=shift_id, amount=amount,
                     detail=f"register {name}")
        return _report(conn, shift_id)


def _already_open(location: str, register: str) -> ShiftAlreadyOpen:
    return ShiftAlreadyOpen(f"register {register!r} at {location} already has an open shift: "
                            "`pos shift close` it first", location=location, register=register)


# -- finding the shift a drawer command means ---------------------------------------------------------------


def _open_shift_row(conn: Connection, *, location: str | None, register: str | None) -> dict:
    """The one open shift the options point at: on `register` at `location`, or the only one open at the
    location, or the only one open in the store."""
    S, R, L = t.shift, t.register, t.location
    where = [S.c.status == ShiftStatus.OPEN]
    if location is not None:
        where.append(S.c.location_id == location_by_code(conn, location)["id"])
    if register is not None:
        where.append(R.c.name == register)
    rows = conn.execute(
        select(S.c.id, S.c.location_id, L.c.code, R.c.name).join(R, R.c.id == S.c.register_id)
        .join(L, L.c.id == S.c.location_id).where(*where).order_by(S.c.id)
    ).mappings().all()
    place = " ".join(filter(None, [f"on register {register!r}" if register else "", f"at {location}" if location else ""]))
    if not rows:
        raise NoOpenShift(f"no shift is open{' ' + place if place else ''}: `pos shift open` first")
    if len(rows) > 1:
        shown = ", ".join(f"{r['code']}/{r['name']}" for r in rows)
        raise RegisterRequired(f"several shifts are open ({shown}): name one with --location and --register")
    return dict(rows[0])


def _shift_row(conn: Connection, shift_id: int) -> dict:
    row = conn.execute(select(t.shift).where(t.shift.c.id == shift_id)).mappings().first()
    if row is None:
        raise NotFound(f"no shift {shift_id}: see `pos shift list`")
    return dict(row)


# -- cash in, cash out, no-sale ---------------------------------------------------------------------------


def cash_in(db: Database, *, amount: str, reason: str, location: str | None = None,
            register: str | None = None) -> CashMovementPublic:
    """Put cash into the open drawer (change from the bank, say)."""
    return _move(db, CashMovementKind.CASH_IN, amount=amount, reason=reason, location=location, register=register)


def cash_out(db: Database, *, amount: str, reason: str, location: str | None = None,
             register: str | None = None) -> CashMovementPublic:
    """Take cash out of the open drawer (a bank drop, say); never more than the drawer should hold."""
    return _move(db, CashMovementKind.CASH_OUT, amount=amount, reason=reason, location=location, register=register)


def no_sale(db: Database, *, reason: str = "", location: str | None = None,
            register: str | None = None) -> CashMovementPublic:
    """Open the drawer without a sale: recorded (amount 0) against the open shift."""
    return _move(db, CashMovementKind.NO_SALE, amount=None, reason=reason, location=location, register=register)


_ACTIONS = {CashMovementKind.CASH_IN: Action.CASH_IN, CashMovementKind.CASH_OUT: Action.CASH_OUT,
            CashMovementKind.NO_SALE: Action.NO_SALE}


def _move(db: Database, kind: CashMovementKind, *, amount: str | None, reason: str, location: str | None,
          register: str | None) -> CashMovementPublic:
    _check_reason(reason, required=kind != CashMovementKind.NO_SALE)
    register = check_register(register)
    with db.write() as conn:
        cur = store_currency(conn)
        minor = 0 if amount is None else parse_money(amount, cur, what="amount", allow_zero=False)
        shift = _open_shift_row(conn, location=location, register=register)
        if conn.dialect.name == "postgresql":  # one drawer movement at a time: two cash-outs cannot both pass
            if sql.scalar(conn, _LOCK, {"id": shift["id"], "open": ShiftStatus.OPEN}) is None:
                raise ShiftClosed(f"shift {shift['id']} was closed by another till just now")
        if kind == CashMovementKind.CASH_OUT:
            held = _figures(conn, _shift_row(conn, shift["id"]))["expected_cash"]
            if minor > held:
                from pos.money import format_money

                raise InsufficientCash(f"the drawer should hold {format_money(held, cur)}; "
                                       f"{format_money(minor, cur)} cannot come out of it", expected_cash=held)
        C = t.cash_movement
        movement_id = conn.execute(C.insert().values(
            shift_id=shift["id"], kind=kind, amount=minor, reason=reason, **auth.who(),
        ).returning(C.c.id, C.c.created_at)).one()
        audit.record(conn, _ACTIONS[kind], location_id=shift["location_id"], shift_id=shift["id"], amount=minor,
                     detail=reason)
        actor = auth.current()
        return CashMovementPublic(
            id=movement_id.id, shift_id=shift["id"], kind=kind, amount=minor, reason=reason,
            clerk=actor.name if actor else None, approver=actor.approver_name if actor else None,
            created_at=iso(sql.read_timestamp(movement_id.created_at)),
            expected_cash=_figures(conn, _shift_row(conn, shift["id"]))["expected_cash"], currency=cur,
        )


# -- X and Z reports --------------------------------------------------------------------------------------


def x_report(db: Database, *, location: str | None = None, register: str | None = None) -> ShiftReport:
    """The open shift's figures so far; the shift stays open."""
    register = check_register(register)
    with db.read() as conn:
        return _report(conn, _open_shift_row(conn, location=location, register=register)["id"])


def show_shift(db: Database, *, shift_id: int) -> ShiftReport:
    """Any shift's report: the Z report of a closed one, the X report of an open one."""
    with db.read() as conn:
        return _report(conn, _shift_row(conn, shift_id)["id"])


_CLOSE = Sql(
    "UPDATE shift SET status = :closed, closed_at = :now, closed_by = :clerk_id, counted = :counted, "
    "expected_cash = :expected WHERE id = :id AND status = :open"
)


def close_shift(db: Database, *, counted: str, location: str | None = None, register: str | None = None,
                shift_id: int | None = None) -> ShiftReport:
    """Count the drawer and close its shift: the Z report, with over/short against what it should hold."""
    register = check_register(register)
    with db.write() as conn:
        amount = parse_money(counted, store_currency(conn), what="counted cash")
        if shift_id is not None:
            row = _shift_row(conn, shift_id)
            if row["status"] != ShiftStatus.OPEN:
                raise ShiftClosed(f"shift {shift_id} is closed already: `pos shift show {shift_id}` shows its Z report")
        else:
            row = _shift_row(conn, _open_shift_row(conn, location=location, register=register)["id"])
        _refuse_pending(conn, row["id"])
        expected = _figures(conn, row)["expected_cash"]
        actor = auth.current()
        changed = sql.execute(conn, _CLOSE, {
            "id": row["id"], "closed": ShiftStatus.CLOSED, "open": ShiftStatus.OPEN, "counted": amount,
            "expected": expected, "now": sql.timestamp(conn, utcnow()), "clerk_id": actor.clerk_id if actor else None,
        })
        if changed != 1:
            raise ShiftClosed(f"shift {row['id']} was closed by another till just now")
        _refuse_pending(conn, row["id"])  # PostgreSQL: a payment that held the row until our UPDATE got it
        audit.record(conn, Action.SHIFT_CLOSE, location_id=row["location_id"], shift_id=row["id"], amount=amount,
                     detail=f"expected {expected}, counted {amount}, over/short {amount - expected}")
        return _report(conn, row["id"])


def _refuse_pending(conn: Connection, shift_id: int) -> None:
    P, F = t.payment, t.refund
    pending = conn.execute(select(func.count()).select_from(P).where(
        P.c.shift_id == shift_id, P.c.status == PaymentStatus.PENDING)).scalar_one()
    pending += conn.execute(select(func.count()).select_from(F).where(
        F.c.shift_id == shift_id, F.c.status == RefundStatus.PENDING)).scalar_one()
    if pending:
        raise ShiftBusy(f"shift {shift_id} has {pending} payment(s) or refund(s) still pending: finish the sale, "
                        "or run `pos order reconcile`, then close")


def _figures(conn: Connection, shift: dict) -> dict[str, Any]:
    """The shared figures of one shift, set-based: sales, refunds, tax, tenders, clerks, cash movements."""
    P, F, O, C = t.payment, t.refund, t.orders, t.cash_movement
    shift_id = shift["id"]
    paid = and_(P.c.shift_id == shift_id, P.c.status == PaymentStatus.APPROVED)
    refunded = and_(F.c.shift_id == shift_id, F.c.status == RefundStatus.APPROVED)
    # A sale, and its tax, count once: in the shift of the payment that completed it (a split sale's last
    # part); every approved payment counts in gross where it was taken.
    sales = conn.execute(select(func.coalesce(func.sum(case((P.c.completes, 1), else_=0)), 0),
                                func.coalesce(func.sum(P.c.amount), 0)).where(paid)).one()
    sold_tax = conn.execute(select(func.coalesce(func.sum(O.c.tax), 0)).where(
        O.c.id.in_(select(P.c.order_id).where(paid, P.c.completes)))).scalar_one()
    back = conn.execute(select(func.coalesce(func.sum(F.c.amount), 0), func.coalesce(func.sum(F.c.tax), 0))
                        .where(refunded)).one()
    tenders: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for method, count, amount in conn.execute(
            select(P.c.processor, func.count(), func.sum(P.c.amount)).where(paid).group_by(P.c.processor)):
        tenders[method][0] += count
        tenders[method][1] += int(amount)
    for method, amount in conn.execute(select(F.c.method, func.sum(F.c.amount)).where(refunded).group_by(F.c.method)):
        tenders[method][1] -= int(amount)
    clerks: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for clerk_id, count, amount in conn.execute(
            select(P.c.clerk_id, func.coalesce(func.sum(case((P.c.completes, 1), else_=0)), 0), func.sum(P.c.amount))
            .where(paid)
            .group_by(P.c.clerk_id)):
        clerks[clerk_id][0] += count
        clerks[clerk_id][1] += int(amount)
    for clerk_id, amount in conn.execute(select(F.c.clerk_id, func.sum(F.c.amount)).where(refunded).group_by(F.c.clerk_id)):
        clerks[clerk_id][1] -= int(amount)
    moved = dict(conn.execute(select(C.c.kind, func.sum(C.c.amount)).where(C.c.shift_id == shift_id)
                              .group_by(C.c.kind)).all())
    cash_in, cash_out = int(moved.get(CashMovementKind.CASH_IN) or 0), int(moved.get(CashMovementKind.CASH_OUT) or 0)
    cash_net = tenders[CASH_METHOD][1] if CASH_METHOD in tenders else 0
    gross, refunds = int(sales[1]), int(back[0])
    return {
        "sales_count": int(sales[0]), "gross": gross, "refunds": refunds, "net": gross - refunds,
        "tax": int(sold_tax) - int(back[1]),
        "by_tender": [{"method": m, "count": c, "amount": a} for m, (c, a) in sorted(tenders.items())],
        "cash_in": cash_in, "cash_out": cash_out,
        "expected_cash": shift["float_amount"] + cash_net + cash_in - cash_out,
        "clerk_ids": clerks,
    }


def _names(conn: Connection, ids: set[int | None]) -> dict[int | None, str | None]:
    wanted = {i for i in ids if i is not None}
    found: dict[int | None, str | None] = {None: None}
    if wanted:
        found.update(conn.execute(select(t.clerk.c.id, t.clerk.c.name).where(t.clerk.c.id.in_(wanted))).all())
    return found


def _report(conn: Connection, shift_id: int) -> ShiftReport:
    shift = _shift_row(conn, shift_id)
    loc = conn.execute(select(t.location.c.code, t.location.c.timezone).where(t.location.c.id == shift["location_id"])).one()
    register = conn.execute(select(t.register.c.name).where(t.register.c.id == shift["register_id"])).scalar_one()
    figures = _figures(conn, shift)
    clerks = figures.pop("clerk_ids")
    names = _names(conn, {shift["opened_by"], shift["closed_by"], *clerks})
    closed = shift["status"] == ShiftStatus.CLOSED
    # A closed shift reports what was expected when it closed (kept), so the Z report never changes.
    expected = shift["expected_cash"] if closed and shift["expected_cash"] is not None else figures["expected_cash"]
    report = ShiftReport.model_validate({
        "id": shift["id"], "status": shift["status"], "location": loc.code, "register": register,
        "opened_at": iso(sql.read_timestamp(shift["opened_at"])),
        "closed_at": iso(sql.read_timestamp(shift["closed_at"])) if shift["closed_at"] is not None else None,
        "opened_by": names.get(shift["opened_by"]), "closed_by": names.get(shift["closed_by"]),
        "float": shift["float_amount"], **figures, "expected_cash": expected, "counted": shift["counted"],
        "over_short": shift["counted"] - expected if shift["counted"] is not None else None,
        "by_clerk": [{"clerk": names.get(cid), "count": c, "amount": a}
                     for cid, (c, a) in sorted(clerks.items(), key=lambda kv: (names.get(kv[0]) or "", kv[0] or 0))],
    })
    report._view = {
        "currency": store_currency(conn), "timezone": loc.timezone,
        "hours": _hours(conn, shift_id, loc.timezone), "movements": _movements(conn, shift_id),
    }
    return report


def _hours(conn: Connection, shift_id: int, zone: str | None) -> list[tuple[str, int]]:
    """Sales (approved payments) of the shift per hour of the store's clock, from the first hour to the last."""
    from pos.clock import _zone

    P = t.payment
    tz = _zone(zone or "UTC")
    totals: dict[datetime, int] = defaultdict(int)
    for created_at, amount in conn.execute(select(P.c.created_at, P.c.amount).where(
            P.c.shift_id == shift_id, P.c.status == PaymentStatus.APPROVED)):
        local = sql.read_timestamp(created_at).astimezone(tz)
        totals[local.replace(minute=0, second=0, microsecond=0)] += int(amount)
    if not totals:
        return []
    hours: list[tuple[str, int]] = []
    moment, last = min(totals), max(totals)
    while moment <= last:  # step in UTC: a change of clock shows as it happened
        hours.append((f"{moment:%Y-%m-%d %H}:00", totals.get(moment, 0)))
        moment = (moment.astimezone(UTC) + timedelta(hours=1)).astimezone(tz).replace(minute=0, second=0, microsecond=0)
    return hours


def _movements(conn: Connection, shift_id: int) -> list[dict[str, Any]]:
    C = t.cash_movement
    rows = conn.execute(select(C.c.kind, C.c.amount, C.c.reason, C.c.clerk_id, C.c.created_at)
                        .where(C.c.shift_id == shift_id).order_by(C.c.id)).mappings().all()
    names = _names(conn, {r["clerk_id"] for r in rows})
    return [{"kind": r["kind"], "amount": r["amount"], "reason": r["reason"], "clerk": names.get(r["clerk_id"]),
             "at": iso(sql.read_timestamp(r["created_at"]))} for r in rows]


# -- listing ----------------------------------------------------------------------------------------------


def list_shifts(db: Database, *, location: str | None = None, limit: int | None = 50) -> ShiftList:
    """Shifts newest first, at a location or everywhere."""
    S, R, L = t.shift, t.register, t.location
    with db.read() as conn:
        stmt = (select(S, L.c.code, L.c.timezone, R.c.name.label("register")).join(R, R.c.id == S.c.register_id)
                .join(L, L.c.id == S.c.location_id).order_by(S.c.id.desc()))
        if location is not None:
            stmt = stmt.where(S.c.location_id == location_by_code(conn, location)["id"])
        rows = conn.execute(stmt if limit is None else stmt.limit(limit)).mappings().all()
        names = _names(conn, {r["opened_by"] for r in rows} | {r["closed_by"] for r in rows})
        shifts = [ShiftSummary.model_validate({
            "id": r["id"], "status": r["status"], "location": r["code"], "register": r["register"],
            "opened_at": iso(sql.read_timestamp(r["opened_at"])),
            "closed_at": iso(sql.read_timestamp(r["closed_at"])) if r["closed_at"] is not None else None,
            "opened_by": names.get(r["opened_by"]), "closed_by": names.get(r["closed_by"]),
            "float": r["float_amount"], "counted": r["counted"], "expected_cash": r["expected_cash"],
            "over_short": (r["counted"] - r["expected_cash"]
                           if r["counted"] is not None and r["expected_cash"] is not None else None),
            "timezone": r["timezone"],
        }) for r in rows]
        return ShiftList(shifts=shifts, count=len(shifts), currency=store_currency(conn))
