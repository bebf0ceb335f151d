"""A sale paid in parts: pending with a balance due (stock held) until the parts cover the total; given up,
every approved part is paid back and the stock released."""

from __future__ import annotations

import pytest

from pos.errors import CartClosed, InvalidInput, PaymentDeclined
from pos.services import cart, inventory, orders, refunds
from pos.services.payments.ledger import Ledger

GOOD_CARD = {"card": "4242424242424242"}
OTHER_CARD = {"card": "5555555555554444"}
DECLINED_CARD = {"card": "4000000000000002"}


def levels(db, sku="TSHIRT-M"):
    return {lv.location: (lv.on_hand, lv.reserved) for lv in inventory.check_stock(db, sku=sku).levels}["STORE-1"]


def sale(db, qty=3):
    c = cart.new_cart(db, location="STORE-1")
    cart.add_item(db, cart_id=c.id, code="TSHIRT-M", quantity=qty)  # 3 x 19.99 + 8.25 % tax = 64.92
    return c.id


def test_a_part_leaves_the_order_pending_with_the_balance_due_and_the_stock_held(store):
    cid = sale(store)
    order = orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD, amount=3000)
    assert order.total == 6492
    assert order.status == "pending"
    assert (order.paid, order.balance_due) == (3000, 3492)
    assert [(p.processor, p.status, p.amount, p.brand, p.last4) for p in order.payments] == [
        ("card", "approved", 3000, "visa", "4242")]
    assert order.payment == order.payments[0]
    assert levels(store) == (10, 3)
    assert cart.show_cart(store, cart_id=cid).status == "checkout"


def test_the_last_part_pays_the_same_order_and_makes_it_processing(store):
    cid = sale(store)
    first = orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD, amount=3000)
    second = orders.checkout(store, cart_id=cid, processor="card", params=OTHER_CARD, amount=1000)
    assert second.id == first.id and second.status == "pending" and second.balance_due == 2492
    done = orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "50"})
    assert done.id == first.id
    assert done.status == "processing" and done.balance_due == 0 and done.paid == 6492
    assert [(p.processor, p.amount, p.last4) for p in done.payments] == [
        ("card", 3000, "4242"), ("card", 1000, "4444"), ("cash", 2492, None)]
    assert (done.payments[2].tendered, done.payments[2].change) == (5000, 2508)
    assert levels(store) == (7, 0)
    assert cart.show_cart(store, cart_id=cid).status == "closed"
    assert len(orders.list_orders(store)) == 1


def test_every_part_has_its_own_idempotency_key_and_is_charged_once(store):
    cid = sale(store)
    orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD, amount=3000)
    done = orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD)
    with store.read() as conn:
        keys = [r[0] for r in conn.exec_driver_sql(
            f"SELECT idempotency_key FROM payment WHERE order_id = {done.id} ORDER BY part")]
    assert len(set(keys)) == 2 and keys[0] == done.idempotency_key and keys[1] == f"{done.idempotency_key}:part2"
    assert [Ledger(store).find("card", key).amount for key in keys] == [3000, 3492]


def test_a_card_part_above_the_balance_due_is_refused_and_changes_nothing(store):
    cid = sale(store)
    orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD, amount=3000)
    with pytest.raises(InvalidInput, match="more than the 34.92 due"):
        orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD, amount=3500)
    order = orders.list_orders(store)[0]
    assert orders.show_order(store, order_id=order.id).balance_due == 3492
    with pytest.raises(InvalidInput, match="more than the 64.92 due"):
        orders.checkout(store, cart_id=sale(store, 1) and sale(store), processor="card", params=GOOD_CARD, amount=7000)


def test_cash_above_the_balance_due_is_what_was_handed_over_and_gives_change(store):
    cid = sale(store)
    orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD, amount=3000)
    done = orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "40"}, amount=4000)
    assert done.status == "processing"
    assert (done.payments[1].amount, done.payments[1].tendered, done.payments[1].change) == (3492, 4000, 508)


