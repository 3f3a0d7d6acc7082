"""Figures for the clerk's and planner's home pages: the stock ledger at a glance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.schema import metadata

product = metadata.tables["product"]
location = metadata.tables["location"]
stock_move = metadata.tables["stock_move"]


@dataclass(frozen=True)
class MoveLine:
    moved_at: dt.datetime
    kind: str
    sku: str
    product: str
    qty: Decimal
    source: str
    target: str


@dataclass
class StockSummary:
    products: int = 0
    locations: int = 0
    moves_today: int = 0
    #: products whose on hand over internal locations is zero or below
    out_of_stock: int = 0
    recent: list[MoveLine] = field(default_factory=list)


def stock_summary(conn: Connection, now: dt.datetime, day_start: dt.datetime, recent: int = 10) -> StockSummary:
    out = StockSummary()
    out.products = conn.execute(
        sa.select(sa.func.count()).select_from(product).where(product.c.archived.is_(False))).scalar_one()
    out.locations = conn.execute(
        sa.select(sa.func.count()).select_from(location)
        .where(location.c.archived.is_(False), location.c.kind == "internal")).scalar_one()
    live = stock_move.c.archived.is_(False)
    out.moves_today = conn.execute(
        sa.select(sa.func.count()).select_from(stock_move)
        .where(live, stock_move.c.moved_at >= day_start, stock_move.c.moved_at <= now)).scalar_one()
    internal = sa.select(location.c.id).where(location.c.kind == "internal").scalar_subquery()
    signed = sa.case((stock_move.c.to_location_id.in_(internal), 1), else_=0) - sa.case(
        (stock_move.c.from_location_id.in_(internal), 1), else_=0)
    # on hand per product in scaled units is exact on both engines: qty × (+1 | 0 | −1)
    on_hand = (sa.select(stock_move.c.product_id, sa.func.sum(stock_move.c.qty * signed).label("on_hand"))
               .where(live).group_by(stock_move.c.product_id).subquery())
    out.out_of_stock = conn.execute(
        sa.select(sa.func.count()).select_from(product.outerjoin(on_hand, on_hand.c.product_id == product.c.id))
        .where(product.c.archived.is_(False), sa.func.coalesce(on_hand.c.on_hand, 0) <= 0)).scalar_one()
    src, dst = location.alias("src"), location.alias("dst")
    rows = conn.execute(
        sa.select(stock_move.c.moved_at, stock_move.c.kind, product.c.sku, product.c.name, stock_move.c.qty,
                  src.c.name, dst.c.name)
        .select_from(stock_move.join(product, product.c.id == stock_move.c.product_id)
                     .join(src, src.c.id == stock_move.c.from_location_id)
                     .join(dst, dst.c.id == stock_move.c.to_location_id))
        .where(live, stock_move.c.moved_at <= now).order_by(stock_move.c.moved_at.desc()).limit(recent))
    out.recent = [MoveLine(*r) for r in rows]
    return out
