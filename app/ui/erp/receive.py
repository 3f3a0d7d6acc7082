"""Receive goods, scanner first: scan a purchase order number (its open lines are listed with
ordered / received / left) or scan products straight away (a receipt without an order); each
product scan adds its unit's factor; a bin scan says where the goods go (the warehouse's first bin
until then); a typed number + Enter sets the current line's quantity; Esc on an empty field drops
the current line; F9 posts the receipt (erp.receipt.post) and the screen clears for the next."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from app.core.i18n import _, ngettext
from app.erp.common import document_label
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.erp.receipt_draft import Order, Outcome, ReceiptDraft, load_order, qty_text
from app.ui.erp.scan import ScanInput
from app.ui.erp.scan_page import big_button, cell, hint_label, info_label, lines_table, on_f9, set_columns, title_label
from app.ui.erp.scan_resolve import (
    Scanned,
    ScannedDocument,
    ScannedLocation,
    ScannedProduct,
    first_bin,
    warehouse_name,
)
from app.ui.ops import Changes


class ReceivePage(QWidget):
    """Receiving goods by scanner; `draft` holds what was scanned, `posted` the last receipt's label."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.draft = ReceiptDraft()
        self.ready = False
        self.posting = False
        self.posted: str | None = None
        #: scans that came while an order (or the first bin) was being read, handled once it is
        self._held: list[Callable[[], None]] = []
        self.title = title_label(_("Receive goods"))
        self.hint = hint_label(_("Scan an order number, or products for a receipt without an order. Scan a bin to "
                             "put goods there. Type a number + Enter to set the quantity. Esc removes the "
                             "current line, F9 posts."))
        self.scan = ScanInput(ctx, documents=("purchase_order",))
        self.order_info = info_label()
        self.bin_info = info_label()
        self.table = lines_table()
        self.post = big_button(_("Post receipt (F9)"))
        self.clear = big_button(_("Clear"))
        self.post.clicked.connect(self.post_receipt)
        self.clear.clicked.connect(self.clear_receipt)
        self._build()
        self.scan.scanned.connect(self._scanned)
        self.scan.quantity_entered.connect(
            lambda qty, _text: self._when_ready(lambda: self._show(self.draft.set_qty(qty))))
        self.scan.escaped.connect(lambda: self._when_ready(lambda: self._show(self.draft.drop_current())))
        on_f9(self, self.post_receipt)
        self.warehouse_label = ""
        self._load_default_bin()
        ctx.ops.changed.connect(self._changed)
        self._refresh()

    def _build(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.post)
        buttons.addWidget(self.clear)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.scan)
        layout.addWidget(self.order_info)
        layout.addWidget(self.bin_info)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        QWidget.setTabOrder(self.scan.field, self.post)
        QWidget.setTabOrder(self.post, self.clear)
        self.setFocusProxy(self.scan)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.scan.focus()

    # --- reads ----------------------------------------------------------------------------------
    def _load_default_bin(self) -> None:
        db = self.ctx.session.client.db

        def read() -> tuple[ScannedLocation | None, str]:
            with reading(db) as conn:
                place = first_bin(conn)
                return place, warehouse_name(conn, place.warehouse_id if place else None)

        def done(found: tuple[ScannedLocation | None, str]) -> None:
            place, name = found
            self.warehouse_label = name
            self.draft.default_bin = place
            if self.draft.bin is None:
                self.draft.bin = place
            self._refresh()
            self._release()

        def failed(exc: BaseException) -> None:
            self.scan.refuse_error(exc)
            self._release()

        self.ready = False
        self.ctx.ops.read(read).success(done).failure(failed).run()

    def _changed(self, changes: Changes) -> None:
        """A first sync brought the warehouse: its first bin becomes the default."""
        if self.draft.default_bin is None and self.ready and changes.touches("location"):
            self._load_default_bin()

    def _when_ready(self, work: Callable[[], None]) -> None:
        if self.ready:
            work()
        else:
            self._held.append(work)

    def _release(self) -> None:
        self.ready = True
        held, self._held = self._held, []
        for work in held:
            work()

    def _scanned(self, found: Scanned) -> None:
        if not self.ready:
            self._held.append(lambda: self._scanned(found))
        elif self.posting:
            self.scan.refuse(_("Wait: the receipt is being posted."))
        elif isinstance(found, ScannedDocument):
            self._open_order(found)
        elif isinstance(found, ScannedLocation):
            self._show(self.draft.set_bin(found))
        elif isinstance(found, ScannedProduct):
            self._show(self.draft.scan_product(found))

    def _open_order(self, doc: ScannedDocument) -> None:
        db = self.ctx.session.client.db

        def read() -> tuple[Order, ScannedLocation | None, str]:
            with reading(db) as conn:
                order = load_order(conn, doc)
                place = first_bin(conn, order.warehouse_id)
                return order, place, warehouse_name(conn, place.warehouse_id if place else None)

        def done(found: tuple[Order, ScannedLocation | None, str]) -> None:
            order, place, name = found
            outcome = self.draft.set_order(order, place)
            if outcome.ok:
                self.warehouse_label = name
            self._show(outcome)
            self._release()

        def failed(exc: BaseException) -> None:
            self.scan.refuse_error(exc)
            self._release()

        self.ready = False
        self.ctx.ops.read(read).success(done).failure(failed).run()

    # --- actions --------------------------------------------------------------------------------
    def post_receipt(self) -> None:
        """F9: post every line as one receipt."""
        self.scan.focus()
        if self.posting:
            return
        try:
            args = self.draft.post_args(dt.datetime.now(dt.UTC))
        except Exception as exc:  # nothing scanned: said on the screen
            self.scan.refuse_error(exc)
            return
        self.posting = True
        count = len(args["lines"])
        label = document_label("RC", None, uuid.UUID(args["id"]))

        def done(_changes: Changes) -> None:
            self.posting = False
            self.posted = label
            self.draft = ReceiptDraft(default_bin=self.draft.default_bin)
            self.scan.accept(ngettext("Posted receipt %(label)s: %(count)d line.",
                                      "Posted receipt %(label)s: %(count)d lines.", count)
                             % {"label": label, "count": count})
            self._refresh()

        def failed(exc: BaseException) -> None:
            self.posting = False
            self.scan.refuse_error(exc)

        self.ctx.session.mutate("erp.receipt.post", args).success(done).failure(failed).run()

    def clear_receipt(self) -> None:
        """Start over: drop the order and every scanned line."""
        self.draft = ReceiptDraft(default_bin=self.draft.default_bin)
        self.scan.accept(_("Cleared: scan the next receipt."))
        self._refresh()
        self.scan.focus()

    # --- showing --------------------------------------------------------------------------------
    def _show(self, outcome: Outcome) -> None:
        if outcome.ok:
            self.scan.accept(outcome.text)
        else:
            self.scan.refuse(outcome.text)
        self._refresh()
        self.scan.focus()

    def _refresh(self) -> None:
        draft = self.draft
        if draft.order is not None:
            self.order_info.setText(_("Order %(number)s · %(supplier)s") % {
                "number": draft.order.number, "supplier": draft.order.supplier or "—"})
        else:
            self.order_info.setText(_("No order: a receipt without an order."))
        place = draft.bin
        self.bin_info.setText(_("Bin: %(location)s (%(warehouse)s)") % {
            "location": place.label, "warehouse": self.warehouse_label} if place else _("Bin: none — scan a bin."))
        if draft.order is not None:
            self._fill_order()
        else:
            self._fill_plain()

    def _fill_order(self) -> None:
        draft, order = self.draft, self.draft.order
        assert order is not None
        set_columns(self.table, [_("Product"), _("Ordered"), _("Received"), _("This receipt"),
                                 _("Left to receive"), _("Bin")])
        shown = [o for o in order.lines if o.ordered > o.received or draft.this_receipt(o.id) > 0]
        self.table.setRowCount(len(shown))
        current = draft.current.order_line_id if draft.current else None
        for row, line in enumerate(shown):
            bins = sorted({d.bin.code for d in draft.lines if d.order_line_id == line.id})
            values = (cell(line.label), cell(qty_text(line.ordered), True), cell(qty_text(line.received), True),
                      cell(qty_text(draft.this_receipt(line.id)), True), cell(qty_text(draft.left(line)), True),
                      cell(", ".join(bins)))
            for column, item in enumerate(values):
                self.table.setItem(row, column, item)
            if line.id == current:
                self.table.selectRow(row)

    def _fill_plain(self) -> None:
        draft = self.draft
        set_columns(self.table, [_("Product"), _("Quantity"), _("Unit"), _("Bin")])
        self.table.setRowCount(len(draft.lines))
        for row, line in enumerate(draft.lines):
            for column, item in enumerate((cell(line.label), cell(qty_text(line.qty), True), cell(line.unit),
                                           cell(line.bin.code))):
                self.table.setItem(row, column, item)
            if line is draft.current:
                self.table.selectRow(row)
        if not draft.lines:
            self.table.clearSelection()

