"""pos batch: scripted orders from a JSON Lines file."""

from __future__ import annotations

import io
import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from pos.commands._common import JsonFlag, database, print_json
from pos.commands._signin import ApproveOption, ClerkOption

if TYPE_CHECKING:
    from pos.models.order import BatchLineResult


def batch(
    file: Annotated[str, typer.Argument(metavar="FILE", help="JSON Lines file, one order per line; - reads standard input.")],
    stop_on_error: Annotated[bool, typer.Option("--stop-on-error", help="Stop at the first line that fails.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the processor per order.")] = 30.0,
    window_orders: Annotated[int, typer.Option(
        "--window-orders", min=1, max=10_000, envvar="POS_BATCH_WINDOW_ORDERS",
        help="Orders reserved and settled together (one transaction each way); 1: one order at a time.")] = 100,
    window_ms: Annotated[int, typer.Option(
        "--window-ms", min=0, max=60_000, envvar="POS_BATCH_WINDOW_MS",
        help="A window also closes this many milliseconds after its first line arrived.")] = 200,
    clerk: ClerkOption = None,
    approve: ApproveOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Run one order (or return, or cancel) per line through the checkout or refund flow; each line's `ref`
    makes re-runs safe.

    Line format: {"ref": "A-1", "location": "STORE-1", "items": [{"sku": "TSHIRT-M", "qty": 2, "from": "WH-1"}],
    "payment": {"processor": "card", "card": "4242424242424242"}, "shipping": {"name": "...", "address": "..."}}
    Returns: {"ref": "R-1", "return": {"order": 12, "items": [{"sku": "TSHIRT-M", "qty": 1}], "restock": true}};
    cancels: {"ref": "C-1", "cancel": {"order": 13}}.

    With clerks, the clerk is POS_CLERK/POS_PIN (or --clerk); returns and cancellations need a manager:
    the clerk if a manager, else POS_APPROVER/POS_APPROVER_PIN (or --approve), asked at the first such line.
    """
    from pos.commands._signin import signed_in
    from pos.errors import InvalidInput
    from pos.services.batch import run_batch

    try:
        # Bytes that are not UTF-8 fail their own line only (kept as surrogates, refused by the parser).
        if file == "-":
            stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="surrogateescape")
        else:
            stream = open(file, encoding="utf-8-sig", errors="surrogateescape")  # noqa: SIM115
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None
    started = time.perf_counter()
    counts = {"lines": 0, "ok": 0, "failed": 0, "replayed": 0}
    show_bar = not as_json and sys.stderr.isatty()
    with stream, signed_in(clerk) as actor, _progress(show_bar) as advance:
        approval = None if actor is None else _approval(actor, approve)
        for result in run_batch(database(), stream, stop_on_error=stop_on_error, timeout=timeout, approval=approval,
                                window_orders=window_orders, window_ms=window_ms):
            counts["lines"] += 1
            counts["ok" if _done(result) else "failed"] += 1
            counts["replayed"] += result.replayed
            if as_json:
                print_json(result.plain())
            else:
                _print_line(result)
            advance()
    elapsed = time.perf_counter() - started
    summary = {"summary": True, **counts, "seconds": round(elapsed, 3),
               "orders_per_second": round(counts["lines"] / elapsed, 1) if elapsed > 0 else None}
    if as_json:
        print_json(summary)
    else:
        typer.echo(f"{counts['lines']} lines: {counts['ok']} ok, {counts['failed']} failed, "
                   f"{counts['replayed']} replayed, in {elapsed:.2f}s", err=True)
    if counts["failed"]:
        raise typer.Exit(1)


def _approval(actor, approve: str | None):
    """The clerk approved by a manager, signed in once, at the first return or cancellation. When that
    fails (a wrong PIN, no manager named) every return and cancellation line fails with the same error:
    repeating a wrong PIN line after line would lock the manager out."""
    from pos.commands._signin import approved
    from pos.errors import PosError

    found: list = []

    def get():
        if not found:
            try:
                found.append(approved(actor, approve))
            except PosError as err:
                found.append(err)
        if isinstance(found[0], PosError):
            raise found[0]
        return found[0]

    return get


def _done(result: BatchLineResult) -> bool:
    """A line is done when it ended with no error and its order is not left pending: a replayed order
    whose payment a killed run never settled is not a success until `pos order reconcile` settles it."""
    from pos.models.order import OrderStatus

    return result.error is None and result.status != OrderStatus.PENDING


def _print_line(result: BatchLineResult) -> None:
    parts = [f"line {result.line}", f"ref {result.ref or '-'}", f"order {result.order_id or '-'}", result.status]
    if result.refund_id is not None:
        parts.insert(3, f"refund {result.refund_id}")
    if result.replayed:
        parts.append("(replayed)")
    if result.error:
        parts.append(f"{result.error.code}: {result.error.message}")
    elif not _done(result):
        parts.append("its payment is not settled: run `pos order reconcile`")
    typer.echo("  ".join(parts))


class _progress:
    """A rich progress bar on a terminal (stderr); nothing at all otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return lambda: None
        from rich.console import Console
        from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("orders"), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("orders", total=None)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
