"""Posting stock moves: the one way stock changes (DESIGN §2, invariant 7).

Each move is appended to the ledger; in the same transaction the posting updates the projections
the server keeps of it: ``stock_level`` per product × internal location and ``stock_valuation``
per product (moving average). On the server that happens in its apply order under row locks, so
two pushes moving one product serialize; on a client it is the estimate shown until the next
sync brings the server's rows. Negative stock is allowed (a clerk offline ships what is on the
shelf) and shows up in `negative_levels`, never silently corrected.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, model_validator

from app.core.mutations import mutator
from app.core.schema import MOVE_KINDS
from app.core.tx import RowNotFound, Tx
from app.erp import valuation
from app.erp.common import Args, Price, Qty, Reason, derived_id
from app.erp.errors import NotStocked, ReasonRequired, WrongLocations

MoveKind = Literal["receipt", "delivery", "transfer", "adjustment", "count", "consume", "produce"]
assert set(MoveKind.__args__) == set(MOVE_KINDS)  # type: ignore[attr-defined]

#: the kind of location at each end of a move: "internal", or the set of other kinds allowed
_ENDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "receipt": (frozenset({"supplier", "customer", "adjustment", "production"}), frozenset({"internal"})),
    "delivery": (frozenset({"internal"}), frozenset({"customer", "supplier", "adjustment"})),
    "transfer": (frozenset({"internal"}), frozenset({"internal"})),
    "consume": (frozenset({"internal"}), frozenset({"production"})),
    "produce": (frozenset({"production"}), frozenset({"internal"})),
}
#: adjustments and count corrections go either way between a bin and the adjustment location
_EITHER_WAY = {"adjustment", "count"}

#: the virtual locations the system makes when it first needs them (a fresh tenant has none)
VIRTUAL_CODES = {"customer": "VIRT-CUSTOMER", "supplier": "VIRT-SUPPLIER", "adjustment": "VIRT-ADJUST",
                 "production": "VIRT-PRODUCTION"}


class StockMove(Args):
    id: uuid.UUID
    product_id: uuid.UUID
    qty: Qty
    from_location_id: uuid.UUID
    to_location_id: uuid.UUID
    kind: MoveKind
    reference: str | None = Field(default=None, max_length=64)
    moved_at: dt.datetime
    unit_cost: Price | None = None
    reason: Reason | None = None
    document_id: uuid.UUID | None = None
    document_line_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _different_locations(self) -> StockMove:
        if self.from_location_id == self.to_location_id:
            raise ValueError("from and to location are the same")
        return self


def level_id(product_id: uuid.UUID, location_id: uuid.UUID) -> uuid.UUID:
    """The stock_level row of a product in a location: the same id on every client and the server."""
    return derived_id("stock_level", product_id, location_id)


def virtual_location(tx: Tx, kind: str) -> uuid.UUID:
    """The tenant's location of `kind` (customer, supplier, adjustment, production), made if missing."""
    row_id = derived_id("virtual_location", kind)
    tx.lock("location", row_id, {"code": VIRTUAL_CODES[kind], "name": VIRTUAL_CODES[kind], "kind": kind},
            hold=False)
    return row_id


def _check_ends(kind: str, source: dict[str, Any], target: dict[str, Any]) -> None:
    if kind in _EITHER_WAY:
        ok = {source["kind"], target["kind"]} == {"internal", "adjustment"}
    else:
        allowed_from, allowed_to = _ENDS[kind]
        ok = source["kind"] in allowed_from and target["kind"] in allowed_to
    if not ok:
        raise WrongLocations(field="to_location_id", kind=kind, source=source["name"], target=target["name"])


def post_move(tx: Tx, move: StockMove, user_id: uuid.UUID | None = None) -> dict[str, Any]:
    """Append one move to the ledger and update the level and valuation projections; returns the
    move's row (its unit cost is the receipt's price, or the average the goods left at)."""
    existing = tx.get("stock_move", move.id)
    if existing is not None:
        # the same move again (a queue re-sent after a restore; a rebase over rows the server already
        # holds): its effect is in the projections already. A different move under this id is refused.
        if tx.side == "server":
            tx.insert("stock_move", {**move.model_dump(), "unit_cost": existing["unit_cost"],
                                     "user_id": existing["user_id"]})
        return existing
    product = tx.require("product", move.product_id)
    if product["kind"] == "service":
        raise NotStocked(field="product_id", product=product["name"])
    source, target = tx.get("location", move.from_location_id), tx.get("location", move.to_location_id)
    if source is None or target is None:
        raise RowNotFound(field="location", table="location")
    _check_ends(move.kind, source, target)
    if move.kind == "adjustment" and move.reason is None:
        raise ReasonRequired(field="reason")
    unit_cost = _value(tx, product, move, coming_in=target["kind"] == "internal",
                       going_out=source["kind"] == "internal")
    for location, sign in ((source, -1), (target, 1)):
        if location["kind"] == "internal":
            _add_level(tx, move.product_id, location["id"], sign * move.qty)
    row = {**move.model_dump(), "unit_cost": unit_cost, "user_id": user_id or tx.user_id}
    tx.insert("stock_move", row)
    return row


def _value(tx: Tx, product: dict[str, Any], move: StockMove, coming_in: bool, going_out: bool) -> Decimal:
    start = {"qty": Decimal(0), "avg_cost": product["standard_cost"] or Decimal(0)}
    current = tx.lock("stock_valuation", move.product_id, start)
    on_hand, avg = current["qty"], current["avg_cost"]
    if coming_in and not going_out:
        cost = move.unit_cost if move.unit_cost is not None else avg
        on_hand, avg = valuation.receive(on_hand, avg, move.qty, cost)
    elif going_out and not coming_in:
        cost = avg
        on_hand, avg = valuation.issue(on_hand, avg, move.qty)
    else:  # a transfer between bins keeps the product's value where it is
        return avg
    tx.set("stock_valuation", move.product_id, {"qty": on_hand, "avg_cost": avg})
    return cost


def _add_level(tx: Tx, product_id: uuid.UUID, location_id: uuid.UUID, delta: Decimal) -> None:
    row_id = level_id(product_id, location_id)
    current = tx.lock("stock_level", row_id, {"product_id": product_id, "location_id": location_id, "qty": 0})
    tx.set("stock_level", row_id, {"qty": current["qty"] + delta})


@mutator("erp.stock.move", args=StockMove)
def move_stock(tx: Tx, args: StockMove) -> None:
    post_move(tx, args)
