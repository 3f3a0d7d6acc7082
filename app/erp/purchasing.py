"""Purchase orders: what the company buys from a supplier, for which warehouse, at which price.

A planner drafts an order (offline too), edits it while it is a draft, and confirms it: from then
on its open quantities count as incoming stock. Receipts (app.erp.receiving) bring the goods in
and mark the order received once every stocked line is in. An order may be cancelled until
anything was received. Lines count in the line's unit (a box of 12); `qty_received` counts in the
product's stock unit. Errors about a line name it as pydantic does: ``lines.<index>.<field>``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import StringConstraints, field_validator, model_validator

from app.core.i18n import N_
from app.core.money import line_amount
from app.core.mutations import mutator
from app.core.tx import Change, RowNotFound, Tx
from app.erp.common import Args, Lifecycle, Note, Percent, Price, Qty, Unit
from app.erp.errors import EmptyDocument, NotASupplier, UnknownUnit

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
SupplierName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]

#: (state, action) → the state it leads to; an action missing here raises InvalidTransition
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "confirm"): "confirmed",
    ("sent", "confirm"): "confirmed",
    ("draft", "cancel"): "cancelled",
    ("sent", "cancel"): "cancelled",
    # only while nothing was received (checked by cancel_purchase)
    ("confirmed", "cancel"): "cancelled",
    # a receipt leaves the order open until the last line is in...
    ("confirmed", "receive"): "confirmed",
    ("confirmed", "complete"): "received",
    # ...and may still bring what the over-receipt tolerance allows once it is
    ("received", "receive"): "received",
}
#: states in which the terms and lines may change
EDITABLE = ("draft",)
DOCUMENT = N_("purchase order")
STATE_WORDS = {"draft": N_("a draft"), "sent": N_("sent"), "confirmed": N_("confirmed"),
               "received": N_("fully received"), "cancelled": N_("cancelled")}
PARTLY_RECEIVED = N_("partly received")
#: what the error says cannot happen ("it cannot be received")
ACTION_WORDS = {"confirm": N_("be confirmed"), "cancel": N_("be cancelled"), "receive": N_("be received"),
                "complete": N_("be received"), "edit": N_("be changed")}


LIFECYCLE = Lifecycle(DOCUMENT, TRANSITIONS, STATE_WORDS, ACTION_WORDS)
next_state = LIFECYCLE.next_state


class PurchaseLine(Args):
    id: uuid.UUID
    product_id: uuid.UUID
    qty: Qty
    #: None: the product's stock unit
    uom: Unit | None = None
    #: per `uom`; None: the product's standard cost (× the unit's factor)
    unit_price: Price | None = None
    expected_date: dt.date | None = None


def _distinct_lines(lines: list[PurchaseLine] | None) -> list[PurchaseLine] | None:
    if lines is not None and len({line.id for line in lines}) != len(lines):
        raise ValueError("two lines share one id")
    return lines


class PurchaseCreate(Args):
    id: uuid.UUID
    party_id: uuid.UUID
    #: the supplier's name when the writer's cache has no parties (a planner's); else the party's
    supplier_name: SupplierName = ""
    warehouse_id: uuid.UUID
    order_date: dt.date
    expected_date: dt.date | None = None
    currency: Currency = "CNY"
    over_receipt_pct: Percent = Decimal(0)
    notes: Note | None = None
    lines: list[PurchaseLine]

    _lines = field_validator("lines")(_distinct_lines)


class PurchaseUpdate(Args):
    """A draft's terms as field patches and, when given, its whole new list of lines."""

    id: uuid.UUID
    party_id: Change[uuid.UUID] | None = None
    supplier_name: Change[SupplierName] | None = None
    warehouse_id: Change[uuid.UUID] | None = None
    order_date: Change[dt.date] | None = None
    expected_date: Change[dt.date] | None = None
    currency: Change[Currency] | None = None
    over_receipt_pct: Change[Percent] | None = None
    notes: Change[Note] | None = None
    lines: list[PurchaseLine] | None = None

    _lines = field_validator("lines")(_distinct_lines)

    @model_validator(mode="after")
    def _required_stay_set(self) -> PurchaseUpdate:
        for name in ("party_id", "supplier_name", "warehouse_id", "order_date", "currency", "over_receipt_pct"):
            change = getattr(self, name)
            if change is not None and change.new is None:
                raise ValueError(f"{name} cannot be emptied")
        return self


class PurchaseAction(Args):
    id: uuid.UUID


def order_lines(tx: Tx, order_id: uuid.UUID) -> list[dict[str, Any]]:
    """An order's live lines in their order."""
    lines = Tx.table("purchase_order_line")
    rows = tx.conn.execute(sa.select(lines).where(lines.c.order_id == order_id, lines.c.archived.is_(False))
                           .order_by(lines.c.position))
    return [dict(r) for r in rows.mappings()]


def lock_order(tx: Tx, order_id: uuid.UUID) -> dict[str, Any]:
    """The order, locked on the server until the push commits: a receipt and a cancel (or two
    clerks' receipts) on one order serialize, so each sees what the other did."""
    orders = Tx.table("purchase_order")
    tx.conn.execute(sa.select(orders.c.id).where(orders.c.id == order_id).with_for_update())
    return tx.require("purchase_order", order_id)


