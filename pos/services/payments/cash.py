"""Cash at the till: the tendered amount must cover the total; the change is shown."""

from __future__ import annotations

from collections.abc import Mapping

from pos.money import format_money, parse_money
from pos.services.payments import ChargeRequest, PaymentProcessor, PaymentResult, PreparedPayment, require


class CashProcessor(PaymentProcessor):
    name = "cash"
    description = "Cash in the drawer; needs --tendered AMOUNT and shows the change due."
    in_process = True
    parameters = {"tendered": "the amount handed over, e.g. 50.00"}

    def prepare(self, params: Mapping[str, str], *, currency: str) -> PreparedPayment:
        tendered = parse_money(require(params, "tendered", "cash"), currency, what="tendered amount")
        return PreparedPayment(tendered=tendered)

    def charge(self, request: ChargeRequest) -> PaymentResult:
        tendered = request.payment.tendered or 0
        if tendered < request.amount:
            short = format_money(request.amount - tendered, request.currency)
            return PaymentResult(approved=False, reason=f"insufficient_tender: {short} short")
        return PaymentResult(approved=True, change_due=tendered - request.amount, reference=f"cash-{request.order_id}")

    def lookup(self, request: ChargeRequest) -> PaymentResult | None:
        # Cash is decided by the amounts alone, which are stored: the answer is always known.
        return self.charge(request)
