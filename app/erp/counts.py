"""Cycle counts: a count sheet for one bin, or for a warehouse's products of one ABC class, counted
(blind by default), reviewed, and posted as count moves that bring the ledger to what the shelves hold.

The sheet's lines are made by the mutator itself from ``stock_level``, with ids derived from the
count, the product and the bin, so the clerk's laptop and the server make the same lines (each from
its own levels; the server's lines are the ones that stay). A product found on a shelf that the
sheet lacks is added by a scan. Recording a count is a guarded patch: two clerks who count one line
differently get one winner and one conflict to settle, never a silent overwrite.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa

from app.core.i18n import N_
from app.core.mutations import mutator
from app.core.tx import Change, Tx
from app.erp.common import Args, Lifecycle, QtyOrZero, derived_id, document_label
from app.erp.errors import NoSuchLocation, NotInCount, NotOnDocument, NotStocked
from app.erp.stock import StockMove, level_id, post_move, virtual_location

SERIES = "CC"
#: (state, action) → the state it leads to; an action missing here raises InvalidTransition.
#: Adding lines and recording counts keep the state, and are allowed only while counting.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("counting", "add_line"): "counting",
    ("counting", "record"): "counting",
    ("counting", "review"): "review",
    ("review", "post"): "posted",
    ("counting", "cancel"): "cancelled",
    ("review", "cancel"): "cancelled",
}
DOCUMENT = N_("stock count")
STATE_WORDS = {"counting": N_("being counted"), "review": N_("in review"), "posted": N_("posted"),
               "cancelled": N_("cancelled")}
ACTION_WORDS = {"add_line": N_("be changed"), "record": N_("be counted"), "review": N_("be sent to review"),
                "post": N_("be posted"), "cancel": N_("be cancelled")}
#: the reason every count move carries (a msgid: screens show it translated)
REASON = N_("cycle count")


LIFECYCLE = Lifecycle(DOCUMENT, TRANSITIONS, STATE_WORDS, ACTION_WORDS)
next_state = LIFECYCLE.next_state


def line_id_for(count_id: uuid.UUID, product_id: uuid.UUID, location_id: uuid.UUID) -> uuid.UUID:
    """A sheet line: the same id on every client and the server."""
    return derived_id("count_line", count_id, product_id, location_id)


def move_id_for(line_id: uuid.UUID) -> uuid.UUID:
    """The count move that posts a line's variance."""
    return derived_id("count_move", line_id)


class CountCreate(Args):
    id: uuid.UUID
    warehouse_id: uuid.UUID
    #: one bin; None: every bin of the warehouse
    location_id: uuid.UUID | None = None
    #: only the products of this ABC class; None: every product
    abc_class: Literal["A", "B", "C"] | None = None
    #: the counter does not see what the books expect
    blind: bool = True


class CountLineRef(Args):
    count_id: uuid.UUID
    product_id: uuid.UUID
    location_id: uuid.UUID


class CountRecord(CountLineRef):
    counted_qty: QtyOrZero
    #: the count the sheet showed when this one was made (None: the line's first count); another
    #: count recorded meanwhile is kept and the clash goes to the conflict inbox
    previous_qty: QtyOrZero | None = None
    #: when the shelf was counted (a scan offline is sent later); None: when the change is applied
    counted_at: dt.datetime | None = None


class CountAction(Args):
    id: uuid.UUID


def _lock_count(tx: Tx, count_id: uuid.UUID) -> dict[str, Any]:
    """The count, locked on the server until the push commits: two pushes acting on one count
    serialize, so the second sees the state the first left."""
    counts = Tx.table("stock_count")
    tx.conn.execute(sa.select(counts.c.id).where(counts.c.id == count_id).with_for_update())
    return tx.require("stock_count", count_id)


def _bin(tx: Tx, warehouse_id: uuid.UUID, location_id: uuid.UUID) -> dict[str, Any]:
    place = tx.get("location", location_id)
    if place is None or place["kind"] != "internal" or place["warehouse_id"] != warehouse_id or place["archived"]:
        raise NoSuchLocation(field="location_id", location=place["code"] if place else str(location_id))
    return place


def _level(tx: Tx, product_id: uuid.UUID, location_id: uuid.UUID) -> Decimal:
    row = tx.get("stock_level", level_id(product_id, location_id))
    return row["qty"] if row is not None and not row["archived"] else Decimal(0)


def _levels_to_count(tx: Tx, args: CountCreate) -> list[tuple[uuid.UUID, uuid.UUID, Decimal]]:
    """(product, bin, on hand) of every stocked product with a level row in the chosen bins."""
    levels, places, products = Tx.table("stock_level"), Tx.table("location"), Tx.table("product")
    query = (sa.select(levels.c.product_id, levels.c.location_id, levels.c.qty)
             .join(places, places.c.id == levels.c.location_id)
             .join(products, products.c.id == levels.c.product_id)
             .where(places.c.warehouse_id == args.warehouse_id, places.c.kind == "internal",
                    places.c.archived.is_(False), levels.c.archived.is_(False), products.c.archived.is_(False),
                    products.c.kind != "service")
             .order_by(places.c.code, products.c.sku))
    if args.location_id is not None:
        query = query.where(levels.c.location_id == args.location_id)
    if args.abc_class is not None:
        query = query.where(products.c.abc_class == args.abc_class)
    return [(r.product_id, r.location_id, r.qty) for r in tx.conn.execute(query)]