def unit_factor(tx: Tx, product: dict[str, Any], uom: str, field: str) -> Decimal:
    """Stock units in one `uom` of the product (its own unit → 1); raises UnknownUnit."""
    if uom == product["uom"]:
        return Decimal(1)
    units = Tx.table("product_uom")
    factor = tx.conn.execute(sa.select(units.c.factor).where(
        units.c.product_id == product["id"], units.c.uom == uom, units.c.archived.is_(False))).scalar()
    if factor is None:
        raise UnknownUnit(field=field, product=product["name"], uom=uom)
    return Decimal(factor)


def _supplier_name(tx: Tx, party_id: uuid.UUID, given: str, field: str) -> str:
    """The party's name; a cache without parties (a planner's, a clerk's) keeps the name given.
    The server always has the party: there a missing one is an error."""
    party = tx.get("party", party_id)
    if party is None:
        if tx.side == "server":
            raise RowNotFound(field=field, table="party")
        return given
    if not party["is_supplier"]:
        raise NotASupplier(field=field, party=party["name"])
    return str(party["name"])


def _line_values(tx: Tx, order_id: uuid.UUID, index: int, line: PurchaseLine) -> dict[str, Any]:
    product = tx.require("product", line.product_id)
    uom = line.uom or product["uom"]
    factor = unit_factor(tx, product, uom, field=f"lines.{index}.uom")
    price = line.unit_price if line.unit_price is not None else (product["standard_cost"] or Decimal(0)) * factor
    return {"id": line.id, "order_id": order_id, "position": index + 1, "product_id": line.product_id,
            "qty": line.qty, "uom": uom, "uom_factor": factor, "unit_price": price,
            "amount": line_amount(line.qty, price), "expected_date": line.expected_date}


def _write_lines(tx: Tx, order_id: uuid.UUID, lines: list[PurchaseLine]) -> Decimal:
    """Make the order's lines exactly `lines` (others archived); returns the order's total."""
    if not lines:
        raise EmptyDocument(field="lines")
    keep = {line.id for line in lines}
    for old in order_lines(tx, order_id):
        if old["id"] not in keep:
            tx.archive("purchase_order_line", old["id"])
    total = Decimal(0)
    for index, line in enumerate(lines):
        values = _line_values(tx, order_id, index, line)
        total += values["amount"]
        existing = tx.get("purchase_order_line", line.id)
        if existing is None:
            tx.insert("purchase_order_line", values)
        elif existing["order_id"] != order_id:
            raise RowNotFound(field=f"lines.{index}.id", table="purchase_order_line")
        else:
            tx.set("purchase_order_line", line.id, {k: v for k, v in values.items() if k != "id"})
            tx.archive("purchase_order_line", line.id, False)
    return total


@mutator("erp.purchase.create", args=PurchaseCreate)
def create_purchase(tx: Tx, args: PurchaseCreate) -> None:
    tx.require("warehouse", args.warehouse_id)
    name = _supplier_name(tx, args.party_id, args.supplier_name, field="party_id")
    header = args.model_dump(exclude={"lines"})
    tx.insert("purchase_order", {**header, "supplier_name": name, "owner_id": tx.user_id, "state": "draft"})
    tx.set("purchase_order", args.id, {"amount_total": _write_lines(tx, args.id, args.lines)})
    # the number comes from the server on first sync; a resent create keeps the one it has
    if tx.require("purchase_order", args.id)["number"] is None:
        number = tx.next_number("PO", args.order_date)
        if number is not None:
            tx.set("purchase_order", args.id, {"number": number})


@mutator("erp.purchase.update", args=PurchaseUpdate)
def update_purchase(tx: Tx, args: PurchaseUpdate) -> None:
    order = tx.require("purchase_order", args.id)
    if order["state"] not in EDITABLE:
        raise LIFECYCLE.refused(order["state"], "edit")
    changes = {k: v for k, v in args if isinstance(v, Change)}
    if args.warehouse_id is not None and args.warehouse_id.new is not None:
        tx.require("warehouse", args.warehouse_id.new)
    applied = tx.patch("purchase_order", args.id, changes)
    if "party_id" in applied:
        # the old supplier's name would be wrong: a cache without parties keeps the name sent, if any
        given = args.supplier_name.new if args.supplier_name is not None and args.supplier_name.new else ""
        name = _supplier_name(tx, applied["party_id"], given, field="party_id")
        tx.set("purchase_order", args.id, {"supplier_name": name})
    if args.lines is not None:
        tx.set("purchase_order", args.id, {"amount_total": _write_lines(tx, args.id, args.lines)})


@mutator("erp.purchase.confirm", args=PurchaseAction)
def confirm_purchase(tx: Tx, args: PurchaseAction) -> None:
    """The supplier has the order: its open quantities now count as incoming stock."""
    order = tx.require("purchase_order", args.id)
    tx.set("purchase_order", args.id, {"state": next_state(order["state"], "confirm"), "confirmed_at": tx.now})


@mutator("erp.purchase.cancel", args=PurchaseAction)
def cancel_purchase(tx: Tx, args: PurchaseAction) -> None:
    """Cancel an order nothing was received on yet (received goods need a return, not a cancel)."""
    order = lock_order(tx, args.id)
    state = next_state(order["state"], "cancel")
    if any(line["qty_received"] > 0 for line in order_lines(tx, args.id)):
        raise LIFECYCLE.refused(order["state"], "cancel", current_word=PARTLY_RECEIVED)
    tx.set("purchase_order", args.id, {"state": state, "cancelled_at": tx.now})


__all__ = ["TRANSITIONS", "PurchaseCreate", "PurchaseLine", "PurchaseUpdate", "lock_order", "next_state",
           "order_lines", "unit_factor"]
