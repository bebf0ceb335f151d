"""Sales reports: what was sold and paid back, per local day, hour, SKU, clerk, tender, location or shift.

The figures are the shared ones of the Z report (see README, "Sales reports"): a sale counts at its
approved payment's moment, a refund at its own; both belong to the location of their order.

Days and hours are local to each location's zone. SQLite has no time zones, so the boundaries of each
local day (or hour) are worked out here with zoneinfo as UTC instants, sent as a VALUES list of
(zone, key, start, end), and the database aggregates by a range join against it: a DST day is simply a
bucket 23 or 25 hours long. Everything is summed in SQL; Python only adds up the few rows per key that
come back (the sales side and the refunds side, and chunks of a long list of hours).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import BigInteger, Connection, DateTime, String, case, cast, column, distinct, func, select, values
from sqlalchemy.sql.elements import ColumnElement

from pos.errors import InvalidInput
from pos.models.payment import PaymentStatus
from pos.models.refund import RefundStatus
from pos.models.report import NO_CLERK, OUTSIDE_SHIFT, ReportBy, ReportPublic, ReportRow
from pos.services import tables as t
from pos.services.catalog import location_by_code
from pos.services.db import Database
from pos.services.settings import currency as store_currency
from pos.services.settings import default_zone

DEFAULT_DAYS = 7  # without --from: the week up to --to (today)
CHUNK = 2_000  # buckets per statement: 4 bound values each stays far below SQLite's 32,766
MAX_HOUR_DAYS = 366  # --by hour: a year of hours is 8,784 rows, already more than anyone reads
EARLIEST, LATEST = date(1900, 1, 1), date(9998, 12, 31)  # the day after LATEST must still be a date anywhere
_STEP = timedelta(minutes=15)  # every zone's offset from UTC is a whole number of quarter hours


# -- local days and hours as UTC instants ------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    zone: str
    key: str
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive


def local_midnight(day: date, zone: str) -> datetime:
    """The UTC instant a local day begins (where midnight does not exist, the moment the day's clocks start)."""
    return datetime.combine(day, time(0), tzinfo=_zoneinfo(zone)).astimezone(UTC)


def buckets(by: ReportBy, zone: str, first: date, last: date) -> list[Bucket]:
    """The local days, the local hours, or (any other `by`) the whole range, of `zone` from `first` to `last`."""
    if by == ReportBy.DAY:
        return [Bucket(zone, str(d), local_midnight(d, zone), local_midnight(d + timedelta(days=1), zone))
                for d in _days(first, last)]
    start, end = local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
    if by != ReportBy.HOUR:
        return [Bucket(zone, "", start, end)]
    return _hours(zone, start, end)


def _days(first: date, last: date) -> Iterable[date]:
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)


def _hours(zone: str, start: datetime, end: datetime) -> list[Bucket]:
    """Each local hour from `start` to `end`, keyed with its UTC offset so that the hour repeated when the
    clocks go back is two rows ('2026-11-01 01:00 -04:00' and '... -05:00')."""
    from pos.clock import offset_text

    tz = _zoneinfo(zone)
    starts: list[datetime] = []
    moment, offset = start, None
    while moment < end:
        local = moment.astimezone(tz)
        # A new hour on the hour, and where the offset changes: Lord Howe goes back half an hour, so its
        # 01:30 +10:30 begins a part-hour of its own instead of stretching 01:00 +11:00 to 90 minutes.
        if (local.minute == 0 and local.second == 0) or local.utcoffset() != offset:
            starts.append(moment)
        offset = local.utcoffset()
        moment += _STEP
    result = []
    for n, begin in enumerate(starts):
        local = begin.astimezone(tz)
        key = f"{local:%Y-%m-%d %H}:00 {offset_text(local)}"
        result.append(Bucket(zone, key, begin, starts[n + 1] if n + 1 < len(starts) else end))
    return result


# -- the report -----------------------------------------------------------------------------------------


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} must be a date like 2026-11-26, not {text!r}") from None


