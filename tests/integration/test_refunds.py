"""Returns, refunds and cancellations: money and stock go back exactly, once (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pos.errors import (
    IdempotencyConflict, NotFound, NotRefundable, RefundDeclined, RefundPending, RefundUnsupported, ReturnExceedsSale,
)
from pos.services import cart, catalog, inventory, orders, refund_documents, refunds
from pos.services import tables as t
from pos.services.payments import PaymentProcessor, PaymentResult
from pos.services.refunds import ReturnLine

CARD = {"card": "4242424242424242"}
WORKER = Path(__file__).with_name("refund_race_worker.py")


def _sell(db, lines, *, location="STORE-1", processor="card", params=None):
    c = cart.new_cart(db, location=location).id
    for code, qty, *source in lines:
        cart.add_item(db, cart_id=c, code=code, quantity=qty, from_location=source[0] if source else None)
    ship = orders.Shipping("Ada", "1 Analytical Way") if any(len(line) > 2 for line in lines) else None
    return orders.checkout(db, cart_id=c, processor=processor, params=params if params is not None else CARD,
                           shipping=ship)


def _on_hand(db, sku, location):
    return inventory.check_stock(db, sku=sku, location=location).levels[0].on_hand


def test_returns_move_the_order_from_processing_to_partially_refunded_to_refunded(store):
    order = _sell(store, [("TSHIRT-M", 3), ("CROISSANT", 2)])
    assert order.total == 5997 + 650 + 548  # 3 x 19.99 + 2 x 3.25; tax 8.25 % of 66.47 = 5.4838 -> 5.48

    first = refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 1)], reason="too small")
    assert (first.status, first.order_status) == ("approved", "partially_refunded")
    assert [(i.sku, i.quantity, i.location, i.restocked) for i in first.items] == [("TSHIRT-M", 1, "STORE-1", True)]
    second = refunds.return_items(store, order_id=order.id, lines=[ReturnLine("CROISSANT")])
    assert second.order_status == "partially_refunded"
    last = refunds.return_items(store, order_id=order.id, lines=None)
    assert last.order_status == "refunded"
    assert [(i.sku, i.quantity) for i in last.items] == [("TSHIRT-M", 2)]

    assert first.amount + second.amount + last.amount == order.total
    doc = orders.show_order(store, order_id=order.id)
    assert doc.status == "refunded" and doc.refunded == order.total
    assert [r.id for r in doc.refunds] == [first.id, second.id, last.id]
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 10 and _on_hand(store, "CROISSANT", "STORE-1") == 5

    with pytest.raises(NotRefundable):
        refunds.return_items(store, order_id=order.id, lines=None)


@pytest.mark.parametrize("lines", [
    [("TSHIRT-M", 1, "WH-1")],
    [("TSHIRT-M", 7), ("CROISSANT", 3), ("TSHIRT-M", 1, "WH-1")],
])
def test_units_go_back_to_the_location_each_line_was_sold_from_with_a_history_row(store, lines):
    order = _sell(store, lines, params=CARD)
    refund = refunds.return_items(store, order_id=order.id, lines=None)
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 10 and _on_hand(store, "TSHIRT-M", "WH-1") == 50
    history = [h for h in inventory.stock_history(store, sku="TSHIRT-M") if h.source == "refund"]
    assert {h.location for h in history} == {
        line[2] if len(line) > 2 else "STORE-1" for line in lines if line[0] == "TSHIRT-M"}
    assert all(h.ref == f"refund {refund.id} of order {order.id}" for h in history)


def test_to_puts_the_units_on_hand_elsewhere_and_no_restock_moves_nothing(store):
    order = _sell(store, [("TSHIRT-M", 4)])
    moved = refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 2)], to_location="WH-1")
    assert [(i.location, i.restocked) for i in moved.items] == [("WH-1", True)]
    assert _on_hand(store, "TSHIRT-M", "WH-1") == 52 and _on_hand(store, "TSHIRT-M", "STORE-1") == 6

    damaged = refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 2)], restock=False,
                                   reason="torn")
    assert [i.restocked for i in damaged.items] == [False]
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 6  # nothing went back on hand
    assert damaged.order_status == "refunded" and moved.amount + damaged.amount == order.total
    assert not [h for h in inventory.stock_history(store, sku="TSHIRT-M") if h.ref.startswith(f"refund {damaged.id} ")]


def test_a_barcode_works_as_a_sku(store):
    order = _sell(store, [("TSHIRT-M", 2)])
    refund = refunds.return_items(store, order_id=order.id, lines=[ReturnLine("4006381333948", 1)])
    assert [i.sku for i in refund.items] == ["TSHIRT-M"]


def test_returning_more_than_is_left_is_refused_and_changes_nothing(store):
    order = _sell(store, [("TSHIRT-M", 2)])
    with pytest.raises(ReturnExceedsSale):
        refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 3)])
    refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 2)])
    with pytest.raises(NotRefundable):  # refunded: nothing left
        refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 1)])
    with pytest.raises(NotFound):
        refunds.return_items(store, order_id=_sell(store, [("TSHIRT-M", 1)]).id, lines=[ReturnLine("CROISSANT")])
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 9


def test_cancel_refunds_the_whole_order_and_restocks_everything(store):
    order = _sell(store, [("TSHIRT-M", 2), ("CROISSANT", 1)], processor="cash", params={"tendered": "100"})
    done = refunds.cancel_order(store, order_id=order.id, reason="changed mind")
    assert done.status == "cancelled" and done.refund is not None
    assert done.refund.amount == order.total and done.refund.method == "cash"
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 10 and _on_hand(store, "CROISSANT", "STORE-1") == 5
    with pytest.raises(NotRefundable):
        refunds.cancel_order(store, order_id=order.id)


def test_an_order_something_was_returned_from_cannot_be_cancelled(store):
    order = _sell(store, [("TSHIRT-M", 2)])
    refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 1)])
    with pytest.raises(NotRefundable):
        refunds.cancel_order(store, order_id=order.id)
    assert orders.show_order(store, order_id=order.id).status == "partially_refunded"


def test_cancelling_a_failed_payment_closes_its_cart_and_refunds_nothing(store):
    c = cart.new_cart(store, location="STORE-1").id
    cart.add_item(store, cart_id=c, code="TSHIRT-M", quantity=1)
    with pytest.raises(Exception, match="declined"):
        orders.checkout(store, cart_id=c, processor="card", params={"card": "4000000000000002"})
    [failed] = orders.list_orders(store, status="payment_failed")
    with pytest.raises(NotRefundable):
        refunds.return_items(store, order_id=failed.id, lines=None)
    done = refunds.cancel_order(store, order_id=failed.id)
    assert (done.status, done.refund) == ("cancelled", None)
    assert cart.show_cart(store, cart_id=c).status == "closed"
    assert orders.show_order(store, order_id=failed.id).refunds == []


def test_a_pending_order_cannot_be_returned(store):
    from pos.services.orders import begin_checkout
    from pos.services.payments import PreparedPayment

    c = cart.new_cart(store, location="STORE-1").id
    cart.add_item(store, cart_id=c, code="TSHIRT-M", quantity=1)
    with store.write() as conn:
        pending = begin_checkout(conn, cart_id=c, processor="card", payment=PreparedPayment(), shipping=None,
                                 idempotency_key="k-pending")
    with pytest.raises(NotRefundable, match="pending"):
        refunds.return_items(store, order_id=pending.order_id, lines=None)
    with pytest.raises(NotRefundable):
        refunds.cancel_order(store, order_id=pending.order_id)


class _Bank(PaymentProcessor):
    """Charges always; refunds as told (approve, decline, raise), recording each refund asked."""

    name = "bank"
    in_process = True

    def __init__(self) -> None:
        self.refund_answer: object = True
        self.refunds: list = []

    def charge(self, request):
        return PaymentResult(True, reference=f"bank-{request.order_id}")

    def refund(self, request):
        self.refunds.append(request)
        if isinstance(self.refund_answer, Exception):
            raise self.refund_answer
        return PaymentResult(bool(self.refund_answer), reason=None if self.refund_answer else "refund_refused",
                             reference=f"bank-refund-{request.refund_id}")


class _NoRefunds(PaymentProcessor):
    name = "norefunds"
    in_process = True

    def charge(self, request):
        return PaymentResult(True)


@pytest.fixture
def bank():
    from pos.plugin import registered

    bank, plain = _Bank(), _NoRefunds()
    with registered(bank, name="bank"), registered(plain, name="norefunds"):
        yield bank


@pytest.mark.parametrize("answer", [False, RuntimeError("bank down")])
def test_a_declined_refund_moves_nothing_and_the_units_stay_returnable(store, bank, answer):
    order = _sell(store, [("TSHIRT-M", 2)], processor="bank", params={})
    bank.refund_answer = answer
    with pytest.raises(RefundDeclined) as caught:
        refunds.return_items(store, order_id=order.id, lines=None)
    declined = caught.value.details["refund"]
    assert declined["status"] == "declined" and declined["amount"] == order.total
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 8
    doc = orders.show_order(store, order_id=order.id)
    assert doc.status == "processing" and doc.refunded == 0
    assert [r.status for r in doc.refunds] == ["declined"]

    bank.refund_answer = True  # the same units can go back once the bank pays
    again = refunds.return_items(store, order_id=order.id, lines=None)
    assert again.amount == order.total and again.order_status == "refunded"
    assert bank.refunds[-1].charge_key == doc.idempotency_key


def test_a_processor_without_refund_needs_refund_to_cash(store, bank):
    order = _sell(store, [("TSHIRT-M", 1)], processor="norefunds", params={})
    with pytest.raises(RefundUnsupported):
        refunds.return_items(store, order_id=order.id, lines=None)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(t.refund)).scalar() == 0  # nothing recorded
    cash = refunds.return_items(store, order_id=order.id, lines=None, refund_to="cash")
    assert cash.method == "cash" and cash.status == "approved"


def test_the_same_ref_replays_and_other_content_conflicts(store):
    order = _sell(store, [("TSHIRT-M", 3)])
    first = refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 1)], ref="r-1")
    again = refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 1)], ref="r-1")
    assert again.id == first.id and again.replayed and again.amount == first.amount
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 8  # 10 - 3 + 1, once
    with pytest.raises(IdempotencyConflict):
        refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 2)], ref="r-1")
    cancel_order = _sell(store, [("CROISSANT", 1)])
    done = refunds.cancel_order(store, order_id=cancel_order.id, ref="c-1")
    replay = refunds.cancel_order(store, order_id=cancel_order.id, ref="c-1")
    assert replay.replayed and replay.refund is not None and done.refund is not None
    assert replay.refund.id == done.refund.id
    with pytest.raises(IdempotencyConflict):
        refunds.return_items(store, order_id=cancel_order.id, lines=None, ref="c-1")


def test_the_card_simulator_refunds_each_key_once_in_its_ledger(store):
    from pos.services.payments import RefundRequest, get_processor
    from pos.services.payments.ledger import Ledger

    order = _sell(store, [("TSHIRT-M", 1)])
    refund = refunds.return_items(store, order_id=order.id, lines=None)
    card = get_processor("card")
    request = RefundRequest(refund.id, order.id, refund.amount, "USD", refund.idempotency_key,
                            order.idempotency_key, None, ledger=Ledger(store))
    assert card.refund(request).approved  # asked again: the first answer, not a second refund
    with store.read() as conn:
        rows = conn.execute(select(t.processor_ledger.c.kind, t.processor_ledger.c.amount)
                            .order_by(t.processor_ledger.c.id)).all()
    assert [tuple(r) for r in rows] == [("charge", order.total), ("refund", refund.amount)]
    unknown = RefundRequest(99, order.id, 100, "USD", "refund-x", "no-such-charge", None, ledger=Ledger(store))
    assert card.refund(unknown).reason == "no_such_charge"


def test_a_refund_left_pending_is_settled_by_reconcile(store):
    """A till that recorded the refund and stopped before asking the card (here: began it, then nothing)."""
    from pos.services.reconcile import reconcile

    order = _sell(store, [("TSHIRT-M", 2)])
    request = refunds.ReturnRequest(order.id, (ReturnLine("TSHIRT-M", 1),))
    with store.write() as conn:
        pending = refunds.begin_refund(conn, request, key="refund-stopped", digest=None)
    with store.write() as conn:  # as if recorded by a till that is gone
        conn.execute(t.refund.update().values(owner_host=None, owner_pid=None,
                                              updated_at=t.refund.c.created_at))
    # The card was never asked: its books have no such refund, so it was not paid.
    [row] = [r for r in reconcile(store, older_than=0) if r.refund_id == pending.refund_id]
    assert (row.outcome, row.status) == ("declined", "declined")
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 8
    # And units are returnable again: both can go back.
    assert refunds.return_items(store, order_id=order.id, lines=None).order_status == "refunded"


def test_refunds_of_orders_of_one_to_ten_lines_at_odd_rates_add_up_to_the_total(store):
    import random

    rng = random.Random(20261126)
    rates = ["7.3333", "8.875", "0.0001", "19.6", "13.37", "5.5", "21", "9.9999", "0", "6.35"]
    for n, rate in enumerate(rates, start=1):
        catalog.add_location(store, code=f"ODD-{n}", name="Odd", tax_rate=rate)
        skus = []
        for k in range(n):
            sku = f"ODD-{n}-{k}"
            catalog.add_product(store, code=sku, name=sku)
            catalog.add_variant(store, sku=sku, product=sku, price=f"{rng.randint(1, 99999) / 100:.2f}")
            inventory.set_stock(store, sku=sku, location=f"ODD-{n}", quantity=10)
            skus.append((sku, rng.randint(1, 4)))
        order = _sell(store, skus, location=f"ODD-{n}")
        units = [sku for sku, q in skus for _ in range(q)]
        rng.shuffle(units)
        paid = 0
        while units:
            size = rng.randint(1, 3)
            take, units = units[:size], units[size:]
            counts: dict[str, int] = {}
            for sku in take:
                counts[sku] = counts.get(sku, 0) + 1
            paid += refunds.return_items(store, order_id=order.id,
                                         lines=[ReturnLine(s, q) for s, q in counts.items()]).amount
        assert paid == order.total, (n, rate)
        assert orders.show_order(store, order_id=order.id).status == "refunded"


def test_two_processes_racing_for_the_last_unit_refund_it_once(store, db_url):
    order = _sell(store, [("TSHIRT-M", 3)])
    refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 2)])
    start_at = time.time() + 3.0
    tills = [
        subprocess.Popen([sys.executable, str(WORKER), db_url, str(order.id), "TSHIRT-M=1", "3", str(start_at)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    results = []
    for till in tills:
        out, err = till.communicate(timeout=300)
        assert till.returncode == 0, err
        results.append(json.loads(out))
    assert [e for r in results for e in r["errors"]] == []
    assert sum(r["refunded"] for r in results) == 1
    assert sum(r["refused"] for r in results) == 11
    doc = orders.show_order(store, order_id=order.id)
    assert doc.status == "refunded" and doc.refunded == order.total
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 10


def test_batch_return_and_cancel_lines_run_once_and_replay(store):
    from pos.services.batch import run_batch

    sold = _sell(store, [("TSHIRT-M", 3)])
    other = _sell(store, [("CROISSANT", 2)])
    lines = [
        json.dumps({"ref": "b-ret", "return": {"order": sold.id, "items": [{"sku": "TSHIRT-M", "qty": 1}],
                                               "restock": True}}),
        json.dumps({"ref": "b-dmg", "return": {"order": sold.id, "items": [{"sku": "TSHIRT-M"}], "restock": False}}),
        json.dumps({"ref": "b-can", "cancel": {"order": other.id}}),
        json.dumps({"ref": "b-ret", "return": {"order": sold.id, "items": [{"sku": "TSHIRT-M", "qty": 1}],
                                               "restock": True}}),
        json.dumps({"ref": "b-ret", "return": {"order": sold.id, "items": [{"sku": "TSHIRT-M", "qty": 2}]}}),
        json.dumps({"ref": "b-bad", "return": {"order": sold.id, "items": []}}),
    ]
    results = [r.plain() for r in run_batch(store, lines)]
    assert [(r["status"], r["replayed"]) for r in results[:4]] == [
        ("partially_refunded", False), ("refunded", False), ("cancelled", False), ("refunded", True)]  # the order now
    assert results[0]["refund_id"] == results[3]["refund_id"]
    assert [r["error"]["code"] for r in results[4:]] == ["idempotency_conflict", "invalid_input"]
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 8  # one restocked, two damaged, none twice
    assert _on_hand(store, "CROISSANT", "STORE-1") == 5
    refunded = orders.show_order(store, order_id=sold.id).refunded
    assert refunded == sold.total


@pytest.mark.parametrize("statement", [
    "DELETE FROM refund", "DELETE FROM refund_item", "UPDATE refund_item SET quantity = 99",
])
def test_refunds_cannot_be_deleted_or_rewritten(store, statement):
    from sqlalchemy import text

    order = _sell(store, [("TSHIRT-M", 2)])
    refunds.return_items(store, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 1)])
    with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement))
    assert orders.show_order(store, order_id=order.id).refunded > 0


def test_a_refund_the_processor_does_not_answer_in_time_stays_pending_for_reconcile(store, bank):
    from pos.services.reconcile import reconcile

    order = _sell(store, [("TSHIRT-M", 2)], processor="bank", params={})
    answered = []
    bank.in_process = False  # run under the watchdog: this one hangs

    def slow(request):
        time.sleep(1.0)
        answered.append(request.idempotency_key)
        return PaymentResult(True, reference="late")

    bank.refund = slow
    bank.lookup_refund = lambda request: (PaymentResult(True, reference="late")
                                          if request.idempotency_key in answered else None)
    with pytest.raises(RefundPending):
        refunds.return_items(store, order_id=order.id, lines=None, timeout=0.1)
    [pending] = refund_documents.list_refunds(store, order_id=order.id).refunds
    assert pending.status == "pending" and _on_hand(store, "TSHIRT-M", "STORE-1") == 8
    with pytest.raises(ReturnExceedsSale):  # the units are spoken for until it is settled
        refunds.return_items(store, order_id=order.id, lines=None)
    time.sleep(1.2)  # the bank did pay, late
    [row] = [r for r in reconcile(store, older_than=0) if r.refund_id == pending.id]
    assert row.outcome == "approved"
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 10
    assert orders.show_order(store, order_id=order.id).status == "refunded"


def test_tills_sending_the_same_ref_at_once_make_one_refund(store, db_url):
    from concurrent.futures import ThreadPoolExecutor

    from pos.services.db import Database

    order = _sell(store, [("TSHIRT-M", 3)])

    def till(_):
        own = Database(db_url)  # a till of its own: its own engine and connections
        try:
            doc = refunds.return_items(own, order_id=order.id, lines=[ReturnLine("TSHIRT-M", 1)], ref="same")
            return doc.id, doc.replayed
        except RefundPending as err:  # the first till is still being answered by the card: not a second refund
            return err.details["refund_id"], True
        finally:
            own.dispose()

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(till, range(4)))
    assert len({refund_id for refund_id, _ in outcomes}) == 1
    assert sorted(replayed for _, replayed in outcomes) == [False, True, True, True]
    assert len(refund_documents.list_refunds(store, order_id=order.id).refunds) == 1
    assert _on_hand(store, "TSHIRT-M", "STORE-1") == 8
