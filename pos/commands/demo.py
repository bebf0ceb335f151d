"""The guided demo: the whole purchase flow on a throwaway database, each step printed."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pos.commands._common import console, plain


def run_demo(data_dir: str | None) -> None:
    from rich.markup import escape
    from rich.rule import Rule

    from pos.commands import _render as r
    from pos.errors import PosError
    from pos.services import cart, inventory, orders, sample
    from pos.services.db import Database
    from pos.services.settings import init_store

    out = console()
    path = Path(tempfile.mkdtemp(prefix="pos-demo-")) / "demo.db"
    db = Database(f"sqlite:///{path}")
    step_no = 0

    def step(title: str) -> None:
        nonlocal step_no
        step_no += 1
        out.print()
        out.print(Rule(f"[bold]{step_no}. {title}", align="left"))

    def expect_refusal(action: Callable[[], Any]) -> None:
        try:
            action()
        except PosError as err:
            out.print(f"[red]refused ({err.code}):[/red] {escape(err.message)}")
        else:  # the demo's data guarantees a refusal; anything else is a bug worth showing
            out.print("[yellow]unexpectedly accepted[/yellow]")

    step("A fresh store")
    init_store(db, currency="USD")
    with sample.sample_data_dir(data_dir) as folder:
        loaded = sample.load_sample(db, folder)
    out.print(f"Demo database: {escape(str(path))}  (never your own; explore it with "
              f"[bold]pos --db {escape(str(path))} ...[/bold])")
    out.print(f"Loaded {loaded.locations.read} locations, {loaded.catalog.created} variants and "
              f"{loaded.inventory.applied} stock levels from {escape(str(folder))}")

    step("STORE-1's drawer opens a shift with a 150.00 float")
    from pos.services import shifts

    opened = shifts.open_shift(db, location="STORE-1", float_amount="150.00")
    out.print(f"Shift {opened.id} open on register {escape(opened.register_)} at {opened.location}: "
              "every payment and refund there is recorded in it")

    step("Stock of a T-shirt, per location")
    out.print(r.stock_view(plain(inventory.check_stock(db, sku="TSHIRT-M"))))

    step("At STORE-1: 2 T-shirts, and a mug by its barcode")
    c = cart.new_cart(db, location="STORE-1")
    cart.add_item(db, cart_id=c.id, code="TSHIRT-M", quantity=2)
    out.print(r.cart_view(plain(cart.add_item(db, cart_id=c.id, code="5012345678900"))))

    step("5 desk lamps when the store has 1: the inventory check refuses")
    expect_refusal(lambda: cart.add_item(db, cart_id=c.id, code="LAMP-DESK", quantity=5))

    step("A declined card: the order is payment_failed; stock and cart are untouched")
    expect_refusal(lambda: orders.checkout(db, cart_id=c.id, processor="card", params={"card": "4000000000000002"}))
    out.print(r.stock_view(plain(inventory.check_stock(db, sku="TSHIRT-M", location="STORE-1"))))

    step("A good card: the order is processing and the stock goes down")
    paid = orders.checkout(db, cart_id=c.id, processor="card", params={"card": "4242 4242 4242 4242"})
    out.print(r.receipt_view(plain(paid)))
    out.print(r.stock_view(plain(inventory.check_stock(db, sku="TSHIRT-M", location="STORE-1"))))

    step("A delivery line: 2 desk lamps shipped from the warehouse WH-1")
    d = cart.new_cart(db, location="STORE-1")
    out.print(r.cart_view(plain(cart.add_item(db, cart_id=d.id, code="LAMP-DESK", quantity=2, from_location="WH-1"))))
    out.print("Croissants cannot be delivered, so they cannot come from the warehouse:")
    expect_refusal(lambda: cart.add_item(db, cart_id=d.id, code="CROISSANT", from_location="WH-1"))
    out.print("Checking out without an address:")
    expect_refusal(lambda: orders.checkout(db, cart_id=d.id, processor="cash", params={"tendered": "120"}))
    shipped = orders.checkout(
        db, cart_id=d.id, processor="cash", params={"tendered": "120.00"},
        shipping=orders.Shipping("Ada Lovelace", "1 Analytical Way, Springfield"),
    )
    out.print(r.receipt_view(plain(shipped)))

    show_discounts(step, out, db)
    show_returns(step, out, db, plain(paid), plain(shipped))
    show_split_payment(step, out, db)
    close_drawer(step, out, db)

    step("Every stock change is in the history")
    out.print(r.history_view(plain(inventory.stock_history(db, sku="LAMP-DESK"))))
    out.print(r.orders_view(plain(orders.list_orders(db))))
    db.dispose()


def close_drawer(step: Callable[[str], None], out: Any, db: Any) -> None:
    """A bank drop, then the drawer counted (a coin short) and the shift closed: its Z report."""
    from pos.commands._render_shift import movement_view, shift_view
    from pos.money import format_money
    from pos.services import shifts

    step("A bank drop; the drawer is counted and the shift closed: the Z report")
    out.print(movement_view(plain(shifts.cash_out(db, amount="50.00", reason="bank drop"))))
    counted = shifts.x_report(db, location="STORE-1").expected_cash - 25  # a quarter went missing
    z = shifts.close_shift(db, counted=format_money(counted, "USD"))
    out.print(shift_view(z.view(), chart=out.is_terminal))
def show_discounts(step: Callable[[str], None], out: Any, db: Any) -> None:
    """A line discount and a sale discount, each with its reason; tax on what is left."""
    from pos.commands import _render as r
    from pos.services import cart, discounts, orders

    step("Discounts: 10% off 2 mugs and 2.00 off the sale, each with its reason")
    sale = cart.new_cart(db, location="STORE-1")
    cart.add_item(db, cart_id=sale.id, code="MUG-WHT", quantity=2)
    cart.add_item(db, cart_id=sale.id, code="TSHIRT-S")
    discounts.set_discount(db, cart_id=sale.id, code="MUG-WHT", percent="10", reason="chipped glaze")
    out.print(r.cart_view(plain(discounts.set_discount(db, cart_id=sale.id, amount="2.00", reason="loyalty card"))))
    out.print("STORE-1's limit is 15% (--max-discount): above it, or for a price change, a manager approves.")
    out.print(r.receipt_view(plain(orders.checkout(db, cart_id=sale.id, processor="cash", params={"tendered": "60"}))))


def show_returns(step: Callable[[str], None], out: Any, db: Any, paid: dict, shipped: dict) -> None:
    """The way back: a return of one T-shirt to the card, and the whole delivery order cancelled."""
    from pos.commands import _render as r
    from pos.commands._render_refund import refund_view
    from pos.services import inventory, orders, refunds

    step(f"A return: 1 T-shirt of order {paid['id']}; the card gets its price and tax share back")
    back = refunds.return_items(db, order_id=paid["id"], lines=[refunds.ReturnLine("TSHIRT-M", 1)],
                                reason="too small")
    out.print(refund_view(back.model_dump(mode="json")))
    out.print(r.stock_view(plain(inventory.check_stock(db, sku="TSHIRT-M", location="STORE-1"))))

    step(f"A cancellation: order {shipped['id']} refunded in cash, the lamps back at WH-1")
    cancelled = refunds.cancel_order(db, order_id=shipped["id"], reason="customer changed their mind")
    assert cancelled.refund is not None
    out.print(refund_view(cancelled.refund.model_dump(mode="json")))
    out.print(r.receipt_view(plain(orders.show_order(db, order_id=shipped["id"]))))


def show_split_payment(step: Callable[[str], None], out: Any, db: Any) -> None:
    """One sale paid in two parts: a card part leaves a balance due (stock held), cash pays the rest."""
    from pos.commands import _render as r
    from pos.services import cart, inventory, orders

    step("A split payment: 30.00 by card now, the order pending with the rest due")
    s = cart.new_cart(db, location="STORE-1")
    cart.add_item(db, cart_id=s.id, code="TSHIRT-M", quantity=3)
    part = orders.checkout(db, cart_id=s.id, processor="card", params={"card": "5555 5555 5555 4444"}, amount=3000)
    out.print(r.receipt_view(plain(part)))
    out.print(r.stock_view(plain(inventory.check_stock(db, sku="TSHIRT-M", location="STORE-1"))))

    step("The rest in cash: 50.00 handed over, the same order paid, change given")
    done = orders.checkout(db, cart_id=s.id, processor="cash", params={"tendered": "50.00"})
    out.print(r.receipt_view(plain(done)))
