"""What the Products page reads from the cache (no Qt): the list's columns and filters in SQL, the
text search through the cache's search index, and one product's detail with its stock card.

The text search narrows by the search index where it can promise an answer (``search_fts``: 3+
characters inside the name or SKU, the start of the pinyin or initials, a Chinese name one
character at a time) and checks every candidate with plain LIKEs; shorter Latin text is checked
by the LIKEs alone. A barcode is matched exactly, as a scanner types it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.i18n import N_
from app.core.schema import (
    delivery,
    delivery_line,
    location,
    metadata,
    product,
    product_barcode,
    product_category,
    product_uom,
    stock_level,
    stock_valuation,
    total,
)
from app.erp import stock_reads
from app.sync.search import MARK, Query

party = metadata.tables["party"]
#: the stock card shows the newest moves only (a product may have tens of thousands)
CARD_LIMIT = 500

KINDS = {"stocked": N_("Stocked"), "consumable": N_("Consumable"), "service": N_("Service")}
MOVE_KINDS = {"receipt": N_("Receipt"), "delivery": N_("Delivery"), "transfer": N_("Transfer"),
              "adjustment": N_("Adjustment"), "count": N_("Count"), "consume": N_("Consumed"),
              "produce": N_("Produced")}
#: the list's filters: key → label
FILTERS = {"all": N_("All products"), "below_reorder": N_("Below reorder point"),
           "negative": N_("Negative stock")}

_fts = sa.table("search_fts", sa.column("rowid"), sa.column("search_fts"))
_entry = sa.table("search_entry", sa.column("id"), sa.column("row_id"), sa.column("kind"))
_raw_id = sa.type_coerce(product.c.id, sa.String())
_bins = sa.select(location.c.id).where(location.c.kind == "internal").scalar_subquery()


def _quantity(expr: sa.ColumnElement[Any]) -> sa.ColumnElement[Decimal]:
    """A computed quantity read back as the Quantity type does (exact integers on SQLite)."""
    return sa.type_coerce(expr, product.c.list_price.type)


#: on hand in every internal location (correlated with the list's product row)
on_hand = _quantity(
    sa.select(total(stock_level.c.qty))
    .where(stock_level.c.product_id == product.c.id, stock_level.c.archived.is_(False),
           stock_level.c.location_id.in_(_bins))
    .scalar_subquery())
#: what open (ready) deliveries still have to ship, as app.erp.stock_reads.reserved counts it
reserved = _quantity(
    sa.select(total(delivery_line.c.qty))
    .join(delivery, delivery.c.id == delivery_line.c.delivery_id)
    .where(delivery_line.c.product_id == product.c.id, delivery.c.state == "ready",
           delivery.c.archived.is_(False), delivery_line.c.archived.is_(False))
    .scalar_subquery())
available = _quantity(on_hand - reserved)
category_name = (sa.select(product_category.c.name).where(product_category.c.id == product.c.category_id)
                 .scalar_subquery())


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _quoted(value: str) -> str:
    # inside an FTS5 string only the double quote is special, and doubling it escapes it
    return '"' + value.replace('"', '""') + '"'


def _candidates(query: Query) -> sa.Select[Any] | None:
    """Search-index entries of products that may match; None when the index cannot promise to
    hold every match (under 3 characters; Chinese with spaces, which the index spells apart)."""
    if len(query.compact) < 3 or (query.chinese and " " in query.text):
        return None
    _whole, _start, inside = query.name_forms()
    parts = [f"name : {_quoted(inside)}", f"pinyin : {_quoted(MARK + query.compact)}",
             f"initials : {_quoted(MARK + query.compact)}"]
    if len(query.text) >= 3:
        parts.append(f"code : {_quoted(query.text)}")
    return (sa.select(_entry.c.row_id).join_from(_fts, _entry, _entry.c.id == _fts.c.rowid)
            .where(_fts.c.search_fts.op("MATCH")(" OR ".join(parts)), _entry.c.kind == "product"))


def text_condition(typed: str) -> sa.ColumnElement[bool] | None:
    """Products whose SKU or name holds `typed`, whose pinyin or initials start with it, or that
    carry it as a barcode; None for empty text."""
    scanned = typed.strip()
    query = Query.of(typed)
    if not query.text:
        return None
    like = f"%{_like(query.text)}%"
    checks = sa.or_(product.c.sku.like(like, escape="\\"), product.c.name.like(like, escape="\\"),
                    product.c.name_pinyin.like(f"{_like(query.compact)}%", escape="\\"),
                    product.c.name_initials.like(f"{_like(query.compact)}%", escape="\\"))
    candidates = _candidates(query)
    if candidates is not None:
        checks = sa.and_(_raw_id.in_(candidates), checks)
    barcode = product.c.id.in_(sa.select(product_barcode.c.product_id)
                               .where(product_barcode.c.barcode == scanned, product_barcode.c.archived.is_(False)))
    return sa.or_(checks, barcode)


def filter_condition(key: str) -> sa.ColumnElement[bool] | None:
    """The list filter `key` (see FILTERS) as a condition on the product row."""
    if key == "below_reorder":
        return sa.and_(product.c.reorder_point.is_not(None), on_hand < product.c.reorder_point)
    if key == "negative":
        return product.c.id.in_(sa.select(stock_level.c.product_id)
                                .where(stock_level.c.qty < 0, stock_level.c.archived.is_(False)))
    return None


def list_conditions(typed: str, filter_key: str) -> list[sa.ColumnElement[bool]]:
    """Every condition of the list: live products, the filter, the search text."""
    found: list[sa.ColumnElement[bool]] = [product.c.archived.is_(False)]
    for condition in (filter_condition(filter_key), text_condition(typed)):
        if condition is not None:
            found.append(condition)
    return found


@dataclass(frozen=True)
class ProductDetail:
    """One product as the detail pane and the edit dialog show it."""

    values: dict[str, Any]
    category: str | None
    #: None when the cache does not hold the supplier (a clerk pulls no parties)
    supplier: str | None
    avg_cost: Decimal | None
    units: list[tuple[str, Decimal]]
    barcodes: list[tuple[str, str | None]]
    on_hand: Decimal
    reserved: Decimal
    levels: list[stock_reads.Level]
    card: list[stock_reads.CardLine]
    #: the product has more moves than the card shows
    card_cut: bool

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def product_detail(conn: Connection, product_id: uuid.UUID) -> ProductDetail | None:
    """The product's fields, units, barcodes, stock per location and its newest moves."""
    row = conn.execute(sa.select(product).where(product.c.id == product_id)).mappings().first()
    if row is None:
        return None
    values = dict(row)
    category = (conn.execute(sa.select(product_category.c.name).where(product_category.c.id == values["category_id"]))
                .scalar() if values["category_id"] else None)
    supplier = (conn.execute(sa.select(party.c.name).where(party.c.id == values["default_supplier_id"])).scalar()
                if values["default_supplier_id"] else None)
    avg = conn.execute(sa.select(stock_valuation.c.avg_cost).where(stock_valuation.c.id == product_id)).scalar()
    units = [(u, f) for u, f in conn.execute(
        sa.select(product_uom.c.uom, product_uom.c.factor)
        .where(product_uom.c.product_id == product_id, product_uom.c.archived.is_(False))
        .order_by(product_uom.c.factor, product_uom.c.uom))]
    barcodes = [(b, u) for b, u in conn.execute(
        sa.select(product_barcode.c.barcode, product_barcode.c.uom)
        .where(product_barcode.c.product_id == product_id, product_barcode.c.archived.is_(False))
        .order_by(product_barcode.c.barcode))]
    card = stock_reads.stock_card(conn, product_id, limit=CARD_LIMIT + 1)
    return ProductDetail(
        values, category, supplier, avg, units, barcodes,
        stock_reads.on_hand(conn, product_id), stock_reads.reserved(conn, product_id),
        stock_reads.levels(conn, product_id), card[:CARD_LIMIT], len(card) > CARD_LIMIT)


