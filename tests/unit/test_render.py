"""The renderers are pure: a receipt is a function of the order document, testable without a terminal."""

import io

from rich.console import Console

from pos.clock import local_time
from pos.commands import _render as r


def text_of(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=100, color_system=None, highlight=False).print(renderable)
    return out.getvalue()


def order(**over) -> dict:
    doc = {
        "id": 7, "status": "processing", "cart_id": 3, "location": "STORE-1",
        "store": {"code": "STORE-1", "name": "Main Street Store", "address": "12 Main Street",
                  "receipt_footer": "Thanks for shopping!"},
        "created_at": "2026-11-25T21:32:07Z",
        "items": [
            {"sku": "TSHIRT-M", "name": "T-shirt Medium", "quantity": 2, "location": "STORE-1", "unit_price": 1999,
             "line_total": 3998, "delivery": False},
            {"sku": "LAMP", "name": "Desk lamp", "quantity": 1, "location": "WH-1", "unit_price": 4900,
             "line_total": 4900, "delivery": True},
        ],
        "subtotal": 8898, "tax_rate": "8.25", "tax": 734, "total": 9632, "currency": "USD",
        "payment": {"processor": "card", "status": "approved", "amount": 9632, "reason": None, "reference": "x",
                    "brand": "visa", "last4": "4242"},
        "shipping": {"name": "Ada Lovelace", "address": "1 Analytical Way"},
    }
    doc.update(over)
    return doc


def test_a_receipt_shows_store_lines_and_totals():
    text = text_of(r.receipt_view(order()))
    for expected in ("Main Street Store", "12 Main Street", "Order 7", "T-shirt Medium [TSHIRT-M]", "19.99", "39.98",
                     "Desk lamp [LAMP]", "Subtotal", "88.98", "Tax 8.25%", "7.34", "TOTAL", "96.32",
                     "Thanks for shopping!"):
        assert expected in text, expected


def test_a_card_receipt_shows_brand_and_last4_only():
    text = text_of(r.receipt_view(order()))
    assert "Paid by visa ****4242" in text


def test_a_delivery_line_says_where_it_ships_from_and_the_receipt_shows_the_address():
    text = text_of(r.receipt_view(order()))
    assert "ships from WH-1" in text
    assert "Ship to: Ada Lovelace" in text
    assert "1 Analytical Way" in text


def test_a_cash_receipt_shows_tendered_and_change_due():
    cash = {"processor": "cash", "status": "approved", "amount": 9632, "reason": None, "reference": "c",
            "tendered": 10000, "change": 368}
    text = text_of(r.receipt_view(order(payment=cash, shipping=None)))
    assert "Paid by cash" in text
    assert "Tendered" in text and "100.00" in text
    assert "Change due" in text and "3.68" in text
    assert "Ship to" not in text


def test_a_failed_payment_shows_its_status_and_reason_not_paid():
    failed = {"processor": "card", "status": "declined", "amount": 9632, "reason": "card_declined",
              "reference": None, "brand": "visa", "last4": "0002"}
    text = text_of(r.receipt_view(order(status="payment_failed", payment=failed)))
    assert "Paid by" not in text
    assert "declined" in text
    assert "card_declined" in text
    assert "payment_failed" in text


def test_the_cart_view_shows_lines_locations_and_subtotal():
    cart = {"id": 4, "location": "STORE-1", "status": "open", "currency": "USD", "subtotal": 8898,
            "items": order()["items"], "shipping": {"name": "Ada", "address": "1 Way"}}
    text = text_of(r.cart_view(cart))
    assert "Cart 4 at STORE-1" in text
    assert "TSHIRT-M" in text and "39.98" in text
    assert "WH-1 (delivery)" in text
    assert "Subtotal" in text and "88.98" in text
    assert "Ship to: Ada, 1 Way" in text


def test_an_empty_cart_says_it_is_empty():
    cart = {"id": 1, "location": "S", "status": "open", "currency": "USD", "subtotal": 0, "items": [], "shipping": None}
    assert "Cart 1 at S (open): empty" in text_of(r.cart_view(cart))


def test_the_stock_view_shows_on_hand_reserved_and_available_per_location():
    stock = {"sku": "TSHIRT-M", "name": "T-shirt Medium", "on_hand": 60, "available": 58, "levels": [
        {"location": "STORE-1", "on_hand": 10, "reserved": 2, "available": 8},
        {"location": "WH-1", "on_hand": 50, "reserved": 0, "available": 50}]}
    text = text_of(r.stock_view(stock))
    assert "STORE-1" in text and "WH-1" in text
    row = next(line for line in text.splitlines() if "STORE-1" in line)
    assert [c for c in row.replace("│", " ").split() if c.isdigit()] == ["10", "2", "8"]


def test_history_shows_signed_changes_and_what_caused_them():
    rows = [{"id": 2, "at": "2026-01-02T10:00:00Z", "sku": "A", "location": "S", "change": -2, "on_hand": 8,
             "source": "sale", "ref": "order 1", "reason": ""},
            {"id": 1, "at": "2026-01-01T10:00:00Z", "sku": "A", "location": "S", "change": 10, "on_hand": 10,
             "source": "set", "ref": "pos stock set", "reason": "count"}]
    text = text_of(r.history_view(rows))
    assert "-2" in text and "+10" in text
    assert "order 1" in text and "set" in text and "count" in text


def test_timestamps_without_a_zone_are_shown_to_the_minute_with_a_utc_offset():
    assert local_time("2026-11-25T21:32:07Z", None) == "2026-11-25 21:32 +00:00"
