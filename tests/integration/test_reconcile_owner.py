"""Reconcile settles at once the orders of a till that is certainly gone, and says why it leaves the others.

The built-in processors keep a ledger by idempotency key, so their `lookup` answers without a person.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from pos.services import cart, inventory, orders, owner
from pos.services.payments import ChargeRequest, get_processor
from pos.services.payments.ledger import Ledger
from pos.services.reconcile import reconcile

CARD = "4242424242424242"


def _pending(store, *, processor="card", params=None, qty=2) -> orders.PendingOrder:
    """A checkout's first step only: the pending order with its reservation, as a till leaves it when it dies."""
    c = cart.new_cart(store, location="STORE-1")
    cart.add_item(store, cart_id=c.id, code="TSHIRT-M", quantity=qty)
    proc = get_processor(processor)
    prepared = proc.prepare(params or {"card": CARD}, currency="USD")
    with store.write() as conn:
        pending = orders.begin_checkout(conn, cart_id=c.id, processor=processor, payment=prepared, shipping=None,
                                        idempotency_key=f"test-{c.id}")
    return pending


def _charge(store, pending, processor="card", params=None):
    """The charge the dead till made before it died: the processor's books have it, the order does not."""
    proc = get_processor(processor)
    prepared = proc.prepare(params or {"card": CARD}, currency="USD")
    request = ChargeRequest(pending.order_id, pending.amount, pending.currency, pending.idempotency_key, prepared,
                            ledger=Ledger(store))
    return proc.charge(request)


def _set_owner(store, order_id, host, pid, start):
    with store.write() as conn:
        conn.execute(text("UPDATE orders SET owner_host = :h, owner_pid = :p, owner_start = :s WHERE id = :id"),
                     {"h": host, "p": pid, "s": start, "id": order_id})