def test_a_declined_part_after_an_approved_one_keeps_the_sale_pending_with_its_balance(store):
    cid = sale(store)
    orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD, amount=3000)
    with pytest.raises(PaymentDeclined, match="still has 34.92 due") as caught:
        orders.checkout(store, cart_id=cid, processor="card", params=DECLINED_CARD)
    assert caught.value.details["order"]["status"] == "pending"
    order = orders.show_order(store, order_id=caught.value.details["order"]["id"])
    assert [p.status for p in order.payments] == ["approved", "declined"]
    assert order.balance_due == 3492 and levels(store) == (10, 3)
    done = orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "34.92"})
    assert done.status == "processing" and [p.amount for p in done.payments] == [3000, 3492, 3492]


def test_a_declined_first_part_fails_the_order_as_a_one_payment_checkout_does(store):
    cid = sale(store)
    with pytest.raises(PaymentDeclined, match="cart|payment_failed"):
        orders.checkout(store, cart_id=cid, processor="card", params=DECLINED_CARD, amount=3000)
    assert levels(store) == (10, 0)
    assert cart.show_cart(store, cart_id=cid).status == "open"


def test_giving_up_refunds_every_approved_part_and_releases_the_stock(store):
    cid = sale(store)
    orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD, amount=3000)
    order = orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "10"}, amount=1000)
    with pytest.raises(PaymentDeclined):
        orders.checkout(store, cart_id=cid, processor="card", params=DECLINED_CARD)
    done = refunds.cancel_order(store, order_id=order.id, reason="customer left")
    assert done.status == "cancelled"
    assert [(r.method, r.amount, r.status, r.kind) for r in done.refunds] == [
        ("card", 3000, "approved", "abandon"), ("cash", 1000, "approved", "abandon")]
    assert levels(store) == (10, 0)
    assert cart.show_cart(store, cart_id=cid).status == "closed"
    shown = orders.show_order(store, order_id=order.id)
    assert shown.status == "cancelled" and shown.refunded == 4000 and shown.balance_due == 0
    # The bank paid the card part back, once; cancelling again replays and pays nothing more.
    assert Ledger(store).find("card", f"{shown.idempotency_key}:abandon", kind="refund").amount == 3000
    again = refunds.cancel_order(store, order_id=order.id)
    assert again.replayed and [r.id for r in again.refunds] == [r.id for r in done.refunds]


def test_a_cart_whose_part_is_being_paid_cannot_be_checked_out_again(store):
    cid = sale(store)
    with store.write() as conn:
        orders.begin_checkout(conn, cart_id=cid, processor="card", payment=orders.PreparedPayment(),
                              shipping=None, idempotency_key="k-1", amount=1000)
    with pytest.raises(CartClosed, match="being paid"):
        orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD)


def test_a_return_of_a_split_paid_order_goes_back_to_the_newest_part_that_covers_it(store):
    cid = sale(store)
    orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD, amount=4000)
    order = orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "30"})
    # One shirt is 19.99 + 1.65 tax = 21.64: the cash part (24.92) covers it.
    first = refunds.return_items(store, order_id=order.id, lines=[refunds.ReturnLine("TSHIRT-M", 1)])
    assert (first.method, first.amount) == ("cash", 2164)
    # The cash part has 3.28 left; the next shirt goes back to the card (40.00).
    second = refunds.return_items(store, order_id=order.id, lines=[refunds.ReturnLine("TSHIRT-M", 1)])
    assert (second.method, second.amount) == ("card", 2164)
    # The last one: the card has 18.36 left, the cash 3.28, neither covers 21.64.
    with pytest.raises(InvalidInput, match="--refund-to cash"):
        refunds.return_items(store, order_id=order.id, lines=[refunds.ReturnLine("TSHIRT-M", 1)])
    last = refunds.return_items(store, order_id=order.id, lines=None, refund_to="cash")
    assert last.method == "cash" and last.order_status == "refunded"
    assert levels(store) == (10, 0)


# -- at the till ----------------------------------------------------------------------------------------------


def test_the_till_takes_a_card_part_then_cash_and_shows_what_is_paid_and_due(store):
    from pos.services.till import TillSession

    till = TillSession(store, location="STORE-1")
    till.handle("3 TSHIRT-M")
    part = till.handle("pay card 4242 4242 4242 4242 30.00")
    assert part.kind == "part"
    assert (part.order.status, part.order.paid, part.order.balance_due) == ("pending", 3000, 3492)
    shown = till.handle("total")
    assert shown.kind == "part" and shown.order.balance_due == 3492
    paid = till.handle("pay cash 50")
    assert paid.kind == "paid" and paid.order.id == part.order.id and paid.order.status == "processing"
    assert (paid.order.payments[1].amount, paid.order.payments[1].change) == (3492, 1508)
    assert till.handle("TSHIRT-M").sale.id != part.order.cart_id  # a new sale
    assert levels(store) == (7, 0)


