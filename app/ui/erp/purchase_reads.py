"""What the Purchasing page reads from the cache (no Qt): the purchase orders list with how much of
each came in, one order with its lines for the editor, and the choices the editor offers
(suppliers, warehouses, products with their units and standard cost).

A planner's cache holds no parties (the CRM is not pulled for planners): suppliers are then the
ones earlier orders name, and ``Choices.parties`` says which of the two the list is."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.i18n import N_
from app.core.schema import party, product, product_uom, purchase_order, purchase_order_line, warehouse
from app.erp.common import document_label

#: states as a list shows them (msgids)
STATE_NAMES = {"draft": N_("Draft"), "sent": N_("Sent"), "confirmed": N_("Confirmed"),
               "received": N_("Received"), "cancelled": N_("Cancelled")}
#: orders a list shows at most (newest first)
LIST_LIMIT = 2000


@dataclass(frozen=True)
class OrderRow:
    id: uuid.UUID
    label: str
    supplier: str
    order_date: dt.date
    expected_date: dt.date | None
    state: str
    total: Decimal
    currency: str
    #: share of the ordered stock units received, 0‥100 (None: nothing stocked ordered)
    received_pct: Decimal | None


def order_rows(conn: Connection, state: str | None = None, limit: int = LIST_LIMIT) -> list[OrderRow]:
    """Purchase orders, newest first, optionally of one state."""
    lines = (sa.select(purchase_order_line.c.order_id, purchase_order_line.c.qty, purchase_order_line.c.uom_factor,
                       purchase_order_line.c.qty_received)
             .where(purchase_order_line.c.archived.is_(False)))
    query = (sa.select(purchase_order).where(purchase_order.c.archived.is_(False))
             .order_by(purchase_order.c.order_date.desc(), purchase_order.c.id.desc()).limit(limit))
    if state:
        query = query.where(purchase_order.c.state == state)
    heads = conn.execute(query).all()
    ordered: dict[uuid.UUID, Decimal] = {}
    received: dict[uuid.UUID, Decimal] = {}
    ids = [h.id for h in heads]
    for chunk in range(0, len(ids), 500):
        for r in conn.execute(lines.where(purchase_order_line.c.order_id.in_(ids[chunk:chunk + 500]))):
            # products of scaled quantities are computed here, not in SQL (exact on SQLite too)
            ordered[r.order_id] = ordered.get(r.order_id, Decimal(0)) + Decimal(r.qty) * Decimal(r.uom_factor)
            received[r.order_id] = received.get(r.order_id, Decimal(0)) + Decimal(r.qty_received)
    out = []
    for h in heads:
        total = ordered.get(h.id, Decimal(0))
        pct = min(received.get(h.id, Decimal(0)) * 100 / total, Decimal(100)) if total else None
        out.append(OrderRow(h.id, document_label("PO", h.number, h.id), h.supplier_name, h.order_date,
                            h.expected_date, h.state, Decimal(h.amount_total), h.currency, pct))
    return out


@dataclass(frozen=True)
class EditLine:
    id: uuid.UUID
    product_id: uuid.UUID
    qty: Decimal
    uom: str
    unit_price: Decimal
    expected_date: dt.date | None
    qty_received: Decimal


@dataclass(frozen=True)
class OrderDetail:
    id: uuid.UUID
    label: str
    state: str
    party_id: uuid.UUID
    supplier_name: str
    warehouse_id: uuid.UUID
    order_date: dt.date
    expected_date: dt.date | None
    currency: str
    notes: str
    total: Decimal
    lines: tuple[EditLine, ...]


def order_detail(conn: Connection, order_id: uuid.UUID) -> OrderDetail | None:
    h = conn.execute(sa.select(purchase_order).where(purchase_order.c.id == order_id)).first()
    if h is None:
        return None
    rows = conn.execute(sa.select(purchase_order_line).where(
        purchase_order_line.c.order_id == order_id, purchase_order_line.c.archived.is_(False))
        .order_by(purchase_order_line.c.position)).all()
    lines = tuple(EditLine(r.id, r.product_id, Decimal(r.qty), r.uom, Decimal(r.unit_price), r.expected_date,
                           Decimal(r.qty_received)) for r in rows)
    return OrderDetail(h.id, document_label("PO", h.number, h.id), h.state, h.party_id, h.supplier_name,
                       h.warehouse_id, h.order_date, h.expected_date, h.currency, h.notes or "",
                       Decimal(h.amount_total), lines)


@dataclass(frozen=True)
class ProductChoice:
    id: uuid.UUID
    label: str
    uom: str
    standard_cost: Decimal
    #: other units and how many stock units each holds
    units: tuple[tuple[str, Decimal], ...]

    def price_in(self, uom: str) -> Decimal:
        """The standard cost of one `uom` (the mutator's default price)."""
        factor = dict(self.units).get(uom, Decimal(1)) if uom != self.uom else Decimal(1)
        return self.standard_cost * factor


@dataclass(frozen=True)
class Choices:
    #: (id, name): the parties marked supplier, or the suppliers earlier orders name
    suppliers: list[tuple[uuid.UUID, str]]
    #: whether `suppliers` comes from the cache's parties
    parties: bool
    warehouses: list[tuple[uuid.UUID, str]]
    products: list[ProductChoice]


def choices(conn: Connection) -> Choices:
    suppliers = [(i, n) for i, n in conn.execute(
        sa.select(party.c.id, party.c.name)
        .where(party.c.is_supplier.is_(True), party.c.archived.is_(False)).order_by(party.c.name_pinyin).limit(2000))]
    from_parties = bool(suppliers)
    if not suppliers:
        seen: dict[uuid.UUID, str] = {}
        for i, n in conn.execute(sa.select(purchase_order.c.party_id, purchase_order.c.supplier_name)
                                 .where(purchase_order.c.supplier_name != "")
                                 .order_by(purchase_order.c.order_date.desc())):
            seen.setdefault(i, n)
        suppliers = sorted(seen.items(), key=lambda item: item[1])
    warehouses = [(i, f"{c} {n}") for i, c, n in conn.execute(
        sa.select(warehouse.c.id, warehouse.c.code, warehouse.c.name)
        .where(warehouse.c.archived.is_(False)).order_by(warehouse.c.code))]
    units: dict[uuid.UUID, list[tuple[str, Decimal]]] = {}
    for pid, uom, factor in conn.execute(sa.select(product_uom.c.product_id, product_uom.c.uom, product_uom.c.factor)
                                         .where(product_uom.c.archived.is_(False)).order_by(product_uom.c.uom)):
        units.setdefault(pid, []).append((uom, Decimal(factor)))
    products = [ProductChoice(r.id, f"{r.sku} {r.name}", r.uom, Decimal(r.standard_cost or 0),
                              tuple(units.get(r.id, ())))
                for r in conn.execute(sa.select(product.c.id, product.c.sku, product.c.name, product.c.uom,
                                                product.c.standard_cost)
                                      .where(product.c.archived.is_(False))
                                      .order_by(product.c.sku).limit(5000))]
    return Choices(suppliers, from_parties, warehouses, products)


__all__ = ["LIST_LIMIT", "STATE_NAMES", "Choices", "EditLine", "OrderDetail", "OrderRow", "ProductChoice", "choices",
           "order_detail", "order_rows"]
