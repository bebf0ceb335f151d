"""Cash at the till: the tendered amount must cover the total; the change is shown."""

from __future__ import annotations

from collections.abc import Mapping

from pos.money import format_money, parse_money
from pos.services.payments import (
    ChargeRequest, PaymentProcessor, PaymentResult, PreparedPayment, RefundRequest, require,
)


class CashProcessor(PaymentProcessor):
    name = "cash"
    description = "Cash in the drawer; needs --tendered AMOUNT and shows the change due."
    in_process = True
    parameters = {"tendered": "the amount handed over, e.g. 50.00"}

    def prepare(self, params: Mapping[str, str], *, currency: str) -> PreparedPayment:
        tendered = parse_money(require(params, "tendered", "cash"), currency, what="tendered amount")
        return PreparedPayment(tendered=tendered)

    def _decide(self, request: ChargeRequest) -> PaymentResult:
        tendered = request.payment.tendered or 0
        if tendered < request.amount:
            short = format_money(request.amount - tendered, request.currency)
            return PaymentResult(approved=False, reason=f"insufficient_tender: {short} short")
        return PaymentResult(approved=True, change_due=tendered - request.amount, reference=f"cash-{request.order_id}")

    def charge(self, request: ChargeRequest) -> PaymentResult:
        from pos.services.payments.ledger import answer

        # Recording the sale in the drawer's ledger is "opening the drawer": it is committed before the
        # till says paid, so a till that dies after it leaves a cash sale that reconcile finds.
        return answer(request.ledger, self.name, request, lambda: self._decide(request))

    def lookup(self, request: ChargeRequest) -> PaymentResult | None:
        """In the drawer's ledger: paid. Not in it: the till died before the drawer opened, so no cash was
        taken and the order fails. Without a ledger, the stored amounts decide, as they did before it."""
        from pos.services.payments.ledger import look_up

        if request.ledger is None:
            return self._decide(request)
        return look_up(request.ledger, self.name, request, no_entry="no_cash_taken: the till stopped before the drawer opened")

    def refund(self, request: RefundRequest) -> PaymentResult:
        """Cash out of the drawer: recorded in the drawer's ledger (the drawer opening) before it is paid."""
        from pos.models.payment import LEDGER_REFUND
        from pos.services.payments.ledger import answer

        approved = PaymentResult(approved=True, reference=f"cash-refund-{request.refund_id}")
        return answer(request.ledger, self.name, request, lambda: approved, kind=LEDGER_REFUND)

    def lookup_refund(self, request: RefundRequest) -> PaymentResult | None:
        """In the drawer's ledger: paid out. Not in it: the till stopped before the drawer opened."""
        from pos.models.payment import LEDGER_REFUND
        from pos.services.payments.ledger import look_up

        return look_up(request.ledger, self.name, request, kind=LEDGER_REFUND,
                       no_entry="no_cash_paid: the till stopped before the drawer opened")
