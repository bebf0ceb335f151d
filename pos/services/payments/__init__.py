"""The PaymentService: a small processor interface and a registry filled from entry points.

Built-in processors (`cash`, `card`) are registered exactly like third-party ones, through the
`pos.payment_processors` entry-point group in their distribution's metadata.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from pos.errors import InvalidInput, UnknownProcessor

if TYPE_CHECKING:
    from pos.models.payment import ProcessorPublic
    from pos.services.payments.ledger import Ledger

ENTRY_POINT_GROUP = "pos.payment_processors"


@dataclass(frozen=True)
class PreparedPayment:
    """What a processor took from the command line, checked before any order exists.

    Only `brand`, `last4` and `tendered` are ever stored. `secret` (a card number, say) lives in memory
    for the one charge call and is never printed: it is left out of repr.
    """

    brand: str | None = None
    last4: str | None = None
    tendered: int | None = None
    secret: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class ChargeRequest:
    order_id: int
    amount: int
    currency: str
    idempotency_key: str
    payment: PreparedPayment
    #: The store's books for in-process processors (cash, the card simulator), so that `lookup` can
    #: answer; None when the caller has none. Plugins may ignore it.
    ledger: Ledger | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class RefundRequest:
    """Pay back `amount` of an earlier charge. `idempotency_key` is the refund's own (the same key must
    never pay back twice); `charge_key` and `charge_reference` name the charge it undoes."""

    refund_id: int
    order_id: int
    amount: int
    currency: str
    idempotency_key: str
    charge_key: str
    charge_reference: str | None
    #: the brand and last four digits of the card charged, when there was one (never its number)
    payment: PreparedPayment = field(default_factory=PreparedPayment)
    ledger: Ledger | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class PaymentResult:
    approved: bool
    reason: str | None = None  # why it was declined: card_declined, insufficient_funds, ...
    reference: str | None = None  # the processor's own id for the charge
    change_due: int | None = None


class PaymentProcessor(ABC):
    """Subclass this (or provide the same methods) and register it under `pos.payment_processors`."""

    name: str = ""
    description: str = ""
    #: parameters it reads from the command line (`--card`, `--tendered`, or `--pay-option KEY=VALUE`)
    parameters: Mapping[str, str] = {}
    #: True only for processors that answer in-process without any I/O (cash, the card simulator): they
    #: are called directly. Everything else runs under a watchdog thread so a hung processor times out.
    in_process: bool = False

    def prepare(self, params: Mapping[str, str], *, currency: str) -> PreparedPayment:
        """Check the parameters before an order is created; raise InvalidInput when they are unusable."""
        return PreparedPayment()

    @abstractmethod
    def charge(self, request: ChargeRequest) -> PaymentResult:
        """Take the money. The same idempotency key must never charge twice."""

    def lookup(self, request: ChargeRequest) -> PaymentResult | None:
        """What happened to an earlier charge with this idempotency key; None when it cannot tell."""
        return None

    # Optional, and so not defined here (pos asks `getattr(processor, "refund", None)`):
    #   refund(request: RefundRequest) -> PaymentResult         pay money back; one key never pays twice
    #   lookup_refund(request: RefundRequest) -> PaymentResult | None   what happened to a refund's key
    # A processor without `refund` cannot take returns except with `--refund-to cash`.


@dataclass(frozen=True)
class Answer:
    """What a processor call came to: `finished` False when it was still running at the timeout."""

    finished: bool
    result: object = None
    error: BaseException | None = None


def ask(processor: PaymentProcessor, call: Callable[[Any], object], request: object, *, timeout: float | None,
        name: str) -> Answer:
    """Run one processor call (charge, refund, a lookup) with no transaction open, under a watchdog thread
    unless the processor runs in-process. The plugin's faults come back as the answer's `error`, never
    raised; only Ctrl-C or an exit goes through, so the sale or refund stays pending for reconcile."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = call(request)
        except BaseException as exc:  # noqa: BLE001 - a plugin's fault is its answer, not a crash of pos
            outcome["error"] = exc

    if timeout is None or timeout <= 0 or getattr(processor, "in_process", False):
        run()
    else:
        worker = threading.Thread(target=run, name=name, daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            return Answer(False)
    error = outcome.get("error")
    if isinstance(error, (KeyboardInterrupt, SystemExit)):
        raise error  # the process is going away: what it was paying stays pending for `pos order reconcile`
    return Answer(True, outcome.get("result"), error)


def can_refund(processor: PaymentProcessor) -> bool:
    return callable(getattr(processor, "refund", None))


def installed() -> dict[str, EntryPoint]:
    """Entry points of every installed processor, by name (nothing is imported yet)."""
    return {ep.name: ep for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)}


