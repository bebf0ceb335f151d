"""The public interface for payment processor plugins: import from here, and only from here.

These names are kept stable; where they live inside pos may change without breaking a plugin. A plugin
subclasses `PaymentProcessor` (or provides the same methods) and is registered under the entry-point
group `pos.payment_processors` (`ENTRY_POINT_GROUP`):

- `prepare(params, *, currency) -> PreparedPayment` checks the command-line parameters before any order
  exists and raises `InvalidInput` (a one-line message, never the secret itself) when they are unusable;
- `charge(request: ChargeRequest) -> PaymentResult` takes the money: a refusal is a `PaymentResult` with
  `approved=False` and a `reason`, not an exception (any exception fails the payment as a fault);
- `lookup(request) -> PaymentResult | None`, optional, tells `pos order reconcile` what happened to an
  earlier charge with the same idempotency key;
- `refund(request: RefundRequest) -> PaymentResult`, optional, pays money back for `pos return` and
  `pos order cancel`, and `lookup_refund(request) -> PaymentResult | None` tells reconcile what happened
  to an earlier refund.

`require(params, key, processor)` reads a needed parameter; `mask_card_numbers` hides card numbers in
text a plugin passes on (a message from its acquirer, say). `register`/`registered` put a processor in
front of the installed ones for this process: for a plugin's own tests, or an application embedding pos.
"""

from __future__ import annotations

from pos.errors import InvalidInput, PosError
from pos.redact import mask_card_numbers, mask_stray_card_numbers
from pos.services.payments import (
    ENTRY_POINT_GROUP,
    ChargeRequest,
    PaymentProcessor,
    PaymentResult,
    PreparedPayment,
    RefundRequest,
    register,
    registered,
    require,
    unregister,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "ChargeRequest",
    "InvalidInput",
    "PaymentProcessor",
    "PaymentResult",
    "PosError",
    "PreparedPayment",
    "RefundRequest",
    "mask_card_numbers",
    "mask_stray_card_numbers",
    "register",
    "registered",
    "require",
    "unregister",
]
