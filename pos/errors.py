"""Domain errors. Services raise these; `pos.cli` turns them into one line and an exit status.

Each error has a stable `code` that scripts can rely on (it is the `error.code` of `--json` output).
"""

from __future__ import annotations

from typing import Any


class PosError(Exception):
    """Base of every error a user is meant to see."""

    code = "error"
    exit_code = 1

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        body.update({k: v for k, v in self.details.items() if v is not None})
        return body


class NotFound(PosError):
    """A code, SKU, barcode, cart or order does not exist."""

    code = "not_found"


class InvalidInput(PosError):
    """A value given on the command line or in a file is not acceptable."""

    code = "invalid_input"


class AlreadyExists(PosError):
    """A code, SKU or barcode is already taken."""

    code = "already_exists"


class InsufficientStock(PosError):
    """Fewer units are available at a location than were asked for."""

    code = "insufficient_stock"


class NotDeliverable(PosError):
    """A variant that cannot be shipped was asked for from another location."""

    code = "not_deliverable"


class ShippingRequired(PosError):
    """A cart with delivery lines was checked out without shipping details."""

    code = "shipping_required"


class CartClosed(PosError):
    """The cart was already paid, or a checkout of it is under way."""

    code = "cart_closed"


class EmptyCart(PosError):
    """A cart with no lines cannot be checked out."""

    code = "empty_cart"


class PaymentDeclined(PosError):
    """The payment processor did not take the money; the order is `payment_failed`."""

    code = "payment_declined"


class SettleConflict(PosError):
    """The processor's answer came after a reconcile had settled the order the other way."""

    code = "settle_conflict"


class PaymentUnrecorded(PosError):
    """The processor took the money but the database could not record it; the order stays pending."""

    code = "payment_unrecorded"


class NotRefundable(PosError):
    """The order cannot be returned or cancelled in its status (pending, cancelled, ...)."""

    code = "not_refundable"


class ReturnExceedsSale(PosError):
    """More units were asked back than the order sold and has not yet taken back."""

    code = "return_exceeds_sale"


class RefundDeclined(PosError):
    """The processor did not pay the refund back; nothing moved and the refund is `declined`."""

    code = "refund_declined"


class RefundUnsupported(PosError):
    """The order's processor cannot refund (no `refund`): pay it back in cash with --refund-to cash."""

    code = "refund_unsupported"


class RefundPending(PosError):
    """The processor gave no answer in time: the refund stays pending for `pos order reconcile`."""

    code = "refund_pending"


class NoOpenShift(PosError):
    """Cash at a location that has had shifts, or a drawer action, with no shift open on the register."""

    code = "no_open_shift"


class RegisterRequired(PosError):
    """Several registers could be meant: name one with --register (and --location)."""

    code = "register_required"


class ShiftAlreadyOpen(PosError):
    """The register already has an open shift: close it first (`pos shift close`)."""

    code = "shift_already_open"


class ShiftClosed(PosError):
    """The shift is closed already: its Z report is final."""

    code = "shift_closed"


class ShiftBusy(PosError):
    """A payment or refund of the shift is still pending: settle it before closing the drawer."""

    code = "shift_busy"


class InsufficientCash(PosError):
    """More cash was asked out of the drawer than it should hold."""

    code = "insufficient_cash"


class UnknownProcessor(PosError):
    """No payment processor is installed under that name."""

    code = "unknown_processor"


class IdempotencyConflict(PosError):
    """The same reference was used before for a different request."""

    code = "idempotency_conflict"


class NotInitialised(PosError):
    """The database has no pos schema yet, or an older one."""

    code = "not_initialised"


class DatabaseBusy(PosError):
    """The database stayed locked by another till for longer than the busy timeout."""

    code = "database_busy"


class DatabaseUnavailable(PosError):
    """The database cannot be opened or reached."""

    code = "database_unavailable"


class PrinterError(PosError):
    """The receipt printer is off, missing or refused the job."""

    code = "printer_error"


class MissingExtra(PosError):
    """A feature needs an optional part of pos that is not installed (`pip install 'pos[postgres]'`)."""

    code = "missing_extra"


def require_extra(module: str, *, extra: str, feature: str) -> None:
    """Import `module`, or raise MissingExtra naming the pip command that installs it."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise MissingExtra(
            f"{feature} needs the {extra} extra, which is not installed: pip install 'pos[{extra}]'", extra=extra
        ) from None


class NotFulfillable(PosError):
    """An order has nothing to ship (not paid, already shipped, returned) from where it was asked."""

    code = "not_fulfillable"


class NotParked(PosError):
    """A sale to resume is not parked (any more): another till resumed it, or it was never parked."""

    code = "not_parked"


class Interrupted(PosError):
    """A long operation was stopped (Ctrl-C); what it had not committed was rolled back."""

    code = "interrupted"
    exit_code = 130


class AuthFailed(PosError):
    """A clerk's name and PIN did not match (a wrong PIN, or no such clerk): recorded in the audit log."""

    code = "auth_failed"


class ClerkLocked(PosError):
    """Too many wrong PINs in a row: the clerk cannot sign in until the lock-out ends."""

    code = "clerk_locked"


class ClerkDisabled(PosError):
    """The clerk was disabled (`pos clerk disable`) and can no longer sign in."""

    code = "clerk_disabled"


class SignInRequired(PosError):
    """The store has clerks and this command changes something: name one with --clerk or POS_CLERK."""

    code = "sign_in_required"


class PinRequired(PosError):
    """A PIN is needed and there is no terminal to ask it on: set POS_PIN (or POS_APPROVER_PIN)."""

    code = "pin_required"


class ApprovalRequired(PosError):
    """The action needs a manager's approval and the clerk, not a manager, named none (--approve)."""

    code = "approval_required"


class NotAManager(PosError):
    """The clerk named to approve, or to manage clerks, is not a manager."""

    code = "not_a_manager"
