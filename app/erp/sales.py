"""Quotes and sales orders: one document whose state says which (DESIGN/STYLE: an explicit
transition table; an action the table lacks raises).

A rep makes a quote (offline too), sends it, and confirms it into an order. Confirming creates the
delivery the warehouse ships (its lines are what the order reserves); cancelling cancels what is
still to ship, so the reservation returns. Lines' quantities are in the line's unit; deliveries
count in the product's stock unit (× the unit's factor).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import Field

from app.core.i18n import N_
from app.core.money import line_amount, round_amount
from app.core.mutations import mutator
from app.core.tx import Change, Tx
from app.erp.common import Args, Lifecycle, Note, Percent, Price, Qty, Reason, derived_id
from app.erp.errors import EmptyDocument, NoWarehouse, UnknownUnit

#: (state, action) → the state it leads to
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "send"): "sent",
    ("draft", "confirm"): "confirmed",
    ("sent", "confirm"): "confirmed",
    ("sent", "revise"): "draft",
    ("draft", "cancel"): "cancelled",
    ("sent", "cancel"): "cancelled",
    ("confirmed", "cancel"): "cancelled",
    ("confirmed", "finish"): "done",
}
#: states in which the lines and terms may still change
EDITABLE = ("draft", "sent")
#: words for errors and screens
STATE_WORDS = {"draft": N_("quotation"), "sent": N_("sent"), "confirmed": N_("confirmed"), "done": N_("done"),
               "cancelled": N_("cancelled")}
#: what the error says cannot happen ("it cannot be sent")
ACTION_WORDS = {"send": N_("be sent"), "confirm": N_("be confirmed"), "cancel": N_("be cancelled"),
                "revise": N_("be revised"), "finish": N_("be finished"), "edit": N_("be changed")}


LIFECYCLE = Lifecycle(N_("sales order"), TRANSITIONS, STATE_WORDS, ACTION_WORDS)
next_state = LIFECYCLE.next_state


class OrderLine(Args):
    id: uuid.UUID
    product_id: uuid.UUID
    qty: Qty
    uom: str | None = Field(default=None, max_length=16)
    unit_price: Price | None = None
    discount_pct: Percent = Decimal(0)
    description: str | None = Field(default=None, max_length=300)
    promised_date: dt.date | None = None


class OrderCreate(Args):
    id: uuid.UUID
    party_id: uuid.UUID
    contact_id: uuid.UUID | None = None
    order_date: dt.date
    valid_until: dt.date | None = None
    requested_date: dt.date | None = None
    currency: str = Field(default="CNY", min_length=3, max_length=3)
    warehouse_id: uuid.UUID | None = None
    opportunity_id: uuid.UUID | None = None
    delivery_address: str | None = Field(default=None, max_length=300)
    notes: Note | None = None
    lines: list[OrderLine]


class OrderUpdate(Args):
    """A quote's terms (field patches) and, when given, its whole new list of lines."""

    id: uuid.UUID
    valid_until: Change[dt.date] | None = None
    requested_date: Change[dt.date] | None = None
    warehouse_id: Change[uuid.UUID] | None = None
    delivery_address: Change[str] | None = None
    notes: Change[Note] | None = None
    lines: list[OrderLine] | None = None


class OrderAction(Args):
    id: uuid.UUID


class OrderCancel(Args):
    id: uuid.UUID
    reason: Reason


def delivery_id_for(order_id: uuid.UUID) -> uuid.UUID:
    """The delivery confirming an order creates (the same id on the laptop and the server)."""
    return derived_id("delivery", order_id)


def delivery_line_id_for(delivery_id: uuid.UUID, order_line_id: uuid.UUID) -> uuid.UUID:
    return derived_id("delivery_line", delivery_id, order_line_id)


def _line_values(tx: Tx, order_id: uuid.UUID, position: int, line: OrderLine) -> dict[str, Any]:
    product = tx.require("product", line.product_id)
    uom = line.uom or product["uom"]
    factor = Decimal(1)
    if uom != product["uom"]:
        unit = next((u for u in _units(tx, line.product_id) if u["uom"] == uom), None)
        if unit is None:
            raise UnknownUnit(field="uom", product=product["name"], uom=uom)
        factor = unit["factor"]
    price = line.unit_price if line.unit_price is not None else (product["list_price"] or Decimal(0)) * factor
    gross = line_amount(line.qty, price)
    amount = round_amount(gross - gross * line.discount_pct / 100)
    return {"id": line.id, "order_id": order_id, "position": position, "product_id": line.product_id,
            "description": line.description, "qty": line.qty, "uom": uom, "uom_factor": factor,
            "unit_price": price, "discount_pct": line.discount_pct, "amount": amount,
            "promised_date": line.promised_date}


def _units(tx: Tx, product_id: uuid.UUID) -> list[dict[str, Any]]:
    units = Tx.table("product_uom")
    rows = tx.conn.execute(sa.select(units).where(units.c.product_id == product_id, units.c.archived.is_(False)))
    return [dict(r) for r in rows.mappings()]


def _write_lines(tx: Tx, order_id: uuid.UUID, lines: list[OrderLine]) -> Decimal:
    if not lines:
        raise EmptyDocument(field="lines")
    keep = {line.id for line in lines}
    for old in order_lines(tx, order_id):
        if old["id"] not in keep:
            tx.archive("sales_order_line", old["id"])
    total = Decimal(0)
    for position, line in enumerate(lines, start=1):
        values = _line_values(tx, order_id, position, line)
        total += values["amount"]
        if tx.get("sales_order_line", line.id) is None:
            tx.insert("sales_order_line", values)
        else:
            tx.set("sales_order_line", line.id, {k: v for k, v in values.items() if k != "id"})
            tx.archive("sales_order_line", line.id, False)
    return total


