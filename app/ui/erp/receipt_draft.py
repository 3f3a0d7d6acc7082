"""What a clerk has scanned into one receipt so far (no widgets, no I/O): an optional purchase order
with its lines, the bin goods go to, and the receipt lines; each scan or typed quantity is
accepted or refused with the sentence to show, and an order's over-receipt tolerance is checked
before the server would refuse it. ``load_order`` reads an order from the cache."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core import fmt
from app.core.i18n import _, current_locale
from app.core.ids import new_id
from app.core.schema import product, purchase_order, purchase_order_line
from app.erp.errors import EmptyDocument, NotOnDocument, NotStocked, OverReceipt
from app.ui.erp.scan_resolve import ScannedDocument, ScannedLocation, ScannedProduct
from app.ui.errors import error_text

#: order states goods may still be received in (app.erp.purchasing.TRANSITIONS, action "receive")
RECEIVABLE = ("confirmed", "received")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    text: str


@dataclass(frozen=True)
class OrderLine:
    id: uuid.UUID
    product_id: uuid.UUID
    label: str
    #: in stock units
    ordered: Decimal
    received: Decimal
    #: the most the order takes in all (ordered plus its tolerance)
    allowed: Decimal


@dataclass(frozen=True)
class Order:
    id: uuid.UUID
    number: str
    state: str
    warehouse_id: uuid.UUID
    supplier: str
    lines: tuple[OrderLine, ...]


@dataclass
class DraftLine:
    id: uuid.UUID
    product_id: uuid.UUID
    label: str
    unit: str
    qty: Decimal
    bin: ScannedLocation
    order_line_id: uuid.UUID | None = None


def load_order(conn: Connection, doc: ScannedDocument) -> Order:
    """A purchase order's stocked lines, quantities in stock units."""
    head = conn.execute(sa.select(purchase_order).where(purchase_order.c.id == doc.id)).one()
    rows = conn.execute(
        sa.select(purchase_order_line, product.c.sku, product.c.name)
        .join(product, product.c.id == purchase_order_line.c.product_id)
        .where(purchase_order_line.c.order_id == doc.id, purchase_order_line.c.archived.is_(False),
               product.c.kind != "service")
        .order_by(purchase_order_line.c.position)).all()
    pct = Decimal(head.over_receipt_pct or 0)
    lines = tuple(OrderLine(id=r.id, product_id=r.product_id, label=f"{r.sku} {r.name}",
                            ordered=Decimal(r.qty) * Decimal(r.uom_factor), received=Decimal(r.qty_received),
                            allowed=Decimal(r.qty) * Decimal(r.uom_factor) * (1 + pct / 100)) for r in rows)
    return Order(id=head.id, number=doc.number, state=head.state, warehouse_id=head.warehouse_id,
                 supplier=head.supplier_name, lines=lines)


def _refused(exc: Exception) -> Outcome:
    return Outcome(False, error_text(exc))


def qty_text(qty: Decimal) -> str:
    """A quantity as the screen shows it: grouped, no trailing zeros."""
    return fmt.number(qty, locale=current_locale())