# Processors made known in code (`register`): they come before entry points, so a test's fake (or an
# application embedding pos) is what checkout, batch and reconcile all find under that name.
_REGISTERED: dict[str, PaymentProcessor] = {}
# Entry-point processors, loaded once per process (a batch asks thousands of times). A cache of what is
# installed, which cannot change while the process runs.
_LOADED: dict[str, PaymentProcessor] = {}


def register(processor: PaymentProcessor, *, name: str | None = None) -> PaymentProcessor:
    """Make `processor` the one found under `name` (default: its own `name`) for the rest of the process,
    in place of any installed one. Returns it, so `fake = register(Fake())` reads naturally."""
    key = str(name or getattr(processor, "name", "") or "")
    if not key:
        raise ValueError("a registered processor needs a name")
    _REGISTERED[key] = processor
    return processor


def unregister(name: str) -> None:
    """Forget a processor given to `register`; the installed one of that name (if any) is found again."""
    _REGISTERED.pop(name, None)


def unregister_all() -> None:
    """Forget every processor given to `register`: only installed ones are found again."""
    _REGISTERED.clear()


@contextmanager
def registered(processor: PaymentProcessor, *, name: str | None = None) -> Iterator[PaymentProcessor]:
    """`register` for the length of a block; whatever was registered under the name before comes back."""
    key = str(name or getattr(processor, "name", "") or "")
    before = _REGISTERED.get(key)
    register(processor, name=key)
    try:
        yield processor
    finally:
        if before is None:
            unregister(key)
        else:
            _REGISTERED[key] = before


def get_processor(name: str) -> PaymentProcessor:
    """The processor registered under `name`, else the installed one (loaded once per process)."""
    processor = _REGISTERED.get(name) or _LOADED.get(name)
    if processor is not None:
        return processor
    found = installed()
    ep = found.get(name)
    if ep is None:
        names = ", ".join(sorted({*found, *_REGISTERED})) or "none"
        raise UnknownProcessor(f"no payment processor {name!r}; installed: {names}")
    obj = ep.load()
    processor = obj() if isinstance(obj, type) else obj
    if not getattr(processor, "name", ""):
        processor.name = name
    _LOADED[name] = processor
    return processor


def prepare(processor: PaymentProcessor, params: Mapping[str, str], *, currency: str) -> PreparedPayment:
    """The processor's own check of its parameters; a plugin with only `charge` needs none."""
    check = getattr(processor, "prepare", None)
    return check(params, currency=currency) if check is not None else PreparedPayment()


def describe_processors() -> list[ProcessorPublic]:
    from pos.models.payment import ProcessorPublic

    rows = []
    for name, ep in installed().items():
        try:
            processor = get_processor(name)
            description = getattr(processor, "description", "") or (type(processor).__doc__ or "").strip()
            parameters = dict(getattr(processor, "parameters", {}) or {})
            error = None
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not hide the others; say what is wrong
            description, parameters, error = "", {}, f"{type(exc).__name__}: {exc}"
        dist = getattr(ep, "dist", None)
        rows.append(ProcessorPublic(
            name=name, description=description, parameters=parameters, module=ep.value,
            distribution=f"{dist.name} {dist.version}" if dist else None, error=error,
        ))
    return rows


def require(params: Mapping[str, str], key: str, processor: str) -> str:
    value = params.get(key)
    if value is None or not str(value).strip():
        raise InvalidInput(f"paying by {processor} needs --{key}")
    return str(value).strip()
