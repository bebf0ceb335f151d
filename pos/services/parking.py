"""Parked sales: a till puts its sale aside (`park`), and any till of the same store brings it back.

A parked sale is an ordinary open cart with `parked_at` set: `pos cart list --parked` lists them, and
`pos cart ...` works on them as on any cart. Resuming is one conditional UPDATE that clears `parked_at`
only where it is still set, so when two tills resume the same sale at once exactly one of them gets it
and the other is told. A sale left open by a till that stopped (not parked) is resumed as before, with
`pos till --resume`.
"""

from __future__ import annotations

from sqlalchemy import select

from pos.errors import CartClosed, EmptyCart, InvalidInput, NotFound, NotParked
from pos.models._common import utcnow
from pos.models.cart import CartPublic, CartStatus, SalePublic
from pos.services import tables as t
from pos.services.cart import cart_document, cart_lines, cart_row, open_cart_row
from pos.services.catalog import location_by_code
from pos.services.db import Database

C = t.cart
NOTE_MAX = 200  # cart.park_note


def check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"the note is {len(note)} characters long; at most {NOTE_MAX} fit")
    return note


def park_sale(db: Database, *, cart_id: int, location: str, note: str = "") -> CartPublic:
    """Set an open sale with lines aside at its store, with an optional note."""
    note = check_note(note)
    with db.write() as conn:
        cart = open_cart_row(conn, cart_id, lock=True)
        loc = location_by_code(conn, location)
        if cart["location_id"] != loc["id"]:
            raise InvalidInput(f"sale {cart_id} does not belong to {loc['code']}")
        if not cart_lines(conn, cart_id):
            raise EmptyCart("the sale is empty: nothing to park")
        parked = conn.execute(
            C.update().where(C.c.id == cart_id, C.c.status == CartStatus.OPEN, C.c.parked_at.is_(None))
            .values(parked_at=utcnow(), park_note=note or None)
        ).rowcount
        if parked != 1:
            raise InvalidInput(f"sale {cart_id} is parked already")
        return cart_document(conn, cart_id)


def parked_sales(db: Database, *, location: str) -> list[SalePublic]:
    """The sales parked at this store, oldest first, priced as checkout would charge them now."""
    from pos.services.orders import priced_cart

    with db.read() as conn:
        loc = location_by_code(conn, location)
        ids = conn.execute(
            select(C.c.id).where(C.c.location_id == loc["id"], C.c.status == CartStatus.OPEN,
                                 C.c.parked_at.is_not(None)).order_by(C.c.parked_at, C.c.id)
        ).scalars().all()
        return [priced_cart(conn, cart_document(conn, cid)) for cid in ids]


def resume_parked(db: Database, *, cart_id: int, location: str) -> SalePublic:
    """Take a parked sale of this store back; NotParked when another till took it first."""
    from pos.services.orders import priced_cart

    with db.write() as conn:
        loc = location_by_code(conn, location)
        taken = conn.execute(
            C.update().where(C.c.id == cart_id, C.c.location_id == loc["id"], C.c.status == CartStatus.OPEN,
                             C.c.parked_at.is_not(None))
            .values(parked_at=None, park_note=None)
        ).rowcount
        if taken != 1:
            _why_not(conn, cart_id, loc)
        return priced_cart(conn, cart_document(conn, cart_id))


def _why_not(conn, cart_id: int, loc: dict) -> None:
    """Raise the precise reason a sale could not be resumed here."""
    try:
        cart = cart_row(conn, cart_id)
    except NotFound:
        raise NotFound(f"no sale {cart_id}: `parked` lists the parked sales") from None
    if cart["location_id"] != loc["id"]:
        raise InvalidInput(f"sale {cart_id} is not a sale of {loc['code']}")
    if cart["status"] != CartStatus.OPEN:
        raise CartClosed(f"sale {cart_id} is {'paid and closed' if cart['status'] == CartStatus.CLOSED else 'being paid'}")
    raise NotParked(f"sale {cart_id} is not parked: another till resumed it, or it was never parked "
                    "(`parked` lists the parked sales)")
