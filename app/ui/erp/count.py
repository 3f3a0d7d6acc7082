"""Cycle count, scanner first and keyboard only.

Start: scan a bin to count only it (or choose a warehouse and an ABC class with Tab), blind is on
by default; F2 starts the count (erp.count.create); Enter on an open count carries on with it.
Counting: scan a bin, scan a product (its SKU or a barcode) to pick its line, type what the shelf
holds + Enter (erp.count.record). A product the sheet lacks is refused in red and F4 adds it
(erp.count.add_line). Esc drops the current line, or on none goes back to the start. F8 sends the
count to review (erp.count.review): expected now, counted, variance and its value, large ones
highlighted; F9 posts it (erp.count.post). F12 twice cancels the count."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from app.core import fmt
from app.core.i18n import N_, _, ngettext
from app.core.ids import new_id
from app.core.schema import warehouse
from app.erp.count_reads import CountSummary, counts
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.erp.count_panels import StartPanel, fill_review, fill_sheet
from app.ui.erp.count_session import CountSession, CountView, Outcome, load_count
from app.ui.erp.scan import ScanInput
from app.ui.erp.scan_page import big_button, hint_label, info_label, lines_table, on_f9, title_label
from app.ui.erp.scan_resolve import Scanned, ScannedDocument, ScannedLocation, ScannedProduct
from app.ui.ops import Changes

HINTS = {
    "start": N_("Scan a bin to count it, or choose a warehouse and products with Tab. F2 starts the count; "
               "Enter on an open count carries on with it."),
    "counting": N_("Scan a bin, then a product, then type what the shelf holds + Enter. F4 adds a product the "
                  "sheet lacks, Esc drops the current line, F8 sends the count to review, F12 twice cancels it."),
    "review": N_("Check the variances: large ones are highlighted. F9 posts the count, Esc goes back, "
                "F12 twice cancels it."),
}
COUNT_TABLES = ("stock_count", "stock_count_line", "stock_level")


def _key(page: QWidget, key: Qt.Key, slot: Callable[[], None]) -> QShortcut:
    shortcut = QShortcut(QKeySequence(key), page)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(slot)
    return shortcut


class CycleCountPage(QWidget):
    """`mode` is "start", "counting" or "review"; `session` holds the count being worked on."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.mode = "start"
        self.session: CountSession | None = None
        self.busy = False
        self.ready = False
        self.posted: str | None = None
        self._cancel_armed = False
        self.title = title_label(_("Cycle count"))
        self.hint = hint_label("")
        self.scan = ScanInput(ctx, documents=("stock_count",))
        self.info = info_label()
        self.start = StartPanel()
        self.start.resumed.connect(self.open_count)
        self.sheet = lines_table()
        self.review = lines_table()
        self.stack = QStackedWidget()
        for panel in (self.start, self.sheet, self.review):
            self.stack.addWidget(panel)
        self.buttons = {
            "start": big_button(_("Start count (F2)")), "add": big_button(_("Add to sheet (F4)")),
            "review": big_button(_("Review (F8)")), "post": big_button(_("Post count (F9)")),
            "cancel": big_button(_("Cancel count (F12)"))}
        actions = {"start": self.start_count, "add": self.add_missing, "review": self.send_to_review,
                   "post": self.post_count, "cancel": self.cancel_count}
        row = QHBoxLayout()
        for name, button in self.buttons.items():
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(actions[name])
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.hint, self.scan, self.info):
            layout.addWidget(widget)
        layout.addWidget(self.stack, 1)
        layout.addLayout(row)
        self.setFocusProxy(self.scan)
        self.scan.scanned.connect(self._scanned)
        self.scan.quantity_entered.connect(lambda qty, _text: self._typed(qty))
        self.scan.escaped.connect(self._escape)
        _key(self, Qt.Key.Key_F2, self.start_count)
        _key(self, Qt.Key.Key_F4, self.add_missing)
        _key(self, Qt.Key.Key_F8, self.send_to_review)
        on_f9(self, self.post_count)
        _key(self, Qt.Key.Key_F12, self.cancel_count)
        ctx.ops.changed.connect(self._on_changed)
        self._show_mode("start")
        self._load_start()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.scan.focus()

    # --- reads ------------------------------------------------------------------------------------
    def _load_start(self) -> None:
        db = self.ctx.session.client.db

        def read() -> tuple[list[tuple[uuid.UUID, str]], list[CountSummary]]:
            with reading(db) as conn:
                houses = [(i, f"{c} {n}") for i, c, n in conn.execute(
                    sa.select(warehouse.c.id, warehouse.c.code, warehouse.c.name)
                    .where(warehouse.c.archived.is_(False)).order_by(warehouse.c.code))]
                return houses, counts(conn)

        def done(found: tuple[list[tuple[uuid.UUID, str]], list[CountSummary]]) -> None:
            houses, open_counts = found
            chosen = self.start.warehouse.currentData()
            self.start.set_warehouses(houses)
            if chosen is not None:
                self.start.warehouse.setCurrentIndex(max(self.start.warehouse.findData(chosen), 0))
            self.start.set_open(open_counts)
            self.ready = True

        self.ctx.ops.read(read).success(done).failure(self.scan.refuse_error).run()

    def open_count(self, count_id: uuid.UUID, then: Outcome | None = None) -> None:
        """Show a count from the cache: its sheet while counting, its variances in review."""
        db = self.ctx.session.client.db

        def read() -> CountView:
            with reading(db) as conn:
                return load_count(conn, count_id)

        def done(view: CountView) -> None:
            self.busy = False
            if self.session is None or self.session.view.head.id != view.head.id:
                self.session = CountSession(view)
            else:
                self.session.refreshed(view)
            if then is not None and then.mutation and then.mutation[0] == "erp.count.add_line":
                self.session.added()
            state = view.head.state
            if state in ("posted", "cancelled"):
                self.session = None
                self._show_mode("start")
                self._load_start()
            else:
                self._show_mode("counting" if state == "counting" else "review")
            if then is not None:
                self._say(then)

        self.busy = True
        self.ctx.ops.read(read).success(done).failure(self._failed).run()

    # --- scans ------------------------------------------------------------------------------------
    def _scanned(self, found: Scanned) -> None:
        self._cancel_armed = False
        if self.busy:
            self.scan.refuse(_("Wait: the last change is being saved."))
        elif self.mode == "start":
            if isinstance(found, ScannedLocation) and found.kind == "internal":
                self.start.set_bin(found)
                self.scan.accept(_("Bin %(location)s: F2 starts its count.") % {"location": found.label})
            elif isinstance(found, ScannedDocument):
                self.open_count(found.id)
            else:
                self.scan.refuse(_("Scan a bin, or press F2 to count the whole warehouse."))
        elif self.mode == "review" or self.session is None:
            self.scan.refuse(_("This count is in review: F9 posts it, F12 twice cancels it."))
        elif isinstance(found, ScannedLocation):
            self._say(self.session.scan_bin(found))
        elif isinstance(found, ScannedProduct):
            self._say(self.session.scan_product(found))
        else:
            self.scan.refuse(_("Scan a bin or a product of this count."))

    def _typed(self, qty: Decimal) -> None:
        self._cancel_armed = False
        if self.mode != "counting" or self.session is None:
            self.scan.refuse(_("Scan a product before typing its count."))
            return
        self._run(self.session.typed(qty))

    def _escape(self) -> None:
        self._cancel_armed = False
        if self.mode == "counting" and self.session is not None and self.session.drop():
            self.scan.accept(_("Dropped the current line: scan the next product."))
            self._refresh()
        elif self.mode == "start":
            self.start.set_bin(None)
            self.scan.clear_result()
        else:
            self.session = None
            self._show_mode("start")
            self.scan.accept(_("The count stays open: Enter on it in the list carries on with it."))
            self._load_start()

    # --- actions ----------------------------------------------------------------------------------
    def start_count(self) -> None:
        """F2: a new count of what the start panel says."""
        if self.mode != "start" or self.busy:
            return
        count_id = new_id()
        args = self.start.args(count_id)
        if args is None:
            self.scan.refuse(_("There is no warehouse yet: ask a manager to set one up."))
            return
        self._mutate("erp.count.create", args, count_id, None)

    def add_missing(self) -> None:
        if self.mode == "counting" and self.session is not None and not self.busy:
            self._run(self.session.add_missing())

    def send_to_review(self) -> None:
        """F8: counting is over; the variances are shown for checking."""
        if self.mode != "counting" or self.session is None or self.busy:
            return
        view = self.session.view
        left = len(view.lines) - view.counted
        text = (ngettext("In review. %(n)s line was not counted: posting leaves it as it is.",
                         "In review. %(n)s lines were not counted: posting leaves them as they are.", left)
                % {"n": left}) if left else _("In review: check the variances, then F9 posts the count.")
        self._mutate("erp.count.review", {"id": str(view.head.id)}, view.head.id, Outcome(True, text))

    def post_count(self) -> None:
        """F9: the counted lines' variances become count moves; the count is posted."""
        if self.mode != "review" or self.session is None or self.busy:
            if self.mode == "counting":
                self.scan.refuse(_("Send the count to review first (F8)."))
            return
        head = self.session.view.head
        moves = sum(1 for v in self.session.view.variances if v.variance)
        text = ngettext("Posted count %(label)s: %(n)s adjustment.", "Posted count %(label)s: %(n)s adjustments.",
                        moves) % {"label": head.label, "n": moves}
        self.posted = None

        def posted() -> None:
            self.posted = head.label

        self._mutate("erp.count.post", {"id": str(head.id)}, head.id, Outcome(True, text), posted)

    def cancel_count(self) -> None:
        """F12 twice: the count is dropped (nothing is posted)."""
        if self.mode == "start" or self.session is None or self.busy:
            return
        head = self.session.view.head
        if not self._cancel_armed:
            self._cancel_armed = True
            self.scan.refuse(_("Press F12 again to cancel count %(label)s.") % {"label": head.label})
            return
        self._cancel_armed = False
        self._mutate("erp.count.cancel", {"id": str(head.id)}, head.id,
                     Outcome(True, _("Cancelled count %(label)s.") % {"label": head.label}))

    def _run(self, outcome: Outcome) -> None:
        if outcome.mutation is None or not outcome.ok:
            self._say(outcome)
            return
        assert self.session is not None
        name, args = outcome.mutation
        self._mutate(name, args, self.session.view.head.id, outcome)

    def _mutate(self, name: str, args: dict[str, Any], count_id: uuid.UUID, outcome: Outcome | None,
                then: Callable[[], None] | None = None) -> None:
        self.busy = True

        def done(_changes: Changes) -> None:
            if then is not None:
                then()
            self.open_count(count_id, outcome)

        self.ctx.session.mutate(name, args).success(done).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.scan.refuse_error(exc)
        self.scan.focus()

    def _on_changed(self, changes: Changes) -> None:
        if self.busy or not changes.touches(*COUNT_TABLES):
            return
        if self.session is not None:
            self.open_count(self.session.view.head.id)
        elif self.mode == "start":
            self._load_start()

    # --- showing ----------------------------------------------------------------------------------
    def _say(self, outcome: Outcome) -> None:
        if outcome.ok:
            self.scan.accept(outcome.text)
        else:
            self.scan.refuse(outcome.text)
        self._refresh()
        self.scan.focus()

    def _show_mode(self, mode: str) -> None:
        self.mode = mode
        self.hint.setText(_(HINTS[mode]))
        self.stack.setCurrentWidget({"start": self.start, "counting": self.sheet, "review": self.review}[mode])
        self.buttons["start"].setVisible(mode == "start")
        self.buttons["add"].setVisible(mode == "counting")
        self.buttons["review"].setVisible(mode == "counting")
        self.buttons["post"].setVisible(mode == "review")
        self.buttons["cancel"].setVisible(mode != "start")
        self._refresh()
        self.scan.focus()

    def _refresh(self) -> None:
        session = self.session
        if self.mode == "start" or session is None:
            self.info.setText(_("Start a count, or carry on with an open one."))
            return
        view, head = session.view, session.view.head
        where = head.location or (_("class %(abc)s") % {"abc": head.abc_class} if head.abc_class else _("every bin"))
        blind = " · " + _("blind") if head.blind else ""
        text = _("Count %(label)s · %(warehouse)s · %(where)s%(blind)s · %(counted)s of %(lines)s counted") % {
            "label": head.label, "warehouse": head.warehouse, "where": where, "blind": blind,
            "counted": view.counted, "lines": len(view.lines)}
        if self.mode == "counting":
            bin_text = session.bin.code if session.bin else _("none — scan a bin")
            self.info.setText(text + "\n" + _("Bin: %(location)s") % {"location": bin_text})
            fill_sheet(self.sheet, view, session.current.line_id if session.current else None)
        else:
            large = fill_review(self.review, view)
            total = sum((v.value for v in view.variances if v.value is not None), Decimal(0))
            self.info.setText(text + "\n" + ngettext(
                "Variance value %(total)s; %(n)s large variance highlighted.",
                "Variance value %(total)s; %(n)s large variances highlighted.", large) % {
                "total": fmt.money(total), "n": large})
