"""Registers, shifts and the cash drawer: payments and refunds land in the right shift, and the X and Z
reports add up to what a person counting by hand would get (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from pos.errors import (
    InsufficientCash, InvalidInput, NoOpenShift, NotFound, PaymentDeclined, RegisterRequired, ShiftAlreadyOpen,
    ShiftClosed,
)
from pos.services import cart, orders, refunds, shifts
from pos.services import tables as t
from pos.services.refunds import ReturnLine

CARD = {"card": "4242424242424242"}
DECLINED = {"card": "4000000000000002"}


def _sell(db, lines, *, pay="card", params=None, register=None, location="STORE-1"):
    c = cart.new_cart(db, location=location).id
    for code, qty in lines:
        cart.add_item(db, cart_id=c, code=code, quantity=qty)
    given = params if params is not None else (CARD if pay == "card" else {"tendered": "100.00"})
    return orders.checkout(db, cart_id=c, processor=pay, params=given, register=register)


def _shift_of_payment(db, order_id):
    with db.read() as conn:
        return conn.execute(select(t.payment.c.shift_id).where(t.payment.c.order_id == order_id)).scalar_one()


def _shift_of_refund(db, refund_id):
    with db.read() as conn:
        return conn.execute(select(t.refund.c.shift_id).where(t.refund.c.id == refund_id)).scalar_one()


def test_the_z_report_matches_the_drawer_counted_by_hand(store):
    before = _sell(store, [("CROISSANT", 1)])  # a card sale before any shift: outside every shift
    opened = shifts.open_shift(store, location="STORE-1", float_amount="150.00")
    assert (opened.status, opened.register_, opened.float_, opened.expected_cash) == ("open", "main", 15000, 15000)

    # STORE-1 taxes 8.25 %, rounded half-up once per order.
    one = _sell(store, [("TSHIRT-M", 1)], pay="cash", params={"tendered": "50.00"})  # 19.99 + 1.65 = 21.64
    two = _sell(store, [("CROISSANT", 2)])  # card: 6.50 + 0.54 (0.53625) = 7.04
    three = _sell(store, [("TSHIRT-M", 2)], pay="cash")  # 39.98 + 3.30 (3.29835) = 43.28
    with pytest.raises(PaymentDeclined):
        _sell(store, [("CROISSANT", 1)], params=DECLINED)  # declined: in no figure
    assert (one.total, two.total, three.total) == (2164, 704, 4328)

    cash_back = refunds.return_items(store, order_id=three.id, lines=[ReturnLine("TSHIRT-M", 1)], refund_to="cash")
    card_back = refunds.return_items(store, order_id=two.id, lines=[ReturnLine("CROISSANT", 1)])
    assert (cash_back.amount, cash_back.tax) == (1999 + 165, 165)  # half of 43.28's order: 3.30 / 2
    assert (card_back.amount, card_back.tax) == (325 + 27, 27)  # half of 0.54
    assert shifts.cash_in(store, amount="20.00", reason="change from the bank").amount == 2000
    moved = shifts.cash_out(store, amount="50.00", reason="bank drop")
    assert moved.amount == 5000

    x = shifts.x_report(store, location="STORE-1")
    z = shifts.close_shift(store, counted="163.00")

    gross = 2164 + 704 + 4328
    refunded = 2164 + 352
    expected = 15000 + (2164 + 4328) - 2164 + 2000 - 5000  # float + cash taken - cash refunded + in - out
    assert expected == 16328 == moved.expected_cash == x.expected_cash
    assert z.id == opened.id and (z.status, x.status) == ("closed", "open")
    assert (z.sales_count, z.gross, z.refunds, z.net) == (3, gross, refunded, gross - refunded)
    assert z.tax == (165 + 54 + 330) - (165 + 27)
    assert [(r.method, r.count, r.amount) for r in z.by_tender] == [
        ("card", 1, 704 - 352), ("cash", 2, 2164 + 4328 - 2164),
    ]
    assert (z.cash_in, z.cash_out, z.expected_cash, z.counted, z.over_short) == (2000, 5000, 16328, 16300, -28)
    assert [(c.clerk, c.count, c.amount) for c in z.by_clerk] == [(None, 3, gross - refunded)]
    assert x.counted is None and x.over_short is None and x.closed_at is None
    assert z.closed_at is not None and z.float_ == 15000
    assert _shift_of_payment(store, before.id) is None
    assert _shift_of_payment(store, one.id) == z.id
    assert _shift_of_refund(store, cash_back.id) == z.id == _shift_of_refund(store, card_back.id)
    assert z.model_dump(mode="json", by_alias=True) == shifts.show_shift(store, shift_id=z.id).model_dump(
        mode="json", by_alias=True)
    assert list(z.model_dump(by_alias=True)) == [
        "id", "status", "location", "register", "opened_at", "closed_at", "opened_by", "closed_by", "float",
        "sales_count", "gross", "refunds", "net", "tax", "by_tender", "cash_in", "cash_out", "expected_cash",
        "counted", "over_short", "by_clerk",
    ]


def test_cash_is_refused_with_no_open_shift_once_the_location_has_had_one_but_cards_are_not(store):
    early = _sell(store, [("CROISSANT", 1)], pay="cash")  # never had a shift: cash as before
    assert _shift_of_payment(store, early.id) is None
    shifts.open_shift(store, location="STORE-1", float_amount="100")
    shifts.close_shift(store, counted="100")

    c = cart.new_cart(store, location="STORE-1").id
    cart.add_item(store, cart_id=c, code="CROISSANT", quantity=1)
    with pytest.raises(NoOpenShift):
        orders.checkout(store, cart_id=c, processor="cash", params={"tendered": "10"})
    assert cart.show_cart(store, cart_id=c).status == "open"  # nothing happened: pay another way
    card = orders.checkout(store, cart_id=c, processor="card", params=CARD)
    assert card.status == "processing" and _shift_of_payment(store, card.id) is None

    with pytest.raises(NoOpenShift):
        refunds.return_items(store, order_id=card.id, lines=None, refund_to="cash")
    assert orders.show_order(store, order_id=card.id).status == "processing"  # nothing went back
    back = refunds.return_items(store, order_id=card.id, lines=None)  # to the card: fine
    assert back.status == "approved" and _shift_of_refund(store, back.id) is None
    # Another location that never had a shift takes cash as before.
    assert _sell(store, [("TSHIRT-M", 1)], pay="cash", location="WH-1").status == "processing"


def test_two_registers_at_one_location_are_kept_apart(store):
    front = shifts.open_shift(store, location="STORE-1", register="front", float_amount="100.00")
    back = shifts.open_shift(store, location="STORE-1", register="back", float_amount="50.00")
    with pytest.raises(RegisterRequired):
        _sell(store, [("CROISSANT", 1)], pay="cash")
    with pytest.raises(NotFound):
        _sell(store, [("CROISSANT", 1)], pay="cash", register="side")
    a = _sell(store, [("CROISSANT", 1)], pay="cash", register="front")
    b = _sell(store, [("TSHIRT-M", 1)], pay="cash", register="back")
    c = _sell(store, [("TSHIRT-M", 1)], register="back")
    with pytest.raises(RegisterRequired):
        shifts.x_report(store, location="STORE-1")
    z_front = shifts.close_shift(store, counted="103.52", location="STORE-1", register="front")
    assert (z_front.id, z_front.sales_count, z_front.gross) == (front.id, 1, a.total)
    assert z_front.expected_cash == 10000 + a.total and z_front.over_short == 10352 - z_front.expected_cash
    z_back = shifts.close_shift(store, counted="71.64", location="STORE-1", register="back")
    assert (z_back.id, z_back.sales_count, z_back.gross) == (back.id, 2, b.total + c.total)
    assert z_back.expected_cash == 5000 + b.total
    # With one register open again, a sale without --register goes to it.
    again = shifts.open_shift(store, location="STORE-1", register="back", float_amount="0")
    d = _sell(store, [("CROISSANT", 1)], pay="cash")
    assert _shift_of_payment(store, d.id) == again.id


def test_a_register_has_one_open_shift_and_a_shift_closes_once(store):
    first = shifts.open_shift(store, location="STORE-1", float_amount="10.00")
    with pytest.raises(ShiftAlreadyOpen):
        shifts.open_shift(store, location="STORE-1", float_amount="10.00")
    closed = shifts.close_shift(store, counted="10.00")
    assert closed.over_short == 0
    with pytest.raises(ShiftClosed):
        shifts.close_shift(store, counted="10.00", shift_id=first.id)
    with pytest.raises(NoOpenShift):
        shifts.close_shift(store, counted="10.00")
    with pytest.raises(NoOpenShift):
        shifts.cash_in(store, amount="1.00", reason="float top-up")
    assert shifts.show_shift(store, shift_id=first.id).counted == 1000
    listed = shifts.list_shifts(store)
    assert [(s.id, s.status, s.over_short) for s in listed.shifts] == [(first.id, "closed", 0)]


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"amount": "5.00", "reason": " "}, InvalidInput),
    ({"amount": "0", "reason": "nothing"}, InvalidInput),
    ({"amount": "-1", "reason": "less"}, InvalidInput),
    ({"amount": "1.001", "reason": "fraction"}, InvalidInput),
    ({"amount": "60.01", "reason": "more than the drawer holds"}, InsufficientCash),
])
def test_bad_cash_movements_are_refused_and_change_nothing(store, kwargs, error):
    shifts.open_shift(store, location="STORE-1", float_amount="60.00")
    mover = shifts.cash_out if error is InsufficientCash else shifts.cash_in
    with pytest.raises(error):
        mover(store, **kwargs)
    x = shifts.x_report(store)
    assert (x.cash_in, x.cash_out, x.expected_cash) == (0, 0, 6000)


def test_a_no_sale_opens_the_drawer_without_moving_money_and_the_z_report_never_changes(store):
    shifts.open_shift(store, location="STORE-1", float_amount="20.00")
    opened = shifts.no_sale(store, reason="customer needed change")
    assert (opened.kind, opened.amount, opened.expected_cash) == ("no_sale", 0, 2000)
    z = shifts.close_shift(store, counted="20.00")
    with store.write() as conn:  # a change made behind its back cannot move a closed shift's expected cash
        conn.execute(update(t.shift).where(t.shift.c.id == z.id).values(float_amount=0))
    assert shifts.show_shift(store, shift_id=z.id).expected_cash == 2000


def test_shift_actions_write_audit_rows(store):
    shift = shifts.open_shift(store, location="STORE-1", float_amount="20.00")
    shifts.cash_in(store, amount="1.00", reason="in")
    shifts.cash_out(store, amount="2.00", reason="out")
    shifts.no_sale(store)
    shifts.close_shift(store, counted="19.00")
    with store.read() as conn:
        rows = conn.execute(select(t.audit_log.c.action, t.audit_log.c.shift_id, t.audit_log.c.amount)
                            .where(t.audit_log.c.shift_id.is_not(None))  # the store's set-up is audited too
                            .order_by(t.audit_log.c.id)).all()
    assert [tuple(r) for r in rows] == [
        ("shift_open", shift.id, 2000), ("cash_in", shift.id, 100), ("cash_out", shift.id, 200),
        ("no_sale", shift.id, 0), ("shift_close", shift.id, 1900),
    ]


def test_a_shift_with_a_payment_still_pending_cannot_close(store):
    shift = shifts.open_shift(store, location="STORE-1", float_amount="10.00")
    c = cart.new_cart(store, location="STORE-1").id
    cart.add_item(store, cart_id=c, code="CROISSANT", quantity=1)
    from pos.services.payments import PreparedPayment

    with store.write() as conn:  # a till that stopped between recording the payment and settling it
        orders.begin_checkout(conn, cart_id=c, processor="cash", payment=PreparedPayment(tendered=500), shipping=None,
                              idempotency_key="pending-1")
    from pos.errors import ShiftBusy

    with pytest.raises(ShiftBusy):
        shifts.close_shift(store, counted="10.00")
    assert shifts.show_shift(store, shift_id=shift.id).status == "open"


def test_a_return_at_another_store_pays_out_of_that_stores_drawer(store):
    sold = _sell(store, [("TSHIRT-M", 1)], pay="cash")  # STORE-1 never had a shift
    wh = shifts.open_shift(store, location="WH-1", float_amount="100.00")
    back = refunds.return_items(store, order_id=sold.id, lines=None, refund_to="cash", location="WH-1")
    assert _shift_of_refund(store, back.id) == wh.id
    z = shifts.close_shift(store, counted="78.36")
    assert (z.refunds, z.expected_cash, z.over_short) == (sold.total, 10000 - sold.total, 0)


def test_two_tills_opening_one_register_at_once_open_one_shift(store):
    import threading

    from pos.services.db import Database

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def open_one() -> None:
        db = Database(store.url)
        try:
            barrier.wait()
            shifts.open_shift(db, location="STORE-1", float_amount="10.00")
            outcomes.append("opened")
        except ShiftAlreadyOpen:
            outcomes.append("refused")
        finally:
            db.dispose()

    tills = [threading.Thread(target=open_one) for _ in range(2)]
    for till in tills:
        till.start()
    for till in tills:
        till.join()
    assert sorted(outcomes) == ["opened", "refused"]
    assert [s.status for s in shifts.list_shifts(store).shifts] == ["open"]


def test_two_cash_outs_at_once_never_take_more_than_the_drawer_holds(store):
    import threading

    from pos.services.db import Database

    shifts.open_shift(store, location="STORE-1", float_amount="100.00")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def take() -> None:
        db = Database(store.url)
        try:
            barrier.wait()
            shifts.cash_out(db, amount="40.00", reason="drop")
            outcomes.append("taken")
        except InsufficientCash:
            outcomes.append("refused")
        finally:
            db.dispose()

    tills = [threading.Thread(target=take) for _ in range(4)]
    for till in tills:
        till.start()
    for till in tills:
        till.join()
    assert sorted(outcomes) == ["refused", "refused", "taken", "taken"]
    assert shifts.x_report(store).expected_cash == 2000
