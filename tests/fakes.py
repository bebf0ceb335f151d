"""Fake payment processors for tests: real PaymentProcessor subclasses, registered for one test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from pos.plugin import ChargeRequest, PaymentProcessor, PaymentResult, register


class FakeProcessor(PaymentProcessor):
    """Records every charge; answers with `answer(request)` (approve by default)."""

    description = "test double"

    def __init__(self, name: str = "fake", answer: Callable[[ChargeRequest], object] | None = None) -> None:
        self.name = name
        self.charges: list[ChargeRequest] = []
        self.answer = answer or (lambda request: PaymentResult(True, reference=f"fake-{request.order_id}"))
        self.ledger: dict[str, PaymentResult] = {}

    def charge(self, request: ChargeRequest):
        self.charges.append(request)
        result = self.answer(request)
        if isinstance(result, PaymentResult):
            self.ledger[request.idempotency_key] = result
        return result

    def lookup(self, request: ChargeRequest):
        return self.ledger.get(request.idempotency_key)


def raising(request: ChargeRequest):
    raise ConnectionError("the acquirer hung up")


def garbage(request: ChargeRequest):
    return {"ok": "sure"}


def hanging(seconds: float) -> Callable[[ChargeRequest], object]:
    release = threading.Event()

    def answer(request: ChargeRequest):
        release.wait(seconds)
        time.sleep(0)
        return PaymentResult(True)

    return answer


def install(processor: PaymentProcessor) -> PaymentProcessor:
    """Make `processor` the one pos finds under its name, for this test only (conftest resets the registry)."""
    return register(processor)
