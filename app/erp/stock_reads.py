"""Reads of stock: on hand from the level projection, the stock card (every move with its running
balance), negative stock, and available-to-promise (on hand − reserved + incoming by a date)."""

from __future__ import annotations

import datetime as dt
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
    purchase_order,
    purchase_order_line,
    stock_level,
    stock_move,
    total,
    warehouse,
)

_live_level = sa.and_(stock_level.c.archived.is_(False))


def _in_warehouse(warehouse_id: uuid.UUID | None) -> sa.ColumnElement[bool]:
    bins = sa.select(location.c.id).where(location.c.kind == "internal")
    if warehouse_id is not None:
        bins = bins.where(location.c.warehouse_id == warehouse_id)
    return stock_level.c.location_id.in_(bins)


def on_hand(conn: Connection, product_id: uuid.UUID, location_id: uuid.UUID | None = None,
            warehouse_id: uuid.UUID | None = None) -> Decimal:
    """On hand in one location, one warehouse, or every internal location."""
    query = sa.select(total(stock_level.c.qty)).where(stock_level.c.product_id == product_id, _live_level)
    if location_id is not None:
        query = query.where(stock_level.c.location_id == location_id)
    else:
        query = query.where(_in_warehouse(warehouse_id))
    return Decimal(conn.execute(query).scalar_one())


@dataclass(frozen=True)
class Level:
    location_id: uuid.UUID
    location: str
    warehouse: str | None
    qty: Decimal


def levels(conn: Connection, product_id: uuid.UUID) -> list[Level]:
    """Where a product is: every internal location holding (or owing) some of it."""
    rows = conn.execute(
        sa.select(stock_level.c.location_id, location.c.code, warehouse.c.name, stock_level.c.qty)
        .join(location, location.c.id == stock_level.c.location_id)
        .outerjoin(warehouse, warehouse.c.id == location.c.warehouse_id)
        .where(stock_level.c.product_id == product_id, stock_level.c.qty != 0)
        .order_by(location.c.code))
    return [Level(*r) for r in rows]


@dataclass(frozen=True)
class NegativeLevel:
    product_id: uuid.UUID
    sku: str
    product: str
    location: str
    qty: Decimal


def negative_levels(conn: Connection, limit: int = 500) -> list[NegativeLevel]:
    """Product × location below zero: shipped or moved before the stock was there (offline)."""
    rows = conn.execute(
        sa.select(stock_level.c.product_id, product.c.sku, product.c.name, location.c.code, stock_level.c.qty)
        .join(product, product.c.id == stock_level.c.product_id)
        .join(location, location.c.id == stock_level.c.location_id)
        .where(stock_level.c.qty < 0).order_by(product.c.sku, location.c.code).limit(limit))
    return [NegativeLevel(*r) for r in rows]


@dataclass(frozen=True)
class CardLine:
    move_id: uuid.UUID
    moved_at: dt.datetime
    kind: str
    reference: str | None
    source: str
    target: str
    #: + into the locations looked at, − out of them
    qty: Decimal
    balance: Decimal
    unit_cost: Decimal | None


def stock_card(conn: Connection, product_id: uuid.UUID, location_id: uuid.UUID | None = None,
               limit: int = 500) -> list[CardLine]:
    """A product's moves, newest first, each with the balance after it (one location or all bins).

    Only the newest `limit` moves are read (by the product's time index): the balance after the
    newest is on hand now (the level projection, which is Σ moves), and each older one is the
    newer balance less the newer move, so a fast mover's card costs the same as a slow one's."""
    if location_id is not None:
        here = sa.select(sa.literal(location_id, sa.Uuid()))
    else:
        here = sa.select(location.c.id).where(location.c.kind == "internal")
    into = stock_move.c.to_location_id.in_(here)
    out_of = stock_move.c.from_location_id.in_(here)
    src, dst = location.alias("src"), location.alias("dst")
    rows = conn.execute(
        sa.select(stock_move.c.id, stock_move.c.moved_at, stock_move.c.kind, stock_move.c.reference,
                  src.c.code.label("source"), dst.c.code.label("target"), stock_move.c.qty, stock_move.c.unit_cost,
                  into.label("comes_in"), out_of.label("goes_out"))
        .join(src, src.c.id == stock_move.c.from_location_id)
        .join(dst, dst.c.id == stock_move.c.to_location_id)
        .where(stock_move.c.product_id == product_id, stock_move.c.archived.is_(False), sa.or_(into, out_of))
        .order_by(stock_move.c.moved_at.desc(), stock_move.c.id.desc()).limit(limit)).all()
    balance = on_hand(conn, product_id, location_id)
    card = []
    for r in rows:
        signed = r.qty if r.comes_in and not r.goes_out else (-r.qty if r.goes_out and not r.comes_in else Decimal(0))
        card.append(CardLine(r.id, r.moved_at, r.kind, r.reference, r.source, r.target, signed, balance, r.unit_cost))
        balance -= signed
    return card


def reserved(conn: Connection, product_id: uuid.UUID, warehouse_id: uuid.UUID | None = None) -> Decimal:
    """What confirmed orders still have to ship: the open (ready) deliveries' lines."""
    query = (sa.select(total(delivery_line.c.qty))
             .join(delivery, delivery.c.id == delivery_line.c.delivery_id)
             .where(delivery_line.c.product_id == product_id, delivery.c.state == "ready",
                    delivery.c.archived.is_(False), delivery_line.c.archived.is_(False)))
    if warehouse_id is not None:
        query = query.where(delivery.c.warehouse_id == warehouse_id)
    return Decimal(conn.execute(query).scalar_one())


@dataclass(frozen=True)
class Incoming:
    expected: dt.date | None
    qty: Decimal


def incoming(conn: Connection, product_id: uuid.UUID, warehouse_id: uuid.UUID | None = None) -> list[Incoming]:
    """What confirmed purchase orders still bring in (stock units), by expected date."""
    query = (sa.select(purchase_order_line.c.qty, purchase_order_line.c.uom_factor, purchase_order_line.c.qty_received,
                       sa.func.coalesce(purchase_order_line.c.expected_date, purchase_order.c.expected_date))
             .join(purchase_order, purchase_order.c.id == purchase_order_line.c.order_id)
             .where(purchase_order_line.c.product_id == product_id, purchase_order.c.state == "confirmed",
                    purchase_order_line.c.archived.is_(False)))
    if warehouse_id is not None:
        query = query.where(purchase_order.c.warehouse_id == warehouse_id)
    out = []
    for qty, factor, received, expected in conn.execute(query):
        left = qty * factor - received
        if left > 0:
            out.append(Incoming(expected, left))
    return sorted(out, key=lambda i: (i.expected is None, i.expected or dt.date.min))


@dataclass(frozen=True)
class Availability:
    on_hand: Decimal
    reserved: Decimal
    incoming: Decimal
    #: on hand − reserved + incoming expected by the date asked for
    available: Decimal


def available_to_promise(conn: Connection, product_id: uuid.UUID, by: dt.date,
                         warehouse_id: uuid.UUID | None = None) -> Availability:
    have = on_hand(conn, product_id, warehouse_id=warehouse_id)
    held = reserved(conn, product_id, warehouse_id)
    due = [i.qty for i in incoming(conn, product_id, warehouse_id) if i.expected is not None and i.expected <= by]
    coming = sum(due, Decimal(0))
    return Availability(have, held, coming, have - held + coming)
