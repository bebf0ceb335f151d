"""Statuses of carts, orders and payments, and the roles of clerks, defined once here with no table class
beside them: views, receipts, the sign-in and the cart service compare against them without loading the
SQLModel tables (`pos.models.cart`, `pos.models.order`, `pos.models.payment` and `pos.models.staff`
re-export them, so either import works)."""

from __future__ import annotations

from enum import StrEnum


class CartStatus(StrEnum):
    OPEN = "open"
    CHECKOUT = "checkout"  # a payment is being taken; nothing may change
    CLOSED = "closed"


class OrderStatus(StrEnum):
    PENDING = "pending"  # placed, its payment not settled yet
    PROCESSING = "processing"  # paid: stock taken, to be fulfilled
    COMPLETED = "completed"  # paid and every line handed over or shipped (`pos order fulfil`); set from processing only
    PAYMENT_FAILED = "payment_failed"
    PARTIALLY_REFUNDED = "partially_refunded"  # some units returned and paid back
    REFUNDED = "refunded"  # every unit returned and paid back
    CANCELLED = "cancelled"  # cancelled whole (pos order cancel), or a failed payment's customer left


class PaymentStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    FAILED = "failed"  # the processor raised, timed out or answered nonsense


class ClerkRole(StrEnum):
    CLERK = "clerk"
    MANAGER = "manager"
