"""`pos till` at a real (pseudo-)terminal: it offers to resume, draws the sale, and hides card numbers."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pos.services import cart
from pos.services.orders import list_orders, show_order

pty = pytest.importorskip("pty", reason="pseudo-terminals are a POSIX feature")

POS = str(Path(sys.executable).parent / "pos")


def _controlling_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is the pty, so Ctrl-C is SIGINT."""
    import fcntl
    import termios

    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    def __init__(self, argv: list[str]) -> None:
        self.master, slave = pty.openpty()
        env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                                     preexec_fn=_controlling_terminal)
        os.close(slave)
        self.seen = b""
        self.mark = 0  # where the next expect starts looking

    def expect(self, text: bytes, timeout: float = 20) -> None:
        """Wait until `text` appears after what the previous expect matched."""
        end = time.monotonic() + timeout
        while text not in self.seen[self.mark:]:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} not seen in {self.seen[-2000:]!r}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    break
        self.mark = self.seen.index(text, self.mark) + len(text)

    def type(self, line: str) -> None:
        os.write(self.master, line.encode())

    def close(self) -> int:
        code = self.proc.wait(timeout=30)
        os.close(self.master)
        return code


def test_the_till_offers_to_resume_and_overwrites_a_typed_card_number(store):
    open_sale = cart.new_cart(store, location="STORE-1").id
    cart.add_item(store, cart_id=open_sale, code="CROISSANT", quantity=2)

    term = Terminal([POS, "--db", store.url, "till", "--location", "STORE-1"])
    term.expect(f"Resume sale {open_sale}?".encode())
    term.type("y\n")
    term.expect(b"STORE-1> ")
    term.type("TSHIRT-M\n")
    term.expect(b"3 items")
    term.expect(b"STORE-1> ")
    term.type("pay card 4242424242424242\n")
    term.expect(b"New sale")
    term.expect(b"STORE-1> ")
    term.type("\x04")  # Ctrl-D ends the session
    code = term.close()
    assert code == 0, term.seen[-1500:]

    (order,) = list_orders(store)
    doc = show_order(store, order_id=order.id)
    assert doc.cart_id == open_sale and doc.status == "processing"
    assert {i.sku: i.quantity for i in doc.items} == {"CROISSANT": 2, "TSHIRT-M": 1}
    # The terminal echoed what was typed; the till moved up, erased that line and wrote it masked.
    typed = term.seen.index(b"4242424242424242")
    assert term.seen.index(b"\x1b[1A\x1b[2KSTORE-1> pay card ****4242", typed) > typed
    assert term.seen.count(b"4242424242424242") == 1


def test_ctrl_c_cancels_the_input_but_keeps_the_sale(store):
    term = Terminal([POS, "--db", store.url, "till", "--location", "STORE-1", "--new"])
    term.expect(b"STORE-1> ")
    term.type("TSHIRT-M\n")
    term.expect(b"1 item")
    term.expect(b"STORE-1> ")
    # Python's readline notices a SIGINT only once it waits for input: give it a moment to get there.
    time.sleep(0.5)
    term.type("CROISS\x03")  # Ctrl-C halfway through a line
    term.expect(b"the sale is kept")
    term.expect(b"STORE-1> ")
    term.type("pay cash 50\n")
    term.expect(b"New sale")
    term.expect(b"STORE-1> ")
    term.type("quit\n")
    assert term.close() == 0
    (order,) = list_orders(store)
    assert [i.sku for i in show_order(store, order_id=order.id).items] == ["TSHIRT-M"]
