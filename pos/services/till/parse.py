"""The till's language: a line typed or scanned at the counter becomes one action. Pure: no database.

`parse_line` turns text into an action, `redact` gives the line as it may be shown again. What an action
does is session.py's business, and the rules it meets are the cart and order services'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pos.errors import InvalidInput
from pos.pairs import key_value
from pos.services.inventory import positive_quantity
from pos.redact import mask_card_numbers, mask_stray_card_numbers

HELP = """\
SKU or barcode        add one              3*SKU or 3 SKU     add three
-SKU or void SKU      remove the line      qty SKU N          set the quantity (0 removes)
from WH-1 SKU         a delivery line from another location (deliverable items only)
ship NAME / ADDRESS   shipping details for delivery lines
disc 10% / REASON     10 % off the sale    disc 5.00 / REASON 5.00 off the sale
disc SKU 10% / REASON a line's discount    disc clear [SKU]   remove a discount
price SKU 9.99 / REASON                    sell the line at another price
total                 show the sale        cancel             empty (or give up) the sale
pay cash [AMOUNT]     cash (no amount: exact)
pay card NUMBER [MM/YY] [PART]             pay NAME KEY=VALUE ...   any installed processor
amount=PART           on any pay line: pay only PART (e.g. 30.00) now, the rest later
return ORDER SKU [N]  take back N (default: every unit not yet returned), refunded the way it was paid
cancel order ORDER    refund a whole order and restock it
park [NOTE]           set the sale aside and start a new one
parked                list parked sales    resume N           bring parked sale N back (any till)
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


@dataclass(frozen=True)
class Park:
    note: str = ""


@dataclass(frozen=True)
class Resume:
    cart_id: int


@dataclass(frozen=True)
class Discount:
    """`disc [SKU] 10% / REASON` or `disc [SKU] 5.00 / REASON`; no SKU: the whole sale."""

    code: str | None
    percent: str | None
    amount: str | None
    reason: str


@dataclass(frozen=True)
class ClearDiscount:
    code: str | None


@dataclass(frozen=True)
class ChangePrice:
    code: str
    price: str
    reason: str


Action = (Add | Remove | SetQuantity | Pay | Ship | Command | ReturnItems | CancelOrder | Park | Resume | Discount
          | ClearDiscount | ChangePrice)

# Single letters are left alone: they could be SKUs.
_WORDS = {"total": "total", "cancel": "cancel", "help": "help", "?": "help", "quit": "quit", "exit": "quit",
          "parked": "parked"}
_TIMES = re.compile(r"^(\d+)\s*[*xX]\s*(\S+)$")
_VOID_HINT = "use `void SKU` to remove a line"
_EXPIRY = re.compile(r"^\d{1,2}/(\d{2}|\d{4})$")
_PART = re.compile(r"^\d+\.\d{1,3}$")  # `pay card NUMBER 30.00`: a card number never has a decimal point
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
                           positive_quantity(_count(words[3])) if len(words) == 4 else None)
    if head == "cancel" and len(words) == 3 and words[1].lower() == "order":
        return CancelOrder(_count(words[2], "the order number"))
    if head == "park":
        return Park(text[len(words[0]):].strip())
    if head == "resume":
        if len(words) != 2:
            raise InvalidInput("resume a parked sale with `resume N` (`parked` lists them)")
        return Resume(_count(words[1], "the sale number"))
    if head == "ship":
        name, sep, address = text[len(words[0]):].partition("/")
        if not sep or not name.strip() or not address.strip():
            raise InvalidInput("shipping is `ship NAME / ADDRESS`")
        return Ship(name.strip(), address.strip())
    if head == "disc":
        return _parse_discount(text[len(words[0]):])
    if head == "price":
        what, reason = _with_reason(text[len(words[0]):], "price SKU 9.99 / REASON")
        if len(what) != 2:
            raise InvalidInput("a price change is `price SKU 9.99 / REASON`")
        return ChangePrice(what[0], what[1], reason)
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
        return Add(code, positive_quantity(quantity, hint=_VOID_HINT), from_location=words[1])
    if len(words) == 1 and text.startswith("-") and len(text) > 1:
        return Remove(text[1:])
    quantity, code = _quantity_and_code(words)
    return Add(code, positive_quantity(quantity, hint=_VOID_HINT))


def _with_reason(rest: str, form: str) -> tuple[list[str], str]:
    """`... / REASON`: the words before the slash, and the reason after it (required)."""
    before, sep, reason = rest.partition("/")
    if not sep or not reason.strip():
        raise InvalidInput(f"say why after a slash: `{form}`")
    return before.split(), reason.strip()


def _parse_discount(rest: str) -> Discount | ClearDiscount:
    words = rest.split()
    if words and words[0].lower() == "clear" and "/" not in rest:
        if len(words) > 2:
            raise InvalidInput("remove a discount with `disc clear` or `disc clear SKU`")
        return ClearDiscount(words[1] if len(words) == 2 else None)
    what, reason = _with_reason(rest, "disc 10% / REASON` or `disc SKU 5.00 / REASON")
    if len(what) not in (1, 2):
        raise InvalidInput("a discount is `disc 10% / REASON`, `disc 5.00 / REASON` or `disc SKU 10% / REASON`")
    value = what[-1]
    percent, amount = (value, None) if value.endswith("%") else (None, value)
    return Discount(what[0] if len(what) == 2 else None, percent, amount, reason)


def _parse_pay(words: list[str]) -> Pay:
    if not words:
        raise InvalidInput("pay how? `pay cash 50`, `pay card NUMBER` or `pay NAME KEY=VALUE ...`")
    processor, rest = words[0].lower(), words[1:]
    params: dict[str, str] = {}
    bare: list[str] = []
    for word in rest:
        if kv := key_value(word):
            params[kv[0].lower()] = kv[1]
        else:
            bare.append(word)
    if processor == "cash":
        if len(bare) > 1:
            raise InvalidInput("cash is `pay cash AMOUNT` (or `pay cash` for the exact amount)")
        if bare:
            params["tendered"] = bare[0]
    elif processor == "card":
        expiry = [w for w in bare if _EXPIRY.match(w)]
        parts = [w for w in bare if _PART.match(w)]
        digits = [w for w in bare if not _EXPIRY.match(w) and not _PART.match(w)]
        if len(expiry) > 1:
            raise InvalidInput("give one expiry date, MM/YY")
        if len(parts) > 1 or (parts and "amount" in params):
            raise InvalidInput("give one amount to pay now, e.g. 30.00")
        if parts:
            params["amount"] = parts[0]
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
