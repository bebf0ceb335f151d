"""The till's session: one till at one store, and the sale in progress between lines.

A sale in progress is an ordinary open cart in the database, so a crash loses nothing and the next
`pos till` can resume it. The session only keeps which cart that is: every line is carried out by the
very functions `pos cart ...` and `pos checkout` use, and the sale it shows (tax and total at the
store's rate as it is now) is the order service's `priced_cart`, the total checkout charges. It holds
no rules and no SQL of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pos.errors import CartClosed, InvalidInput, PaymentDeclined, PosError, ShippingRequired
from pos.services.db import Database

if TYPE_CHECKING:
    from pos.models.cart import CartPublic, SalePublic
    from pos.models.order import OrderPublic
from pos.services.till.parse import (
    Add, CancelOrder, ChangePrice, ClearDiscount, Command, Discount, Park, Pay, Remove, Resume, ReturnItems,
    SetQuantity, parse_line,
)


@dataclass
class Result:
    """What a line did: `sale` (the sale as it now is), `paid` (with the order), `part` (a part of a split
    payment paid: the order, pending, with its balance due), `abandoned` (a sale paid in parts given up:
    `cancellation`, its parts paid back), `refund` (with the refund document, or `order` alone for a
    cancelled unpaid order), `parked` (the sale set aside, in `sale`), `parked_list` (in `parked`), `resumed`
    (the sale brought back), `help`, `quit`, `nothing`."""

    kind: str
    sale: SalePublic | None = None
    order: OrderPublic | None = None
    refund: dict | None = None  # the refund document, as JSON has it
    refund_order: dict | None = None  # the id and status of the order a return or cancellation touched
    parked: list[SalePublic] | None = None  # `parked`: this store's parked sales
    cancellation: dict | None = None  # a sale paid in parts and given up, as `pos order cancel --json` has it


class TillSession:
    """One till at one store. The sale in progress is the open cart `cart_id` (created at the first line)."""

    def __init__(self, db: Database, *, location: str, register: str | None = None) -> None:
        from pos.services.catalog import location_by_code
        from pos.services.settings import currency

        self.db = db
        with db.read() as conn:  # an unknown store is refused before the first line
            self.location = location_by_code(conn, location)["code"]
            self.currency = currency(conn)
        self.cart_id: int | None = None
        self.register = register  # the drawer its payments and refunds go through (None: the location's only one)

    # -- resuming ---------------------------------------------------------------------------------------

    def open_sale(self) -> SalePublic | None:
        """The newest open cart of this store that has lines: a sale left unfinished, or None."""
        from pos.services.cart import unfinished_cart

        found = unfinished_cart(self.db, location=self.location)
        return None if found is None else self._priced(found)

    def resume(self, cart_id: int) -> SalePublic:
        sale = self._priced(cart_id)
        if sale.location != self.location:
            raise InvalidInput(f"cart {cart_id} belongs to {sale.location}, not {self.location}")
        self.cart_id = cart_id
        return sale

    # -- lines ------------------------------------------------------------------------------------------

    def handle(self, line: str) -> Result:
        """Carry out one line. Domain errors propagate and leave the sale as it was."""
        action = parse_line(line)
        if isinstance(action, Command):
            return self._command(action.name)
        if isinstance(action, Pay):
            return self._pay(action)
        if isinstance(action, (ReturnItems, CancelOrder)):
            return self._refund(action)
        if isinstance(action, (Park, Resume)):
            return self._park(action) if isinstance(action, Park) else self._resume_parked(action.cart_id)
        from pos.services import cart
        from pos.services.orders import add_to_sale, price_cart

        if isinstance(action, Add):  # a scan: the line and the priced sale in one transaction
            sale = add_to_sale(self.db, cart_id=self._cart(), code=action.code, quantity=action.quantity,
                               from_location=action.from_location)
            return Result("sale", sale=sale)
        if isinstance(action, Remove):
            doc = cart.remove_item(self.db, cart_id=self._require_cart(), code=action.code)
        elif isinstance(action, SetQuantity):
            doc = cart.set_item(self.db, cart_id=self._require_cart(), code=action.code, quantity=action.quantity)
        elif isinstance(action, (Discount, ClearDiscount, ChangePrice)):
            doc = self._discount(action)
        else:
            doc = cart.set_shipping(self.db, cart_id=self._cart(), name=action.name, address=action.address)
        return Result("sale", sale=price_cart(self.db, doc))

    def _discount(self, action: Discount | ClearDiscount | ChangePrice) -> CartPublic:
        """`disc` and `price`: through the service `pos cart discount` and `pos cart price` use."""
        from pos.services import discounts

        cart_id = self._require_cart()
        if isinstance(action, ChangePrice):
            return discounts.change_price(self.db, cart_id=cart_id, code=action.code, price=action.price,
                                          reason=action.reason)
        if isinstance(action, ClearDiscount):
            return discounts.clear_discount(self.db, cart_id=cart_id, code=action.code)
        return discounts.set_discount(self.db, cart_id=cart_id, percent=action.percent, amount=action.amount,
                                      reason=action.reason, code=action.code)

    def current(self) -> SalePublic:
        """The sale as it is now; before the first line, an empty one."""
        if self.cart_id is None:
            from pos.models.cart import CartStatus, SalePublic

            return SalePublic(id=None, location=self.location, status=CartStatus.OPEN, items=[], subtotal=0,
                              currency=self.currency, shipping=None, tax=0, total=0)
        return self._priced(self.cart_id)

    def _command(self, name: str) -> Result:
        if name == "cancel":
            abandoned = self._abandon_split_sale()
            if abandoned is not None:
                return abandoned
            if self.cart_id is not None:
                from pos.services.cart import clear_cart

                from pos.services.orders import price_cart

                return Result("sale", sale=price_cart(self.db, clear_cart(self.db, cart_id=self.cart_id)))
            return Result("sale", sale=self.current())
        if name == "total":
            from pos.services.split_pay import awaiting_order

            order_id = None if self.cart_id is None else awaiting_order(self.db, cart_id=self.cart_id)
            if order_id is not None:  # being paid in parts: what is paid and what is due
                from pos.services.orders import show_order

                return Result("part", order=show_order(self.db, order_id=order_id))
            return Result("sale", sale=self.current())
        if name == "parked":
            from pos.services.parking import parked_sales

            return Result("parked_list", parked=parked_sales(self.db, location=self.location))
        if name == "quit":
            return Result("quit", sale=self.current() if self.cart_id is not None else None)
        return Result(name)

    def _abandon_split_sale(self) -> Result | None:
        """`cancel` on a sale paid in parts: given up, every approved part paid back, a new sale starts."""
        from pos.services.split_pay import abandon_order, awaiting_order

        order_id = None if self.cart_id is None else awaiting_order(self.db, cart_id=self.cart_id)
        if order_id is None:
            return None
        self.cart_id = None  # cancelled whatever happens to the refunds: the next line starts a new sale
        done = abandon_order(self.db, order_id=order_id, reason="cancelled at the till")
        return Result("abandoned", cancellation=done.model_dump(mode="json"))

    def _pay(self, action: Pay) -> Result:
        from pos.money import format_money, parse_money
        from pos.services.orders import checkout, checkout_total
        from pos.services.split_pay import balance_due

        # Before the first line there is no cart yet: the sale's own (empty) cart gets checkout's refusal.
        cart_id = self._cart()
        params = dict(action.params)
        amount_text = params.pop("amount", None)
        amount = None if amount_text is None else parse_money(amount_text, self.currency, what="amount",
                                                              allow_zero=False)
        try:
            if action.processor == "cash" and "tendered" not in params:
                # Exact cash: the part asked for, or what is due now at the store's current tax rate.
                due = amount if amount is not None else balance_due(self.db, cart_id=cart_id)
                if due is None:
                    due = checkout_total(self.db, cart_id=cart_id)
                params["tendered"] = format_money(due, self.currency)
            order = checkout(self.db, cart_id=cart_id, processor=action.processor, params=params, amount=amount,
                             keep_owner=True, register=self.register)
        except ShippingRequired as err:
            err.message += " (`ship NAME / ADDRESS`)"  # as `pos checkout` names its own options
            raise
        except PaymentDeclined:
            raise  # the sale is open as it was: pay another way
        except (PosError, KeyboardInterrupt) as exc:
            self._set_aside_if_paying(exc)
            raise
        from pos.models.order import OrderStatus

        if order.status == OrderStatus.PENDING:  # a part paid; the rest is due on this same sale
            return Result("part", order=order)
        self.cart_id = None  # paid: the next line starts a new sale
        return Result("paid", order=order)

    def _refund(self, action: ReturnItems | CancelOrder) -> Result:
        """A return or cancellation at this till, through the refund service `pos return` uses; the sale in
        progress is left as it is."""
        from pos.services import refunds

        if isinstance(action, CancelOrder):
            done = refunds.cancel_order(self.db, order_id=action.order_id, location=self.location,
                                        register=self.register)
            refund = done.refund.model_dump(mode="json") if done.refund else None
            return Result("refund", refund_order={"id": done.order_id, "status": done.status}, refund=refund)
        doc = refunds.return_items(self.db, order_id=action.order_id,
                                   lines=[refunds.ReturnLine(action.code, action.quantity)],
                                   location=self.location, register=self.register)
        return Result("refund", refund_order={"id": doc.order_id, "status": doc.order_status},
                      refund=doc.model_dump(mode="json"))

    def _park(self, action: Park) -> Result:
        """Set the sale aside (an open cart any till of this store can resume); the next line starts a new one."""
        from pos.errors import EmptyCart
        from pos.services.parking import park_sale

        if self.cart_id is None:
            raise EmptyCart("the sale is empty: nothing to park")
        park_sale(self.db, cart_id=self.cart_id, location=self.location, note=action.note)
        sale = self._priced(self.cart_id)
        self.cart_id = None
        return Result("parked", sale=sale)

    def _resume_parked(self, cart_id: int) -> Result:
        """Bring a parked sale back. The sale in progress must be empty: park it (or pay for it) first."""
        from pos.services.parking import resume_parked

        if self.cart_id is not None and self.cart_id != cart_id and self.current().items:
            raise InvalidInput(f"sale {self.cart_id} is in progress: `park` it (or pay or cancel it) first")
        sale = resume_parked(self.db, cart_id=cart_id, location=self.location)
        self.cart_id = cart_id
        return Result("resumed", sale=sale)

    def _set_aside_if_paying(self, exc: BaseException) -> None:
        """A payment that ended neither paid nor declined (interrupted, or not recorded) leaves its sale
        pending for `pos order reconcile`: the till starts a new sale instead of being stuck on it."""
        from pos.models.cart import CartStatus
        from pos.services.cart import show_cart

        from pos.services.split_pay import awaiting_order

        if self.cart_id is None:
            return
        try:
            if awaiting_order(self.db, cart_id=self.cart_id) is not None:
                return  # a sale paid in parts, no part in flight: it waits for the next part, nothing is set aside
            status = show_cart(self.db, cart_id=self.cart_id).status
        except PosError:
            return
        if status == CartStatus.CHECKOUT:
            sale, self.cart_id = self.cart_id, None
            if isinstance(exc, KeyboardInterrupt):
                raise CartClosed(
                    f"the payment for sale {sale} was interrupted; it is pending until `pos order reconcile` "
                    "settles it. A new sale starts."
                ) from None
            if isinstance(exc, PosError):
                exc.message += f" (sale {sale} is set aside; a new sale starts)"

    def leave(self) -> OrderPublic | None:
        """The till is closing. A sale paid in part is handed back (no process owns it any more), so any
        `pos checkout` may pay the rest and `pos order reconcile` gives it up only once it has waited past
        its threshold; returns its order, or None when there is none."""
        from pos.services.split_pay import awaiting_order, hand_back

        order_id = None if self.cart_id is None else awaiting_order(self.db, cart_id=self.cart_id)
        return None if order_id is None else hand_back(self.db, order_id=order_id)

    def _priced(self, cart_id: int) -> SalePublic:
        from pos.services.orders import show_priced_cart

        return show_priced_cart(self.db, cart_id=cart_id)

    def _cart(self) -> int:
        if self.cart_id is None:
            from pos.services.cart import new_cart

            self.cart_id = new_cart(self.db, location=self.location).id
        return self.cart_id

    def _require_cart(self) -> int:
        if self.cart_id is None:
            raise InvalidInput("the sale is empty")
        return self.cart_id
