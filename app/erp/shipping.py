"""Shipping a delivery: the clerk's picks become delivery moves, the order learns what left, and
what could not be shipped goes on a backorder (or is dropped, if the clerk says so)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.core.i18n import N_
from app.core.mutations import mutator
from app.core.tx import RowNotFound, Tx
from app.erp.common import Args, Lifecycle, QtyOrZero, derived_id
from app.erp.errors import NoSuchLocation, NotOnDocument, OverPick
from app.erp.sales import make_delivery, next_state
from app.erp.stock import StockMove, post_move, virtual_location

DELIVERY_TRANSITIONS: dict[tuple[str, str], str] = {("ready", "ship"): "done", ("ready", "cancel"): "cancelled"}
DELIVERY_WORDS = {"ready": N_("ready to ship"), "done": N_("shipped"), "cancelled": N_("cancelled")}
DELIVERY = Lifecycle(N_("delivery"), DELIVERY_TRANSITIONS, DELIVERY_WORDS,
                     {"ship": N_("be shipped"), "cancel": N_("be cancelled")})


class Pick(Args):
    #: the delivery line (its id) and what was picked for it, from which bin
    line_id: uuid.UUID
    qty: QtyOrZero
    from_location_id: uuid.UUID


class DeliveryShip(Args):
    id: uuid.UUID
    picks: list[Pick]
    #: what was not picked goes on a new delivery (True), or the order gives it up (False)
    backorder: bool = True


def backorder_id_for(delivery_id: uuid.UUID) -> uuid.UUID:
    return derived_id("backorder", delivery_id)


@mutator("erp.delivery.ship", args=DeliveryShip)
def ship_delivery(tx: Tx, args: DeliveryShip) -> None:
    delivery = tx.require("delivery", args.id)
    state = DELIVERY.next_state(delivery["state"], "ship")
    lines = {row["id"]: row for row in _lines(tx, args.id)}
    picked: dict[uuid.UUID, Decimal] = {}
    customer = virtual_location(tx, "customer")
    label = delivery["number"]
    # the same line picked from one bin in several scans is one move
    from_bins: dict[tuple[uuid.UUID, uuid.UUID], Decimal] = {}
    for pick in args.picks:
        line = lines.get(pick.line_id)
        if line is None:
            raise NotOnDocument(field="picks", product=str(pick.line_id))
        picked[line["id"]] = picked.get(line["id"], Decimal(0)) + pick.qty
        if picked[line["id"]] > line["qty"]:
            product = tx.require("product", line["product_id"])
            raise OverPick(field="picks", product=product["name"], picked=picked[line["id"]], wanted=line["qty"])
        key = (line["id"], pick.from_location_id)
        from_bins[key] = from_bins.get(key, Decimal(0)) + pick.qty
    for (line_id, bin_id), qty in from_bins.items():
        if qty == 0:
            continue
        source = tx.get("location", bin_id)
        if source is None or source["warehouse_id"] != delivery["warehouse_id"]:
            raise NoSuchLocation(field="from_location_id", location=str(bin_id))
        post_move(tx, StockMove(
            id=derived_id("delivery_move", args.id, line_id, bin_id), product_id=lines[line_id]["product_id"],
            qty=qty, from_location_id=bin_id, to_location_id=customer, kind="delivery",
            reference=label, moved_at=tx.now, document_id=args.id, document_line_id=line_id))
    for line_id, line in lines.items():
        done = picked.get(line_id, Decimal(0))
        tx.set("delivery_line", line_id, {"qty_done": done})
        # a clerk's cache holds no orders (scope "sales"): there the server updates them
        order_line = _order_row(tx, "sales_order_line", line["order_line_id"])
        if done and order_line is not None:
            tx.set("sales_order_line", order_line["id"], {"qty_delivered": order_line["qty_delivered"] + done})
    tx.set("delivery", args.id, {"state": state, "shipped_at": tx.now, "shipped_by": tx.user_id})
    rest = [(lines[i], lines[i]["qty"] - picked.get(i, Decimal(0))) for i in lines]
    rest = [(line, qty) for line, qty in rest if qty > 0]
    order = _order_row(tx, "sales_order", delivery["order_id"])
    if rest and args.backorder:
        # the backorder needs only the order's party and dates, which the delivery carries too
        known = order or {"id": delivery["order_id"], "party_id": delivery["party_id"], "delivery_address": None,
                          "requested_date": delivery["scheduled_date"]}
        order_lines = [({"id": line["order_line_id"], "product_id": line["product_id"]}, qty) for line, qty in rest]
        make_delivery(tx, known, backorder_id_for(args.id), delivery["warehouse_id"], order_lines,
                      backorder_of=args.id)
        if order is None:
            tx.set("delivery", backorder_id_for(args.id), {"ship_to": delivery["ship_to"]})
    elif order is not None and order["state"] == "confirmed" and not _open_deliveries(tx, order["id"]):
        tx.set("sales_order", order["id"], {"state": next_state(order["state"], "finish")})


def _order_row(tx: Tx, table: str, row_id: uuid.UUID) -> dict[str, Any] | None:
    """The order (or order line) a delivery belongs to; None only on a client that does not pull orders."""
    row = tx.get(table, row_id)
    if row is None and tx.side == "server":
        raise RowNotFound(table=table)
    return row


def _lines(tx: Tx, delivery_id: uuid.UUID) -> list[dict[str, Any]]:
    table = Tx.table("delivery_line")
    rows = tx.conn.execute(sa.select(table).where(table.c.delivery_id == delivery_id, table.c.archived.is_(False)))
    return [dict(r) for r in rows.mappings()]


def _open_deliveries(tx: Tx, order_id: uuid.UUID) -> bool:
    table = Tx.table("delivery")
    found = tx.conn.execute(sa.select(table.c.id).where(table.c.order_id == order_id, table.c.state == "ready")
                            .limit(1)).scalar()
    return found is not None
