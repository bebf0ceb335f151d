"""The ProductService of the flow: locations, products and variants (by SKU or barcode)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from pos.barcodes import lookup_barcode
from pos.errors import AlreadyExists, InvalidInput, NotFound
from pos.pairs import key_value
from pos.models import LocationCreate, ProductCreate, VariantCreate
from pos.models.catalog import LocationPublic, ProductPublic, StockAtLocation, VariantPublic
from pos.money import format_tax_rate, parse_money, parse_tax_rate
from pos.services import audit
from pos.services.audit import Action
from pos.services.clerks import require_approval
from pos.services import tables as t
from pos.services.lookup import find_variant, get_variant, location_by_code, variant_label
from pos.services.db import Database
from pos.services.settings import currency as store_currency


def validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    field = ".".join(str(p) for p in first.get("loc", ()))
    return message if field and field in message else (f"{field}: {message}" if field else message)


def _validated(schema: Any, **data: Any):
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(validation_message(exc)) from None


# -- locations -----------------------------------------------------------------------------------------


def location_document(row: Mapping[Any, Any]) -> LocationPublic:
    return LocationPublic(
        code=row["code"], name=row["name"], tax_rate=format_tax_rate(row["tax_rate"]), address=row["address"],
        receipt_footer=row["receipt_footer"], timezone=row["timezone"],
        max_discount=format_tax_rate(row["max_discount"]),
    )


def add_location(
    db: Database, *, code: str, name: str, tax_rate: str = "0", address: str = "", receipt_footer: str = "",
    timezone: str | None = None, max_discount: str = "0",
) -> LocationPublic:
    """A new location; without `timezone` it takes the store's (see `pos init`). `max_discount` is the
    percent a discount may take without a manager's approval."""
    from pos.clock import check_zone
    from pos.services.settings import default_zone

    zone = check_zone(timezone) if timezone is not None else None
    with db.write() as conn:
        data = _validated(
            LocationCreate, code=code, name=name, tax_rate=parse_tax_rate(tax_rate), address=address,
            receipt_footer=receipt_footer, timezone=zone or default_zone(conn),
            max_discount=parse_tax_rate(max_discount, what="the discount limit"),
        )
        if conn.execute(select(t.location.c.id).where(t.location.c.code == data.code)).first():
            raise AlreadyExists(f"location {data.code} already exists")
        conn.execute(t.location.insert().values(**data.model_dump()))
        row = location_by_code(conn, data.code)
        audit.record(conn, Action.CATALOG_CHANGE, location_id=row["id"], detail=f"location {data.code} added")
        return location_document(row)


def _plain_text(text: str, what: str, *, lines: bool = False) -> str:
    from pos.textcells import plain_text

    return plain_text(text, what, lines=lines)


def update_location(
    db: Database, *, code: str, name: str | None = None, tax_rate: str | None = None,
    address: str | None = None, receipt_footer: str | None = None, timezone: str | None = None,
    max_discount: str | None = None,
) -> LocationPublic:
    changes: dict[str, Any] = {}
    if max_discount is not None:
        changes["max_discount"] = parse_tax_rate(max_discount, what="the discount limit")
    if timezone is not None:
        from pos.clock import check_zone

        changes["timezone"] = check_zone(timezone)
    if name is not None:
        if not name.strip():
            raise InvalidInput("location name must not be empty")
        changes["name"] = _plain_text(name.strip(), "location name")
    if tax_rate is not None:
        changes["tax_rate"] = parse_tax_rate(tax_rate)
    if address is not None:
        changes["address"] = _plain_text(address, "location address", lines=True)
    if receipt_footer is not None:
        changes["receipt_footer"] = _plain_text(receipt_footer, "location receipt footer", lines=True)
    for column, limit in (("name", 200), ("address", 500), ("receipt_footer", 500)):  # as add_location checks
        if len(changes.get(column) or "") > limit:
            raise InvalidInput(f"the location {column.replace('_', ' ')} is longer than {limit} characters")
    if "tax_rate" in changes:
        require_approval("a tax rate change")  # it changes what every sale there costs
    with db.write() as conn:
        row = location_by_code(conn, code)
        if changes:
            conn.execute(t.location.update().where(t.location.c.id == row["id"]).values(**changes))
            detail = f"location {row['code']}: {', '.join(sorted(changes))} changed"
            if changes.get("tax_rate", row["tax_rate"]) != row["tax_rate"]:
                audit.record(conn, Action.PRICE_CHANGE, location_id=row["id"], detail=(
                    f"location {row['code']} tax rate {format_tax_rate(row['tax_rate'])}% -> "
                    f"{format_tax_rate(changes['tax_rate'])}%"))
            audit.record(conn, Action.CATALOG_CHANGE, location_id=row["id"], detail=detail)
        return location_document(location_by_code(conn, code))


def list_locations(db: Database) -> list[LocationPublic]:
    with db.read() as conn:
        rows = conn.execute(select(t.location).order_by(t.location.c.code)).mappings()
        return [location_document(r) for r in rows]


# -- products and variants ------------------------------------------------------------------------------


def add_product(db: Database, *, code: str, name: str) -> ProductPublic:
    data = _validated(ProductCreate, code=code, name=name)
    with db.write() as conn:
        if conn.execute(select(t.product.c.id).where(t.product.c.code == data.code)).first():
            raise AlreadyExists(f"product {data.code} already exists")
        conn.execute(t.product.insert().values(**data.model_dump()))
        audit.record(conn, Action.CATALOG_CHANGE, detail=f"product {data.code} added")
    return ProductPublic(code=data.code, name=data.name, variants=[])