def sales_report(
    db: Database, *, by: str = ReportBy.DAY, first: date | None = None, last: date | None = None,
    location: str | None = None,
) -> ReportPublic:
    """Sales, refunds, net and tax per key of `by`, over the local days `first` to `last` (inclusive)."""
    try:
        grouping = ReportBy(by)
    except ValueError:
        raise InvalidInput(f"--by must be one of {', '.join(b.value for b in ReportBy)}, not {by!r}") from None
    with db.read() as conn:
        loc = location_by_code(conn, location) if location else None
        zones = _zones(conn, loc)
        if last is None:
            today = datetime.now(UTC).astimezone(_zoneinfo(loc["timezone"] if loc else default_zone(conn))).date()
            last = today if first is None else max(today, first)
        if first is None:
            first = last - timedelta(days=DEFAULT_DAYS - 1)
        _check_range(grouping, first, last)
        spans = [b for zone in zones for b in buckets(grouping, zone, first, last)]
        location_id = loc["id"] if loc else None
        rows = _figures(conn, grouping, spans, location_id)
        totals = _Figures()
        for row in rows.values():
            totals.add(row)
        if grouping == ReportBy.SKU:
            # An order with two SKUs is in two rows but counts once in the totals: each order has one first
            # line. A refund of two SKUs likewise: its count comes from the (few) refunds themselves.
            totals.sales_count = sum(row.first_lines for row in rows.values())
            whole = [b for zone in zones for b in buckets(ReportBy.LOCATION, zone, first, last)]
            totals.refunds_count = _figures(conn, None, whole, location_id, sides=(_refunded,)).get(
                None, _Figures()).refunds_count
        cur = store_currency(conn)
    order = _order(grouping, rows, spans)
    return ReportPublic.model_validate({
        "by": grouping, "from": str(first), "to": str(last), "location": loc["code"] if loc else None,
        "timezones": zones, "currency": cur,
        "rows": [rows[k].row(grouping) for k in order],
        "totals": totals.row(None),
    })


MAX_DAYS = 3660  # every local day is a bucket of the query: ten years keep it to seconds


def _check_range(by: ReportBy, first: date, last: date) -> None:
    if first > last:
        raise InvalidInput(f"--from {first} is after --to {last}")
    if first < EARLIEST or last > LATEST:
        raise InvalidInput(f"--from and --to must be between {EARLIEST} and {LATEST}")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days (ten years); give a shorter --from/--to")
    if by == ReportBy.HOUR and (last - first).days >= MAX_HOUR_DAYS:
        raise InvalidInput(f"--by hour covers at most {MAX_HOUR_DAYS} days; give a shorter --from/--to, or --by day")


def _zoneinfo(name: str) -> tzinfo:
    """The zone; one this machine's zone data does not know counts as UTC, as the views show it."""
    from zoneinfo import ZoneInfo

    from pos.clock import is_zone

    return ZoneInfo(name) if is_zone(name) else UTC


def _zones(conn: Connection, loc: dict | None) -> list[str]:
    if loc is not None:
        return [loc["timezone"]]
    found = [z for (z,) in conn.execute(select(t.location.c.timezone).distinct().order_by(t.location.c.timezone))]
    return found or [default_zone(conn)]


