"""A simulated card terminal with the test numbers payment APIs use.

The number must pass the Luhn check; 4000000000000002 is declined (card_declined), 4000000000009995 is
declined (insufficient_funds), and every other valid number is approved. Only the brand and the last four
digits leave this module. Each answer is kept in the store's processor ledger under its idempotency
key, so the same key never charges twice and `lookup` can tell a reconcile what happened.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from pos.errors import InvalidInput
from pos.services.payments import (
    ChargeRequest, PaymentProcessor, PaymentResult, PreparedPayment, RefundRequest, require,
)

DECLINES = {"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"}


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# 14 to 19 digits, alone or typed in groups ("4242 4242 4242 4242", "4242-4242-..."), even glued to a word.
_CARD_LIKE = re.compile(r"(?<!\d)\d(?:[ -]?\d){13,18}(?!\d)")
_SEPARATOR = re.compile(r"[ -]")
_QUANTITY_DIGITS = 6  # at most: "4 5012345678900" is four of an EAN-13, not a card


def mask_card_numbers(text: str) -> str:
    """Hide anything shaped like a card number (14 to 19 digits passing the Luhn check) but its last four.

    For text where a card number can be: a `pay` line, `--card`, a batch payment, and errors of those.
    Elsewhere use `mask_stray_card_numbers`, which leaves the codes of the catalog alone.
    """

    def hide(match: re.Match[str]) -> str:
        digits = _SEPARATOR.sub("", match.group())
        return "****" + digits[-4:] if luhn_ok(digits) else match.group()

    return _CARD_LIKE.sub(hide, text)


def could_be_a_code(run: str) -> bool:
    """True when a run of digits is a valid GTIN, or a quantity and a GTIN (`4 5012345678900`,
    `5012345678900 4`): something a till line or a catalog message means as a code, not a card."""
    from pos.barcodes import is_gtin

    groups = _SEPARATOR.split(run)
    if len(groups) == 1:
        return is_gtin(run)  # digits typed in groups ("3056 930902 5904") are a card's way, not a code's
    if len(groups) != 2:
        return False
    first, second = groups
    return (is_gtin(second) and len(first) <= _QUANTITY_DIGITS) or (is_gtin(first) and len(second) <= _QUANTITY_DIGITS)


def mask_stray_card_numbers(text: str) -> str:
    """Hide a card number typed or swiped where no card number belongs (a SKU, an error message), but
    never what can be a code of the catalog: a valid GTIN-8/12/13/14, alone or with a quantity, stays as
    it is even when its digits happen to pass the Luhn check (about one GTIN-14 in ten does).

    All-digit barcodes must be GTINs (pos/barcodes.py), so a Luhn-valid run that is no GTIN cannot be one.
    """

    def hide(match: re.Match[str]) -> str:
        run = match.group()
        if could_be_a_code(run):
            return run
        digits = _SEPARATOR.sub("", run)
        if luhn_ok(digits):
            return "****" + digits[-4:]
        return _hide_card_beside_quantity(run)

    return _CARD_LIKE.sub(hide, text)


def _hide_card_beside_quantity(run: str) -> str:
    """`2 4242424242424242`: a quantity and a card number typed as one, whose digits together fail Luhn."""
    groups = _SEPARATOR.split(run)
    if len(groups) != 2:
        return run
    joint = run[len(groups[0])]
    first, second = groups
    if len(first) <= _QUANTITY_DIGITS and len(second) >= 14 and luhn_ok(second):
        return f"{first}{joint}****{second[-4:]}"
    if len(second) <= _QUANTITY_DIGITS and len(first) >= 14 and luhn_ok(first):
        return f"****{first[-4:]}{joint}{second}"
    return run


def brand_of(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"34", "37"}:
        return "amex"
    if 51 <= int(number[:2]) <= 55 or 2221 <= int(number[:4]) <= 2720:
        return "mastercard"
    if number.startswith(("6011", "65")):
        return "discover"
    return "card"


def check_expiry(text: str, now: datetime | None = None) -> None:
    match = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{2}|\d{4})", text.strip())
    if not match:
        raise InvalidInput("card expiry must look like MM/YY")
    month, year = int(match.group(1)), int(match.group(2))
    year = year + 2000 if year < 100 else year
    if not 1 <= month <= 12:
        raise InvalidInput("card expiry month must be 01 to 12")
    now = now or datetime.now(UTC)
    if (year, month) < (now.year, now.month):
        raise InvalidInput("the card has expired")


class CardProcessor(PaymentProcessor):
    name = "card"
    description = "Simulated card terminal; needs --card NUMBER (Luhn-checked), optional --expiry MM/YY."
    in_process = True
    parameters = {"card": "card number (only brand and last 4 are kept)", "expiry": "MM/YY, optional"}

    def prepare(self, params: Mapping[str, str], *, currency: str) -> PreparedPayment:
        number = re.sub(r"[\s-]", "", require(params, "card", "card"))
        if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_ok(number) or not number.strip("0"):
            # Never echo the number back: it may be a real one typed wrongly.
            raise InvalidInput("that card number is not valid (check the digits)")
        if params.get("expiry"):
            check_expiry(params["expiry"])
        return PreparedPayment(brand=brand_of(number), last4=number[-4:], secret={"number": number})

    def charge(self, request: ChargeRequest) -> PaymentResult:
        from pos.services.payments.ledger import answer

        def decide() -> PaymentResult:
            reason = DECLINES.get(request.payment.secret.get("number", ""))
            if reason:
                return PaymentResult(approved=False, reason=reason)
            return PaymentResult(approved=True, reference=f"sim-{request.idempotency_key}")

        # The simulated bank's books: the answer is recorded (brand and last 4 only) before it is returned.
        return answer(request.ledger, self.name, request, decide)

    def lookup(self, request: ChargeRequest) -> PaymentResult | None:
        """The bank's books: a charge not in them never happened (it is written before an approval)."""
        from pos.services.payments.ledger import look_up

        return look_up(request.ledger, self.name, request, no_entry="no_such_charge")

    def refund(self, request: RefundRequest) -> PaymentResult:
        """Pay back to the card charged: only a charge the simulated bank approved can be refunded."""
        from pos.models.payment import LEDGER_REFUND
        from pos.services.payments.ledger import APPROVED, answer

        def decide() -> PaymentResult:
            charge = request.ledger.find(self.name, request.charge_key) if request.ledger else None
            if request.ledger is not None and (charge is None or charge.status != APPROVED):
                return PaymentResult(approved=False, reason="no_such_charge")
            return PaymentResult(approved=True, reference=f"sim-refund-{request.idempotency_key}")

        return answer(request.ledger, self.name, request, decide, kind=LEDGER_REFUND)

    def lookup_refund(self, request: RefundRequest) -> PaymentResult | None:
        """The bank's books: a refund not in them was never paid (it is written before an approval)."""
        from pos.models.payment import LEDGER_REFUND
        from pos.services.payments.ledger import look_up

        return look_up(request.ledger, self.name, request, no_entry="no_such_refund", kind=LEDGER_REFUND)
