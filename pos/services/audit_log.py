"""Reading the audit log (`pos audit`): newest first, filtered by clerk, action and a local start time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from pos.errors import InvalidInput, NotFound
from pos.models._common import iso
from pos.models.clerks import AuditPage
from pos.services import sql
from pos.services import tables as t
from pos.services.audit import Action
from pos.services.db import Database
from pos.services.settings import default_zone


def parse_since(text: str, zone: str) -> datetime:
    """'2026-11-26' (midnight) or '2026-11-26 14:30' / '2026-11-26T14:30', in the store's zone, as UTC."""
    from zoneinfo import ZoneInfo

    raw = text.strip()
    try:
        moment = (datetime.combine(date.fromisoformat(raw), datetime.min.time()) if len(raw) == 10
                  else datetime.fromisoformat(raw))
    except ValueError:
        raise InvalidInput(f"--since takes a date or a date and time, e.g. 2026-11-26 or '2026-11-26 14:30', "
                           f"not {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def audit_page(
    db: Database, *, clerk: str | None = None, action: str | None = None, since: str | None = None,
    limit: int | None = 100, after: int | None = None,
) -> AuditPage:
    """Audit rows newest first, at most `limit` (None: all), those before row `after` when given."""
    A, approver = t.audit_log, aliased(t.clerk)
    if action is not None and action not in set(Action):
        raise InvalidInput(f"unknown action {action!r}; the actions are: {', '.join(Action)}")
    with db.read() as conn:
        zone = default_zone(conn)
        where = []
        if clerk is not None:
            clerk_id = conn.execute(select(t.clerk.c.id).where(t.clerk.c.name == clerk)).scalar()
            if clerk_id is None and not conn.execute(select(A.c.id).where(A.c.clerk_name == clerk).limit(1)).first():
                raise NotFound(f"no clerk {clerk} in the audit log")
            # a failed sign-in of a name that is no clerk is recorded under the name tried
            where.append(or_(A.c.clerk_id == clerk_id, A.c.approver_id == clerk_id,
                             (A.c.clerk_id.is_(None)) & (A.c.clerk_name == clerk)))
        if action is not None:
            where.append(A.c.action == action)
        if since is not None:
            where.append(A.c.at >= parse_since(since, zone))
        if after is not None:
            where.append(A.c.id < after)
        stmt = (
            select(A, t.clerk.c.name.label("clerk"), approver.c.name.label("approver"),
                   t.location.c.code.label("location"))
            .outerjoin(t.clerk, t.clerk.c.id == A.c.clerk_id)
            .outerjoin(approver, approver.c.id == A.c.approver_id)
            .outerjoin(t.location, t.location.c.id == A.c.location_id)
            .where(*where).order_by(A.c.id.desc())
        )
        rows = [
            {
                "id": r["id"], "at": iso(sql.read_timestamp(r["at"])), "action": r["action"],
                "clerk": r["clerk"] or r["clerk_name"], "approved_by": r["approver"], "location": r["location"],
                "order_id": r["order_id"], "refund_id": r["refund_id"], "shift_id": r["shift_id"], "sku": r["sku"],
                "amount": r["amount"], "detail": r["detail"],
            }
            for r in conn.execute(stmt if limit is None else stmt.limit(limit + 1)).mappings()
        ]
        page = sql.page("entries", rows, limit, lambda: conn.execute(
            select(func.count()).select_from(A).where(*where)).scalar_one())
        return AuditPage.model_validate({**page, "timezone": zone})
