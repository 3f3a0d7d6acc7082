"""Pick & ship: the deliveries ready to ship, then one delivery picked by scanner and shipped.

Everything works from the keyboard, and focus never leaves the scan field: a scan (or typed code
+ Enter) of a delivery number opens it; scans of products add their unit's factor to the line,
a bin's code says where picks come from, a typed number sets the current line's quantity. Wrong
products and over-picks are refused with a beep and red, on the page (no dialog steals focus).
F9 ships; when something is short the page asks, in place, B (backorder the rest) or C (close
short)."""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import _, ngettext
from app.erp.shipping import backorder_id_for
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.erp.pick_models import PickLinesModel, ReadyDeliveriesModel
from app.ui.erp.pick_panes import DeliveryListPane, PickPane, fit_columns, sheet_header
from app.ui.erp.pick_reads import (
    PROVISIONAL,
    Bin,
    PickSheet,
    ReadyDelivery,
    find_provisional,
    pick_sheet,
    ready_deliveries,
    shipped_label,
)
from app.ui.erp.picking import Outcome, Picking, Shipped
from app.ui.erp.scan import ScanInput, big_font
from app.ui.erp.scan_resolve import ScannedDocument, ScannedLocation, ScannedProduct
from app.ui.errors import error_text
from app.ui.ops import Changes

TITLE_POINTS = 20
LIST, PICK = 0, 1
ANSWER_MS = 150


class PickShipPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.picking: Picking | None = None
        self.last_shipped: Shipped | None = None
        self._pickings: dict[uuid.UUID, Picking] = {}
        self._queue: deque[Callable[[], None]] = deque()
        self._busy = False

        title = QLabel(_("Pick & ship"))
        big_font(title, TITLE_POINTS, bold=True)
        self.scan = ScanInput(ctx, documents=("delivery",),
                              placeholder=_("Scan a delivery number, a product or a bin"))
        self.scan.scanned.connect(lambda found: self._enqueue(lambda: self._found(found)))
        self.scan.quantity_entered.connect(lambda qty, text: self._enqueue(lambda: self._quantity(qty, text)))
        self.scan.escaped.connect(self._escape)
        # after the field's own filter is installed, so this one sees keys first
        self.scan.field.installEventFilter(self)

        self.deliveries = ReadyDeliveriesModel(self)
        self.lines = PickLinesModel(self)
        listing, pane = DeliveryListPane(self.deliveries), PickPane(self.lines)
        self.list_view, self.shipped_note, self.empty = listing.view, listing.shipped_note, listing.empty
        self.list_view.doubleClicked.connect(lambda _i: self.open_selected())
        self.header, self.progress, self.lines_view = pane.header, pane.progress, pane.view
        self.lines_view.clicked.connect(self._line_clicked)
        self.lines.current_font = QFont(self.lines_view.font())
        self.lines.current_font.setBold(True)
        self.choice, self.choice_text, self.ship_button = pane.choice, pane.choice_text, pane.ship_button
        pane.backorder_button.clicked.connect(lambda: self._ship(backorder=True))
        pane.close_short_button.clicked.connect(lambda: self._ship(backorder=False))
        pane.keep_button.clicked.connect(self._escape)
        pane.ship_button.clicked.connect(self.ship)
        pane.back_button.clicked.connect(self.back_to_list)
        self.stack = QStackedWidget()
        self.stack.addWidget(listing)
        self.stack.addWidget(pane)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.scan)
        layout.addWidget(self.stack, 1)
        for key, slot in ((Qt.Key.Key_F9, self.ship), (Qt.Key.Key_F5, self.load)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        #: a wedge scanner types a code in a burst; a key alone for this long was typed by a person
        self._answer_wait = QTimer(self, singleShot=True, interval=ANSWER_MS)
        self._answer_wait.timeout.connect(self._answer)
        self._reload = QTimer(self, singleShot=True, interval=200)
        self._reload.timeout.connect(self.load)
        ctx.ops.changed.connect(self._on_changed)
        self._say(_("Scan the number of a delivery to pick it, or press Enter on the one selected."))
        self.load()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.scan.focus()

    # --- the list -------------------------------------------------------------------------------
    def _on_changed(self, changes: Changes) -> None:
        if changes.touches("delivery", "delivery_line"):
            self._reload.start()

    def load(self) -> None:
        db = self.ctx.session.client.db

        def read() -> list[ReadyDelivery]:
            with reading(db) as conn:
                return ready_deliveries(conn)

        self.ctx.ops.read(read).success(self._show_list).run()

    def _show_list(self, items: list[ReadyDelivery]) -> None:
        chosen = self.selected_delivery()
        self.deliveries.set_items(items)
        fit_columns(self.list_view, self.deliveries, (0,), self.list_view.font(), samples=("DL-2026-000000",))
        self.empty.setVisible(not items)
        ids = [d.id for d in items]
        if items:
            self.list_view.selectRow(ids.index(chosen.id) if chosen is not None and chosen.id in ids else 0)

    def selected_delivery(self) -> ReadyDelivery | None:
        rows = self.list_view.selectionModel().selectedRows()
        return self.deliveries.items[rows[0].row()] if rows and rows[0].row() < len(self.deliveries.items) else None

    def open_selected(self) -> None:
        chosen = self.selected_delivery()
        if chosen is not None:
            self._enqueue(lambda: self._open(chosen.id))

    # --- scans: one at a time, in the order they came ------------------------------------------
    @property
    def idle(self) -> bool:
        """No scan waits or is being worked on (tests wait for this)."""
        return self.scan.idle and not self._busy and not self._queue and not self._answer_wait.isActive()

    def _enqueue(self, step: Callable[[], None]) -> None:
        self._queue.append(step)
        self._next()

    def _next(self) -> None:
        if self._busy or not self._queue:
            return
        self._busy = True
        self._queue.popleft()()

    def _done(self, *_args: Any) -> None:
        self._busy = False
        self._next()

    def _failed(self, exc: BaseException) -> None:
        self._refuse(error_text(exc))
        self._done()

    def _provisional(self, text: str) -> None:
        """A provisional label typed from a slip printed before the delivery's first sync."""
        db = self.ctx.session.client.db

        def read() -> uuid.UUID | None:
            with reading(db) as conn:
                return find_provisional(conn, text)

        def found(delivery_id: uuid.UUID | None) -> None:
            if delivery_id is None:
                self._refuse(_("Unknown code: %(code)s") % {"code": text})
                self._done()
            else:
                self._open(delivery_id)

        self.ctx.ops.read(read).success(found).failure(self._failed).run()

    def _found(self, found: ScannedProduct | ScannedLocation | ScannedDocument) -> None:
        if isinstance(found, ScannedDocument):
            self._open(found.id)
            return
        try:
            self._hide_choice()
            picking = self.picking
            if picking is None:
                self._refuse(_("Open a delivery first: scan its number, or press Enter on it in the list."))
            elif isinstance(found, ScannedProduct):
                self._show(picking.scan_product(found.id, found.factor, found.label))
            elif found.kind != "internal":
                self._refuse(_("%(code)s is not a bin.") % {"code": found.code})
            else:
                self._show(picking.set_bin(Bin(found.id, found.code, found.warehouse_id)))
        finally:
            self._done()

    def _quantity(self, qty: Decimal, text: str) -> None:
        """A typed number sets the current line's quantity; with a sign (+2, -1) it changes it."""
        try:
            self._hide_choice()
            if self.picking is None:
                self._refuse(_("Open a delivery first: scan its number, or press Enter on it in the list."))
            else:
                relative = text.strip()[:1] in ("+", "-", "＋", "－")
                self._show(self.picking.set_qty(self.picking.picked(self.picking.current) + qty if relative else qty))
        finally:
            self._done()

    def _show(self, outcome: Outcome) -> None:
        if outcome.ok:
            self._say(outcome.message)
            self.lines.refresh()
        else:
            self._refuse(outcome.message, outcome.line)
        self._show_current()
        self._update_progress()

    def _say(self, text: str) -> None:
        self.scan.accept(text)

    def _refuse(self, text: str, line: int | None = None) -> None:
        self.scan.refuse(text)  # red, with a beep
        self.lines.refresh(refused=line)

    # --- one delivery ---------------------------------------------------------------------------
    def _open(self, delivery_id: uuid.UUID) -> None:
        db = self.ctx.session.client.db

        def read() -> PickSheet | None:
            with reading(db) as conn:
                return pick_sheet(conn, delivery_id)

        self.ctx.ops.read(read).success(self._show_sheet).failure(self._failed).run()

    def _show_sheet(self, sheet: PickSheet | None) -> None:
        try:
            if sheet is None:
                self._refuse(_("This delivery is not ready to ship."))
                return
            picking = self._pickings.get(sheet.id)
            if picking is None or [line.id for line in picking.sheet.lines] != [line.id for line in sheet.lines]:
                picking = self._pickings[sheet.id] = Picking(sheet)
            self.picking = picking
            self.lines.set_picking(picking)
            assert self.lines.current_font is not None
            fit_columns(self.lines_view, self.lines, (0, 2, 3, 4), self.lines.current_font)
            self.header.setText(sheet_header(sheet))
            self._hide_choice()
            self.stack.setCurrentIndex(PICK)
            self._show_current()
            self._update_progress()
            self._say(_("Picking %(delivery)s: scan the products, then F9 to ship.") % {"delivery": sheet.label})
        finally:
            self._done()

    def _line_clicked(self, index: Any) -> None:
        if self.picking is not None and index.isValid():
            self.picking.current = index.row()
            self.lines.refresh(self.lines.refused)

    def _show_current(self) -> None:
        if self.picking is not None and self.picking.sheet.lines:
            self.lines_view.scrollTo(self.lines.index(self.picking.current, 0))

    def _update_progress(self) -> None:
        picking = self.picking
        if picking is None:
            return
        total = len(picking.sheet.lines)
        done = total - len(picking.short())
        where = picking.bin.code if picking.bin else _("the suggested bin of each line")
        self.progress.setText(ngettext("%(done)s of %(n)s line picked", "%(done)s of %(n)s lines picked", total)
                              % {"done": done, "n": total} + " · " + _("Picking from: %(bin)s") % {"bin": where})

    def back_to_list(self) -> None:
        """Leave the delivery (its picks are kept until it is shipped or the page closes)."""
        self.picking = None
        self.lines.set_picking(None)
        self._hide_choice()
        self.stack.setCurrentIndex(LIST)
        self._say(_("Scan the number of a delivery to pick it, or press Enter on the one selected."))
        self.load()

    # --- shipping ---------------------------------------------------------------------------------
    def ship(self) -> None:
        """F9: ship what is picked; if something is short, ask first (in the page)."""
        self._enqueue(self._ship_or_ask)

    def _ship_or_ask(self) -> None:
        try:
            picking = self.picking
            if picking is None:
                self._refuse(_("Open a delivery first: scan its number, or press Enter on it in the list."))
            elif not picking.anything_picked():
                self._refuse(_("Nothing is picked yet."))
            elif picking.short():
                short = len(picking.short())
                QApplication.beep()
                self.choice_text.setText(ngettext(
                    "%(n)s line is not fully picked. Ship the rest later on a backorder, or close the delivery "
                    "short?",
                    "%(n)s lines are not fully picked. Ship the rest later on a backorder, or close the delivery "
                    "short?", short) % {"n": short})
                self.choice.show()
            else:
                self._enqueue(lambda: self._ship_now(backorder=True))
        finally:
            self._done()

    def _ship(self, backorder: bool) -> None:
        if self.choice.isVisible():
            self._enqueue(lambda: self._ship_now(backorder))

    def _ship_now(self, backorder: bool) -> None:
        picking = self.picking
        if picking is None:
            self._done()
            return
        self._hide_choice()
        self.ship_button.setEnabled(False)
        sheet = picking.sheet
        shipped, short = picking.shipped_lines(), bool(picking.short())
        args = {"id": str(sheet.id), "picks": picking.picks(), "backorder": backorder}
        db = self.ctx.session.client.db

        def label_of_backorder() -> str | None:
            with reading(db) as conn:
                return shipped_label(conn, backorder_id_for(sheet.id)) if short and backorder else None

        def after(_changes: Changes) -> None:
            self.ctx.ops.read(label_of_backorder).success(lambda label: self._shipped(
                Shipped(sheet.id, sheet.label, shipped, label, closed_short=short and not backorder))
            ).failure(self._failed).run()

        def refused(exc: BaseException) -> None:
            self.ship_button.setEnabled(True)
            self._failed(exc)

        self.ctx.session.mutate("erp.delivery.ship", args).success(after).failure(refused).run()

    def _shipped(self, shipped: Shipped) -> None:
        self.last_shipped = shipped
        self._pickings.pop(shipped.delivery_id, None)
        self.ship_button.setEnabled(True)
        self.shipped_note.setText(shipped.text())
        self.shipped_note.show()
        self.back_to_list()
        self._say(_("Shipped. Scan the next delivery."))
        self._done()

    def _hide_choice(self) -> None:
        self.choice.hide()

    # --- keys in the scan field ----------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scan.field and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._key(event)
        return super().eventFilter(watched, event)

    def _key(self, event: QKeyEvent) -> bool:
        key, text = event.key(), self.scan.field.text().strip()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._answer():
                return True
            if not text and self.stack.currentIndex() == LIST:
                self.open_selected()
                return True
            if PROVISIONAL.match(text):
                self.scan.field.clear()
                self._enqueue(lambda: self._provisional(text))
                return True
            return False
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._step(-1 if key == Qt.Key.Key_Up else 1)
            return True
        if self.choice.isVisible() and not text and key in (Qt.Key.Key_B, Qt.Key.Key_C):
            self._answer_wait.start()  # a B or C alone is the answer; a scan goes on typing
        return False

    def _answer(self) -> bool:
        """B or C alone in the field while the page asks: backorder the rest, or close short."""
        answer = self.scan.field.text().strip().upper()
        if not self.choice.isVisible() or answer not in ("B", "C"):
            return False
        self.scan.field.clear()
        self._ship(backorder=answer == "B")
        return True

    def _escape(self) -> None:
        """Esc on an empty scan field: drop the question, or leave the delivery."""
        if self.choice.isVisible():
            self._hide_choice()
            self._say(_("Keep picking, then F9 to ship."))
        elif self.stack.currentIndex() == PICK:
            self.back_to_list()

    def _step(self, step: int) -> None:
        if self.stack.currentIndex() == PICK and self.picking is not None:
            self.picking.move_current(step)
            self.lines.refresh(self.lines.refused)
            self._show_current()
            return
        rows = self.list_view.selectionModel().selectedRows()
        current = rows[0].row() if rows else -1
        target = max(0, min(len(self.deliveries.items) - 1, current + step))
        if self.deliveries.items:
            self.list_view.selectRow(target)

