"""Receipt printers that speak ESC/POS, through python-escpos.

A printer is named by a SPEC:
  file:/dev/usb/lp0        a device file (or any file) the bytes are written to
  network:HOST[:PORT]      a network printer (raw TCP, port 9100 by default)
  usb:VENDOR:PRODUCT       a USB printer by its hexadecimal ids, e.g. usb:04b8:0202 (needs pyusb)
  dummy:PATH               no printer: the raw ESC/POS bytes are appended to PATH (for tests and previews)

The job is built in memory first and sent in one go, so a printer that is off or missing fails before
anything is half printed. Printing happens after the sale is committed: a printer error never touches the
order, which stays paid and can be printed again with `pos receipt ORDER --printer SPEC`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos.errors import InvalidInput, PrinterError, require_extra
from pos.models.order import OrderStatus
from pos.receipt_text import BOLD, CENTER, TITLE, receipt_blocks

KINDS = ("file", "network", "usb", "dummy")
NETWORK_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class PrinterSpec:
    kind: str
    target: str  # a path, or a host
    port: int | None = None
    vendor: int | None = None
    product: int | None = None

    def __str__(self) -> str:
        if self.kind == "network":
            return f"network:{self.target}:{self.port}"
        if self.kind == "usb":
            return f"usb:{self.vendor:04x}:{self.product:04x}"
        return f"{self.kind}:{self.target}"


def parse_spec(spec: str) -> PrinterSpec:
    """The printer named by SPEC. Raises InvalidInput for a malformed SPEC, MissingExtra without python-escpos."""
    parsed = _parse(spec)
    require_extra("escpos", extra="printer", feature="--printer")
    return parsed


def _parse(spec: str) -> PrinterSpec:
    kind, sep, rest = spec.strip().partition(":")
    if not sep or kind not in KINDS or not rest:
        raise InvalidInput(
            f"printer {spec!r} must be file:PATH, network:HOST[:PORT], usb:VENDOR:PRODUCT or dummy:PATH"
        )
    if kind == "network":
        host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
        if not port.isdigit() and port:
            raise InvalidInput(f"printer port must be a number, not {port!r}")
        return PrinterSpec(kind, host or rest, port=int(port) if port else 9100)
    if kind == "usb":
        vendor, _, product = rest.partition(":")
        try:
            return PrinterSpec(kind, rest, vendor=int(vendor, 16), product=int(product, 16))
        except ValueError:
            raise InvalidInput(f"a USB printer is usb:VENDOR:PRODUCT in hexadecimal (usb:04b8:0202), not {spec!r}") from None
    return PrinterSpec(kind, rest)


def escpos_receipt(order: dict, *, width: int = 42) -> bytes:
    """The receipt as raw ESC/POS bytes: initialise, the styled lines, feed and cut."""
    return escpos_blocks(receipt_blocks(order, width))


def escpos_blocks(blocks: list) -> bytes:
    """Styled receipt lines (pos.receipt_text blocks) as raw ESC/POS bytes."""
    from escpos.printer import Dummy

    job = Dummy()
    job.hw("INIT")
    for style, line in blocks:
        if style == TITLE:
            job.set(align="center", bold=True, double_height=True)
            job.textln(line.strip())
        elif style == CENTER:
            job.set(align="center", bold=False, normal_textsize=True)
            job.textln(line.strip())
        else:
            job.set(align="left", bold=style == BOLD, normal_textsize=True)
            job.textln(line)
    job.set(align="left", bold=False, normal_textsize=True)
    job.cut()
    return job.output


def send(spec: PrinterSpec, data: bytes) -> None:
    """Write the bytes to the printer. Raises PrinterError when it cannot be reached."""
    if spec.kind == "dummy":
        try:
            with open(spec.target, "ab") as out:
                out.write(data)
        except OSError as exc:
            raise PrinterError(f"cannot write {spec.target}: {exc.strerror or exc}") from None
        return
    from escpos.exceptions import Error as EscposError

    device = _device(spec)
    try:
        device.open()
        device._raw(data)  # the whole job at once (python-escpos's own write path)
    except (OSError, EscposError, RuntimeError) as exc:
        raise PrinterError(f"{_first_line(exc)}") from None
    finally:
        try:
            device.close()
        except Exception:  # noqa: BLE001 - closing a device that never opened must not hide the real error
            pass


def print_receipt(order: dict, *, spec: str, width: int = 42) -> str:
    """Print an order's receipt on the printer SPEC; returns the printer's name for messages."""
    parsed = parse_spec(spec)
    data = escpos_receipt(order, width=width)
    try:
        send(parsed, data)
    except PrinterError as err:
        kept = "paid and kept" if order["status"] in (OrderStatus.PROCESSING, OrderStatus.COMPLETED) else "unchanged"
        raise PrinterError(
            f"printer {parsed} failed: {err.message}; order {order['id']} is {kept}, reprint with "
            f"`pos receipt {order['id']} --printer {spec}`",
            order_id=order["id"], printer=str(parsed),
        ) from None
    return str(parsed)


def _device(spec: PrinterSpec):  # an escpos printer object
    if spec.kind == "file":
        from escpos.printer import File

        return File(devfile=spec.target, auto_flush=True)
    if spec.kind == "network":
        from escpos.printer import Network

        return Network(host=spec.target, port=spec.port, timeout=NETWORK_TIMEOUT_S)
    from escpos.printer import Usb

    if not Usb.is_usable():
        raise PrinterError("USB printing needs pyusb: pip install 'python-escpos[usb]'")
    return Usb(idVendor=spec.vendor, idProduct=spec.product)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__).rstrip(":")


def print_refund_receipt(refund: dict, *, spec: str, width: int = 42) -> str:
    """Print a refund's receipt on the printer SPEC; returns the printer's name for messages."""
    from pos.receipt_refund import refund_blocks

    parsed = parse_spec(spec)
    try:
        send(parsed, escpos_blocks(refund_blocks(refund, width)))
    except PrinterError as err:
        raise PrinterError(
            f"printer {parsed} failed: {err.message}; refund {refund['id']} is {refund['status']} and kept, reprint "
            f"with `pos refund show {refund['id']} --printer {spec}`", refund_id=refund["id"], printer=str(parsed),
        ) from None
    return str(parsed)
