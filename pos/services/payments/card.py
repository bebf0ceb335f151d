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
from pos.redact import luhn_ok
from pos.services.payments import (
    ChargeRequest, PaymentProcessor, PaymentResult, PreparedPayment, RefundRequest, require,
)

DECLINES = {"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"}


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
