"""What a scanned code stands for, read from the cache (no Qt): a product (by barcode, whose unit
gives the factor, else by SKU), a location (by code) or a document (by number).

Every function takes a cache connection and is meant to run in ``ctx.ops.read``. A barcode wins
over a SKU, a product over a location, a location over a document, so a code means one thing.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core import fmt
from app.core.schema import location, metadata, product, product_barcode, product_uom, warehouse

#: the documents a scan may name, by table: each has ``number`` and ``warehouse_id`` columns
DOCUMENT_TABLES = ("purchase_order", "delivery", "stock_count")


@dataclass(frozen=True)
class ScannedProduct:
    id: uuid.UUID
    sku: str
    name: str
    #: the unit stock is kept in
    uom: str
    #: the unit the code stands for (a box) and how many stock units it holds
    unit: str
    factor: Decimal
    kind: str

    @property
    def label(self) -> str:
        return f"{self.sku} {self.name}"


@dataclass(frozen=True)
class ScannedLocation:
    id: uuid.UUID
    code: str
    name: str
    #: internal (a bin), supplier, customer, adjustment, production
    kind: str
    warehouse_id: uuid.UUID | None

    @property
    def label(self) -> str:
        return self.code if self.name in ("", self.code) else f"{self.code} {self.name}"


@dataclass(frozen=True)
class ScannedDocument:
    #: one of DOCUMENT_TABLES
    table: str
    id: uuid.UUID
    number: str
    warehouse_id: uuid.UUID | None
    state: str | None

    @property
    def label(self) -> str:
        return self.number


Scanned = ScannedProduct | ScannedLocation | ScannedDocument


def clean_code(text: str) -> str:
    """A code as scanned: full-width characters folded (an IME left on), outer blanks dropped."""
    return unicodedata.normalize("NFKC", text).strip()


def resolve_product(conn: Connection, code: str) -> ScannedProduct | None:
    """The live product a barcode (with its unit's factor) or else a SKU stands for."""
    code = clean_code(code)
    row = conn.execute(
        sa.select(product_barcode.c.product_id, product_barcode.c.uom)
        .where(product_barcode.c.barcode == code, product_barcode.c.archived.is_(False))).first()
    if row is not None:
        return _product(conn, row.product_id, row.uom)
    product_id = conn.execute(sa.select(product.c.id).where(product.c.sku == code)).scalar()
    return _product(conn, product_id, None) if product_id is not None else None


def _product(conn: Connection, product_id: uuid.UUID, unit: str | None) -> ScannedProduct | None:
    row = conn.execute(sa.select(product).where(product.c.id == product_id, product.c.archived.is_(False))).first()
    if row is None:
        return None
    factor = Decimal(1)
    if unit and unit != row.uom:
        found = conn.execute(sa.select(product_uom.c.factor).where(
            product_uom.c.product_id == product_id, product_uom.c.uom == unit,
            product_uom.c.archived.is_(False))).scalar()
        if found is None:  # a barcode of a unit the product no longer has: refuse rather than guess
            return None
        factor = Decimal(found)
    return ScannedProduct(id=row.id, sku=row.sku, name=row.name, uom=row.uom, unit=unit or row.uom,
                          factor=factor, kind=row.kind)


def resolve_location(conn: Connection, code: str) -> ScannedLocation | None:
    """The live location with this code (its letters' case ignored: a scanner may send either)."""
    code = clean_code(code)
    rows = conn.execute(sa.select(location).where(
        sa.func.upper(location.c.code) == code.upper(), location.c.archived.is_(False))).all()
    row = next((r for r in rows if r.code == code), rows[0] if rows else None)
    return _location(row) if row is not None else None


def _location(row: sa.Row[Any]) -> ScannedLocation:
    return ScannedLocation(id=row.id, code=row.code, name=row.name, kind=row.kind, warehouse_id=row.warehouse_id)


def resolve_document(conn: Connection, code: str, tables: Sequence[str] = DOCUMENT_TABLES) -> ScannedDocument | None:
    """The document of `tables` whose number this is (numbers are the server's: PO-2026-000012)."""
    code = clean_code(code).upper()
    for name in tables:
        table = metadata.tables[name]
        row = conn.execute(sa.select(table).where(sa.func.upper(table.c.number) == code,
                                                  table.c.archived.is_(False))).first()
        if row is not None:
            return ScannedDocument(table=name, id=row.id, number=row.number, warehouse_id=row.warehouse_id,
                                   state=getattr(row, "state", None))
    return None


def resolve(conn: Connection, code: str, documents: Sequence[str] = ()) -> Scanned | None:
    """What `code` stands for: a product, else a location, else a document of `documents`."""
    if not clean_code(code):
        return None
    found: Scanned | None = resolve_product(conn, code) or resolve_location(conn, code)
    if found is None and documents:
        found = resolve_document(conn, code, documents)
    return found


def typed_quantity(text: str) -> Decimal | None:
    """A typed number ("12", "+3", "-2", "1.5", full-width digits), or None if the text is none."""
    cleaned = clean_code(text)
    if not cleaned or len(cleaned) > 12:
        return None
    try:
        return fmt.parse_number(cleaned)
    except ValueError:
        return None


def first_bin(conn: Connection, warehouse_id: uuid.UUID | None = None) -> ScannedLocation | None:
    """The first bin (by code) of a warehouse, or of the first warehouse (by code) when None."""
    query = (sa.select(location).join(warehouse, warehouse.c.id == location.c.warehouse_id)
             .where(location.c.kind == "internal", location.c.archived.is_(False))
             .order_by(warehouse.c.code, location.c.code).limit(1))
    if warehouse_id is not None:
        query = query.where(location.c.warehouse_id == warehouse_id)
    row = conn.execute(query).first()
    return _location(row) if row is not None else None


def adjustment_location(conn: Connection) -> ScannedLocation | None:
    """The location adjustments are booked against (kind "adjustment"), if the cache has one."""
    row = conn.execute(sa.select(location).where(location.c.kind == "adjustment", location.c.archived.is_(False))
                       .order_by(location.c.code).limit(1)).first()
    return _location(row) if row is not None else None


def warehouse_name(conn: Connection, warehouse_id: uuid.UUID | None) -> str:
    if warehouse_id is None:
        return ""
    return str(conn.execute(sa.select(warehouse.c.name).where(warehouse.c.id == warehouse_id)).scalar() or "")


__all__ = ["DOCUMENT_TABLES", "Scanned", "ScannedDocument", "ScannedLocation", "ScannedProduct",
           "adjustment_location", "clean_code", "first_bin", "resolve", "resolve_document",
           "resolve_location", "resolve_product", "typed_quantity", "warehouse_name"]
