"""What a customer bought, for the 360 view: lifetime revenue and last order, quotes, orders and
deliveries in the timeline, and purchase history by month with the top products.

The CRM reads the order tables through app.core.schema (never by importing app.erp): an order
counts once confirmed (confirmed or done); quotes and cancelled orders bring no revenue.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.schema import delivery, product, sales_order, sales_order_line, total

#: order states that are revenue
SOLD = ("confirmed", "done")
#: timeline kinds this module gives
ORDER_KINDS = ("quote", "order", "delivery")


@dataclass(frozen=True)
class OrderFigures:
    lifetime_revenue: Decimal
    last_order_at: dt.datetime | None


def order_figures(conn: Connection, party_id: uuid.UUID) -> OrderFigures:
    row = conn.execute(
        sa.select(total(sales_order.c.amount_total), sa.func.max(sales_order.c.confirmed_at))
        .where(sales_order.c.party_id == party_id, sales_order.c.state.in_(SOLD), sales_order.c.archived.is_(False))
    ).one()
    return OrderFigures(Decimal(row[0]), row[1])


@dataclass(frozen=True)
class OrderItem:
    kind: str  # "quote", "order" or "delivery"
    id: uuid.UUID
    at: dt.datetime
    number: str | None
    #: a quote or order: its total; a delivery: None
    amount: Decimal | None
    currency: str
    state: str
    #: a delivery: its order's id; else the document's own
    order_id: uuid.UUID


def order_items(conn: Connection, party_id: uuid.UUID, kinds: tuple[str, ...],
                before: tuple[dt.datetime, uuid.UUID] | None, limit: int) -> list[OrderItem]:
    """Up to `limit` + 1 of the customer's quotes, orders and deliveries, newest first."""
    items: list[OrderItem] = []
    wanted = [k for k in ("quote", "order") if k in kinds]
    if wanted:
        quote = sales_order.c.state.in_(("draft", "sent"))
        at = sa.func.coalesce(sales_order.c.confirmed_at, sales_order.c.created_at)
        query = sa.select(sales_order, at.label("at")).where(
            sales_order.c.party_id == party_id, sales_order.c.archived.is_(False),
            quote if wanted == ["quote"] else (sa.not_(quote) if wanted == ["order"] else sa.true()))
        for r in conn.execute(_page(query, at, sales_order.c.id, before, limit)).mappings():
            kind = "quote" if r["state"] in ("draft", "sent") else "order"
            items.append(OrderItem(kind, r["id"], r["at"], r["number"], r["amount_total"], r["currency"], r["state"],
                                   r["id"]))
    if "delivery" in kinds:
        at = sa.func.coalesce(delivery.c.shipped_at, delivery.c.created_at)
        query = sa.select(delivery, at.label("at")).where(delivery.c.party_id == party_id,
                                                          delivery.c.archived.is_(False))
        for r in conn.execute(_page(query, at, delivery.c.id, before, limit)).mappings():
            items.append(OrderItem("delivery", r["id"], r["at"], r["number"], None, "CNY", r["state"], r["order_id"]))
    return items


def _page(query: sa.Select[tuple[object, ...]], at: sa.ColumnElement[dt.datetime], row_id: sa.ColumnElement[uuid.UUID],
          before: tuple[dt.datetime, uuid.UUID] | None, limit: int) -> sa.Select[tuple[object, ...]]:
    if before is not None:
        query = query.where(sa.or_(at < before[0], sa.and_(at == before[0], row_id < before[1])))
    return query.order_by(at.desc(), row_id.desc()).limit(limit + 1)


@dataclass(frozen=True)
class TopProduct:
    sku: str
    name: str
    qty: Decimal
    uom: str
    amount: Decimal


@dataclass(frozen=True)
class PurchaseHistory:
    #: (first day of the month, revenue), oldest first, one entry for each of the last `months`
    months: list[tuple[dt.date, Decimal]]
    top_products: list[TopProduct]

    @property
    def empty(self) -> bool:
        return not self.top_products and not any(amount for _month, amount in self.months)


def _month(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def purchase_history(conn: Connection, party_id: uuid.UUID, today: dt.date, months: int = 12,
                     top: int = 5) -> PurchaseHistory:
    """Revenue by month over the last `months` (this one included) and the products bought most
    (by amount) in that time."""
    since = _month(today, months - 1)
    sold = sa.and_(sales_order.c.party_id == party_id, sales_order.c.state.in_(SOLD),
                   sales_order.c.archived.is_(False), sales_order.c.order_date >= since)
    by_month: dict[dt.date, Decimal] = {_month(today, back): Decimal("0.00") for back in range(months)}
    for day, amount in conn.execute(sa.select(sales_order.c.order_date, sales_order.c.amount_total).where(sold)):
        key = day.replace(day=1)
        if key in by_month:
            by_month[key] += amount
    rows = conn.execute(
        sa.select(product.c.sku, product.c.name, product.c.uom, sales_order_line.c.qty, sales_order_line.c.uom_factor,
                  sales_order_line.c.amount, sales_order_line.c.product_id)
        .join(sales_order, sales_order.c.id == sales_order_line.c.order_id)
        .join(product, product.c.id == sales_order_line.c.product_id)
        .where(sold, sales_order_line.c.archived.is_(False)))
    names: dict[uuid.UUID, tuple[str, str, str]] = {}
    qty: dict[uuid.UUID, Decimal] = {}
    spent: dict[uuid.UUID, Decimal] = {}
    for sku, name, uom, line_qty, factor, amount, product_id in rows:
        names[product_id] = (sku, name, uom)
        qty[product_id] = qty.get(product_id, Decimal(0)) + line_qty * factor  # in stock units
        spent[product_id] = spent.get(product_id, Decimal("0.00")) + amount
    ranked = sorted(names, key=lambda p: (-spent[p], names[p][0]))[:top]
    return PurchaseHistory(sorted(by_month.items()),
                           [TopProduct(names[p][0], names[p][1], qty[p], names[p][2], spent[p]) for p in ranked])