@dataclass
class ReceiptDraft:
    #: where goods go when no bin was scanned (the warehouse's first bin)
    default_bin: ScannedLocation | None = None
    order: Order | None = None
    bin: ScannedLocation | None = None
    lines: list[DraftLine] = field(default_factory=list)
    current: DraftLine | None = None

    def __post_init__(self) -> None:
        self.bin = self.bin or self.default_bin

    # --- reads ----------------------------------------------------------------------------------
    @property
    def warehouse_id(self) -> uuid.UUID | None:
        if self.order is not None:
            return self.order.warehouse_id
        if self.lines:
            return self.lines[0].bin.warehouse_id
        return self.bin.warehouse_id if self.bin else None

    def this_receipt(self, order_line_id: uuid.UUID) -> Decimal:
        return sum((d.qty for d in self.lines if d.order_line_id == order_line_id), Decimal(0))

    def left(self, line: OrderLine) -> Decimal:
        """Still expected on an order line (never below zero)."""
        return max(line.ordered - line.received - self.this_receipt(line.id), Decimal(0))

    def room(self, line: OrderLine) -> Decimal:
        """How much more the order's tolerance lets in on this line."""
        return line.allowed - line.received - self.this_receipt(line.id)

    # --- scans ----------------------------------------------------------------------------------
    def set_order(self, order: Order, default_bin: ScannedLocation | None) -> Outcome:
        if self.lines:
            return Outcome(False, _("Post or clear this receipt before scanning an order."))
        if order.state not in RECEIVABLE:
            return Outcome(False, _("Order %(number)s cannot be received now.") % {"number": order.number})
        if not order.lines:
            return Outcome(False, _("Order %(number)s has nothing to receive.") % {"number": order.number})
        self.order = order
        if self.bin is None or self.bin.warehouse_id != order.warehouse_id:
            self.bin = default_bin
        return Outcome(True, _("Order %(number)s: scan its products.") % {"number": order.number})

    def set_bin(self, place: ScannedLocation) -> Outcome:
        if place.kind != "internal":
            return Outcome(False, _("%(location)s is not a bin.") % {"location": place.code})
        warehouse_id = self.warehouse_id if (self.order is not None or self.lines) else None
        if warehouse_id is not None and place.warehouse_id != warehouse_id:
            return Outcome(False, _("%(location)s is in another warehouse.") % {"location": place.code})
        self.bin = place
        return Outcome(True, _("Goods go to %(location)s.") % {"location": place.label})

    def scan_product(self, item: ScannedProduct) -> Outcome:
        if item.kind == "service":
            return _refused(NotStocked(product=item.name))
        if self.bin is None:
            return Outcome(False, _("Scan the bin the goods go to first."))
        order_line = None
        if self.order is not None:
            mine = [o for o in self.order.lines if o.product_id == item.id]
            if not mine:
                return _refused(NotOnDocument(product=item.label))
            order_line = next((o for o in mine if self.left(o) > 0), None) or mine[0]
            if item.factor > self.room(order_line):
                return self._over(order_line, item.factor)
        line = next((d for d in self.lines if d.product_id == item.id and d.bin.id == self.bin.id
                     and d.order_line_id == (order_line.id if order_line else None)), None)
        if line is None:
            line = DraftLine(new_id(), item.id, item.label, item.uom, Decimal(0), self.bin,
                             order_line.id if order_line else None)
            self.lines.append(line)
        line.qty += item.factor
        self.current = line
        return Outcome(True, _("+%(qty)s %(unit)s %(product)s → %(location)s (now %(total)s)") % {
            "qty": qty_text(item.factor), "unit": item.uom, "product": item.label, "location": line.bin.code,
            "total": qty_text(line.qty)})

    def _over(self, order_line: OrderLine, qty: Decimal) -> Outcome:
        allowed = max(self.room(order_line), Decimal(0))
        return _refused(OverReceipt(product=order_line.label, qty=qty_text(qty), allowed=qty_text(allowed)))

    def set_qty(self, qty: Decimal) -> Outcome:
        """The current line's quantity, as typed."""
        line = self.current
        if line is None:
            return Outcome(False, _("Scan a product before typing its quantity."))
        if qty <= 0 or qty != qty.quantize(Decimal("0.0001")):
            return Outcome(False, _("Type a quantity above zero (at most 4 decimals)."))
        if line.order_line_id is not None and self.order is not None:
            order_line = next(o for o in self.order.lines if o.id == line.order_line_id)
            if qty - line.qty > self.room(order_line):
                return self._over(order_line, qty)
        line.qty = qty
        return Outcome(True, _("%(product)s: %(qty)s %(unit)s → %(location)s") % {
            "product": line.label, "qty": qty_text(qty), "unit": line.unit, "location": line.bin.code})

    def drop_current(self) -> Outcome:
        line = self.current
        if line is None:
            return Outcome(False, _("There is no line to remove."))
        self.lines.remove(line)
        self.current = self.lines[-1] if self.lines else None
        return Outcome(True, _("Removed %(product)s.") % {"product": line.label})

    # --- posting --------------------------------------------------------------------------------
    def post_args(self, received_at: dt.datetime) -> dict[str, Any]:
        """The erp.receipt.post arguments; raises EmptyDocument when nothing was scanned."""
        if not self.lines or self.warehouse_id is None:
            raise EmptyDocument(field="lines")
        return {"id": str(new_id()), "order_id": str(self.order.id) if self.order else None,
                "warehouse_id": str(self.warehouse_id), "received_at": received_at.isoformat(),
                "lines": [{"id": str(d.id), "order_line_id": str(d.order_line_id) if d.order_line_id else None,
                           "product_id": str(d.product_id), "qty": str(d.qty), "location_id": str(d.bin.id)}
                          for d in self.lines]}
