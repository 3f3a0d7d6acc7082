"""Reads of cycle counts: the open count sheets, a sheet's lines as the clerk counts them (a blind
count hides what the books expect), and the variances a reviewer checks before posting."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.money import round_amount
from app.core.schema import location, product, stock_count, stock_count_line, stock_level, stock_move, stock_valuation
from app.erp.common import document_label
from app.erp.counts import SERIES


@dataclass(frozen=True)
class CountSummary:
    id: uuid.UUID
    #: the server's number, or a provisional one until the count first syncs
    label: str
    warehouse_id: uuid.UUID
    #: the one bin counted (its code), or None for a whole warehouse
    location: str | None
    abc_class: str | None
    blind: bool
    state: str
    lines: int
    counted: int
    created_at: dt.datetime


def counts(conn: Connection, states: Sequence[str] = ("counting", "review"), limit: int = 200) -> list[CountSummary]:
    """Count sheets in `states`, newest first, with how many of their lines are counted."""
    lines = (sa.select(stock_count_line.c.count_id, sa.func.count().label("lines"),
                       sa.func.count(stock_count_line.c.counted_qty).label("counted"))
             .where(stock_count_line.c.archived.is_(False)).group_by(stock_count_line.c.count_id).subquery())
    rows = conn.execute(
        sa.select(stock_count, location.c.code, sa.func.coalesce(lines.c.lines, 0).label("n_lines"),
                  sa.func.coalesce(lines.c.counted, 0).label("n_counted"))
        .outerjoin(location, location.c.id == stock_count.c.location_id)
        .outerjoin(lines, lines.c.count_id == stock_count.c.id)
        .where(stock_count.c.state.in_(states), stock_count.c.archived.is_(False))
        .order_by(stock_count.c.created_at.desc(), stock_count.c.id.desc()).limit(limit))
    return [CountSummary(r.id, document_label(SERIES, r.number, r.id), r.warehouse_id, r.code, r.abc_class, r.blind,
                         r.state, r.n_lines, r.n_counted, r.created_at) for r in rows]


@dataclass(frozen=True)
class SheetLine:
    line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    product: str
    uom: str
    location_id: uuid.UUID
    location: str
    #: what the books held when the sheet was made; None on a blind count
    expected: Decimal | None
    counted: Decimal | None
    counted_at: dt.datetime | None


def count_sheet(conn: Connection, count_id: uuid.UUID) -> list[SheetLine]:
    """The lines to count, bin by bin (the order a clerk walks the shelves)."""
    blind = conn.execute(sa.select(stock_count.c.blind).where(stock_count.c.id == count_id)).scalar_one()
    rows = conn.execute(
        sa.select(stock_count_line, product.c.sku, product.c.name, product.c.uom, location.c.code)
        .join(product, product.c.id == stock_count_line.c.product_id)
        .join(location, location.c.id == stock_count_line.c.location_id)
        .where(stock_count_line.c.count_id == count_id, stock_count_line.c.archived.is_(False))
        .order_by(location.c.code, product.c.sku))
    return [SheetLine(r.id, r.product_id, r.sku, r.name, r.uom, r.location_id, r.code,
                      None if blind else r.expected_qty, r.counted_qty, r.counted_at) for r in rows]


@dataclass(frozen=True)
class VarianceRow:
    line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    product: str
    location: str
    #: on hand now (what posting compares the count with); once posted, what it was compared with
    expected: Decimal
    #: None: not counted (posting leaves the line alone)
    counted: Decimal | None
    #: counted − expected: + found, − missing
    variance: Decimal | None
    #: the product's moving average (once posted: the cost the count move was valued at)
    unit_cost: Decimal
    #: variance × unit cost, to the cent
    value: Decimal | None


def count_variances(conn: Connection, count_id: uuid.UUID) -> list[VarianceRow]:
    """Each line's expected, counted and variance with its value, for the review before posting.

    Before posting "expected" is the level now, not the sheet's snapshot: posting adjusts against
    the level now (see app.erp.counts.post_count), and the review shows what posting would do.
    A posted count shows what was posted, from its count moves."""
    state = conn.execute(sa.select(stock_count.c.state).where(stock_count.c.id == count_id)).scalar_one()
    level_now = sa.func.coalesce(stock_level.c.qty, 0)
    avg_cost = sa.func.coalesce(stock_valuation.c.avg_cost, product.c.standard_cost, 0)
    rows = conn.execute(
        sa.select(stock_count_line, product.c.sku, product.c.name, location.c.code,
                  level_now.label("level_now"), avg_cost.label("avg_cost"))
        .join(product, product.c.id == stock_count_line.c.product_id)
        .join(location, location.c.id == stock_count_line.c.location_id)
        .outerjoin(stock_level, sa.and_(stock_level.c.product_id == stock_count_line.c.product_id,
                                        stock_level.c.location_id == stock_count_line.c.location_id,
                                        stock_level.c.archived.is_(False)))
        .outerjoin(stock_valuation, stock_valuation.c.id == stock_count_line.c.product_id)
        .where(stock_count_line.c.count_id == count_id, stock_count_line.c.archived.is_(False))
        .order_by(location.c.code, product.c.sku))
    posted = _posted_moves(conn, count_id) if state == "posted" else {}
    out = []
    for r in rows:
        counted, variance, cost = r.counted_qty, None, Decimal(r.avg_cost)
        expected = Decimal(r.level_now)
        if counted is not None:
            if state == "posted":
                variance, move_cost = posted.get(r.id, (Decimal(0), cost))
                cost = move_cost if move_cost is not None else cost
                expected = counted - variance
            else:
                variance = counted - expected
        value = round_amount(variance * cost) if variance is not None else None
        out.append(VarianceRow(r.id, r.product_id, r.sku, r.name, r.code, expected, counted, variance, cost, value))
    return out


def _posted_moves(conn: Connection, count_id: uuid.UUID) -> dict[uuid.UUID, tuple[Decimal, Decimal | None]]:
    """line → (signed quantity its count move posted, the move's unit cost)."""
    rows = conn.execute(
        sa.select(stock_move.c.document_line_id, stock_move.c.qty, stock_move.c.unit_cost,
                  stock_move.c.to_location_id, stock_count_line.c.location_id)
        .join(stock_count_line, stock_count_line.c.id == stock_move.c.document_line_id)
        .where(stock_move.c.document_id == count_id, stock_move.c.kind == "count", stock_move.c.archived.is_(False)))
    return {r.document_line_id: (r.qty if r.to_location_id == r.location_id else -r.qty, r.unit_cost) for r in rows}


__all__ = ["CountSummary", "SheetLine", "VarianceRow", "count_sheet", "count_variances", "counts"]
