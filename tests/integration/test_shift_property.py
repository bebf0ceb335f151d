"""Whatever happens in a shift, its Z report is the drawer's arithmetic: a property test (SQLite; the
example-based tests in test_shifts.py cover both engines)."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos.money import format_money
from pos.services import cart, catalog, inventory, orders, refunds, shifts
from pos.services.db import Database
from pos.services.settings import init_store

PRICE, RATE = 1999, "8.25"  # one T-shirt: 19.99 + 1.65 tax = 21.64; two: 39.98 + 3.30 = 43.28

STEPS = st.lists(st.one_of(
    st.tuples(st.sampled_from(["cash", "card"]), st.integers(1, 3)),
    st.tuples(st.sampled_from(["cash_in", "cash_out"]), st.integers(1, 5000)),
    st.tuples(st.sampled_from(["refund_cash", "refund_card"]), st.integers(0, 20)),
), max_size=12)


@cache
def _store() -> Database:
    db = Database(f"sqlite:///{Path(tempfile.mkdtemp(prefix='pos-shift-prop-')) / 'pos.db'}")
    init_store(db, currency="USD")
    catalog.add_location(db, code="S1", name="Shop", tax_rate=RATE)
    catalog.add_product(db, code="TEE", name="Tee")
    catalog.add_variant(db, sku="TEE", product="TEE", price="19.99")
    inventory.set_stock(db, sku="TEE", location="S1", quantity=100_000)
    return db


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(float_cents=st.integers(0, 50_000), steps=STEPS, counted_off=st.integers(-500, 500))
def test_the_z_report_is_the_drawers_arithmetic_whatever_happened(float_cents, steps, counted_off):
    db = _store()
    shift = shifts.open_shift(db, location="S1", float_amount=format_money(float_cents, "USD"))
    sold: list[tuple[int, str, int]] = []  # (order, tender, total) still refundable
    gross = refunded = cash = tax = 0
    cash_in = cash_out = 0
    tenders: dict[str, list[int]] = {}
    for kind, n in steps:
        if kind in ("cash", "card"):
            c = cart.new_cart(db, location="S1").id
            cart.add_item(db, cart_id=c, code="TEE", quantity=n)
            params = {"tendered": "1000"} if kind == "cash" else {"card": "4242424242424242"}
            order = orders.checkout(db, cart_id=c, processor=kind, params=params)
            sold.append((order.id, kind, order.total))
            gross += order.total
            tax += order.tax
            cash += order.total if kind == "cash" else 0
            tenders.setdefault(kind, [0, 0])
            tenders[kind][0] += 1
            tenders[kind][1] += order.total
        elif kind == "cash_in":
            shifts.cash_in(db, amount=format_money(n, "USD"), reason="in")
            cash_in += n
        elif kind == "cash_out":
            held = float_cents + cash + cash_in - cash_out
            if n > held:
                continue
            shifts.cash_out(db, amount=format_money(n, "USD"), reason="out")
            cash_out += n
        elif sold:
            order_id, _tender, _total = sold.pop(n % len(sold))
            to = "cash" if kind == "refund_cash" else "original"
            back = refunds.return_items(db, order_id=order_id, lines=None, refund_to=to)
            method = back.method
            refunded += back.amount
            tax -= back.tax
            cash -= back.amount if method == "cash" else 0
            tenders.setdefault(method, [0, 0])
            tenders[method][1] -= back.amount
    expected = float_cents + cash + cash_in - cash_out
    counted = max(expected + counted_off, 0)
    z = shifts.close_shift(db, counted=format_money(counted, "USD"))
    assert z.id == shift.id
    assert (z.gross, z.refunds, z.net, z.tax) == (gross, refunded, gross - refunded, tax)
    assert (z.cash_in, z.cash_out, z.expected_cash, z.counted, z.over_short) == (
        cash_in, cash_out, expected, counted, counted - expected)
    assert {t.method: [t.count, t.amount] for t in z.by_tender} == tenders
    assert sum(t.amount for t in z.by_tender) == z.net
