"""What a clerk has picked for one delivery (no Qt, no I/O): scans and typed quantities add to the
lines, from the bin the clerk stands at, and are refused when they do not fit the delivery."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.core import fmt
from app.core.i18n import _
from app.ui.erp.pick_reads import Bin, PickSheet, SheetLine


@dataclass(frozen=True)
class Outcome:
    """What a scan did: accepted or refused, the sentence to show, and the line it concerned."""

    ok: bool
    message: str
    line: int | None = None


@dataclass(frozen=True)
class Shipped:
    """What a delivery shipped, for the confirmation (and the label of its backorder, if any)."""

    delivery_id: uuid.UUID
    label: str
    lines: list[str]
    backorder: str | None
    closed_short: bool = False

    def text(self) -> str:
        text = _("%(delivery)s shipped: %(lines)s.") % {"delivery": self.label, "lines": "; ".join(self.lines)}
        if self.backorder:
            text += "\n" + _("The rest is on backorder %(delivery)s.") % {"delivery": self.backorder}
        elif self.closed_short:
            text += "\n" + _("Closed short: the rest will not be shipped.")
        return text


class Picking:
    """The picks of one delivery: per line, the quantity taken from each bin."""

    def __init__(self, sheet: PickSheet) -> None:
        self.sheet = sheet
        self.taken: list[dict[uuid.UUID, Decimal]] = [{} for _ in sheet.lines]
        #: the bin the clerk scanned (None: each line's suggested bin)
        self.bin: Bin | None = None
        #: the line a typed quantity sets
        self.current = 0

    # --- reading ----------------------------------------------------------------------------------
    def picked(self, index: int) -> Decimal:
        return sum(self.taken[index].values(), Decimal(0))

    def source(self, index: int) -> Bin | None:
        """Where the next pick of this line comes from."""
        return self.bin or self.sheet.lines[index].bin

    def is_done(self, index: int) -> bool:
        return self.picked(index) >= self.sheet.lines[index].qty

    def short(self) -> list[int]:
        return [i for i in range(len(self.sheet.lines)) if not self.is_done(i)]

    def anything_picked(self) -> bool:
        return any(self.picked(i) > 0 for i in range(len(self.sheet.lines)))

    def picks(self) -> list[dict[str, Any]]:
        """The picks as erp.delivery.ship takes them."""
        return [{"line_id": str(line.id), "qty": str(qty), "from_location_id": str(bin_id)}
                for line, taken in zip(self.sheet.lines, self.taken, strict=True)
                for bin_id, qty in taken.items() if qty > 0]

    def shipped_lines(self) -> list[str]:
        """What is picked, line by line, as the confirmation lists it."""
        return [f"{line.sku} {line.name} × {fmt.number(self.picked(i))} {line.uom}"
                for i, line in enumerate(self.sheet.lines) if self.picked(i) > 0]

    # --- scanning ---------------------------------------------------------------------------------
    def scan_product(self, product_id: uuid.UUID, factor: Decimal, name: str) -> Outcome:
        """A product scanned: its unit's factor more on its line (the first of its lines with room)."""
        mine = [i for i, line in enumerate(self.sheet.lines) if line.product_id == product_id]
        if not mine:
            return Outcome(False, _("%(product)s is not on this delivery.") % {"product": name})
        room = [i for i in mine if self.picked(i) + factor <= self.sheet.lines[i].qty]
        if not room:
            index = next((i for i in mine if not self.is_done(i)), mine[0])
            self.current = index
            return Outcome(False, self._only(index), index)
        index = room[0]
        self.current = index
        return self._take(index, factor, add=True)

    def set_qty(self, qty: Decimal) -> Outcome:
        """A typed quantity: the current line's picked quantity becomes `qty`, all from its bin."""
        if not self.sheet.lines:
            return Outcome(False, _("This delivery has no lines."))
        index = self.current
        line = self.sheet.lines[index]
        if qty < 0 or qty != qty.quantize(Decimal("0.0001")):
            return Outcome(False, _("%(qty)s is not a quantity.") % {"qty": fmt.number(qty)}, index)
        if qty > line.qty:
            return Outcome(False, self._only(index), index)
        return self._take(index, qty, add=False)

    def set_bin(self, bin_: Bin) -> Outcome:
        if bin_.warehouse_id != self.sheet.warehouse_id:
            return Outcome(False, _("%(bin)s is not in warehouse %(warehouse)s.")
                           % {"bin": bin_.code, "warehouse": self.sheet.warehouse})
        self.bin = bin_
        return Outcome(True, _("Picking from %(bin)s.") % {"bin": bin_.code})

    def move_current(self, step: int) -> None:
        if self.sheet.lines:
            self.current = max(0, min(len(self.sheet.lines) - 1, self.current + step))

    def _take(self, index: int, qty: Decimal, add: bool) -> Outcome:
        line = self.sheet.lines[index]
        source = self.source(index)
        if source is None:
            return Outcome(False, _("Scan the bin you pick %(product)s from.") % {"product": line.name}, index)
        if add:
            self.taken[index][source.id] = self.taken[index].get(source.id, Decimal(0)) + qty
        else:
            self.taken[index] = {source.id: qty}
        return Outcome(True, _("%(sku)s %(product)s: %(picked)s of %(qty)s picked from %(bin)s.") % {
            "sku": line.sku, "product": line.name, "picked": fmt.number(self.picked(index)),
            "qty": fmt.number(line.qty), "bin": source.code}, index)

    def _only(self, index: int) -> str:
        line: SheetLine = self.sheet.lines[index]
        return _("%(product)s: only %(qty)s to ship.") % {"product": line.name, "qty": fmt.number(line.qty)}
