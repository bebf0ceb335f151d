"""The till's session keeps working when a payment ends neither paid nor declined."""

from __future__ import annotations

import pytest
from fakes import FakeProcessor, install

from pos.errors import CartClosed
from pos.services import orders
from pos.services.till import TillSession


def interrupted(request):
    raise KeyboardInterrupt


def test_an_interrupted_payment_sets_the_sale_aside_for_reconcile_and_a_new_sale_starts(store, monkeypatch):
    install(FakeProcessor("fake", interrupted))
    till = TillSession(store, location="STORE-1")
    first = till.handle("2*TSHIRT-M").sale.id
    with pytest.raises(CartClosed, match="interrupted.*pos order reconcile"):
        till.handle("pay fake")
    [pending] = orders.list_orders(store, status="pending")
    assert pending.cart_id == first
    nxt = till.handle("TSHIRT-M").sale
    assert nxt.id != first and [i.quantity for i in nxt.items] == [1]