@dataclass(frozen=True)
class Clashes:
    """What a product about to be saved would take from another: its SKU, its barcodes."""

    sku: str | None
    #: barcode → the name of the other product that carries it now
    barcodes: dict[str, str]


def clashes(conn: Connection, product_id: uuid.UUID, sku: str | None, barcodes: list[str]) -> Clashes:
    """Another live product with this SKU, and other products carrying these barcodes."""
    taken = None
    if sku:
        taken = conn.execute(sa.select(product.c.name).where(product.c.sku == sku, product.c.id != product_id)).scalar()
    owners = {code: name for code, name in conn.execute(
        sa.select(product_barcode.c.barcode, product.c.name)
        .join(product, product.c.id == product_barcode.c.product_id)
        .where(product_barcode.c.barcode.in_(barcodes), product_barcode.c.archived.is_(False),
               product_barcode.c.product_id != product_id))} if barcodes else {}
    return Clashes(taken, owners)


@dataclass(frozen=True)
class Choices:
    """What the product dialog offers: categories and suppliers in the cache."""

    categories: list[tuple[uuid.UUID, str]]
    suppliers: list[tuple[uuid.UUID, str]]


def choices(conn: Connection) -> Choices:
    categories = [(i, n) for i, n in conn.execute(
        sa.select(product_category.c.id, product_category.c.name)
        .where(product_category.c.archived.is_(False)).order_by(product_category.c.code))]
    suppliers = [(i, n) for i, n in conn.execute(
        sa.select(party.c.id, party.c.name)
        .where(party.c.is_supplier.is_(True), party.c.archived.is_(False)).order_by(party.c.name_pinyin).limit(2000))]
    return Choices(categories, suppliers)


__all__ = ["CARD_LIMIT", "FILTERS", "KINDS", "MOVE_KINDS", "Clashes", "ProductDetail", "available", "category_name",
           "choices", "clashes", "list_conditions", "on_hand", "product_detail", "reserved", "text_condition"]