def _reaped_pid() -> int:
    """The pid of a process that has ended (and been reaped): on this machine, certainly gone."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _level(store):
    return inventory.check_stock(store, sku="TSHIRT-M", location="STORE-1").levels[0].model_dump()


def test_a_young_order_of_a_process_that_is_gone_is_settled_at_once_as_its_processor_says(store):
    charged, not_charged = _pending(store), _pending(store, qty=1)
    assert _charge(store, charged).approved
    for order in (charged, not_charged):
        _set_owner(store, order.order_id, owner.host_name(), _reaped_pid(), owner.current().start)

    results = {r.order_id: r for r in reconcile(store)}  # the default 120 s threshold

    assert results[charged.order_id].outcome == "paid" and results[charged.order_id].status == "processing"
    assert results[not_charged.order_id].outcome == "failed"
    assert results[not_charged.order_id].reason == "no_such_charge"
    assert results[charged.order_id].owner.state == "gone"
    assert _level(store) == {"location": "STORE-1", "on_hand": 8, "reserved": 0, "available": 8}


def test_a_pid_now_used_by_another_process_counts_as_gone(store):
    pending = _pending(store)
    boot = owner.current().start.rsplit(":", 1)[0]
    _set_owner(store, pending.order_id, owner.host_name(), os.getpid(), f"{boot}:1")  # this pid, another start
    [result] = reconcile(store)
    assert result.outcome == "failed" and result.status == "payment_failed"


def test_an_order_of_a_live_process_is_left_alone_with_the_reason_and_when_it_becomes_eligible(store):
    pending = _pending(store)  # owned by this very test process, which is alive

    [result] = reconcile(store)

    assert result.outcome == "waiting" and result.status == "pending"
    assert f"process {os.getpid()}" in result.reason and "still running" in result.reason
    eligible = datetime.fromisoformat(result.eligible_at.replace("Z", "+00:00"))
    assert timedelta(seconds=100) < eligible - datetime.now(eligible.tzinfo) <= timedelta(seconds=121)
    assert result.eligible_at in result.reason
    assert orders.show_order(store, order_id=pending.order_id).status == "pending"
    assert _level(store)["reserved"] == 2


def test_an_order_of_another_machine_waits_for_the_threshold_then_is_settled(store):
    pending = _pending(store)
    _set_owner(store, pending.order_id, "till-7.example", 4242, "boot:1")

    [waiting] = reconcile(store)
    assert waiting.outcome == "waiting" and "process 4242 on till-7.example" in waiting.reason
    assert waiting.eligible_at in waiting.reason

    [settled] = reconcile(store, older_than=0)
    assert settled.outcome == "failed" and settled.status == "payment_failed"


def test_an_unreadable_processor_answer_is_reported_not_hidden_as_nothing_pending(store):
    pending = _pending(store, processor="cash", params={"tendered": "100"})
    with store.write() as conn:
        conn.execute(text("UPDATE payment SET processor = 'gone-plugin' WHERE order_id = :id"), {"id": pending.order_id})
    _set_owner(store, pending.order_id, owner.host_name(), _reaped_pid(), None)
    [result] = reconcile(store)
    assert result.outcome == "unknown" and result.status == "pending"


@pytest.mark.parametrize(("drawer_opened", "outcome", "on_hand"), [(True, "paid", 8), (False, "failed", 10)])
def test_cash_of_a_dead_till_is_paid_only_if_the_drawer_opened(store, drawer_opened, outcome, on_hand):
    params = {"tendered": "100"}
    pending = _pending(store, processor="cash", params=params)
    if drawer_opened:
        assert _charge(store, pending, "cash", params).change_due == 10000 - pending.amount
    _set_owner(store, pending.order_id, owner.host_name(), _reaped_pid(), None)
    [result] = reconcile(store)
    assert result.outcome == outcome
    assert _level(store)["on_hand"] == on_hand


def test_the_card_ledger_charges_a_key_once_and_keeps_only_brand_and_last_four(store):
    pending = _pending(store)
    first = _charge(store, pending)
    again = _charge(store, pending, params={"card": "4000000000000002"})  # a retry under the same key
    assert first.approved and again.approved and again.reference == first.reference
    with store.read() as conn:
        rows = conn.execute(text("SELECT * FROM processor_ledger")).mappings().all()
    assert len(rows) == 1
    assert (rows[0]["brand"], rows[0]["last4"], rows[0]["amount"]) == ("visa", "4242", pending.amount)
    assert not any(CARD in str(value) for value in rows[0].values())


def test_card_lookup_answers_from_the_ledger(store):
    approved, declined, never = _pending(store, qty=1), _pending(store, qty=1), _pending(store, qty=1)
    _charge(store, approved)
    _charge(store, declined, params={"card": "4000000000000002"})
    proc = get_processor("card")

    def lookup(p):
        return proc.lookup(ChargeRequest(p.order_id, p.amount, p.currency, p.idempotency_key,
                                         proc.prepare({"card": CARD}, currency="USD"), ledger=Ledger(store)))

    assert lookup(approved).approved is True
    assert (lookup(declined).approved, lookup(declined).reason) == (False, "card_declined")
    assert (lookup(never).approved, lookup(never).reason) == (False, "no_such_charge")


def test_reconcile_never_says_nothing_is_pending_when_an_order_is(store, cli):
    _pending(store)  # owned by this live process
    result = cli("order", "reconcile")
    assert result.exit_code == 0
    assert "no pending orders" not in result.stdout
    assert "left pending (waiting)" in result.stdout and "eligible at" in result.stdout
    assert result.stdout.strip().endswith("0 settled, 1 left pending")


def test_the_same_key_for_another_amount_is_refused_not_charged(store):
    pending = _pending(store)
    assert _charge(store, pending).approved
    other = orders.PendingOrder(pending.order_id, pending.amount + 1, pending.currency, pending.idempotency_key)
    refused = _charge(store, other)
    assert refused.approved is False and refused.reason.startswith("idempotency_conflict")


def test_reconcile_asks_a_processor_registered_in_code(store):
    from fakes import FakeProcessor, install

    fake = install(FakeProcessor("fake"))
    pending = _pending(store, processor="fake", params={})
    request = ChargeRequest(pending.order_id, pending.amount, pending.currency, pending.idempotency_key,
                            orders.PreparedPayment())
    assert fake.charge(request).approved  # the till died after this approval
    _set_owner(store, pending.order_id, owner.host_name(), _reaped_pid(), owner.current().start)

    [result] = reconcile(store)

    assert result.outcome == "paid" and result.processor == "fake"
