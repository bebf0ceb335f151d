"""Prebuilt INSERTs take their defaults (status, timestamps) from the table models, the one place they are declared."""

from datetime import UTC, datetime
from types import SimpleNamespace

from pos.models.cart import Cart
from pos.models.order import Order
from pos.services import sql
from pos.services import tables as t

SQLITE = SimpleNamespace(dialect=SimpleNamespace(name="sqlite"))
MOMENT = datetime(2026, 11, 26, 10, 30, 5, 123456, tzinfo=UTC)


def test_a_new_order_is_pending_and_created_and_updated_at_one_moment():
    values = sql.insert_defaults(SQLITE, t.orders, now=MOMENT)  # type: ignore[arg-type]
    assert values == {
        "status": Order().status,
        "discount": 0,  # no order discount unless checkout gives one
        "created_at": "2026-11-26 10:30:05.123456",
        "updated_at": "2026-11-26 10:30:05.123456",
    }


def test_a_new_cart_is_open_as_the_model_declares():
    assert sql.insert_defaults(SQLITE, t.cart, now=MOMENT)["status"] == Cart().status == "open"  # type: ignore[arg-type]


def test_history_rows_default_to_no_reason_and_no_reference():
    values = sql.insert_defaults(SQLITE, t.stock_movement, now=MOMENT)  # type: ignore[arg-type]
    assert values["reason"] == "" and values["source_ref"] == "" and values["created_at"].startswith("2026-11-26")


def test_the_cart_services_copy_of_the_cart_defaults_is_the_models():
    # `pos cart new` inserts a cart without loading the table classes: its copy must not drift from them.
    from pos.services.cart import CART_DEFAULTS

    assert sql.defaults_of(t.cart) == CART_DEFAULTS
    assert sql.with_defaults(SQLITE, CART_DEFAULTS, now=MOMENT) == sql.insert_defaults(SQLITE, t.cart, now=MOMENT)  # type: ignore[arg-type]


def test_the_audit_logs_copy_of_its_defaults_is_the_models():
    # Every change writes an audit row without loading the staff table classes: the copy must not drift.
    from pos.services.audit import AUDIT_DEFAULTS

    assert sql.defaults_of(t.audit_log) == AUDIT_DEFAULTS
    assert sql.with_defaults(SQLITE, AUDIT_DEFAULTS, now=MOMENT) == sql.insert_defaults(SQLITE, t.audit_log, now=MOMENT)  # type: ignore[arg-type]