def order_lines(tx: Tx, order_id: uuid.UUID) -> list[dict[str, Any]]:
    lines = Tx.table("sales_order_line")
    rows = tx.conn.execute(sa.select(lines).where(lines.c.order_id == order_id, lines.c.archived.is_(False))
                           .order_by(lines.c.position))
    return [dict(r) for r in rows.mappings()]


@mutator("erp.order.create", args=OrderCreate)
def create_order(tx: Tx, args: OrderCreate) -> None:
    tx.require("party", args.party_id)
    header = args.model_dump(exclude={"lines"})
    tx.insert("sales_order", {**header, "owner_id": tx.user_id, "state": "draft"})
    tx.set("sales_order", args.id, {"amount_total": _write_lines(tx, args.id, args.lines)})
    _number(tx, args.id, args.order_date)


def _number(tx: Tx, order_id: uuid.UUID, day: dt.date) -> None:
    if tx.require("sales_order", order_id)["number"] is None:
        number = tx.next_number("SO", day)
        if number is not None:
            tx.set("sales_order", order_id, {"number": number})


@mutator("erp.order.update", args=OrderUpdate)
def update_order(tx: Tx, args: OrderUpdate) -> None:
    order = tx.require("sales_order", args.id)
    if order["state"] not in EDITABLE:
        raise LIFECYCLE.refused(order["state"], "edit")
    tx.patch("sales_order", args.id, {k: v for k, v in args if isinstance(v, Change)})
    if args.lines is not None:
        tx.set("sales_order", args.id, {"amount_total": _write_lines(tx, args.id, args.lines)})


@mutator("erp.order.send", args=OrderAction)
def send_order(tx: Tx, args: OrderAction) -> None:
    order = tx.require("sales_order", args.id)
    tx.set("sales_order", args.id, {"state": next_state(order["state"], "send"), "sent_at": tx.now})


@mutator("erp.order.confirm", args=OrderAction)
def confirm_order(tx: Tx, args: OrderAction) -> None:
    """The quote becomes an order: its stocked lines go to a delivery from the order's warehouse
    (the first one if the quote names none), which is what reserves the stock."""
    order = tx.require("sales_order", args.id)
    state = next_state(order["state"], "confirm")
    warehouse_id = order["warehouse_id"] or _default_warehouse(tx)
    tx.set("sales_order", args.id, {"state": state, "confirmed_at": tx.now, "warehouse_id": warehouse_id})
    stocked = []
    for line in order_lines(tx, args.id):
        product = tx.require("product", line["product_id"])
        if product["kind"] != "service":
            stocked.append((line, line["qty"] * line["uom_factor"]))
    if not stocked:
        tx.set("sales_order", args.id, {"state": next_state(state, "finish")})
        return
    make_delivery(tx, order, delivery_id_for(args.id), warehouse_id, stocked, backorder_of=None)


def _default_warehouse(tx: Tx) -> uuid.UUID:
    houses = Tx.table("warehouse")
    found = tx.conn.execute(sa.select(houses.c.id).where(houses.c.archived.is_(False))
                            .order_by(houses.c.code).limit(1)).scalar()
    if found is None:
        raise NoWarehouse(field="warehouse_id")
    return found


def make_delivery(tx: Tx, order: dict[str, Any], delivery_id: uuid.UUID, warehouse_id: uuid.UUID,
                  lines: list[tuple[dict[str, Any], Decimal]], backorder_of: uuid.UUID | None) -> None:
    party = tx.get("party", order["party_id"])
    ship_to = " · ".join(p for p in (party["name"] if party else None, order["delivery_address"]) if p)
    tx.insert("delivery", {"id": delivery_id, "order_id": order["id"], "party_id": order["party_id"],
                           "ship_to": ship_to, "warehouse_id": warehouse_id, "state": "ready",
                           "backorder_of": backorder_of, "scheduled_date": order["requested_date"]})
    for line, qty in lines:
        tx.insert("delivery_line", {"id": delivery_line_id_for(delivery_id, line["id"]), "delivery_id": delivery_id,
                                    "order_line_id": line["id"], "product_id": line["product_id"], "qty": qty})
    if tx.require("delivery", delivery_id)["number"] is None:
        number = tx.next_number("DL", tx.now.date())
        if number is not None:
            tx.set("delivery", delivery_id, {"number": number})


@mutator("erp.order.cancel", args=OrderCancel)
def cancel_order(tx: Tx, args: OrderCancel) -> None:
    """Cancel a quote or an order: deliveries not shipped yet are cancelled with it (the stock they
    reserved is free again); what was shipped stays shipped."""
    order = tx.require("sales_order", args.id)
    state = next_state(order["state"], "cancel")
    deliveries = Tx.table("delivery")
    open_ones = tx.conn.execute(sa.select(deliveries.c.id).where(
        deliveries.c.order_id == args.id, deliveries.c.state == "ready")).scalars().all()
    for delivery_id in open_ones:
        tx.set("delivery", delivery_id, {"state": "cancelled"})
    tx.set("sales_order", args.id, {"state": state, "cancelled_at": tx.now, "cancel_reason": args.reason})
