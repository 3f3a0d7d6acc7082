"""The product catalogue and the places stock lives: products with their units and barcodes,
categories, warehouses and their locations."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from app.core.mutations import mutator
from app.core.pinyin import pinyin_keys
from app.core.tx import Change, Tx
from app.erp.common import Args, Code, Name, Note, Price, Qty, QtyOrZero, Unit, derived_id
from app.erp.errors import NotASupplier

ProductKind = Literal["stocked", "consumable", "service"]
Abc = Literal["A", "B", "C"]
Barcode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
LocationCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
WarehouseCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]


class ProductCreate(Args):
    id: uuid.UUID
    sku: Code
    name: Name
    uom: Unit = "pcs"
    list_price: Price | None = None
    kind: ProductKind = "stocked"
    category_id: uuid.UUID | None = None
    standard_cost: Price | None = None
    default_supplier_id: uuid.UUID | None = None
    lead_time_days: Annotated[int, Field(ge=0, le=3650)] = 0
    min_order_qty: Qty | None = None
    order_multiple: Qty | None = None
    reorder_point: QtyOrZero | None = None
    safety_stock: QtyOrZero | None = None
    abc_class: Abc | None = None
    notes: Note | None = None
    barcodes: list[Barcode] = Field(default_factory=list)


class ProductPatch(Args):
    id: uuid.UUID
    name: Change[Name] | None = None
    uom: Change[Unit] | None = None
    list_price: Change[Price] | None = None
    kind: Change[ProductKind] | None = None
    category_id: Change[uuid.UUID] | None = None
    standard_cost: Change[Price] | None = None
    default_supplier_id: Change[uuid.UUID] | None = None
    lead_time_days: Change[Annotated[int, Field(ge=0, le=3650)]] | None = None
    min_order_qty: Change[Qty] | None = None
    order_multiple: Change[Qty] | None = None
    reorder_point: Change[QtyOrZero] | None = None
    safety_stock: Change[QtyOrZero] | None = None
    abc_class: Change[Abc] | None = None
    notes: Change[Note] | None = None


class Archive(Args):
    id: uuid.UUID
    archived: bool = True


class UnitSet(Args):
    """A product's other unit (a box holds `factor` stock units); factor None removes it."""

    product_id: uuid.UUID
    uom: Unit
    factor: Qty | None


class BarcodeAdd(Args):
    product_id: uuid.UUID
    barcode: Barcode
    uom: Unit | None = None


class BarcodeRemove(Args):
    barcode: Barcode


class CategoryCreate(Args):
    id: uuid.UUID
    code: LocationCode
    name: Name
    parent_id: uuid.UUID | None = None


class WarehouseCreate(Args):
    id: uuid.UUID
    code: WarehouseCode
    name: Name
    kind: Literal["factory", "distribution", "shop", "other"] = "distribution"
    address: Note | None = None


class LocationCreate(Args):
    id: uuid.UUID
    code: LocationCode
    name: Name
    kind: Literal["internal", "supplier", "customer", "adjustment", "production"] = "internal"
    warehouse_id: uuid.UUID | None = None


class LocationPatch(Args):
    id: uuid.UUID
    name: Change[Name] | None = None


def _name_keys(applied: dict[str, Any]) -> dict[str, str]:
    if "name" not in applied:
        return {}
    full, initials = pinyin_keys(applied["name"])
    return {"name_pinyin": full, "name_initials": initials}


def _check_supplier(tx: Tx, party_id: uuid.UUID | None) -> None:
    # a clerk's cache holds no parties: the server checks what the client cannot see
    party = tx.get("party", party_id) if party_id is not None else None
    if party is not None and not party["is_supplier"]:
        raise NotASupplier(field="default_supplier_id", party=party["name"])


def barcode_id(barcode: str) -> uuid.UUID:
    return derived_id("barcode", barcode)


def unit_id(product_id: uuid.UUID, uom: str) -> uuid.UUID:
    return derived_id("product_uom", product_id, uom)


@mutator("erp.product.create", args=ProductCreate)
def create_product(tx: Tx, args: ProductCreate) -> None:
    _check_supplier(tx, args.default_supplier_id)
    values = args.model_dump(exclude={"barcodes"})
    tx.insert("product", {**values, **_name_keys(values)})
    for code in args.barcodes:
        add_barcode(tx, BarcodeAdd(product_id=args.id, barcode=code))


@mutator("erp.product.update", args=ProductPatch)
def update_product(tx: Tx, args: ProductPatch) -> None:
    changes = {k: v for k, v in args if k != "id" and isinstance(v, Change)}
    if "default_supplier_id" in changes:
        _check_supplier(tx, changes["default_supplier_id"].new)
    tx.patch("product", args.id, changes, derived=_name_keys)


@mutator("erp.product.archive", args=Archive)
def archive_product(tx: Tx, args: Archive) -> None:
    tx.archive("product", args.id, args.archived)


@mutator("erp.product.unit.set", args=UnitSet)
def set_unit(tx: Tx, args: UnitSet) -> None:
    tx.require("product", args.product_id)
    row_id = unit_id(args.product_id, args.uom)
    if args.factor is None:
        if tx.get("product_uom", row_id) is not None:
            tx.archive("product_uom", row_id)
        return
    if tx.get("product_uom", row_id) is None:
        tx.insert("product_uom", {"id": row_id, "product_id": args.product_id, "uom": args.uom, "factor": args.factor})
    else:
        tx.set("product_uom", row_id, {"factor": args.factor})
        tx.archive("product_uom", row_id, False)


@mutator("erp.product.barcode.add", args=BarcodeAdd)
def add_barcode(tx: Tx, args: BarcodeAdd) -> None:
    tx.require("product", args.product_id)
    row_id = barcode_id(args.barcode)
    values = {"product_id": args.product_id, "barcode": args.barcode, "uom": args.uom}
    if tx.get("product_barcode", row_id) is None:
        tx.insert("product_barcode", {"id": row_id, **values})
    else:  # a code given back to another product or unit
        tx.set("product_barcode", row_id, {"product_id": args.product_id, "uom": args.uom})
        tx.archive("product_barcode", row_id, False)


@mutator("erp.product.barcode.remove", args=BarcodeRemove)
def remove_barcode(tx: Tx, args: BarcodeRemove) -> None:
    tx.archive("product_barcode", barcode_id(args.barcode))


@mutator("erp.category.create", args=CategoryCreate)
def create_category(tx: Tx, args: CategoryCreate) -> None:
    tx.insert("product_category", args.model_dump())


@mutator("erp.warehouse.create", args=WarehouseCreate)
def create_warehouse(tx: Tx, args: WarehouseCreate) -> None:
    tx.insert("warehouse", args.model_dump())


@mutator("erp.location.create", args=LocationCreate)
def create_location(tx: Tx, args: LocationCreate) -> None:
    if args.warehouse_id is not None:
        tx.require("warehouse", args.warehouse_id)
    tx.insert("location", args.model_dump())


@mutator("erp.location.update", args=LocationPatch)
def update_location(tx: Tx, args: LocationPatch) -> None:
    tx.patch("location", args.id, {k: v for k, v in args if k != "id" and isinstance(v, Change)})