def test_cancel_at_the_till_after_a_declined_part_pays_the_approved_part_back(store):
    from pos.services.till import TillSession

    till = TillSession(store, location="STORE-1")
    till.handle("3 TSHIRT-M")
    part = till.handle("pay card 4242424242424242 30.00")
    with pytest.raises(PaymentDeclined, match="34.92 due"):
        till.handle("pay card 4000000000000002")
    assert till.handle("total").order.balance_due == 3492  # the sale is still there, part paid
    gone = till.handle("cancel")
    assert gone.kind == "abandoned"
    assert [(r["method"], r["amount"], r["status"]) for r in gone.cancellation["refunds"]] == [
        ("card", 3000, "approved")]
    assert orders.show_order(store, order_id=part.order.id).status == "cancelled"
    assert levels(store) == (10, 0)
    assert till.handle("total").sale.items == []  # a new sale


def test_a_till_closing_on_a_half_paid_sale_hands_it_back_for_any_checkout_to_finish(store):
    from pos.services.till import TillSession

    till = TillSession(store, location="STORE-1")
    till.handle("3 TSHIRT-M")
    part = till.handle("pay card 4242424242424242 30.00")
    left = till.leave()
    assert left is not None and left.balance_due == 3492
    done = orders.checkout(store, cart_id=part.order.cart_id, processor="cash", params={"tendered": "34.92"})
    assert done.id == part.order.id and done.status == "processing"


# -- money: the parts sum exactly to the total ----------------------------------------------------------------


def test_any_sequence_of_parts_completes_exactly_at_the_total_or_leaves_total_minus_approved_due(store):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    db = store
    inventory.set_stock(db, sku="TSHIRT-M", location="STORE-1", quantity=100_000)
    parts = st.lists(st.tuples(st.sampled_from(["good", "declined", "cash"]), st.integers(1, 8000)), max_size=6)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(parts)
    def check(sequence):
        cid = sale(db, 1)  # 19.99 + 1.65 tax = 21.64
        total, approved, order_id = 2164, 0, None
        for kind, amount in sequence:
            due = total - approved
            params = {"good": GOOD_CARD, "declined": DECLINED_CARD, "cash": {"tendered": "80.00"}}[kind]
            try:
                order = orders.checkout(db, cart_id=cid, processor="cash" if kind == "cash" else "card",
                                        params=params, amount=amount)
            except InvalidInput:
                assert kind != "cash" and amount > due  # only a card part above the balance is refused
                continue
            except PaymentDeclined as err:
                assert kind == "declined"
                order = orders.show_order(db, order_id=err.details["order"]["id"])
                if approved == 0:
                    assert order.status == "payment_failed" and order.balance_due == 0
                    return
            else:
                approved += min(amount, due)
            order_id = order.id
            assert order.paid == approved == sum(p.amount for p in order.payments if p.status == "approved")
            if approved == total:
                assert order.status == "processing" and order.balance_due == 0
                return
            assert order.status == "pending" and order.balance_due == total - approved
        if order_id is not None:  # given up: exactly what was approved goes back
            done = refunds.cancel_order(db, order_id=order_id)
            assert sum(r.amount for r in done.refunds) == approved

    check()


def test_at_the_till_exact_cash_pays_what_is_due_and_a_refused_part_keeps_the_sale(store):
    from pos.services.till import TillSession

    till = TillSession(store, location="STORE-1")
    till.handle("3 TSHIRT-M")
    part = till.handle("pay card 4242424242424242 30.00")
    with pytest.raises(InvalidInput, match="34.92 due"):
        till.handle("pay card 4242424242424242 99.00")
    assert till.handle("total").order.id == part.order.id  # not set aside: still this sale
    paid = till.handle("pay cash")
    assert paid.kind == "paid" and (paid.order.payments[1].amount, paid.order.payments[1].change) == (3492, 0)


# -- the migration ------------------------------------------------------------------------------------------


