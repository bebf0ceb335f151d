"""A small, hand-made sales history for the sales report tests, written row by row with Core inserts.

Two stores in different zones (New York, Berlin), around the night the US clocks went back (2026-11-01,
a 25-hour day in New York): a sale a minute before and a minute after local midnight, the repeated
01:00 hour, a sale late on the long day that is already 2 November in UTC, a Berlin sale just after its
midnight (still 31 October in UTC), a refund on a later day than its sale, and a declined payment, a
pending one and a declined refund that count nowhere. Every figure expected from it is worked out by
hand in the tests.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from pos.services import catalog
from pos.services import tables as t
from pos.services.db import Database

_keys = itertools.count(1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def clerk(conn: Connection, name: str, role: str = "clerk") -> int:
    return conn.execute(t.clerk.insert().values(name=name, role=role, pin_hash="not-a-real-hash")).inserted_primary_key[0]


def shift(conn: Connection, location_id: int, register: str) -> int:
    reg = conn.execute(t.register.insert().values(location_id=location_id, name=register)).inserted_primary_key[0]
    return conn.execute(t.shift.insert().values(register_id=reg, location_id=location_id, float_amount=10000)
                        ).inserted_primary_key[0]


def sale(conn: Connection, *, location_id: int, at: str, lines: list[tuple[int, str, int, int]], tax: int,
         processor: str = "cash", clerk_id: int | None = None, shift_id: int | None = None,
         status: str = "approved", name: str | None = None) -> tuple[int, list[int]]:
    """An order with `lines` (variant id, sku, quantity, unit price) and its payment at `at` (UTC)."""
    when = utc(at)
    subtotal = sum(q * p for _v, _s, q, p in lines)
    cart = conn.execute(t.cart.insert().values(location_id=location_id, status="closed")).inserted_primary_key[0]
    order = conn.execute(t.orders.insert().values(
        cart_id=cart, location_id=location_id, status="processing" if status == "approved" else "pending",
        currency="USD", subtotal=subtotal, tax=tax, total=subtotal + tax, tax_rate=80000,
        idempotency_key=f"report-{next(_keys)}", clerk_id=clerk_id, created_at=when,
    )).inserted_primary_key[0]
    items = [conn.execute(t.order_item.insert().values(
        order_id=order, variant_id=variant, location_id=location_id, sku=sku, name=name or f"Item {sku}",
        quantity=qty, unit_price=price, line_total=qty * price,
    )).inserted_primary_key[0] for variant, sku, qty, price in lines]
    conn.execute(t.payment.insert().values(
        order_id=order, processor=processor, status=status, amount=subtotal + tax, currency="USD",
        idempotency_key=f"pay-{order}", clerk_id=clerk_id, shift_id=shift_id, created_at=when,
        completes=status == "approved",  # the one payment of the order: approved, it paid the order in full
    ))
    return order, items


def refund(conn: Connection, *, order_id: int, at: str, items: list[tuple[int, str, int, int, int]],
           location_id: int, method: str = "cash", clerk_id: int | None = None, shift_id: int | None = None,
           status: str = "approved") -> int:
    """A refund at `at` (UTC) of `items` (order item id, sku, quantity, subtotal, tax)."""
    amount = sum(sub + tax for *_x, sub, tax in items)
    rid = conn.execute(t.refund.insert().values(
        order_id=order_id, kind="return", status=status, method=method, amount=amount,
        tax=sum(tax for *_x, tax in items), currency="USD", idempotency_key=f"refund-{next(_keys)}",
        clerk_id=clerk_id, shift_id=shift_id, created_at=utc(at),
    )).inserted_primary_key[0]
    for item, sku, qty, sub, tax in items:
        conn.execute(t.refund_item.insert().values(
            refund_id=rid, order_item_id=item, sku=sku, quantity=qty, location_id=location_id, restocked=True,
            subtotal=sub, tax=tax, amount=sub + tax,
        ))
    return rid


def build(db: Database, *, clerk_names: tuple[str, str] = ("Alice", "Bob"), sku_name: str | None = None,
          ny_name: str = "New York") -> dict[str, int]:
    """The history described above. Returns the ids the tests name (shifts, clerks)."""
    catalog.add_location(db, code="STORE-NY", name=ny_name, tax_rate="8", timezone="America/New_York")
    catalog.add_location(db, code="STORE-BE", name="Berlin", tax_rate="19", timezone="Europe/Berlin")
    catalog.add_product(db, code="P", name="Product")
    catalog.add_variant(db, sku="SKU-A", product="P", price="10.00")
    catalog.add_variant(db, sku="SKU-B", product="P", price="5.00")
    with db.write() as conn:
        va, vb = (conn.execute(select(t.variant.c.id).where(t.variant.c.sku == s)).scalar_one() for s in ("SKU-A", "SKU-B"))
        ny = catalog.location_by_code(conn, "STORE-NY")["id"]
        be = catalog.location_by_code(conn, "STORE-BE")["id"]
        alice, bob = clerk(conn, clerk_names[0]), clerk(conn, clerk_names[1], "manager")
        s1, s2 = shift(conn, ny, "front"), shift(conn, ny, "back")
        A, B = (va, "SKU-A"), (vb, "SKU-B")
        # A: New York, 23:59 EDT on 31 Oct (03:59 UTC on 1 Nov)
        sale(conn, location_id=ny, at="2026-11-01 03:59:00", lines=[(*A, 1, 1000)], tax=80, processor="card",
             clerk_id=alice, shift_id=s1, name=sku_name)
        # B: New York, 00:01 EDT on 1 Nov: two SKU-A and one SKU-B; tax 200 shared 160 / 40
        b_order, b_items = sale(conn, location_id=ny, at="2026-11-01 04:01:00", lines=[(*A, 2, 1000), (*B, 1, 500)],
                                tax=200, shift_id=s1, name=sku_name)
        # G and F: 01:30 EDT, then 01:30 EST (the hour repeated when the clocks went back)
        sale(conn, location_id=ny, at="2026-11-01 05:30:00", lines=[(*B, 1, 500)], tax=40, shift_id=s1)
        sale(conn, location_id=ny, at="2026-11-01 06:30:00", lines=[(*B, 1, 500)], tax=40, shift_id=s1)
        # C: New York, 23:30 EST on 1 Nov, the 25-hour day: already 2 Nov in UTC
        sale(conn, location_id=ny, at="2026-11-02 04:30:00", lines=[(*B, 1, 500)], tax=40, clerk_id=bob,
             shift_id=s1)
        # D: Berlin, 00:30 CET on 1 Nov (23:30 UTC on 31 Oct), by card outside any shift
        sale(conn, location_id=be, at="2026-10-31 23:30:00", lines=[(*B, 3, 500)], tax=285, processor="card",
             clerk_id=alice)
        # Count nowhere: a declined and a pending payment, a declined refund
        sale(conn, location_id=ny, at="2026-11-01 12:00:00", lines=[(*A, 5, 1000)], tax=400, status="declined")
        sale(conn, location_id=be, at="2026-11-01 12:00:00", lines=[(*A, 5, 1000)], tax=950, status="pending")
        refund(conn, order_id=b_order, at="2026-11-01 13:00:00", items=[(b_items[1], "SKU-B", 1, 500, 40)],
               location_id=ny, status="declined")
        # R1: one SKU-A of B back in cash, at 10:00 EST on 2 Nov, at the back register, by Bob
        refund(conn, order_id=b_order, at="2026-11-02 15:00:00", items=[(b_items[0], "SKU-A", 1, 1000, 80)],
               location_id=ny, clerk_id=bob, shift_id=s2)
    return {"s1": s1, "s2": s2, "alice": alice, "bob": bob}