@dataclass
class _Figures:
    key: str = "total"
    name: str | None = None
    sales_count: int = 0
    gross: int = 0
    tax_sold: int = 0
    refunds_count: int = 0
    refunds: int = 0
    tax_refunded: int = 0
    units: int = 0
    units_returned: int = 0
    first_lines: int = 0  # sku: orders whose first line is of this SKU

    def add(self, other: _Figures) -> None:
        for name in ("sales_count", "gross", "tax_sold", "refunds_count", "refunds", "tax_refunded", "units",
                     "units_returned", "first_lines"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def row(self, by: ReportBy | None) -> ReportRow:
        extra: dict[str, Any] = {}
        if self.name is not None:
            extra["name"] = self.name
        if by == ReportBy.SKU:
            extra.update(units=self.units, units_returned=self.units_returned)
        return ReportRow(key=self.key, sales_count=self.sales_count, gross=self.gross,
                         refunds_count=self.refunds_count, refunds=self.refunds, net=self.gross - self.refunds,
                         tax=self.tax_sold - self.tax_refunded, **extra)


def _figures(conn: Connection, by: ReportBy | None, spans: Sequence[Bucket], location_id: int | None,
             sides: Sequence[Any] | None = None) -> dict[Any, _Figures]:
    """Per identity of the key (a clerk id, a shift id, a day...), the two sides added up."""
    found: dict[Any, _Figures] = {}
    for n in range(0, len(spans), CHUNK):
        table = _values(spans[n:n + CHUNK])
        for side in sides or (_sold, _refunded):
            for ident, label, name, figures in side(conn, by, table, location_id):
                got = found.get(ident)
                if got is None:
                    got = found[ident] = _Figures(key=label, name=name)
                got.add(figures)
    return found


def _values(spans: Sequence[Bucket]):
    return values(
        column("zone", String), column("key", String), column("starts", DateTime(timezone=True)),
        column("ends", DateTime(timezone=True)), name="buckets",
    ).data([(b.zone, b.key, b.start, b.end) for b in spans]).cte("buckets")


def _key_columns(by: ReportBy | None, *, refund: bool) -> list[ColumnElement[Any]]:
    """What a row is grouped by: its identity first, then its label and name where they differ."""
    o = t.orders
    if by is None:
        return []
    if by in (ReportBy.DAY, ReportBy.HOUR):
        return []  # the bucket's key, added by the caller
    if by == ReportBy.CLERK:
        who = t.refund.c.clerk_id if refund else o.c.clerk_id
        return [who, t.clerk.c.name]
    if by == ReportBy.TENDER:
        return [t.refund.c.method if refund else t.payment.c.processor]
    if by == ReportBy.LOCATION:
        return [t.location.c.id, t.location.c.code, t.location.c.name]
    if by == ReportBy.SHIFT:
        return [t.refund.c.shift_id if refund else t.payment.c.shift_id]
    raise AssertionError(by)


def _label(by: ReportBy | None, values: Sequence[Any]) -> tuple[Any, str, str | None]:
    """(identity, key shown, name shown) of a row from its group values."""
    if by is None:
        return None, "total", None
    if by in (ReportBy.DAY, ReportBy.HOUR, ReportBy.TENDER):
        return values[0], values[0], None
    if by == ReportBy.CLERK:
        return values[0], NO_CLERK if values[0] is None else values[1], None
    if by == ReportBy.LOCATION:
        return values[0], values[1], values[2]
    if by == ReportBy.SHIFT:
        return values[0], OUTSIDE_SHIFT if values[0] is None else str(values[0]), None
    raise AssertionError(by)


def _in_zone(conn: Connection, o, loc, b) -> ColumnElement[bool]:
    """The order's location is in the bucket's zone. On SQLite, `+ 0` keeps orders.location_id out of any
    index: given one, SQLite's planner drove the join from the three-row location table through a
    throw-away index on orders and read every order once per day, instead of reading each day's payments
    by their own index. PostgreSQL needs the plain column: `+ 0` spoilt its row estimate, and it then
    hashed the buckets by zone and compared every payment with every hour."""
    location_id = o.c.location_id + 0 if conn.dialect.name == "sqlite" else o.c.location_id
    return (loc.c.id == location_id) & (loc.c.timezone == b.c.zone)


def _sold(conn: Connection, by: ReportBy | None, b, location_id: int | None):
    if by == ReportBy.SKU:
        yield from _sold_by_sku(conn, b, location_id)
        return
    p, o, loc = t.payment, t.orders, t.location
    keys = [b.c.key] if by in (ReportBy.DAY, ReportBy.HOUR) else _key_columns(by, refund=False)
    stmt = (
        # A sale, and its tax, count once: at the payment that completed it (a split sale's last part).
        select(*keys, func.coalesce(func.sum(case((p.c.completes, 1), else_=0)), 0),
               func.coalesce(func.sum(p.c.amount), 0), func.coalesce(func.sum(case((p.c.completes, o.c.tax), else_=0)), 0))
        .select_from(b)
        .join(p, (p.c.created_at >= b.c.starts) & (p.c.created_at < b.c.ends))
        .join(o, o.c.id == p.c.order_id)
        .join(loc, _in_zone(conn, o, loc, b))
        .where(p.c.status == PaymentStatus.APPROVED)
    )
    if by == ReportBy.CLERK:
        stmt = stmt.outerjoin(t.clerk, t.clerk.c.id == o.c.clerk_id)
    if location_id is not None:
        stmt = stmt.where(o.c.location_id == location_id)
    if keys:
        stmt = stmt.group_by(*keys)
    for row in conn.execute(stmt):
        count, gross, tax = row[-3:]
        if by is None and not count and not gross:
            continue
        ident, label, name = _label(by, row[:-3])
        yield ident, label, name, _Figures(sales_count=count, gross=int(gross), tax_sold=int(tax))


def _refunded(conn: Connection, by: ReportBy | None, b, location_id: int | None):
    if by == ReportBy.SKU:
        yield from _refunded_by_sku(conn, b, location_id)
        return
    r, o, loc = t.refund, t.orders, t.location
    keys = [b.c.key] if by in (ReportBy.DAY, ReportBy.HOUR) else _key_columns(by, refund=True)
    stmt = (
        select(*keys, func.count(), func.coalesce(func.sum(r.c.amount), 0), func.coalesce(func.sum(r.c.tax), 0))
        .select_from(b)
        .join(r, (r.c.created_at >= b.c.starts) & (r.c.created_at < b.c.ends))
        .join(o, o.c.id == r.c.order_id)
        .join(loc, _in_zone(conn, o, loc, b))
        .where(r.c.status == RefundStatus.APPROVED)
    )
    if by == ReportBy.CLERK:
        stmt = stmt.outerjoin(t.clerk, t.clerk.c.id == r.c.clerk_id)
    if location_id is not None:
        stmt = stmt.where(o.c.location_id == location_id)
    if keys:
        stmt = stmt.group_by(*keys)
    for row in conn.execute(stmt):
        count, amount, tax = row[-3:]
        if by is None and not count:
            continue
        ident, label, name = _label(by, row[:-3])
        yield ident, label, name, _Figures(refunds_count=count, refunds=int(amount), tax_refunded=int(tax))


def _sold_by_sku(conn: Connection, b, location_id: int | None):
    """Each SKU's lines of the sales completed in the period (at the payment that completed them), each
    line at what was paid for it (after its discounts) with its share of its order's tax. The order's tax
    was rounded once on the whole subtotal (the lines' net total); it is shared out over the lines in id
    order exactly as pos.refund_money.split does (cumulatively, half-up), so the lines of an order add up
    to its total to the cent."""
    p, o, oi, loc = t.payment, t.orders, t.order_item, t.location
    net = oi.c.line_total - oi.c.discount - oi.c.order_discount
    # An integer, so that the shares below divide as integers: PostgreSQL's sum of a bigint is numeric.
    upto = cast(func.sum(net).over(partition_by=oi.c.order_id, order_by=oi.c.id), BigInteger)
    lines = (
        select(oi.c.order_id, oi.c.sku, oi.c.name, oi.c.quantity, net.label("line_total"), o.c.subtotal, o.c.tax,
               upto.label("upto"),
               func.row_number().over(partition_by=oi.c.order_id, order_by=oi.c.id).label("position"))
        .select_from(b)
        .join(p, (p.c.created_at >= b.c.starts) & (p.c.created_at < b.c.ends))
        .join(o, o.c.id == p.c.order_id)
        .join(loc, _in_zone(conn, o, loc, b))
        .join(oi, oi.c.order_id == o.c.id)
        .where(p.c.status == PaymentStatus.APPROVED, p.c.completes)
    )
    if location_id is not None:
        lines = lines.where(o.c.location_id == location_id)
    x = lines.subquery("lines")

    def share(upto_: ColumnElement[Any]) -> ColumnElement[Any]:
        return case((x.c.subtotal > 0, (2 * x.c.tax * upto_ + x.c.subtotal) // (2 * x.c.subtotal)), else_=0)

    line_tax = share(x.c.upto) - share(x.c.upto - x.c.line_total)
    stmt = (
        select(x.c.sku, func.max(x.c.name), func.count(distinct(x.c.order_id)), func.sum(x.c.quantity),
               func.sum(x.c.line_total + line_tax), func.sum(line_tax), func.sum(case((x.c.position == 1, 1), else_=0)))
        .group_by(x.c.sku)
    )
    for sku, name, count, units, gross, tax, first_lines in conn.execute(stmt):
        yield sku, sku, name, _Figures(sales_count=count, units=int(units), gross=int(gross), tax_sold=int(tax),
                                       first_lines=int(first_lines))


def _refunded_by_sku(conn: Connection, b, location_id: int | None):
    r, ri, o, loc = t.refund, t.refund_item, t.orders, t.location
    stmt = (
        select(ri.c.sku, func.count(distinct(r.c.id)), func.sum(ri.c.quantity), func.sum(ri.c.amount),
               func.sum(ri.c.tax))
        .select_from(b)
        .join(r, (r.c.created_at >= b.c.starts) & (r.c.created_at < b.c.ends))
        .join(o, o.c.id == r.c.order_id)
        .join(loc, _in_zone(conn, o, loc, b))
        .join(ri, ri.c.refund_id == r.c.id)
        .where(r.c.status == RefundStatus.APPROVED)
        .group_by(ri.c.sku)
    )
    if location_id is not None:
        stmt = stmt.where(o.c.location_id == location_id)
    for sku, count, units, amount, tax in conn.execute(stmt):
        yield sku, sku, None, _Figures(refunds_count=count, units_returned=int(units), refunds=int(amount),
                                        tax_refunded=int(tax))


def _order(by: ReportBy, rows: dict[Any, _Figures], spans: Sequence[Bucket]) -> list[Any]:
    """Time keys in time order; shifts by id (outside any shift last); clerks by name (no clerk last);
    the rest by key."""
    if by in (ReportBy.DAY, ReportBy.HOUR):
        first_start: dict[str, datetime] = {}
        for b in spans:
            first_start.setdefault(b.key, b.start)
        return sorted(rows, key=lambda k: (first_start.get(k, datetime.max.replace(tzinfo=UTC)), k))
    if by in (ReportBy.SHIFT, ReportBy.CLERK):
        return sorted(rows, key=lambda k: (k is None, rows[k].key if by == ReportBy.CLERK else (k or 0)))
    return sorted(rows, key=lambda k: rows[k].key)
