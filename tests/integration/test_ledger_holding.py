"""The processor ledger held for a window (`pos batch`): its books are written together when the block ends,
whole or not at all, and a key already in them keeps its first answer."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pos.services.payments import ChargeRequest, PaymentResult, PreparedPayment
from pos.services.payments.ledger import Ledger, answer

CARD = PreparedPayment(brand="visa", last4="4242")


def _request(ledger: Ledger, key: str, amount: int = 1999) -> ChargeRequest:
    return ChargeRequest(1, amount, "USD", key, CARD, ledger=ledger)


def _books(db) -> int:
    with db.read() as conn:
        return conn.execute(text("SELECT count(*) FROM processor_ledger")).scalar_one()


def test_answers_in_a_held_block_are_written_together_when_it_ends(db):
    ledger = Ledger(db)
    with ledger.holding() as overtaken:
        first = answer(ledger, "card", _request(ledger, "k1"), lambda: PaymentResult(True, reference="r1"))
        second = answer(ledger, "card", _request(ledger, "k2"), lambda: PaymentResult(False, reason="card_declined"))
        assert (first.approved, second.approved, second.reason) == (True, False, "card_declined")
        assert _books(db) == 0  # nothing is in the books until the block ends...
        assert ledger.find("card", "k1").reference == "r1"  # ...but the ledger itself knows its answers
    assert _books(db) == 2 and overtaken == set()
    assert ledger.find("card", "k2").reason == "card_declined"
    # After the block, a record is written at once again.
    answer(ledger, "card", _request(ledger, "k3"), lambda: PaymentResult(True))
    assert _books(db) == 3


def test_a_block_that_fails_writes_none_of_its_answers(db):
    ledger = Ledger(db)
    with pytest.raises(KeyboardInterrupt), ledger.holding():
        answer(ledger, "card", _request(ledger, "k1"), lambda: PaymentResult(True))
        raise KeyboardInterrupt
    assert _books(db) == 0 and ledger.find("card", "k1") is None


def test_a_key_already_in_the_books_keeps_its_first_answer(db):
    ledger = Ledger(db)
    answer(ledger, "card", _request(ledger, "k1"), lambda: PaymentResult(False, reason="card_declined"))
    with ledger.holding() as overtaken:
        answer(ledger, "card", _request(ledger, "k1"), lambda: PaymentResult(True))
        answer(ledger, "card", _request(ledger, "k2"), lambda: PaymentResult(True))
    assert overtaken == {("card", "k1", "charge")}  # its caller must charge again, outside the block
    again = answer(ledger, "card", _request(ledger, "k1"), lambda: PaymentResult(True))
    assert (again.approved, again.reason) == (False, "card_declined")
    assert _books(db) == 2
    # A key the books hold for another amount is refused, as one charge at a time always was.
    conflict = answer(ledger, "card", _request(ledger, "k2", amount=500), lambda: PaymentResult(True))
    assert not conflict.approved and conflict.reason.startswith("idempotency_conflict")