def parse_options(pairs: list[str] | None) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs or []:
        if (kv := key_value(pair)) is None or not kv[1]:
            raise InvalidInput(f"option {pair!r} must look like name=value, e.g. size=M")
        options[kv[0].lower()] = kv[1]
    return options


def add_variant(
    db: Database, *, sku: str, product: str, price: str, name: str = "", barcode: str | None = None,
    options: dict[str, str] | None = None, deliverable: bool = True,
) -> VariantPublic:
    with db.write() as conn:
        cur = store_currency(conn)
        data = _validated(
            VariantCreate, sku=sku, product_code=product, price=parse_money(price, cur, what="price"),
            name=name.strip(), barcode=barcode, options=json.dumps(options or {}, sort_keys=True),
            is_deliverable=deliverable,
        )
        product_id = conn.execute(select(t.product.c.id).where(t.product.c.code == data.product_code)).scalar()
        if product_id is None:
            raise NotFound(f"no product {data.product_code!r}: add it with `pos product add`")
        _refuse_taken_code(conn, data.sku, data.barcode)
        values = data.model_dump(exclude={"product_code"})
        try:
            conn.execute(t.variant.insert().values(**values, product_id=product_id))
        except IntegrityError:
            raise AlreadyExists(f"SKU {data.sku} or barcode {data.barcode} is already taken") from None
        audit.record(conn, Action.CATALOG_CHANGE, sku=data.sku, amount=data.price,
                     detail=f"variant {data.sku} of {data.product_code} added")
        return variant_document(get_variant(conn, data.sku), cur)


def _refuse_taken_code(conn: Connection, sku: str, barcode: str | None) -> None:
    """SKUs and barcodes share one namespace, since either may be typed or scanned where a SKU is asked for.
    A SKU that is a GTIN clashes with the same GTIN as a barcode in any of its forms."""
    for code, what in ((sku, "SKU"), (barcode, "barcode")):
        if code is None:
            continue
        forms = {code, lookup_barcode(code)}
        clash = conn.execute(
            select(t.variant.c.sku).where(t.variant.c.sku.in_(forms) | t.variant.c.barcode.in_(forms))
        ).scalar()
        if clash is not None:
            raise AlreadyExists(f"{what} {code} is already used by variant {clash}")


_VARIANT_COLUMNS = (
    t.variant.c.id, t.variant.c.sku, t.variant.c.name, t.variant.c.price, t.variant.c.barcode,
    t.variant.c.options, t.variant.c.is_deliverable, t.product.c.code.label("product_code"),
    t.product.c.name.label("product_name"),
)


def variant_document(row: Mapping[Any, Any], currency: str) -> VariantPublic:
    return VariantPublic(
        sku=row["sku"], product=row["product_code"], name=variant_label(row), price=row["price"], currency=currency,
        barcode=row["barcode"], options=json.loads(row["options"] or "{}"), is_deliverable=bool(row["is_deliverable"]),
    )


def list_products(db: Database) -> list[ProductPublic]:
    with db.read() as conn:
        cur = store_currency(conn)
        products = conn.execute(select(t.product).order_by(t.product.c.code)).mappings().all()
        variants = conn.execute(
            select(*_VARIANT_COLUMNS)
            .join(t.product, t.product.c.id == t.variant.c.product_id)
            .order_by(t.product.c.code, t.variant.c.sku)
        ).mappings()
        by_product: dict[str, list[VariantPublic]] = {}
        for v in variants:
            by_product.setdefault(v["product_code"], []).append(variant_document(v, cur))
        return [ProductPublic(code=p["code"], name=p["name"], variants=by_product.get(p["code"], [])) for p in products]


def show_product(db: Database, *, code: str) -> ProductPublic:
    with db.read() as conn:
        cur = store_currency(conn)
        product = conn.execute(select(t.product).where(t.product.c.code == code)).mappings().first()
        if product is None:
            # A SKU or barcode works too: show the product it belongs to.
            variant = find_variant(conn, code)
            if variant is None:
                raise NotFound(f"no product, SKU or barcode {code!r}: see `pos product list`")
            product = conn.execute(
                select(t.product).where(t.product.c.code == variant["product_code"])
            ).mappings().one()
        variants = conn.execute(
            select(*_VARIANT_COLUMNS)
            .join(t.product, t.product.c.id == t.variant.c.product_id)
            .where(t.product.c.id == product["id"])
            .order_by(t.variant.c.sku)
        ).mappings()
        docs = [variant_document(v, cur) for v in variants]
        stock = _stock_by_variant(conn, [d.sku for d in docs])
        for d in docs:
            d.levels = stock.get(d.sku, [])
        return ProductPublic(code=product["code"], name=product["name"], variants=docs)


def _stock_by_variant(conn: Connection, skus: list[str]) -> dict[str, list[StockAtLocation]]:
    if not skus:
        return {}
    rows = conn.execute(
        select(t.variant.c.sku, t.location.c.code, t.stock_level.c.on_hand, t.stock_level.c.reserved)
        .join(t.variant, t.variant.c.id == t.stock_level.c.variant_id)
        .join(t.location, t.location.c.id == t.stock_level.c.location_id)
        .where(t.variant.c.sku.in_(skus))
        .order_by(t.location.c.code)
    )
    found: dict[str, list[StockAtLocation]] = {}
    for sku, loc, on_hand, reserved in rows:
        found.setdefault(sku, []).append(
            StockAtLocation(location=loc, on_hand=on_hand, reserved=reserved, available=on_hand - reserved)
        )
    return found

