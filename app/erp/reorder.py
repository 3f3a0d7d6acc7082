"""Reorder suggestions: which stocked products to buy now, how many, from whom, and the draft
purchase orders that buy them ("draft POs in one click").

The rule, per product with a reorder point:

    projected = on hand − reserved + incoming
    reorder when projected < reorder point
    need      = reorder point + safety stock − projected
    quantity  = need, at least the minimum order quantity, rounded up to the order multiple

On hand counts the warehouse's bins (or every bin), reserved the deliveries still to ship, and
incoming what open purchase orders (draft, sent or confirmed) still bring in: a draft counts, so
suggestions already turned into drafts are not suggested twice. The goods are expected the
supplier's lead time after today.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.schema import (
    delivery,
    delivery_line,
    location,
    party,
    product,
    purchase_order,
    purchase_order_line,
    stock_level,
    total,
)
from app.erp.purchasing import PurchaseCreate, PurchaseLine

#: purchase order states whose open quantities count as incoming for reordering
OPEN_PURCHASE_STATES = ("draft", "sent", "confirmed")


def suggest_quantity(need: Decimal, min_qty: Decimal | None = None, multiple: Decimal | None = None) -> Decimal:
    """The quantity to order for `need`: at least the need, at least the minimum order quantity,
    and a whole number of order multiples (rounded up). Nothing needed → 0."""
    if need <= 0:
        return Decimal(0)
    qty = max(need, min_qty or Decimal(0))
    if multiple:
        with localcontext() as exact:
            exact.prec = 80  # the quotient's integer part is exact for any 18-digit quantities
            whole, rest = divmod(qty, multiple)
            qty = (whole + (1 if rest else 0)) * multiple
    return qty


@dataclass(frozen=True)
class Suggestion:
    product_id: uuid.UUID
    sku: str
    name: str
    uom: str
    on_hand: Decimal
    reserved: Decimal
    incoming: Decimal
    #: on hand − reserved + incoming
    projected: Decimal
    reorder_point: Decimal
    safety_stock: Decimal
    #: reorder point + safety stock − projected
    need: Decimal
    #: what to order (min quantity and multiple applied), in the stock unit
    qty: Decimal
    supplier_id: uuid.UUID | None
    supplier_name: str
    lead_time_days: int
    expected_date: dt.date


def _bins(warehouse_id: uuid.UUID | None) -> sa.Select[Any]:
    bins = sa.select(location.c.id).where(location.c.kind == "internal")
    return bins if warehouse_id is None else bins.where(location.c.warehouse_id == warehouse_id)


def _on_hand(conn: Connection, warehouse_id: uuid.UUID | None) -> dict[uuid.UUID, Decimal]:
    rows = conn.execute(
        sa.select(stock_level.c.product_id, total(stock_level.c.qty))
        .where(stock_level.c.archived.is_(False), stock_level.c.location_id.in_(_bins(warehouse_id)))
        .group_by(stock_level.c.product_id))
    return {product_id: Decimal(qty) for product_id, qty in rows}


def _reserved(conn: Connection, warehouse_id: uuid.UUID | None) -> dict[uuid.UUID, Decimal]:
    """As app.erp.stock_reads.reserved: the lines of deliveries still ready to ship."""
    query = (sa.select(delivery_line.c.product_id, total(delivery_line.c.qty))
             .join(delivery, delivery.c.id == delivery_line.c.delivery_id)
             .where(delivery.c.state == "ready", delivery.c.archived.is_(False), delivery_line.c.archived.is_(False))
             .group_by(delivery_line.c.product_id))
    if warehouse_id is not None:
        query = query.where(delivery.c.warehouse_id == warehouse_id)
    return {product_id: Decimal(qty) for product_id, qty in conn.execute(query)}


def _incoming(conn: Connection, warehouse_id: uuid.UUID | None) -> dict[uuid.UUID, Decimal]:
    """What open purchase orders still bring in, in stock units (computed here: a product of two
    scaled quantities in SQL would be off by the scale on SQLite)."""
    query = (sa.select(purchase_order_line.c.product_id, purchase_order_line.c.qty, purchase_order_line.c.uom_factor,
                       purchase_order_line.c.qty_received)
             .join(purchase_order, purchase_order.c.id == purchase_order_line.c.order_id)
             .where(purchase_order.c.state.in_(OPEN_PURCHASE_STATES), purchase_order.c.archived.is_(False),
                    purchase_order_line.c.archived.is_(False)))
    if warehouse_id is not None:
        query = query.where(purchase_order.c.warehouse_id == warehouse_id)
    out: dict[uuid.UUID, Decimal] = {}
    for product_id, qty, factor, received in conn.execute(query):
        left = qty * factor - received
        if left > 0:
            out[product_id] = out.get(product_id, Decimal(0)) + left
    return out


def _supplier_name() -> sa.ColumnElement[Any]:
    """The default supplier's name: the party's, or (a planner's cache has no parties) the name on
    the latest purchase order to it."""
    last_po = (sa.select(purchase_order.c.supplier_name)
               .where(purchase_order.c.party_id == product.c.default_supplier_id, purchase_order.c.supplier_name != "")
               .order_by(purchase_order.c.order_date.desc(), purchase_order.c.id.desc()).limit(1)
               .scalar_subquery())
    return sa.func.coalesce(party.c.name, last_po, "")


def reorder_suggestions(conn: Connection, warehouse_id: uuid.UUID | None = None, *,
                        today: dt.date) -> list[Suggestion]:
    """Stocked, live products with a reorder point whose projected stock is below it, by SKU
    (the rule is in this module's docstring)."""
    candidates = conn.execute(
        sa.select(product.c.id, product.c.sku, product.c.name, product.c.uom, product.c.reorder_point,
                  product.c.safety_stock, product.c.min_order_qty, product.c.order_multiple,
                  product.c.default_supplier_id, product.c.lead_time_days, _supplier_name().label("supplier_name"))
        .outerjoin(party, party.c.id == product.c.default_supplier_id)
        .where(product.c.kind == "stocked", product.c.archived.is_(False), product.c.reorder_point.is_not(None))
        .order_by(product.c.sku)).all()
    if not candidates:
        return []
    on_hand, reserved, incoming = _on_hand(conn, warehouse_id), _reserved(conn, warehouse_id), \
        _incoming(conn, warehouse_id)
    out = []
    for p in candidates:
        have, held, coming = (figures.get(p.id, Decimal(0)) for figures in (on_hand, reserved, incoming))
        projected = have - held + coming
        if projected >= p.reorder_point:
            continue
        safety = p.safety_stock or Decimal(0)
        need = p.reorder_point + safety - projected
        out.append(Suggestion(
            product_id=p.id, sku=p.sku, name=p.name, uom=p.uom, on_hand=have, reserved=held, incoming=coming,
            projected=projected, reorder_point=p.reorder_point, safety_stock=safety, need=need,
            qty=suggest_quantity(need, p.min_order_qty, p.order_multiple), supplier_id=p.default_supplier_id,
            supplier_name=p.supplier_name, lead_time_days=p.lead_time_days,
            expected_date=today + dt.timedelta(days=p.lead_time_days)))
    return out


@dataclass
class Drafts:
    #: erp.purchase.create arguments (JSON values), one order per supplier
    orders: list[dict[str, Any]] = field(default_factory=list)
    #: suggestions whose product has no default supplier: someone has to choose one
    unsourced: list[Suggestion] = field(default_factory=list)


def draft_purchase_orders(suggestions: Iterable[Suggestion], warehouse_id: uuid.UUID, today: dt.date,
                          new_id: Callable[[], uuid.UUID]) -> Drafts:
    """One draft purchase order per supplier for `suggestions` (prices: the mutator's default, the
    standard cost), to be run together in one write; products without a supplier are set aside."""
    drafts = Drafts()
    by_supplier: dict[uuid.UUID, list[Suggestion]] = {}
    for s in suggestions:
        if s.qty <= 0:
            continue
        if s.supplier_id is None:
            drafts.unsourced.append(s)
        else:
            by_supplier.setdefault(s.supplier_id, []).append(s)
    for supplier_id, wanted in by_supplier.items():
        lines = [PurchaseLine(id=new_id(), product_id=s.product_id, qty=s.qty, expected_date=s.expected_date)
                 for s in wanted]
        order = PurchaseCreate(id=new_id(), party_id=supplier_id, supplier_name=wanted[0].supplier_name,
                               warehouse_id=warehouse_id, order_date=today,
                               expected_date=max(s.expected_date for s in wanted), lines=lines)
        drafts.orders.append(order.model_dump(mode="json"))
    return drafts


__all__ = ["Drafts", "Suggestion", "draft_purchase_orders", "reorder_suggestions", "suggest_quantity"]
