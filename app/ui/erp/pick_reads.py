"""Reads for picking and shipping (no Qt): the deliveries ready to ship, and one delivery's pick
sheet with a bin suggested for each line (scanned codes resolve through app.ui.erp.scan_resolve)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.schema import (
    delivery,
    delivery_line,
    location,
    product,
    stock_level,
    warehouse,
)
from app.erp.common import document_label

#: a provisional delivery label as document_label prints it (DL-*1A2B3C)
PROVISIONAL = re.compile(r"^DL-\*([0-9A-F]{6})$", re.IGNORECASE)


@dataclass(frozen=True)
class ReadyDelivery:
    id: uuid.UUID
    label: str
    ship_to: str
    scheduled: dt.date | None
    lines: int
    #: it carries the rest of an earlier delivery
    backorder: bool


def ready_deliveries(conn: Connection, limit: int = 500) -> list[ReadyDelivery]:
    """Deliveries waiting to be shipped, oldest first (by scheduled date, then as they were made)."""
    counts = (sa.select(delivery_line.c.delivery_id, sa.func.count().label("n"))
              .where(delivery_line.c.archived.is_(False)).group_by(delivery_line.c.delivery_id).subquery())
    rows = conn.execute(
        sa.select(delivery.c.id, delivery.c.number, delivery.c.ship_to, delivery.c.scheduled_date,
                  sa.func.coalesce(counts.c.n, 0), delivery.c.backorder_of)
        .outerjoin(counts, counts.c.delivery_id == delivery.c.id)
        .where(delivery.c.state == "ready", delivery.c.archived.is_(False))
        .order_by(delivery.c.scheduled_date.is_(None), delivery.c.scheduled_date, delivery.c.created_at,
                  delivery.c.id)
        .limit(limit))
    return [ReadyDelivery(r[0], document_label("DL", r[1], r[0]), r[2], r[3], int(r[4]), r[5] is not None)
            for r in rows]


@dataclass(frozen=True)
class Bin:
    id: uuid.UUID
    code: str
    warehouse_id: uuid.UUID | None


@dataclass(frozen=True)
class SheetLine:
    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    uom: str
    #: in stock units
    qty: Decimal
    #: the warehouse's bin holding the most of the product (its first bin when none holds any)
    bin: Bin | None
    on_hand_in_bin: Decimal


@dataclass(frozen=True)
class PickSheet:
    id: uuid.UUID
    label: str
    ship_to: str
    warehouse_id: uuid.UUID
    warehouse: str
    scheduled: dt.date | None
    #: the delivery this one is the backorder of (its label)
    backorder_of: str | None
    lines: list[SheetLine]


def pick_sheet(conn: Connection, delivery_id: uuid.UUID) -> PickSheet | None:
    """The delivery with its lines to pick; None when it is no longer ready to ship."""
    head = conn.execute(
        sa.select(delivery.c.number, delivery.c.ship_to, delivery.c.warehouse_id, warehouse.c.name,
                  delivery.c.scheduled_date, delivery.c.backorder_of)
        .outerjoin(warehouse, warehouse.c.id == delivery.c.warehouse_id)
        .where(delivery.c.id == delivery_id, delivery.c.state == "ready", delivery.c.archived.is_(False))).first()
    if head is None:
        return None
    number, ship_to, warehouse_id, warehouse_name, scheduled, backorder_of = head
    earlier = None
    if backorder_of is not None:
        earlier_number = conn.execute(sa.select(delivery.c.number).where(delivery.c.id == backorder_of)).scalar()
        earlier = document_label("DL", earlier_number, backorder_of)
    rows = conn.execute(
        sa.select(delivery_line.c.id, delivery_line.c.product_id, product.c.sku, product.c.name, product.c.uom,
                  delivery_line.c.qty)
        .join(product, product.c.id == delivery_line.c.product_id)
        .where(delivery_line.c.delivery_id == delivery_id, delivery_line.c.archived.is_(False))
        .order_by(product.c.sku, delivery_line.c.id)).all()
    best = best_bins(conn, warehouse_id, {r.product_id for r in rows})
    first = first_bin(conn, warehouse_id)
    lines = []
    for r in rows:
        found = best.get(r.product_id)
        lines.append(SheetLine(r.id, r.product_id, r.sku, r.name, r.uom, r.qty,
                               found[0] if found else first, found[1] if found else Decimal(0)))
    return PickSheet(delivery_id, document_label("DL", number, delivery_id), ship_to, warehouse_id,
                     warehouse_name or "", scheduled, earlier, lines)


def best_bins(conn: Connection, warehouse_id: uuid.UUID,
              product_ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[Bin, Decimal]]:
    """Per product: the internal location of the warehouse holding the most of it (some at least)."""
    if not product_ids:
        return {}
    rows = conn.execute(
        sa.select(stock_level.c.product_id, location.c.id, location.c.code, stock_level.c.qty)
        .join(location, location.c.id == stock_level.c.location_id)
        .where(stock_level.c.product_id.in_(product_ids), stock_level.c.archived.is_(False),
               stock_level.c.qty > 0, location.c.kind == "internal", location.c.warehouse_id == warehouse_id,
               location.c.archived.is_(False))
        .order_by(stock_level.c.qty.desc(), location.c.code))
    best: dict[uuid.UUID, tuple[Bin, Decimal]] = {}
    for product_id, bin_id, code, qty in rows:
        best.setdefault(product_id, (Bin(bin_id, code, warehouse_id), qty))
    return best


def first_bin(conn: Connection, warehouse_id: uuid.UUID) -> Bin | None:
    row = conn.execute(
        sa.select(location.c.id, location.c.code)
        .where(location.c.warehouse_id == warehouse_id, location.c.kind == "internal", location.c.archived.is_(False))
        .order_by(location.c.code).limit(1)).first()
    return None if row is None else Bin(row[0], row[1], warehouse_id)


def find_provisional(conn: Connection, code: str) -> uuid.UUID | None:
    """A delivery not numbered yet, by the provisional label it shows (DL-*1A2B3C); numbered ones
    resolve through app.ui.erp.scan_resolve."""
    provisional = PROVISIONAL.match(code.strip())
    if provisional is None:
        return None
    tail = provisional.group(1).lower()
    unnumbered = conn.execute(sa.select(delivery.c.id).where(
        delivery.c.number.is_(None), delivery.c.state == "ready", delivery.c.archived.is_(False))).scalars()
    return next((d for d in unnumbered if d.hex.endswith(tail)), None)


def shipped_label(conn: Connection, delivery_id: uuid.UUID) -> str | None:
    """The label of a delivery if it exists in the cache (a backorder just made), else None."""
    row = conn.execute(sa.select(delivery.c.number).where(delivery.c.id == delivery_id)).first()
    return None if row is None else document_label("DL", row[0], delivery_id)
