"""Till mode: a line typed or scanned at the counter becomes one action on the sale in progress.

`parse_line` is pure (no database): it turns text into an action. `TillSession.handle` carries the action
out through the very services `pos cart ...` and `pos checkout` use, so a sale in progress is an ordinary
open cart in the database: a crash loses nothing, and the next `pos till` can resume it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pos.errors import CartClosed, EmptyCart, InvalidInput, PaymentDeclined, PosError, ShippingRequired
from pos.services.payments.card import mask_card_numbers, mask_stray_card_numbers
from pos.services.db import Database

HELP = """\
SKU or barcode        add one              3*SKU or 3 SKU     add three
-SKU or void SKU      remove the line      qty SKU N          set the quantity (0 removes)
from WH-1 SKU         a delivery line from another location (deliverable items only)
ship NAME / ADDRESS   shipping details for delivery lines
total                 show the sale        cancel             empty the sale
pay cash [AMOUNT]     cash (no amount: exact)
pay card NUMBER [MM/YY]                    pay NAME KEY=VALUE ...   any installed processor
return ORDER SKU [N]  take back N (default: every unit not yet returned), refunded the way it was paid
cancel order ORDER    refund a whole order and restock it
help                  this text            quit or Ctrl-D     end (an unpaid sale stays open)"""

# -- actions --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Add:
    code: str
    quantity: int = 1
    from_location: str | None = None


@dataclass(frozen=True)
class Remove:
    code: str


@dataclass(frozen=True)
class SetQuantity:
    code: str
    quantity: int


@dataclass(frozen=True)
class Pay:
    processor: str
    params: dict[str, str] = field(default_factory=dict, repr=False)  # may hold a card number: never shown


@dataclass(frozen=True)
class Ship:
    name: str
    address: str


@dataclass(frozen=True)
class Command:
    """A word with no argument: total, cancel, help, quit, or nothing at all (an empty line)."""

    name: str


@dataclass(frozen=True)
class ReturnItems:
    order_id: int
    code: str
    quantity: int | None = None  # None: every unit of it not yet returned


@dataclass(frozen=True)
class CancelOrder:
    order_id: int


Action = Add | Remove | SetQuantity | Pay | Ship | Command | ReturnItems | CancelOrder

# Single letters are left alone: they could be SKUs.
_WORDS = {"total": "total", "cancel": "cancel", "help": "help", "?": "help", "quit": "quit", "exit": "quit"}
_TIMES = re.compile(r"^(\d+)\s*[*xX]\s*(\S+)$")
_EXPIRY = re.compile(r"^\d{1,2}/(\d{2}|\d{4})$")
_SENSITIVE_KEYS = {"card", "number", "pan", "cvc", "cvv", "expiry", "exp", "pin", "track"}
_LONG_DIGITS = re.compile(r"\d[\d -]{6,}\d")


def _count(text: str, what: str = "quantity") -> int:
    if not text.isdigit():
        raise InvalidInput(f"{what} must be a whole number, not {text!r}")
    return int(text)


def _quantity_and_code(words: list[str]) -> tuple[int, str]:
    """['SKU'], ['3*SKU'], ['3', 'SKU'] -> (quantity, code)."""
    if len(words) == 1:
        match = _TIMES.match(words[0])
        return (int(match.group(1)), match.group(2)) if match else (1, words[0])
    if len(words) == 2 and words[0].isdigit():
        return int(words[0]), words[1]
    raise InvalidInput("a line is a SKU or barcode, `3*SKU`, or a command (type `help`)")


def parse_line(line: str) -> Action:
    """Turn one line from the keyboard or a scanner into an action. Raises InvalidInput when it is not one."""
    text = line.strip()
    if not text:
        return Command("nothing")
    words = text.split()
    head = words[0].lower()
    if len(words) == 1 and head in _WORDS:
        return Command(_WORDS[head])
    if head == "pay":
        return _parse_pay(words[1:])
    if head == "return":
        if len(words) not in (3, 4):
            raise InvalidInput("a return is `return ORDER SKU [N]`")
        return ReturnItems(_count(words[1], "the order number"), words[2],
                           _positive(_count(words[3])) if len(words) == 4 else None)
    if head == "cancel" and len(words) == 3 and words[1].lower() == "order":
        return CancelOrder(_count(words[2], "the order number"))
    if head == "ship":
        name, sep, address = text[len(words[0]):].partition("/")
        if not sep or not name.strip() or not address.strip():
            raise InvalidInput("shipping is `ship NAME / ADDRESS`")
        return Ship(name.strip(), address.strip())
    if head in {"void", "remove"}:
        if len(words) != 2:
            raise InvalidInput("remove a line with `void SKU` or `-SKU`")
        return Remove(words[1])
    if head == "qty":
        if len(words) != 3:
            raise InvalidInput("set a quantity with `qty SKU N`")
        return SetQuantity(words[1], _count(words[2]))
    if head == "from":
        if len(words) < 3:
            raise InvalidInput("a delivery line is `from LOCATION SKU` (or `from LOCATION 3*SKU`)")
        quantity, code = _quantity_and_code(words[2:])
        return Add(code, _positive(quantity), from_location=words[1])
    if len(words) == 1 and text.startswith("-") and len(text) > 1:
        return Remove(text[1:])
    quantity, code = _quantity_and_code(words)
    return Add(code, _positive(quantity))


def _positive(quantity: int) -> int:
    if quantity <= 0:
        raise InvalidInput("quantity must be 1 or more (use `void SKU` to remove a line)")
    return quantity


def _parse_pay(words: list[str]) -> Pay:
    if not words:
        raise InvalidInput("pay how? `pay cash 50`, `pay card NUMBER` or `pay NAME KEY=VALUE ...`")
    processor, rest = words[0].lower(), words[1:]
    params: dict[str, str] = {}
    bare: list[str] = []
    for word in rest:
        key, sep, value = word.partition("=")
        if sep and key:
            params[key.lower()] = value
        else:
            bare.append(word)
    if processor == "cash":
        if len(bare) > 1:
            raise InvalidInput("cash is `pay cash AMOUNT` (or `pay cash` for the exact amount)")
        if bare:
            params["tendered"] = bare[0]
    elif processor == "card":
        expiry = [w for w in bare if _EXPIRY.match(w)]
        digits = [w for w in bare if not _EXPIRY.match(w)]
        if len(expiry) > 1:
            raise InvalidInput("give one expiry date, MM/YY")
        if digits:
            params["card"] = "".join(digits)
        if expiry:
            params["expiry"] = expiry[0]
    elif bare:
        # Never repeat the words back: they may be a card number typed in the wrong place.
        raise InvalidInput(f"`pay {processor}` takes KEY=VALUE parameters only (see `pos payment list`)")
    return Pay(processor, params)


def is_payment_line(line: str) -> bool:
    """A `pay ...` line: the one kind of till line where a card number belongs."""
    words = line.split()
    return bool(words) and words[0].lower() == "pay"


def redact(line: str) -> str:
    """The line as it may be shown again: a payment line loses card numbers, expiry dates and secrets.

    Digits typed in groups (`4242 4242 4242 4242`) count as one number; any number of 8 digits or more
    is shown as its last four only.
    """
    if not is_payment_line(line):
        return mask_stray_card_numbers(line.strip())  # a scanned GTIN is shown, a card typed as a SKU is not
    words = line.split()
    out: list[str] = []
    digits = ""

    def flush() -> None:
        nonlocal digits
        if digits:
            out.append("****" + digits[-4:] if len(digits) >= 8 else digits)
            digits = ""

    for word in words:
        key, sep, _value = word.partition("=")
        if re.fullmatch(r"[\d-]+", word) and any(c.isdigit() for c in word):
            digits += word.replace("-", "")
            continue
        flush()
        if sep and key.lower() in _SENSITIVE_KEYS:
            word = f"{key}=****"
        elif _EXPIRY.match(word):
            word = "**/**"
        elif sep and _LONG_DIGITS.search(word):
            word = f"{key}=****"
        out.append(word)
    flush()
    return mask_card_numbers(" ".join(out))  # a number glued to a word ("card4242...") too


# -- the session ----------------------------------------------------------------------------------------


@dataclass
class Result:
    """What a line did: `sale` (the sale as it now is), `paid` (with the order), `refund` (with the refund
    document, or `order` alone for a cancelled unpaid order), `help`, `quit`, `nothing`."""

    kind: str
    sale: dict | None = None
    order: dict | None = None
    refund: dict | None = None


class TillSession:
    """One till at one store. The sale in progress is the open cart `cart_id` (created at the first line)."""

    def __init__(self, db: Database, *, location: str) -> None:
        from pos.services.catalog import location_by_code
        from pos.services.store import currency

        self.db = db
        with db.read() as conn:
            loc = location_by_code(conn, location)
            self.currency = currency(conn)
        self.location = loc["code"]
        self.tax_rate = loc["tax_rate"]
        self.cart_id: int | None = None

    # -- resuming ---------------------------------------------------------------------------------------

    def open_sale(self) -> dict | None:
        """The newest open cart of this store that has lines: a sale left unfinished, or None."""
        from sqlalchemy import exists, select

        from pos.models.cart import CART_OPEN
        from pos.services import tables as t
        from pos.services.cart import cart_document

        with self.db.read() as conn:
            found = conn.execute(
                select(t.cart.c.id)
                .join(t.location, t.location.c.id == t.cart.c.location_id)
                .where(t.location.c.code == self.location, t.cart.c.status == CART_OPEN,
                       exists().where(t.cart_item.c.cart_id == t.cart.c.id))
                .order_by(t.cart.c.id.desc()).limit(1)
            ).scalar()
            return None if found is None else self._sale(cart_document(conn, found))

    def resume(self, cart_id: int) -> dict:
        from pos.services.cart import show_cart

        doc = show_cart(self.db, cart_id=cart_id)
        if doc["location"] != self.location:
            raise InvalidInput(f"cart {cart_id} belongs to {doc['location']}, not {self.location}")
        self.cart_id = cart_id
        return self._sale(doc)

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
        from pos.services import cart

        if isinstance(action, Add):
            doc = cart.add_item(self.db, cart_id=self._cart(), code=action.code, quantity=action.quantity,
                                from_location=action.from_location)
        elif isinstance(action, Remove):
            doc = cart.remove_item(self.db, cart_id=self._require_cart(), code=action.code)
        elif isinstance(action, SetQuantity):
            doc = cart.set_item(self.db, cart_id=self._require_cart(), code=action.code, quantity=action.quantity)
        else:
            doc = cart.set_shipping(self.db, cart_id=self._cart(), name=action.name, address=action.address)
        return Result("sale", sale=self._sale(doc))

    def current(self) -> dict:
        from pos.services.cart import show_cart

        if self.cart_id is None:
            return self._sale({"id": None, "location": self.location, "status": "open", "items": [],
                               "subtotal": 0, "currency": self.currency, "shipping": None})
        return self._sale(show_cart(self.db, cart_id=self.cart_id))

    def _command(self, name: str) -> Result:
        if name == "cancel":
            if self.cart_id is not None:
                from pos.services.cart import clear_cart

                return Result("sale", sale=self._sale(clear_cart(self.db, cart_id=self.cart_id)))
            return Result("sale", sale=self.current())
        if name == "total":
            return Result("sale", sale=self.current())
        if name == "quit":
            return Result("quit", sale=self.current() if self.cart_id is not None else None)
        return Result(name)

    def _pay(self, action: Pay) -> Result:
        from pos.services.orders import checkout

        if self.cart_id is None:
            raise EmptyCart("nothing to pay for yet: scan something first")
        params = dict(action.params)
        sale = self.current()
        if not sale["items"]:
            raise EmptyCart("nothing to pay for yet: scan something first")
        if any(item["delivery"] for item in sale["items"]) and not sale["shipping"]:
            raise ShippingRequired("this sale has delivery lines: give `ship NAME / ADDRESS` first")
        if action.processor == "cash" and "tendered" not in params:
            from pos.money import format_money

            params["tendered"] = format_money(sale["total"], self.currency)  # exact cash
        try:
            order = checkout(self.db, cart_id=self.cart_id, processor=action.processor, params=params)
        except PaymentDeclined:
            raise  # the sale is open as it was: pay another way
        except (PosError, KeyboardInterrupt) as exc:
            self._set_aside_if_paying(exc)
            raise
        self.cart_id = None  # paid: the next line starts a new sale
        return Result("paid", order=order)

    def _refund(self, action: ReturnItems | CancelOrder) -> Result:
        """A return or cancellation at this till, through the refund service `pos return` uses; the sale in
        progress is left as it is."""
        from pos.services import refunds

        if isinstance(action, CancelOrder):
            done = refunds.cancel_order(self.db, order_id=action.order_id)
            refund = done.refund.model_dump(mode="json") if done.refund else None
            return Result("refund", order={"id": done.order_id, "status": done.status}, refund=refund)
        doc = refunds.return_items(self.db, order_id=action.order_id,
                                   lines=[refunds.ReturnLine(action.code, action.quantity)])
        return Result("refund", order={"id": doc.order_id, "status": doc.order_status},
                      refund=doc.model_dump(mode="json"))

    def _set_aside_if_paying(self, exc: BaseException) -> None:
        """A payment that ended neither paid nor declined (interrupted, or not recorded) leaves its sale
        pending for `pos order reconcile`: the till starts a new sale instead of being stuck on it."""
        from pos.services.cart import show_cart

        if self.cart_id is None:
            return
        try:
            status = show_cart(self.db, cart_id=self.cart_id)["status"]
        except PosError:
            return
        if status == "checkout":
            sale, self.cart_id = self.cart_id, None
            if isinstance(exc, KeyboardInterrupt):
                raise CartClosed(
                    f"the payment for sale {sale} was interrupted; it is pending until `pos order reconcile` "
                    "settles it. A new sale starts."
                ) from None
            if isinstance(exc, PosError):
                exc.message += f" (sale {sale} is set aside; a new sale starts)"

    def _cart(self) -> int:
        if self.cart_id is None:
            from pos.services.cart import new_cart

            self.cart_id = new_cart(self.db, location=self.location)["id"]
        return self.cart_id

    def _require_cart(self) -> int:
        if self.cart_id is None:
            raise InvalidInput("the sale is empty")
        return self.cart_id

    def _sale(self, cart: dict) -> dict:
        from pos.money import tax_for

        tax = tax_for(cart["subtotal"], self.tax_rate)
        return {**cart, "tax": tax, "total": cart["subtotal"] + tax}
