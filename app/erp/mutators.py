"""Inventory writes as sync mutators: products, locations, stock moves (the ledger).

Stock is never an absolute number two clients overwrite: each change is an appended move, and
on hand = Σ moves in − Σ moves out. Negative stock is allowed offline (the inventory issue flags it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.core.mutations import mutator
from app.core.pinyin import pinyin_keys
from app.core.tx import Change, RowNotFound, Tx

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Price = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4)]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProductCreate(_Args):
    id: uuid.UUID
    sku: Code
    name: Name
    uom: Annotated[str, StringConstraints(min_length=1, max_length=16)] = "pcs"
    list_price: Price | None = None


class ProductPatch(_Args):
    id: uuid.UUID
    name: Change[Name] | None = None
    uom: Change[Annotated[str, StringConstraints(min_length=1, max_length=16)]] | None = None
    list_price: Change[Price] | None = None


class LocationCreate(_Args):
    id: uuid.UUID
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    name: Name
    kind: Literal["internal", "supplier", "customer", "adjustment"] = "internal"


class StockMove(_Args):
    id: uuid.UUID
    product_id: uuid.UUID
    qty: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4)]
    from_location_id: uuid.UUID
    to_location_id: uuid.UUID
    kind: Literal["receipt", "delivery", "transfer", "adjustment", "count"]
    reference: Annotated[str, StringConstraints(max_length=64)] | None = None
    moved_at: dt.datetime

    @model_validator(mode="after")
    def _different_locations(self) -> StockMove:
        if self.from_location_id == self.to_location_id:
            raise ValueError("from and to location are the same")
        return self


def _pinyin_of_name(applied: dict[str, Any]) -> dict[str, str]:
    return {"name_pinyin": pinyin_keys(applied["name"])[0]} if "name" in applied else {}


@mutator("erp.product.create", args=ProductCreate)
def create_product(tx: Tx, args: ProductCreate) -> None:
    tx.insert("product", {**args.model_dump(), "name_pinyin": pinyin_keys(args.name)[0]})


@mutator("erp.product.update", args=ProductPatch)
def update_product(tx: Tx, args: ProductPatch) -> None:
    tx.patch("product", args.id, {k: v for k, v in args if k != "id" and v is not None}, derived=_pinyin_of_name)


@mutator("erp.location.create", args=LocationCreate)
def create_location(tx: Tx, args: LocationCreate) -> None:
    tx.insert("location", args.model_dump())


@mutator("erp.stock.move", args=StockMove)
def move_stock(tx: Tx, args: StockMove) -> None:
    tx.require("product", args.product_id)
    for loc in (args.from_location_id, args.to_location_id):
        if tx.get("location", loc) is None:
            raise RowNotFound(field="location", table="location")
    tx.insert("stock_move", {**args.model_dump(), "user_id": tx.user_id})
