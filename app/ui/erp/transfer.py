"""Move stock between bins, scanner first: scan the bin goods come from, scan the products (each
scan adds its unit's factor; a typed number + Enter sets the current line), scan the bin they go
to; F9 posts one transfer move (erp.stock.move) per product. More than the first bin holds is
refused. Esc on an empty field drops the current line (with no lines: the bins, last first)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from app.core.i18n import _, ngettext
from app.core.ids import new_id
from app.core.schema import stock_level
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.erp.receipt_draft import qty_text
from app.ui.erp.scan import ScanInput
from app.ui.erp.scan_page import big_button, cell, hint_label, info_label, lines_table, on_f9, set_columns, title_label
from app.ui.erp.scan_resolve import Scanned, ScannedLocation, ScannedProduct
from app.ui.ops import Changes


@dataclass
class TransferLine:
    product_id: uuid.UUID
    label: str
    unit: str
    qty: Decimal


def bin_levels(conn: Any, location_id: uuid.UUID) -> dict[uuid.UUID, Decimal]:
    """On hand per product in one bin."""
    rows = conn.execute(sa.select(stock_level.c.product_id, stock_level.c.qty).where(
        stock_level.c.location_id == location_id, stock_level.c.archived.is_(False)))
    return {r.product_id: Decimal(r.qty) for r in rows}


class TransferPage(QWidget):
    """Bin-to-bin transfers by scanner; `source`, `target` and `lines` are what was scanned."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ready = True
        self.posting = False
        self.posted = 0
        self.source: ScannedLocation | None = None
        self.target: ScannedLocation | None = None
        self.on_hand: dict[uuid.UUID, Decimal] = {}
        self.lines: list[TransferLine] = []
        self.current: TransferLine | None = None
        #: scans that came while the first bin's stock was being read, handled once it is
        self._held: list[Callable[[], None]] = []
        self.title = title_label(_("Transfer stock"))
        self.hint = hint_label(_("Scan the bin the goods come from, then the products (a number + Enter sets the "
                                 "quantity), then the bin they go to. Esc removes the current line, F9 posts."))
        self.scan = ScanInput(ctx)
        self.from_info = info_label()
        self.to_info = info_label()
        self.table = lines_table()
        set_columns(self.table, [_("Product"), _("Quantity"), _("Unit"), _("Available")])
        self.post = big_button(_("Post transfer (F9)"))
        self.clear = big_button(_("Clear"))
        self.post.clicked.connect(self.post_transfer)
        self.clear.clicked.connect(lambda: self._reset(_("Cleared: scan the bin the goods come from.")))
        buttons = QHBoxLayout()
        buttons.addWidget(self.post)
        buttons.addWidget(self.clear)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.hint, self.scan, self.from_info, self.to_info):
            layout.addWidget(widget)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        QWidget.setTabOrder(self.scan.field, self.post)
        QWidget.setTabOrder(self.post, self.clear)
        self.setFocusProxy(self.scan)
        self.scan.scanned.connect(self._scanned)
        self.scan.quantity_entered.connect(lambda qty, _text: self._when_ready(lambda: self._set_qty(qty)))
        self.scan.escaped.connect(self._escape)
        on_f9(self, self.post_transfer)
        self._refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.scan.focus()

    # --- scans ----------------------------------------------------------------------------------
    def _when_ready(self, work: Callable[[], None]) -> None:
        if self.ready:
            work()
        else:
            self._held.append(work)

    def _scanned(self, found: Scanned) -> None:
        if not self.ready:
            self._held.append(lambda: self._scanned(found))
            return
        if self.posting:
            self.scan.refuse(_("Wait: the transfer is being posted."))
        elif isinstance(found, ScannedLocation):
            self._scan_bin(found)
        elif isinstance(found, ScannedProduct):
            self._scan_product(found)
        else:
            self.scan.refuse(_("Scan a bin or a product."))
        self._refresh()

    def _scan_bin(self, place: ScannedLocation) -> None:
        if place.kind != "internal":
            self.scan.refuse(_("%(location)s is not a bin.") % {"location": place.code})
        elif self.source is None or not self.lines:
            self.source, self.target, self.on_hand = place, None, {}
            self._load_levels(place)
        elif place.id == self.source.id:
            self.scan.refuse(_("The goods are already in %(location)s: scan the bin they go to.")
                             % {"location": place.code})
        else:
            self.target = place
            self.scan.accept(_("To %(location)s: F9 posts the transfer.") % {"location": place.label})

    def _load_levels(self, place: ScannedLocation) -> None:
        db = self.ctx.session.client.db
        self.ready = False

        def read() -> dict[uuid.UUID, Decimal]:
            with reading(db) as conn:
                return bin_levels(conn, place.id)

        def done(levels: dict[uuid.UUID, Decimal]) -> None:
            if self.source is not None and self.source.id == place.id:
                self.on_hand = levels
                self.ready = True
                self.scan.accept(_("From %(location)s: scan the products.") % {"location": place.label})
                self._refresh()
                held, self._held = self._held, []
                for work in held:
                    work()

        def failed(exc: BaseException) -> None:
            self.ready, self._held = True, []
            self.source = None
            self.scan.refuse_error(exc)

        self.ctx.ops.read(read).success(done).failure(failed).run()

    def _scan_product(self, item: ScannedProduct) -> None:
        if self.source is None:
            self.scan.refuse(_("Scan the bin the goods come from first."))
            return
        line = next((t for t in self.lines if t.product_id == item.id), None)
        qty = (line.qty if line else Decimal(0)) + item.factor
        if not self._fits(item.id, item.label, qty):
            return
        if line is None:
            line = TransferLine(item.id, item.label, item.uom, Decimal(0))
            self.lines.append(line)
        line.qty = qty
        self.current = line
        self.scan.accept(_("+%(qty)s %(unit)s %(product)s (now %(total)s)") % {
            "qty": qty_text(item.factor), "unit": item.uom, "product": item.label, "total": qty_text(qty)})

    def _fits(self, product_id: uuid.UUID, label: str, qty: Decimal) -> bool:
        """Refuse moving more than the first bin holds."""
        have = self.on_hand.get(product_id, Decimal(0))
        if qty > have:
            assert self.source is not None
            self.scan.refuse(_("%(product)s: only %(qty)s in %(location)s.") % {
                "product": label, "qty": qty_text(have), "location": self.source.code})
            return False
        return True

    def _set_qty(self, qty: Decimal) -> None:
        line = self.current
        if line is None:
            self.scan.refuse(_("Scan a product before typing its quantity."))
        elif qty <= 0 or qty != qty.quantize(Decimal("0.0001")):
            self.scan.refuse(_("Type a quantity above zero (at most 4 decimals)."))
        elif self._fits(line.product_id, line.label, qty):
            line.qty = qty
            self.scan.accept(_("%(product)s: %(qty)s %(unit)s") % {"product": line.label, "qty": qty_text(qty),
                                                                    "unit": line.unit})
        self._refresh()

    def _escape(self) -> None:
        if self.current is not None:
            self.lines.remove(self.current)
            self.scan.accept(_("Removed %(product)s.") % {"product": self.current.label})
            self.current = self.lines[-1] if self.lines else None
        elif self.target is not None:
            self.target = None
            self.scan.accept(_("Scan the bin the goods go to."))
        elif self.source is not None:
            self._reset(_("Cleared: scan the bin the goods come from."))
        self._refresh()

    # --- posting --------------------------------------------------------------------------------
    def post_transfer(self) -> None:
        """F9: one transfer move per product, posted in turn; a refused one stays on the screen."""
        self.scan.focus()
        if self.posting:
            return
        if self.source is None or self.target is None or not self.lines:
            self.scan.refuse(_("Scan the bin the goods come from, the products and the bin they go to."))
            return
        self.posting = True
        moved_at = dt.datetime.now(dt.UTC).isoformat()
        source, target, count = self.source, self.target, len(self.lines)

        def next_move() -> None:
            if not self.lines:
                self.posting = False
                self.posted += count
                self._reset(ngettext("Moved %(count)d product from %(source)s to %(target)s.",
                                     "Moved %(count)d products from %(source)s to %(target)s.", count)
                            % {"count": count, "source": source.code, "target": target.code})
                return
            line = self.lines[0]
            args = {"id": str(new_id()), "product_id": str(line.product_id), "qty": str(line.qty),
                    "from_location_id": str(source.id), "to_location_id": str(target.id), "kind": "transfer",
                    "moved_at": moved_at}

            def done(_changes: Changes) -> None:
                self.lines.remove(line)
                self.current = self.lines[-1] if self.lines else None
                next_move()

            def failed(exc: BaseException) -> None:
                self.posting = False
                self.scan.refuse_error(exc)
                self._refresh()

            self.ctx.session.mutate("erp.stock.move", args).success(done).failure(failed).run()

        next_move()

    def _reset(self, message: str) -> None:
        self.source = self.target = self.current = None
        self.lines, self.on_hand = [], {}
        self.scan.accept(message)
        self._refresh()
        self.scan.focus()

    def _refresh(self) -> None:
        self.from_info.setText(_("From: %(location)s") % {"location": self.source.label} if self.source
                               else _("From: scan a bin"))
        self.to_info.setText(_("To: %(location)s") % {"location": self.target.label} if self.target
                             else _("To: scan a bin after the products"))
        self.table.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            have = self.on_hand.get(line.product_id, Decimal(0))
            for column, item in enumerate((cell(line.label), cell(qty_text(line.qty), True), cell(line.unit),
                                           cell(qty_text(have), True))):
                self.table.setItem(row, column, item)
            if line is self.current:
                self.table.selectRow(row)
