"""What the quote and order screens read from the cache (no Qt): one order with its customer,
contacts, warehouses and lines; products found by what a rep types or scans; and what each line
can promise (on hand − reserved + incoming by the date asked for), all offline."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.i18n import N_
from app.core.schema import metadata, product, product_barcode, product_uom, warehouse
from app.erp import stock_reads
from app.ui.erp.product_reads import text_condition

party = metadata.tables["party"]
contact = metadata.tables["contact"]
sales_order = metadata.tables["sales_order"]
sales_order_line = metadata.tables["sales_order_line"]
#: products offered for what was typed
FOUND_LIMIT = 20

#: the list's words for a document's state (a quote until confirmed)
STATE_LABELS = {"draft": N_("Quotation"), "sent": N_("Quote sent"), "confirmed": N_("Sales order"),
                "done": N_("Done"), "cancelled": N_("Cancelled")}


@dataclass(frozen=True)
class ProductInfo:
    id: uuid.UUID
    sku: str
    name: str
    #: the unit stock is kept in
    uom: str
    list_price: Decimal
    kind: str
    #: every unit the product is sold in → stock units per one of it (the stock unit → 1)
    units: dict[str, Decimal]
    #: the unit a scanned barcode stands for, when the product was found by one
    scanned_uom: str | None = None


@dataclass(frozen=True)
class LineData:
    id: uuid.UUID
    product: ProductInfo
    qty: Decimal
    uom: str
    unit_price: Decimal
    discount_pct: Decimal
    amount: Decimal
    promised_date: dt.date | None


@dataclass(frozen=True)
class EditorData:
    party_id: uuid.UUID
    party_name: str
    #: (id, name and title) of the customer's contacts
    contacts: list[tuple[uuid.UUID, str]]
    #: (id, name) of the warehouses, the default first
    warehouses: list[tuple[uuid.UUID, str]]
    default_address: str
    #: the order's row, None for a new quote
    order: dict[str, Any] | None = None
    lines: list[LineData] = field(default_factory=list)


def _units(conn: Connection, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Decimal]]:
    found: dict[uuid.UUID, dict[str, Decimal]] = {}
    if not product_ids:
        return found
    rows = conn.execute(sa.select(product_uom.c.product_id, product_uom.c.uom, product_uom.c.factor)
                        .where(product_uom.c.product_id.in_(product_ids), product_uom.c.archived.is_(False))
                        .order_by(product_uom.c.factor))
    for product_id, uom, factor in rows:
        found.setdefault(product_id, {})[uom] = factor
    return found


def products(conn: Connection, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, ProductInfo]:
    rows = conn.execute(sa.select(product.c.id, product.c.sku, product.c.name, product.c.uom, product.c.list_price,
                                  product.c.kind).where(product.c.id.in_(product_ids))).all()
    units = _units(conn, [r.id for r in rows])
    return {r.id: ProductInfo(r.id, r.sku, r.name, r.uom, r.list_price or Decimal(0), r.kind,
                              {r.uom: Decimal(1), **units.get(r.id, {})}) for r in rows}


def find_products(conn: Connection, typed: str, limit: int = FOUND_LIMIT) -> list[ProductInfo]:
    """Live products whose SKU, name, pinyin, initials or barcode match `typed`; a scanned
    barcode's product first, with the unit the code stands for."""
    condition = text_condition(typed)
    if condition is None:
        return []
    ids = list(conn.execute(sa.select(product.c.id).where(condition, product.c.archived.is_(False))
                            .order_by(product.c.sku).limit(limit)).scalars())
    scanned = conn.execute(sa.select(product_barcode.c.product_id, product_barcode.c.uom).where(
        product_barcode.c.barcode == typed.strip(), product_barcode.c.archived.is_(False))).first()
    info = products(conn, ids)
    found = [info[i] for i in ids if i in info]
    if scanned is not None:
        first = [p for p in found if p.id == scanned.product_id]
        rest = [p for p in found if p.id != scanned.product_id]
        found = [ProductInfo(**{**p.__dict__, "scanned_uom": scanned.uom}) for p in first] + rest
    return found


def _address(row: Any) -> str:
    parts = (row.province, row.city, row.district, row.street)
    return " ".join(p for p in parts if p)


def load_editor(conn: Connection, party_id: uuid.UUID | None, order_id: uuid.UUID | None) -> EditorData | None:
    """Everything the editor shows: an existing order (`order_id`) or a new quote for `party_id`;
    None when neither exists in the cache."""
    order: dict[str, Any] | None = None
    if order_id is not None:
        found = conn.execute(sa.select(sales_order).where(sales_order.c.id == order_id)).mappings().first()
        if found is None:
            return None
        order = dict(found)
        party_id = order["party_id"]
    customer = conn.execute(sa.select(party).where(party.c.id == party_id)).first()
    if customer is None:
        return None
    contacts = [(r.id, f"{r.name} · {r.title}" if r.title else r.name) for r in conn.execute(
        sa.select(contact.c.id, contact.c.name, contact.c.title)
        .where(contact.c.party_id == customer.id, contact.c.archived.is_(False)).order_by(contact.c.name))]
    houses = [(r.id, f"{r.code} · {r.name}") for r in conn.execute(
        sa.select(warehouse.c.id, warehouse.c.code, warehouse.c.name)
        .where(warehouse.c.archived.is_(False)).order_by(warehouse.c.code))]
    lines: list[LineData] = []
    if order is not None:
        rows = conn.execute(sa.select(sales_order_line).where(
            sales_order_line.c.order_id == order["id"], sales_order_line.c.archived.is_(False))
            .order_by(sales_order_line.c.position)).all()
        info = products(conn, [r.product_id for r in rows])
        lines = [LineData(r.id, info[r.product_id], r.qty, r.uom, r.unit_price, r.discount_pct, r.amount,
                          r.promised_date) for r in rows if r.product_id in info]
    return EditorData(customer.id, customer.name, contacts, houses, _address(customer), order, lines)


@dataclass(frozen=True)
class Wanted:
    """One line's question: how much of this product can be promised by this date."""

    key: str
    product_id: uuid.UUID
    by: dt.date


def promise(conn: Connection, wanted: list[Wanted],
            warehouse_id: uuid.UUID | None) -> dict[str, stock_reads.Availability]:
    """Available-to-promise per line (stock units), from the cache as of its last sync."""
    return {w.key: stock_reads.available_to_promise(conn, w.product_id, w.by, warehouse_id) for w in wanted}