def test_0013_keeps_every_payment_as_part_1_links_old_refunds_and_keeps_payments_append_only(db_url):
    from sqlalchemy import text

    from pos.migrations import upgrade
    from pos.services.db import Database

    old = Database(db_url)
    upgrade(old.engine, "0009")
    with old.engine.begin() as conn:
        for statement in (
            "INSERT INTO location (id, code, name, tax_rate, address, receipt_footer, timezone, created_at) "
            "VALUES (1, 'S1', 'Shop', 0, '', '', 'UTC', CURRENT_TIMESTAMP)",
            "INSERT INTO cart (id, location_id, status, created_at, updated_at) "
            "VALUES (1, 1, 'closed', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            "INSERT INTO orders (id, cart_id, location_id, status, currency, subtotal, tax, total, tax_rate, "
            "idempotency_key, created_at, updated_at) VALUES (1, 1, 1, 'refunded', 'USD', 300, 0, 300, 0, "
            "'k1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            "INSERT INTO payment (id, order_id, processor, status, amount, currency, idempotency_key, created_at, "
            "updated_at) VALUES (7, 1, 'cash', 'approved', 300, 'USD', 'k1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            "INSERT INTO refund (id, order_id, kind, status, method, amount, tax, currency, reason, idempotency_key, "
            "created_at, updated_at) VALUES (1, 1, 'cancel', 'approved', 'cash', 300, 0, 'USD', '', 'r1', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        ):
            conn.execute(text(statement))
    upgrade(old.engine)
    with old.engine.connect() as conn:
        assert conn.execute(text("SELECT id, part FROM payment")).all() == [(7, 1)]
        assert conn.execute(text("SELECT payment_id FROM refund")).scalar_one() == 7
    with pytest.raises(Exception, match="append-only"), old.engine.begin() as conn:
        conn.execute(text("DELETE FROM payment"))
    with old.engine.begin() as conn:  # a second part of the same order is allowed now; a second part 1 is not
        conn.execute(text(
            "INSERT INTO payment (order_id, part, processor, status, amount, currency, idempotency_key, created_at, "
            "updated_at) VALUES (1, 2, 'cash', 'declined', 1, 'USD', 'k1:part2', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    with pytest.raises(Exception, match="(?i)unique"), old.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO payment (order_id, part, processor, status, amount, currency, idempotency_key, created_at, "
            "updated_at) VALUES (1, 1, 'cash', 'declined', 1, 'USD', 'k1:again', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    old.dispose()


def test_a_crash_while_paying_the_parts_back_is_finished_by_reconcile_without_paying_twice(store):
    from pos.services import reconcile, split_pay
    from pos.services.payments import get_processor
    from pos.services.refunds import call_refund

    cid = sale(store)
    orders.checkout(store, cart_id=cid, processor="card", params=GOOD_CARD, amount=3000)
    order = orders.checkout(store, cart_id=cid, processor="cash", params={"tendered": "10"}, amount=1000)
    # The till gives up and dies: the order is cancelled and both refunds recorded, the card one paid by the
    # bank but not yet settled, the cash one never started.
    with store.write() as conn:
        card_refund, cash_refund = split_pay._begin_abandon(conn, split_pay._due(conn, order.id), "")
    with store.read() as conn:
        pending = split_pay.pending_abandon_refund(conn, card_refund)
    assert call_refund(get_processor("card"), pending.request(Ledger(store)), timeout=5)[0] == "approved"
    assert levels(store) == (10, 0) and orders.show_order(store, order_id=order.id).status == "cancelled"

    results = reconcile.reconcile(store, older_than=0)
    assert sorted((r.refund_id, r.outcome, r.processor) for r in results) == [
        (card_refund, "approved", "card"), (cash_refund, "approved", "cash")]
    shown = orders.show_order(store, order_id=order.id)
    assert shown.refunded == 4000 and {r.status for r in shown.refunds} == {"approved"}
    with store.read() as conn:  # the bank paid the card part back once, under the refund's own key
        assert conn.exec_driver_sql(
            "SELECT COUNT(*), SUM(amount) FROM processor_ledger WHERE kind = 'refund' AND processor = 'card'"
        ).one() == (1, 3000)
    assert reconcile.reconcile(store, older_than=0) == []
