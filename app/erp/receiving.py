"""Receiving goods: a receipt posts what arrived into the warehouse's bins, one receipt move per
line, and tells its purchase order what came in.

The scan is the event: a receipt is posted at once, with or without a purchase order. Against an
order each line must be a product the order lists, and may bring at most the ordered quantity
plus the order's over-receipt tolerance; goods come in at the order's price (per stock unit),
without an order at the product's standard cost. Once every stocked line is fully in, the order
is received. Errors about a line name it as pydantic does: ``lines.<index>.<field>``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from pydantic import field_validator

from app.core.money import round_quantity
from app.core.mutations import mutator
from app.core.tx import Tx
from app.erp.common import Args, Note, Qty, derived_id, document_label
from app.erp.errors import EmptyDocument, NoSuchLocation, NotASupplier, NotOnDocument, OverReceipt
from app.erp.purchasing import lock_order, next_state, order_lines
from app.erp.stock import StockMove, post_move, virtual_location


class ReceiptLine(Args):
    id: uuid.UUID
    #: the order line it fulfils; None on an order: the first open line of the product
    order_line_id: uuid.UUID | None = None
    product_id: uuid.UUID
    #: in the product's stock unit
    qty: Qty
    #: the bin it was put in
    location_id: uuid.UUID


class ReceiptPost(Args):
    id: uuid.UUID
    order_id: uuid.UUID | None = None
    #: the supplier of a receipt without an order (an order's receipt takes the order's)
    party_id: uuid.UUID | None = None
    warehouse_id: uuid.UUID
    received_at: dt.datetime
    notes: Note | None = None
    lines: list[ReceiptLine]

    @field_validator("lines")
    @classmethod
    def _distinct(cls, lines: list[ReceiptLine]) -> list[ReceiptLine]:
        if len({line.id for line in lines}) != len(lines):
            raise ValueError("two lines share one id")
        return lines


def move_id_for(receipt_line_id: uuid.UUID) -> uuid.UUID:
    """The receipt move of a line: the same id on the clerk's laptop and the server."""
    return derived_id("receipt_move", receipt_line_id)


def _plain(qty: Decimal) -> str:
    """A quantity as the message shows it: 110, 12.5 (no trailing zeros, no exponent)."""
    return format(qty.normalize(), "f")


def _bin(tx: Tx, warehouse_id: uuid.UUID, location_id: uuid.UUID, field: str) -> dict[str, Any]:
    place = tx.get("location", location_id)
    if place is None or place["kind"] != "internal" or place["warehouse_id"] != warehouse_id or place["archived"]:
        raise NoSuchLocation(field=field, location=place["code"] if place else str(location_id))
    return place


def _order_line(tx: Tx, order: dict[str, Any], line: ReceiptLine, index: int,
                product: dict[str, Any]) -> dict[str, Any]:
    """The order line a receipt line fulfils (read fresh: an earlier line may have filled it)."""
    lines = order_lines(tx, order["id"])
    if line.order_line_id is not None:
        found = next((o for o in lines if o["id"] == line.order_line_id), None)
    else:
        of_product = [o for o in lines if o["product_id"] == line.product_id]
        found = next((o for o in of_product if o["qty_received"] < o["qty"] * o["uom_factor"]),
                     of_product[0] if of_product else None)
    if found is None or found["product_id"] != line.product_id:
        raise NotOnDocument(field=f"lines.{index}.product_id", product=product["name"])
    return found


def _check_tolerance(order: dict[str, Any], order_line: dict[str, Any], qty: Decimal, index: int,
                     product: dict[str, Any]) -> None:
    ordered = order_line["qty"] * order_line["uom_factor"]
    allowed = ordered * (1 + order["over_receipt_pct"] / 100)
    if order_line["qty_received"] + qty > allowed:
        left = max(allowed - order_line["qty_received"], Decimal(0))
        raise OverReceipt(field=f"lines.{index}.qty", product=product["name"], qty=_plain(qty), allowed=_plain(left))


def _complete(tx: Tx, order_id: uuid.UUID) -> bool:
    """Every stocked line has all it ordered (services are never received)."""
    for line in order_lines(tx, order_id):
        if tx.require("product", line["product_id"])["kind"] == "service":
            continue
        if line["qty_received"] < line["qty"] * line["uom_factor"]:
            return False
    return True


@mutator("erp.receipt.post", args=ReceiptPost)
def post_receipt(tx: Tx, args: ReceiptPost) -> None:
    if not args.lines:
        raise EmptyDocument(field="lines")
    tx.require("warehouse", args.warehouse_id)
    order = lock_order(tx, args.order_id) if args.order_id is not None else None
    party_id = order["party_id"] if order is not None else args.party_id
    if order is None and party_id is not None:
        party = tx.get("party", party_id)  # a clerk's cache has no parties: the server checks
        if party is not None and not party["is_supplier"]:
            raise NotASupplier(field="party_id", party=party["name"])
    header = {"id": args.id, "order_id": args.order_id, "party_id": party_id, "warehouse_id": args.warehouse_id,
              "received_at": args.received_at, "user_id": tx.user_id, "notes": args.notes}
    if tx.side == "server" and tx.get("receipt", args.id) is not None:
        tx.insert("receipt", header)  # the same receipt sent again is a no-op; another one is refused
        return
    state = next_state(order["state"], "receive") if order is not None else None
    tx.insert("receipt", header)
    number = tx.next_number("RC", args.received_at.date())
    if number is not None:
        tx.set("receipt", args.id, {"number": number})
    label = document_label("RC", number, args.id)
    supplier = virtual_location(tx, "supplier")
    for index, line in enumerate(args.lines):
        product = tx.require("product", line.product_id)
        _bin(tx, args.warehouse_id, line.location_id, field=f"lines.{index}.location_id")
        order_line = None
        if order is not None:
            order_line = _order_line(tx, order, line, index, product)
            _check_tolerance(order, order_line, line.qty, index, product)
            unit_cost = round_quantity(order_line["unit_price"] / order_line["uom_factor"])
        elif line.order_line_id is not None:
            raise NotOnDocument(field=f"lines.{index}.order_line_id", product=product["name"])
        else:
            unit_cost = product["standard_cost"]
        move = post_move(tx, StockMove(
            id=move_id_for(line.id), product_id=line.product_id, qty=line.qty, from_location_id=supplier,
            to_location_id=line.location_id, kind="receipt", reference=label, moved_at=args.received_at,
            unit_cost=unit_cost, document_id=args.id, document_line_id=line.id))
        tx.insert("receipt_line", {"id": line.id, "receipt_id": args.id, "product_id": line.product_id,
                                   "order_line_id": order_line["id"] if order_line else None, "qty": line.qty,
                                   "location_id": line.location_id, "unit_cost": move["unit_cost"]})
        if order_line is not None:
            tx.set("purchase_order_line", order_line["id"], {"qty_received": order_line["qty_received"] + line.qty})
    if order is not None and state == "confirmed" and _complete(tx, order["id"]):
        tx.set("purchase_order", order["id"], {"state": next_state(state, "complete")})


__all__ = ["ReceiptLine", "ReceiptPost", "move_id_for"]
