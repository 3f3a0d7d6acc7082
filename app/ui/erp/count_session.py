"""What the cycle count screen knows (no widgets): the count being worked on as the cache holds it
(header, sheet lines, and once in review the variances), the bin the clerk stands at, the line a
product scan picked, and a product found on the shelf that the sheet lacks (offered to add).
Each scan or typed quantity is accepted or refused with the sentence to show, and gives the
mutation to run when there is one. ``load_count`` reads it all from the cache."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core import fmt
from app.core.i18n import _, current_locale
from app.core.schema import location, stock_count, warehouse
from app.erp.common import document_label
from app.erp.count_reads import SheetLine, VarianceRow, count_sheet, count_variances
from app.erp.counts import SERIES
from app.erp.errors import NotStocked
from app.ui.erp.scan_resolve import ScannedLocation, ScannedProduct
from app.ui.errors import error_text

#: a variance this large in value (in the currency) is highlighted in the review
LARGE_VALUE = Decimal(500)
#: ... or this large a share of what was expected (any variance on an expected zero is large)
LARGE_SHARE = Decimal("0.10")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    text: str
    #: the mutation to run for it (name, args), if any
    mutation: tuple[str, dict[str, Any]] | None = None


@dataclass(frozen=True)
class CountHead:
    id: uuid.UUID
    label: str
    state: str
    warehouse_id: uuid.UUID
    warehouse: str
    #: the one bin counted, or None for a whole warehouse
    location_id: uuid.UUID | None
    location: str | None
    abc_class: str | None
    blind: bool


@dataclass(frozen=True)
class CountView:
    head: CountHead
    lines: tuple[SheetLine, ...]
    #: filled once the count is in review or posted
    variances: tuple[VarianceRow, ...] = ()

    @property
    def counted(self) -> int:
        return sum(1 for line in self.lines if line.counted is not None)


def load_count(conn: Connection, count_id: uuid.UUID) -> CountView:
    r = conn.execute(sa.select(stock_count, location.c.code, warehouse.c.name.label("warehouse_name"))
                     .outerjoin(location, location.c.id == stock_count.c.location_id)
                     .outerjoin(warehouse, warehouse.c.id == stock_count.c.warehouse_id)
                     .where(stock_count.c.id == count_id)).one()
    head = CountHead(r.id, document_label(SERIES, r.number, r.id), r.state, r.warehouse_id, r.warehouse_name or "",
                     r.location_id, r.code, r.abc_class, r.blind)
    variances = tuple(count_variances(conn, count_id)) if r.state in ("review", "posted") else ()
    return CountView(head, tuple(count_sheet(conn, count_id)), variances)


def qty_text(qty: Decimal) -> str:
    return fmt.number(qty, locale=current_locale())


def is_large(row: VarianceRow) -> bool:
    """A variance the reviewer should look at twice."""
    if not row.variance:
        return False
    if row.value is not None and abs(row.value) >= LARGE_VALUE:
        return True
    return row.expected == 0 or abs(row.variance) >= abs(row.expected) * LARGE_SHARE


@dataclass
class CountSession:
    view: CountView
    #: where the clerk is counting (a one-bin count starts there)
    bin: ScannedLocation | None = None
    current: SheetLine | None = None
    #: (product, bin) scanned but not on the sheet: F4 adds it
    missing: tuple[ScannedProduct, ScannedLocation] | None = None

    def __post_init__(self) -> None:
        head = self.view.head
        if self.bin is None and head.location_id is not None:
            self.bin = ScannedLocation(head.location_id, head.location or "", head.location or "", "internal",
                                       head.warehouse_id)

    def refreshed(self, view: CountView) -> None:
        """The cache's newer view of the count; the current line follows it."""
        self.view = view
        if self.current is not None:
            self.current = next((line for line in view.lines if line.line_id == self.current.line_id), None)

    def line_of(self, product_id: uuid.UUID, location_id: uuid.UUID) -> SheetLine | None:
        return next((line for line in self.view.lines
                     if line.product_id == product_id and line.location_id == location_id), None)

    # --- scans ------------------------------------------------------------------------------------
    def scan_bin(self, place: ScannedLocation) -> Outcome:
        head = self.view.head
        if place.kind != "internal" or place.warehouse_id != head.warehouse_id:
            return Outcome(False, _("%(location)s is not a bin of this count's warehouse.") % {"location": place.code})
        if head.location_id is not None and place.id != head.location_id:
            return Outcome(False, _("This count is for bin %(bin)s only.") % {"bin": head.location})
        self.bin, self.current, self.missing = place, None, None
        return Outcome(True, _("Counting bin %(location)s: scan a product.") % {"location": place.label})

    def scan_product(self, item: ScannedProduct) -> Outcome:
        self.missing = None
        if self.bin is None:
            # no bin scanned yet: a product on one bin of the sheet needs none
            mine = [line for line in self.view.lines if line.product_id == item.id]
            if len(mine) != 1:
                return Outcome(False, _("Scan the bin you are counting first."))
            line: SheetLine | None = mine[0]
        else:
            line = self.line_of(item.id, self.bin.id)
        if line is None:
            assert self.bin is not None
            self.current = None
            if item.kind == "service":
                return Outcome(False, error_text(NotStocked(product=item.name)))
            self.missing = (item, self.bin)
            return Outcome(False, _("%(product)s is not on this sheet for %(location)s: press F4 to add it.")
                           % {"product": item.label, "location": self.bin.code})
        self.current = line
        if item.factor != 1:
            return Outcome(True, _("%(product)s @ %(location)s: type the count in %(unit)s, then Enter.")
                           % {"product": item.label, "location": line.location, "unit": line.uom})
        return Outcome(True, _("%(product)s @ %(location)s: type the counted quantity, then Enter.")
                       % {"product": item.label, "location": line.location})

    def add_missing(self) -> Outcome:
        """F4: the product scanned last goes on the sheet for the bin it was found in."""
        if self.missing is None:
            return Outcome(False, _("Scan a product that is not on the sheet first."))
        item, place = self.missing
        args = {"count_id": str(self.view.head.id), "product_id": str(item.id), "location_id": str(place.id)}
        return Outcome(True, _("Added %(product)s @ %(location)s: type the counted quantity, then Enter.")
                       % {"product": item.label, "location": place.code}, ("erp.count.add_line", args))

    def added(self) -> None:
        """The added line is in the view: it becomes the current line."""
        if self.missing is not None:
            item, place = self.missing
            self.current = self.line_of(item.id, place.id)
            self.missing = None

    def typed(self, qty: Decimal) -> Outcome:
        line = self.current
        if line is None:
            return Outcome(False, _("Scan a product before typing its count."))
        if qty < 0 or qty != qty.quantize(Decimal("0.0001")):
            return Outcome(False, _("Type the quantity on the shelf: zero or more, at most 4 decimals."))
        args = {"count_id": str(self.view.head.id), "product_id": str(line.product_id),
                "location_id": str(line.location_id), "counted_qty": str(qty),
                "previous_qty": None if line.counted is None else str(line.counted)}
        self.current = None
        return Outcome(True, _("Counted %(product)s @ %(location)s: %(qty)s %(unit)s.") % {
            "product": f"{line.sku} {line.product}", "location": line.location, "qty": qty_text(qty),
            "unit": line.uom}, ("erp.count.record", args))

    def drop(self) -> bool:
        """Esc: forget the current line or the product offered for adding; False if there was none."""
        had = self.current is not None or self.missing is not None
        self.current, self.missing = None, None
        return had


__all__ = ["LARGE_SHARE", "LARGE_VALUE", "CountHead", "CountSession", "CountView", "Outcome", "is_large",
           "load_count", "qty_text"]
