"""The CartService: addOrUpdateItem with an inventory check at the line's location.

Importing it loads no SQLModel table class: a new cart, a line added and the cart's document go through
prebuilt SQL, so a one-shot `pos cart add` or `pos cart new` pays for none of them. The rarer changes
(remove, clear, ship, list) build Core statements on `pos.services.tables`, found when they first run.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from pos.errors import CartClosed, InsufficientStock, InvalidInput, NotDeliverable, NotFound
from pos.models._common import iso, utcnow
from pos.models._common import Shipping
from pos.models.cart_documents import CartItemPublic, CartPublic
from pos.models.statuses import CartStatus
from pos.services import sql
from pos.services import tables as t
from pos.services.sql import Sql
from pos.services.lookup import variant_label, get_variant, location_by_code
from pos.services.db import Database
from pos.services.stock_levels import available, positive_quantity
from pos.services.settings import currency as store_currency
from pos.discounts import price_rows
from pos.money import format_tax_rate


def new_cart(db: Database, *, location: str) -> CartPublic:
    with db.write() as conn:
        cart_id = create_cart(conn, location=location)
        return cart_document(conn, cart_id)


_INSERT_CART = Sql(
    "INSERT INTO cart (location_id, status, created_at, updated_at) VALUES (:l, :status, :created_at, :updated_at) "
    "RETURNING id"
)
# The cart model's insert defaults, as `sql.defaults_of(t.cart)` gives them, without loading the table
# classes for them; tests/unit/test_insert_defaults.py holds the two equal.
CART_DEFAULTS: sql.Defaults = ({"status": CartStatus.OPEN}, ("created_at", "updated_at"))
_CART = Sql("SELECT id, location_id, status, ship_name, ship_address, parked_at, park_note, discount_percent, "
            "discount_amount, discount_reason FROM cart WHERE id = :id")
_CART_LOCKED = Sql(
    "SELECT id, location_id, status, ship_name, ship_address, discount_percent, discount_amount, discount_reason FROM cart "
    "WHERE id = :id FOR UPDATE", only="postgresql"
)
_LINE = Sql("SELECT id, quantity FROM cart_item WHERE cart_id = :c AND variant_id = :v AND location_id = :l")
_INSERT_LINE = Sql("INSERT INTO cart_item (cart_id, variant_id, location_id, quantity) VALUES (:c, :v, :l, :q)")
_UPDATE_LINE = Sql("UPDATE cart_item SET quantity = :q WHERE id = :id")
_TOUCH = Sql("UPDATE cart SET updated_at = :now WHERE id = :id")
_LOCATION_CODE = Sql("SELECT code FROM location WHERE id = :id")
_LOCATION_CODE_AND_RATE = Sql("SELECT code, tax_rate FROM location WHERE id = :id")
_LINES = Sql(
    "SELECT ci.variant_id, ci.location_id, ci.quantity, v.sku, v.name, v.price, v.is_deliverable, "
    "ci.id, ci.unit_price AS price_override, ci.price_reason, ci.discount_percent, ci.discount_amount, "
    "ci.discount_reason, "
    "p.name AS product_name, l.code AS location FROM cart_item ci "
    "JOIN variant v ON v.id = ci.variant_id JOIN product p ON p.id = v.product_id "
    "JOIN location l ON l.id = ci.location_id WHERE ci.cart_id = :c ORDER BY ci.id"
)


def create_cart(conn: Connection, *, location: str) -> int:
    loc = location_by_code(conn, location)
    return sql.scalar(conn, _INSERT_CART, {"l": loc["id"], **sql.with_defaults(conn, CART_DEFAULTS)})


def cart_row(conn: Connection, cart_id: int) -> dict:
    row = sql.one(conn, _CART, {"id": cart_id})
    if row is None:
        raise NotFound(f"no cart {cart_id}: start one with `pos cart new --location CODE`")
    return row


def open_cart_row(conn: Connection, cart_id: int, *, lock: bool = False) -> dict:
    """The cart, refusing a closed one. lock=True serialises changes to one cart (a row lock on PostgreSQL;
    SQLite's BEGIN IMMEDIATE already lets one writer in at a time)."""
    row = sql.one(conn, _CART_LOCKED, {"id": cart_id}) if lock and conn.dialect.name == "postgresql" else None
    row = row or cart_row(conn, cart_id)
    if row["status"] == CartStatus.CLOSED:
        raise CartClosed(f"cart {cart_id} is already paid and closed: start a new one with `pos cart new`")
    if row["status"] == CartStatus.CHECKOUT:
        raise CartClosed(
            f"cart {cart_id} is being paid: a payment in progress (wait for it; if its till stopped, `pos order "
            f"reconcile`), or a sale paid in part (`pos checkout {cart_id}` pays the rest, `pos order cancel` gives it up)"
        )
    return row


def add_or_update_item(
    conn: Connection, *, cart_id: int, code: str, quantity: int, from_location: str | None = None,
    replace: bool = False,
) -> None:
    """addOrUpdateItem(cartId, variantId, quantity, locationId) inside the caller's transaction.

    Adds `quantity` to the line (or with replace=True, sets it), after checking that the resulting line
    quantity is available at the line's location. Nothing is saved when it is not.
    """
    positive_quantity(quantity)
    cart = open_cart_row(conn, cart_id, lock=True)
    variant = get_variant(conn, code)  # with is_deliverable
    if from_location is None:
        loc_id, loc_code = cart["location_id"], None
    else:
        loc = location_by_code(conn, from_location)
        loc_id, loc_code = loc["id"], loc["code"]
    if loc_id != cart["location_id"] and not variant["is_deliverable"]:
        raise NotDeliverable(
            f"{variant['sku']} cannot be delivered, so it can only be sold from the store's own stock"
        )
    line = sql.one(conn, _LINE, {"c": cart_id, "v": variant["id"], "l": loc_id})
    wanted = quantity if replace or line is None else line["quantity"] + quantity
    have = available(conn, variant["id"], loc_id)  # checkInventory(variantId, locationId, quantity)
    if have < wanted:
        if loc_code is None:
            loc_code = sql.scalar(conn, _LOCATION_CODE, {"id": loc_id})
        raise InsufficientStock(
            f"not enough {variant['sku']} at {loc_code}: {have} available, {wanted} wanted",
            sku=variant["sku"], location=loc_code, available=have, requested=wanted,
        )
    if line is None:
        sql.execute(conn, _INSERT_LINE, {"c": cart_id, "v": variant["id"], "l": loc_id, "q": wanted})
    else:
        sql.execute(conn, _UPDATE_LINE, {"id": line["id"], "q": wanted})
    sql.execute(conn, _TOUCH, {"id": cart_id, "now": sql.timestamp(conn, utcnow())})


def add_item(db: Database, *, cart_id: int, code: str, quantity: int = 1, from_location: str | None = None) -> CartPublic:
    positive_quantity(quantity)
    with db.write() as conn:
        add_or_update_item(conn, cart_id=cart_id, code=code, quantity=quantity, from_location=from_location)
        return cart_document(conn, cart_id)


def set_item(db: Database, *, cart_id: int, code: str, quantity: int, from_location: str | None = None) -> CartPublic:
    """Set a line's quantity; 0 removes the line."""
    if quantity < 0:
        raise InvalidInput(f"quantity must be 0 or more, not {quantity}")
    with db.write() as conn:
        if from_location is None:
            from_location = _line_location(conn, cart_id, code)
        if quantity == 0:
            _remove(conn, cart_id=cart_id, code=code, from_location=from_location)
        else:
            add_or_update_item(
                conn, cart_id=cart_id, code=code, quantity=quantity, from_location=from_location, replace=True
            )
        _recheck_discounts(conn, cart_id)
        return cart_document(conn, cart_id)


def _recheck_discounts(conn: Connection, cart_id: int) -> None:
    from pos.services.discounts import recheck_limits  # discounts builds on this module

    recheck_limits(conn, cart_id)


def _line_location(conn: Connection, cart_id: int, code: str) -> str | None:
    """The location of the cart's one line of this variant (a delivery line, say); None when it has none.

    With lines of the variant from several locations, the caller must say which one.
    """
    variant = get_variant(conn, code)
    places = [line["location"] for line in cart_lines(conn, cart_id) if line["variant_id"] == variant["id"]]
    if len(places) > 1:
        raise InvalidInput(
            f"{variant['sku']} is on {len(places)} lines ({', '.join(places)}): say which location (--from LOCATION)"
        )
    return places[0] if places else None


def remove_item(db: Database, *, cart_id: int, code: str, from_location: str | None = None) -> CartPublic:
    with db.write() as conn:
        _remove(conn, cart_id=cart_id, code=code, from_location=from_location)
        _recheck_discounts(conn, cart_id)
        return cart_document(conn, cart_id)


def _remove(conn: Connection, *, cart_id: int, code: str, from_location: str | None) -> None:
    open_cart_row(conn, cart_id, lock=True)
    variant = get_variant(conn, code)
    CI = t.cart_item
    stmt = CI.delete().where(CI.c.cart_id == cart_id, CI.c.variant_id == variant["id"])
    if from_location is not None:
        stmt = stmt.where(CI.c.location_id == location_by_code(conn, from_location)["id"])
    if conn.execute(stmt).rowcount == 0:
        raise NotFound(f"cart {cart_id} has no line for {variant['sku']}")


def close_cart(conn: Connection, cart_id: int) -> None:
    """Close an open cart nobody will pay (a batch order whose payment failed): no till offers to resume it."""
    conn.execute(t.cart.update().where(t.cart.c.id == cart_id, t.cart.c.status == CartStatus.OPEN)
                 .values(status=CartStatus.CLOSED))


def clear_cart(db: Database, *, cart_id: int) -> CartPublic:
    with db.write() as conn:
        open_cart_row(conn, cart_id, lock=True)
        conn.execute(t.cart_item.delete().where(t.cart_item.c.cart_id == cart_id))
        conn.execute(
            t.cart.update().where(t.cart.c.id == cart_id).values(
                ship_name=None, ship_address=None, discount_percent=None, discount_amount=None, discount_reason=None,
            )
        )
        return cart_document(conn, cart_id)


SHIP_NAME_MAX, SHIP_ADDRESS_MAX = 200, 500  # the columns' sizes


def check_shipping(name: str, address: str) -> None:
    """Shipping details fit their columns on every database (PostgreSQL would refuse them mid-transaction)."""
    for what, value, limit in (("name", name, SHIP_NAME_MAX), ("address", address, SHIP_ADDRESS_MAX)):
        if len(value) > limit:
            raise InvalidInput(f"the shipping {what} is {len(value)} characters long; at most {limit} fit")


def set_shipping(db: Database, *, cart_id: int, name: str, address: str) -> CartPublic:
    if not name.strip() or not address.strip():
        raise InvalidInput("shipping needs both a name and an address")
    check_shipping(name.strip(), address.strip())
    with db.write() as conn:
        open_cart_row(conn, cart_id, lock=True)
        conn.execute(
            t.cart.update().where(t.cart.c.id == cart_id)
            .values(ship_name=name.strip(), ship_address=address.strip())
        )
        return cart_document(conn, cart_id)


def show_cart(db: Database, *, cart_id: int) -> CartPublic:
    with db.read() as conn:
        return cart_document(conn, cart_id)


def list_carts(db: Database, *, status: str | None = CartStatus.OPEN, location: str | None = None,
               parked: bool = False) -> list[CartPublic]:
    """Carts by id; parked=True: only sales parked at a till (open carts set aside)."""
    with db.read() as conn:
        stmt = select(t.cart.c.id).order_by(t.cart.c.id)
        if parked:
            stmt = stmt.where(t.cart.c.parked_at.is_not(None))
        if status:
            stmt = stmt.where(t.cart.c.status == status)
        if location:
            stmt = stmt.where(t.cart.c.location_id == location_by_code(conn, location)["id"])
        return [cart_document(conn, cid) for cid in conn.execute(stmt).scalars()]


def cart_lines(conn: Connection, cart_id: int) -> list[dict]:
    """The cart's lines with their variants and locations (Fetch Cart Details, with items and locations)."""
    return sql.all_rows(conn, _LINES, {"c": cart_id})


def cart_document(conn: Connection, cart_id: int) -> CartPublic:
    """The cart as its document. Built from the database's own rows without validating them again
    (model_construct): a till scan renders it each time, and the rows already passed the schema."""
    return cart_document_and_rate(conn, cart_id)[0]


def cart_document_and_rate(conn: Connection, cart_id: int) -> tuple[CartPublic, int]:
    """The cart's document and its store's tax rate as it is now, read together: a till scan prices the
    sale from both, and one look-up of the store serves the two."""
    cart = cart_row(conn, cart_id)
    where = sql.one(conn, _LOCATION_CODE_AND_RATE, {"id": cart["location_id"]})
    assert where is not None  # the cart's location is a foreign key
    lines = cart_lines(conn, cart_id)
    priced, order_discount = price_rows(cart, lines)
    items = [
        CartItemPublic.model_construct(
            sku=line["sku"], name=variant_label(line), quantity=line["quantity"], location=line["location"],
            unit_price=p.unit_price, line_total=p.line_total,
            delivery=line["location_id"] != cart["location_id"], list_price=p.list_price,
            price_reason=line["price_reason"], discount=p.discount,
            discount_percent=_percent_text(line["discount_percent"]), discount_reason=line["discount_reason"],
            order_discount=p.order_discount, net_total=p.net,
        )
        for line, p in zip(lines, priced, strict=True)
    ]
    shipping = None
    if cart["ship_name"] or cart["ship_address"]:
        shipping = Shipping.model_construct(name=cart["ship_name"], address=cart["ship_address"])
    parked_at = cart.get("parked_at")
    return CartPublic.model_construct(
        id=cart["id"], location=where["code"], status=CartStatus(cart["status"]), items=items,
        subtotal=sum(p.net for p in priced), currency=store_currency(conn), shipping=shipping,
        parked_at=None if parked_at is None else iso(sql.read_timestamp(parked_at)), park_note=cart.get("park_note"),
        discount=order_discount, discount_percent=_percent_text(cart["discount_percent"]),
        discount_reason=cart["discount_reason"],
    ), where["tax_rate"]


def _percent_text(percent: int | None) -> str | None:
    return None if percent is None else format_tax_rate(percent)


def unfinished_cart(db: Database, *, location: str) -> int | None:
    """The newest open cart of this store that has lines and is not parked (a sale left unfinished at a
    till), or None."""
    from sqlalchemy import exists

    with db.read() as conn:
        return conn.execute(
            select(t.cart.c.id)
            .where(t.cart.c.location_id == location_by_code(conn, location)["id"], t.cart.c.status == CartStatus.OPEN,
                   t.cart.c.parked_at.is_(None),  # a parked sale is resumed by number (`resume N`)
                   exists().where(t.cart_item.c.cart_id == t.cart.c.id))
            .order_by(t.cart.c.id.desc()).limit(1)
        ).scalar()