def _add_line(tx: Tx, count_id: uuid.UUID, product_id: uuid.UUID, location_id: uuid.UUID,
              expected: Decimal) -> uuid.UUID:
    row_id = line_id_for(count_id, product_id, location_id)
    if tx.get("stock_count_line", row_id) is None:  # a rebase re-runs the create: keep what exists
        tx.insert("stock_count_line", {"id": row_id, "count_id": count_id, "product_id": product_id,
                                       "location_id": location_id, "expected_qty": expected})
    return row_id


@mutator("erp.count.create", args=CountCreate)
def create_count(tx: Tx, args: CountCreate) -> None:
    tx.require("warehouse", args.warehouse_id)
    if args.location_id is not None:
        _bin(tx, args.warehouse_id, args.location_id)
    header = {**args.model_dump(), "user_id": tx.user_id}
    if tx.side == "server" and tx.get("stock_count", args.id) is not None:
        tx.insert("stock_count", header)  # the same count sent again is a no-op; another one is refused
        return
    tx.insert("stock_count", header)
    number = tx.next_number(SERIES, tx.now.date())
    if number is not None:
        tx.set("stock_count", args.id, {"number": number})
    for product_id, location_id, qty in _levels_to_count(tx, args):
        _add_line(tx, args.id, product_id, location_id, qty)


@mutator("erp.count.add_line", args=CountLineRef)
def add_count_line(tx: Tx, args: CountLineRef) -> None:
    """A product found on a shelf that the sheet lacks: a line expecting what the books hold now."""
    count = _lock_count(tx, args.count_id)
    next_state(count["state"], "add_line")
    place = _bin(tx, count["warehouse_id"], args.location_id)
    if count["location_id"] is not None and count["location_id"] != args.location_id:
        raise NotInCount(field="location_id", location=place["code"])
    product = tx.require("product", args.product_id)
    if product["kind"] == "service":
        raise NotStocked(field="product_id", product=product["name"])
    _add_line(tx, args.count_id, args.product_id, args.location_id, _level(tx, args.product_id, args.location_id))


@mutator("erp.count.record", args=CountRecord)
def record_count(tx: Tx, args: CountRecord) -> None:
    count = _lock_count(tx, args.count_id)
    next_state(count["state"], "record")
    row_id = line_id_for(args.count_id, args.product_id, args.location_id)
    if tx.get("stock_count_line", row_id) is None:
        product = tx.get("product", args.product_id)
        raise NotOnDocument(field="product_id", product=product["name"] if product else str(args.product_id))
    counted_at = args.counted_at or tx.now
    tx.patch("stock_count_line", row_id,
             {"counted_qty": Change[Decimal](base=args.previous_qty, new=args.counted_qty)},
             derived=lambda _applied: {"counted_by": tx.user_id, "counted_at": counted_at})


@mutator("erp.count.review", args=CountAction)
def review_count(tx: Tx, args: CountAction) -> None:
    count = _lock_count(tx, args.id)
    tx.set("stock_count", args.id, {"state": next_state(count["state"], "review")})


@mutator("erp.count.cancel", args=CountAction)
def cancel_count(tx: Tx, args: CountAction) -> None:
    count = _lock_count(tx, args.id)
    tx.set("stock_count", args.id, {"state": next_state(count["state"], "cancel")})


def _locked_level(tx: Tx, product: dict[str, Any], location_id: uuid.UUID) -> Decimal:
    """On hand now, locked until the push commits (nothing moves it between reading and posting).
    The valuation row is locked first, in the order post_move takes them, so a delivery being
    pushed at the same moment waits for this count instead of deadlocking with it."""
    tx.lock("stock_valuation", product["id"], {"qty": Decimal(0), "avg_cost": product["standard_cost"] or Decimal(0)})
    row_id = level_id(product["id"], location_id)
    return Decimal(tx.lock("stock_level", row_id, {"product_id": product["id"], "location_id": location_id,
                                                   "qty": 0})["qty"])


@mutator("erp.count.post", args=CountAction)
def post_count(tx: Tx, args: CountAction) -> None:
    count = _lock_count(tx, args.id)
    state = next_state(count["state"], "post")
    lines = Tx.table("stock_count_line")
    counted = [dict(r) for r in tx.conn.execute(
        sa.select(lines).where(lines.c.count_id == args.id, lines.c.archived.is_(False),
                               lines.c.counted_qty.is_not(None))
        .order_by(lines.c.product_id, lines.c.location_id)).mappings()]  # one lock order for every push
    adjustment = virtual_location(tx, "adjustment")
    label = document_label(SERIES, count["number"], args.id)
    for line in counted:
        product = tx.require("product", line["product_id"])
        # The variance is taken against the level NOW, not the sheet's snapshot: the count says
        # what the shelf holds, and moves posted since the sheet was made (a delivery shipped, a
        # late offline receipt synced) are already in the level; against the snapshot they would
        # be undone or counted twice. The review shows the same "expected now" for that reason.
        variance = line["counted_qty"] - _locked_level(tx, product, line["location_id"])
        if variance == 0:
            continue
        found = variance > 0
        post_move(tx, StockMove(
            id=move_id_for(line["id"]), product_id=line["product_id"], qty=abs(variance),
            from_location_id=adjustment if found else line["location_id"],
            to_location_id=line["location_id"] if found else adjustment,
            kind="count", reference=label, moved_at=tx.now, reason=REASON, document_id=args.id,
            document_line_id=line["id"]))
    tx.set("stock_count", args.id, {"state": state, "posted_at": tx.now})


__all__ = ["TRANSITIONS", "CountAction", "CountCreate", "CountLineRef", "CountRecord", "line_id_for",
           "move_id_for", "next_state"]
