"""Plain-text receipts for roll paper: a pure function of the order document."""

from __future__ import annotations

import pytest

from pos.errors import InvalidInput
from pos.receipt_text import receipt_text, sale_text


def order(**changes) -> dict:
    doc = {
        "id": 17, "status": "processing", "cart_id": 4, "location": "STORE-1",
        "store": {"code": "STORE-1", "name": "Main Street Store", "address": "12 Main Street",
                  "receipt_footer": "Thanks! Returns within 30 days with this receipt."},
        "created_at": "2026-11-25T21:32:07Z",
        "items": [
            {"sku": "TSHIRT-M", "name": "T-shirt Medium", "quantity": 2, "location": "STORE-1",
             "unit_price": 1999, "line_total": 3998, "delivery": False},
            {"sku": "CROISSANT", "name": "Croissant", "quantity": 1, "location": "STORE-1",
             "unit_price": 325, "line_total": 325, "delivery": False},
        ],
        "subtotal": 4323, "tax_rate": "8.25", "tax": 357, "total": 4680, "currency": "USD",
        "payment": {"processor": "card", "status": "approved", "amount": 4680, "reason": None,
                    "reference": "sim-1", "brand": "visa", "last4": "4242"},
        "shipping": None,
    }
    doc.update(changes)
    return doc


@pytest.mark.parametrize("width", [32, 42, 48])
def test_no_line_is_wider_than_the_roll(width):
    long_name = dict(order()["items"][0], name="T-shirt Medium in a very long winded colour description")
    text = receipt_text(order(items=[long_name], shipping={"name": "Ada Lovelace", "address": "1 Analytical Way"}), width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert text.endswith("\n")


def test_the_receipt_has_store_date_order_lines_totals_payment_and_footer():
    text = receipt_text(order(), 42)
    for expected in ("Main Street Store", "12 Main Street", "2026-11-25 21:32 +00:00", "Order 17", "T-shirt Medium",
                     "2 x 19.99", "39.98", "Croissant", "Subtotal", "43.23", "Tax 8.25%", "3.57", "TOTAL USD",
                     "46.80", "visa ****4242", "Returns within 30 days"):
        assert expected in text, expected
    assert "4242424242424242" not in text


def test_totals_are_flush_right_on_the_roll():
    lines = receipt_text(order(), 32).splitlines()
    total = next(line for line in lines if line.startswith("TOTAL"))
    assert len(total) == 32 and total.endswith("46.80")


def test_cash_shows_tendered_and_change():
    cash = {"processor": "cash", "status": "approved", "amount": 4680, "reason": None, "reference": "c",
            "tendered": 5000, "change": 320}
    text = receipt_text(order(payment=cash), 42)
    assert "Paid by cash" in text
    assert any(line.startswith("Tendered") and line.endswith("50.00") for line in text.splitlines())
    assert any(line.startswith("Change") and line.endswith("3.20") for line in text.splitlines())


def test_a_delivery_line_says_where_it_ships_from_and_the_address_is_printed():
    item = {"sku": "TSHIRT-M", "name": "T-shirt Medium", "quantity": 3, "location": "WH-1", "unit_price": 1999,
            "line_total": 5997, "delivery": True}
    text = receipt_text(order(items=[item], shipping={"name": "Ada Lovelace", "address": "1 Analytical Way"}), 42)
    assert "ships from WH-1" in text
    assert "Ship to: Ada Lovelace" in text and "1 Analytical Way" in text


def test_an_unpaid_order_is_marked_as_not_paid():
    failed = dict(order()["payment"], status="declined", reason="card_declined")
    text = receipt_text(order(status="payment_failed", payment=failed), 42)
    assert "NOT PAID: payment_failed" in text
    assert "Paid by" not in text and "card_declined" in text


def test_a_width_that_is_not_a_roll_size_is_refused():
    with pytest.raises(InvalidInput):
        receipt_text(order(), 40)


def test_the_sale_in_progress_shows_lines_and_the_running_total():
    sale = {"id": 3, "location": "STORE-1", "currency": "USD", "status": "open", "shipping": None,
            "items": order()["items"], "subtotal": 4323, "tax": 357, "total": 4680}
    text = sale_text(sale)
    assert "2 x TSHIRT-M" in text and "1 x CROISSANT" in text
    assert "3 items" in text and "TOTAL 46.80" in text


def test_paper_and_screen_receipts_word_the_payment_the_same():
    import io

    from rich.console import Console

    from pos.commands._render import receipt_view

    cash = {"processor": "cash", "status": "approved", "amount": 4680, "reason": None, "reference": "c",
            "tendered": 5000, "change": 320}
    screen = io.StringIO()
    Console(file=screen, width=100, color_system=None).print(receipt_view(order(payment=cash)))
    paper = receipt_text(order(payment=cash), 42)
    for words in ("Paid by cash", "Tendered", "Change due"):
        assert words in paper and words in screen.getvalue()


def test_a_long_decline_reason_wraps_on_paper_instead_of_being_cut():
    reason = "processor_error: acme-payments gave an invalid answer"
    failed = dict(order()["payment"], status="failed", reason=reason)
    lines = receipt_text(order(status="payment_failed", payment=failed), 32).splitlines()
    assert all(len(line) <= 32 for line in lines)
    assert reason in " ".join(line.strip() for line in lines if not line.startswith("-"))
