"""The store's catalog: locations, products and their sellable variants."""

from __future__ import annotations

import json
import re
from datetime import datetime

from pydantic import ValidationInfo, field_validator
from sqlmodel import Field, SQLModel

from pos.models._common import Document, Money, utcnow
from pos.models.stock import StockAtLocation
from pos.textcells import control_free

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$")


def _check_code(value: str, what: str) -> str:
    value = value.strip()
    if not _CODE.match(value):
        raise ValueError(
            f"{what} {value!r} must be 1-64 letters, digits, '.', '-', '_' or '/', starting with a letter or digit"
        )
    return value


class Setting(SQLModel, table=True):
    __tablename__ = "setting"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)


class LocationBase(SQLModel):
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    tax_rate: int = Field(default=0, ge=0, le=100_000_000, description="millionths: 8.25% is 82500")
    address: str = Field(default="", max_length=500)
    receipt_footer: str = Field(default="", max_length=500)
    timezone: str = Field(
        default="UTC", max_length=64, sa_column_kwargs={"server_default": "UTC"},
        description="IANA zone of the times on its receipts and views",
    )
    max_discount: int = Field(
        default=0, ge=0, le=1_000_000, sa_column_kwargs={"server_default": "0"},
        description="millionths: a discount above this percent (or any price change) needs a manager",
    )


class LocationCreate(LocationBase):
    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        from pos.clock import is_zone

        if not is_zone(v.strip()):
            raise ValueError(f"unknown timezone {v.strip()!r}: give an IANA name such as Europe/Berlin or UTC")
        return v.strip()

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        return _check_code(v, "location code")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("location name must not be empty")
        return control_free(v.strip(), "location name")

    @field_validator("address", "receipt_footer")
    @classmethod
    def _lines(cls, v: str, info: ValidationInfo) -> str:
        return control_free(v, f"location {str(info.field_name).replace('_', ' ')}", lines=True)


class Location(LocationBase, table=True):
    __tablename__ = "location"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class ProductBase(SQLModel):
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)


class ProductCreate(ProductBase):
    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        return _check_code(v, "product code")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("product name must not be empty")
        return control_free(v.strip(), "product name")


class Product(ProductBase, table=True):
    __tablename__ = "product"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class VariantBase(SQLModel):
    sku: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    price: int = Field(ge=0, le=10**15, description="minor units", sa_type=Money)
    barcode: str | None = Field(default=None, max_length=64)
    options: str = Field(default="{}", description="JSON object of option name to value")
    is_deliverable: bool = True


class VariantCreate(VariantBase):
    product_code: str

    @field_validator("sku")
    @classmethod
    def _sku(cls, v: str) -> str:
        return _check_code(v, "SKU")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return control_free(v.strip(), "variant name")

    @field_validator("options")
    @classmethod
    def _options(cls, v: str) -> str:
        for key, value in json.loads(v or "{}").items():
            control_free(str(key), "an option name")
            control_free(str(value), f"option {key}")
        return v

    @field_validator("barcode")
    @classmethod
    def _barcode(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        from pos.barcodes import normal_barcode
        from pos.errors import InvalidInput

        try:
            return normal_barcode(_check_code(v, "barcode"))  # a GTIN is checked and kept in one form
        except InvalidInput as exc:
            raise ValueError(exc.message) from None


class Variant(VariantBase, table=True):
    __tablename__ = "variant"
    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(max_length=64, unique=True)
    barcode: str | None = Field(default=None, max_length=64, unique=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


# -- documents ------------------------------------------------------------------------------------------


class LocationPublic(Document):
    code: str
    name: str
    tax_rate: str = Field(description="percent, as text: '8.25'")
    address: str
    receipt_footer: str
    timezone: str
    max_discount: str = Field(description="percent, as text: discounts above it need a manager's approval")


class VariantPublic(Document):
    sku: str
    product: str = Field(description="the product's code")
    name: str = Field(description="the product's name and the variant's, as a till shows it")
    price: int = Field(description="minor units")
    currency: str
    barcode: str | None
    options: dict[str, str]
    is_deliverable: bool
    levels: list[StockAtLocation] | None = Field(default=None, description="stock per location (`pos product show`)")


class ProductPublic(Document):
    code: str
    name: str
    variants: list[VariantPublic]
