"""The quote / sales order editor: opened for a customer (a new quote) or for an existing order.

A rep writes the quote offline as well as online: the header (contact, dates, warehouse, delivery
address, notes), the lines with what each can promise (from the cache, "as of last sync" when
offline), then Save, Send, Confirm or Cancel, each enabled by the order's state
(app.erp.sales.TRANSITIONS). Until its first sync the document shows a provisional number. An
error shows at the field or line the rep acted on, and nothing typed is lost."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.errors import DomainError
from app.core.i18n import _
from app.core.ids import new_id
from app.erp.common import document_label
from app.erp.sales import EDITABLE, TRANSITIONS
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.forms import error_label
from app.ui.erp.order_header import OrderHeader
from app.ui.erp.order_lines import QTY, LineProblem, LinesTable, ProductFinder, lines_bar
from app.ui.erp.order_reads import STATE_LABELS, EditorData, Wanted, load_editor, promise
from app.ui.errors import error_text
from app.ui.ops import Changes
from app.ui.session import SyncState


class OrderEditor(QDialog):
    """A quote or order. `saved` after each write the cache took (its Changes)."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, party_id: uuid.UUID | str | None = None,
                 order_id: uuid.UUID | str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Quotation"))
        self.setMinimumSize(980, 640)
        self.party_id = uuid.UUID(str(party_id)) if party_id else None
        self.order_id = uuid.UUID(str(order_id)) if order_id else None
        #: the id a new quote will have (kept across failed saves, so a retry is the same quote)
        self.new_id = new_id()
        self.data: EditorData | None = None
        self.dirty = False
        self.lines_dirty = False
        self.busy = False
        self._generation = 0
        self._promise_asked = 0
        self._build()
        self._promise_timer = QTimer(self, singleShot=True, interval=250)
        self._promise_timer.timeout.connect(self.ask_promise)
        ctx.ops.changed.connect(self._on_changed)
        # bound methods: Qt drops the connections when the editor is deleted
        ctx.session.state_changed.connect(self._on_sync)
        ctx.session.synced.connect(self._on_sync)
        self.reload()

    # --- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        page = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel(_("Loading…"))
        self.title.setObjectName("title")
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600; color: #111827;")
        self.state_label = QLabel()
        self.state_label.setObjectName("state")
        self.state_label.setStyleSheet("background: #e0e7ff; color: #3730a3; padding: 3px 8px; border-radius: 4px;")
        top.addWidget(self.title)
        top.addWidget(self.state_label)
        top.addStretch(1)
        page.addLayout(top)
        self.header = OrderHeader()
        self.header.edited.connect(self._header_edited)
        self.header.promise_changed.connect(lambda: self._promise_timer.start())
        page.addWidget(self.header)
        self.finder = ProductFinder(self.ctx)
        self.finder.picked.connect(self._add_product)
        page.addWidget(self.finder)
        self.lines = LinesTable()
        self.lines.edited.connect(self._lines_edited)
        self.lines.needs_promise.connect(lambda: self._promise_timer.start())
        page.addWidget(self.lines, 1)
        self.lines_error = error_label()
        self.lines_error.setObjectName("lines_error")
        page.addWidget(self.lines_error)
        bar, self.remove_line = lines_bar(self.lines)
        self.freshness = QLabel()
        self.freshness.setObjectName("freshness")
        self.freshness.setStyleSheet("color: #92400e;")
        bar.addWidget(self.freshness)
        bar.addSpacing(16)
        self.total = QLabel()
        self.total.setObjectName("total")
        self.total.setStyleSheet("font-size: 13pt; font-weight: 600;")
        bar.addWidget(self.total)
        page.addLayout(bar)
        self.problem = error_label()
        self.problem.setObjectName("problem")
        page.addWidget(self.problem)
        page.addLayout(self._buttons())

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, label, slot in (("save", _("Save"), self.save), ("send", _("Send"), lambda: self.act("send")),
                                  ("confirm", _("Confirm"), lambda: self.act("confirm")),
                                  ("cancel", _("Cancel order"), self.ask_cancel)):
            button = QPushButton(label)
            button.setObjectName(name)
            button.clicked.connect(lambda _c=False, s=slot: s())
            row.addWidget(button)
            self.buttons[name] = button
        row.addStretch(1)
        close = QPushButton(_("Close"))
        close.setObjectName("close")
        close.setAutoDefault(False)
        close.clicked.connect(self.close)
        row.addWidget(close)
        for button in self.buttons.values():
            button.setAutoDefault(False)
        return row

    # --- loading ----------------------------------------------------------------------------------
    @property
    def state(self) -> str | None:
        """The saved document's state; None until the quote is first saved."""
        return None if self.data is None or self.data.order is None else str(self.data.order["state"])

    @property
    def label(self) -> str:
        order = self.data.order if self.data is not None else None
        return document_label("SO", order["number"] if order else None, self.order_id or self.new_id)

    @property
    def loading(self) -> bool:
        """Nothing loaded yet, or a quote just created whose row is being read back."""
        return self.data is None or (self.order_id is not None and self.data.order is None)

    def reload(self) -> None:
        self._generation += 1
        generation, party_id, order_id, db = self._generation, self.party_id, self.order_id, self.ctx.session.client.db

        def read() -> EditorData | None:
            with reading(db) as conn:
                return load_editor(conn, party_id, order_id)

        self.ctx.ops.read(read).success(lambda data: self._loaded(generation, data)).failure(self._failed).run()

    def _loaded(self, generation: int, data: EditorData | None) -> None:
        if generation != self._generation:
            return
        if data is None:
            self.title.setText(_("This document no longer exists."))
            self._enable()
            return
        keep_typed = self.dirty and self.data is not None
        self.data = data
        self.party_id = data.party_id
        if not keep_typed:
            self._fill(data)
        self._show_title()
        self._enable()
        self._show_freshness()
        self.ask_promise()

    def _fill(self, data: EditorData) -> None:
        self.header.fill(data)
        if data.order is not None:
            self.lines.set_lines(data.lines)
        self.dirty = self.lines_dirty = False
        self._show_total()

    def _show_title(self) -> None:
        state = self.state or "draft"
        kind = _("Sales order") if state in ("confirmed", "done") else _("Quotation")
        self.title.setText(f"{kind} {self.label}")
        self.setWindowTitle(f"{kind} {self.label} — {self.header.customer.text()}")
        self.state_label.setText(_(STATE_LABELS[state]) if self.state else _("New"))

    def _enable(self) -> None:
        state = self.state
        editable = self.data is not None and (state is None or state in EDITABLE)
        self.header.set_editable(editable, new=state is None)
        for widget in (self.finder, self.remove_line):
            widget.setEnabled(editable)
        self.lines.set_read_only(not editable)
        idle = not self.busy and not self.loading
        current = state or "draft"
        self.buttons["save"].setEnabled(idle and editable)
        for action in ("send", "confirm"):
            self.buttons[action].setEnabled(idle and (current, action) in TRANSITIONS)
        self.buttons["cancel"].setEnabled(idle and state is not None and (state, "cancel") in TRANSITIONS)

    def _on_sync(self, _what: object) -> None:
        self._show_freshness()

    def _show_freshness(self) -> None:
        if self.ctx.session.state == SyncState.ONLINE:
            self.freshness.clear()
            return
        last = self.ctx.session.last_synced
        self.freshness.setText(_("Availability as of last sync %(when)s") % {
            "when": fmt.datetime(last, style="short")} if last else _("Availability: not synced yet"))

    def _show_total(self) -> None:
        self.total.setText(_("Total %(amount)s") % {"amount": fmt.money(self.lines.total())})

    # --- editing ----------------------------------------------------------------------------------
    def _header_edited(self, *_args: object) -> None:
        self.dirty = True

    def _lines_edited(self) -> None:
        self.dirty = self.lines_dirty = True
        self.lines_error.hide()
        self._show_total()

    def _add_product(self, info: Any) -> None:
        row = self.lines.add_product(info)
        self.lines.setFocus()
        self.lines.setCurrentCell(row, QTY)

    def ask_promise(self) -> None:
        """Read what each line can promise by its date (requested date, else today)."""
        if not self.lines.drafts:
            return
        self._promise_asked += 1
        number = self._promise_asked
        by = self.header.requested() or dt.date.today()
        wanted = [Wanted(str(d.id), d.product.id, by) for d in self.lines.drafts]
        warehouse_id = self.header.warehouse_id()
        db = self.ctx.session.client.db

        def read() -> dict[str, Any]:
            with reading(db) as conn:
                return promise(conn, wanted, warehouse_id)

        self.ctx.ops.read(read).success(
            lambda found: self.lines.set_availability(found) if number == self._promise_asked else None).run()

    @property
    def promised(self) -> bool:
        """Every stocked line shows its availability (tests, and the rep's eye)."""
        return all(d.available is not None or d.product.kind == "service" for d in self.lines.drafts)

    # --- writing ----------------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for label in (*self.header.errors.values(), self.lines_error, self.problem):
            label.clear()
            label.hide()

    def show_error(self, field: str | None, text: str) -> None:
        name = (field or "").split(".")[0]
        label = self.header.errors.get(name) or (self.lines_error if name in ("lines", "uom", "qty") else self.problem)
        label.setText(text)
        label.show()

    def mutation(self) -> tuple[str, dict[str, Any]] | None:
        """The save to run, or None when a field or line is wrong (shown where it is)."""
        try:
            lines = self.lines.args()
        except LineProblem as problem:
            self.lines.mark(problem.row, problem.column, True)
            self.lines.setCurrentCell(problem.row, problem.column)
            self.show_error("lines", _("Line %(number)s: %(problem)s") % {"number": problem.row + 1,
                                                                         "problem": problem.message})
            return None
        if not lines:
            self.show_error("lines", _("Add at least one line."))
            return None
        assert self.data is not None
        order = self.data.order
        if order is None:
            return "erp.order.create", {"id": str(self.new_id), "party_id": str(self.data.party_id),
                                        **self.header.create_values(), **self.header.values(), "lines": lines}
        args: dict[str, Any] = {"id": str(order["id"]), **self.header.patches(order)}
        if self.lines_dirty:
            args["lines"] = lines
        return "erp.order.update", args

    def save(self, then: Callable[[], None] | None = None) -> None:
        """Save what is typed (a new quote, or the changes to this one); `then` runs once the cache
        took it."""
        if self.busy or self.loading:
            return
        self.clear_errors()
        wanted = self.mutation()
        if wanted is None:
            return
        name, args = wanted
        self._run(name, args, then)

    def act(self, action: str) -> None:
        """Send or confirm (saving what is typed first)."""
        if self.dirty or self.order_id is None:
            self.save(then=lambda: self.act(action))
            return
        self.clear_errors()
        self._run(f"erp.order.{action}", {"id": str(self.order_id)}, None)

    def ask_cancel(self) -> QDialog | None:
        if self.state is None or (self.state, "cancel") not in TRANSITIONS:
            return None
        dialog = CancelOrderDialog(self)
        dialog.accepted.connect(lambda: self.cancel_order(dialog.reason.text()))
        dialog.open()
        return dialog

    def cancel_order(self, reason: str) -> None:
        self.clear_errors()
        self._run("erp.order.cancel", {"id": str(self.order_id), "reason": reason}, None)

    def _run(self, name: str, args: dict[str, Any], then: Callable[[], None] | None) -> None:
        self.busy = True
        self._enable()
        (self.ctx.session.mutate(name, args).success(lambda changes: self._saved(name, changes, then))
         .failure(self._refused).run())

    def _saved(self, name: str, changes: Changes, then: Callable[[], None] | None) -> None:
        self.busy = False
        if name == "erp.order.create":
            self.order_id = self.new_id
        self.dirty = self.lines_dirty = False
        self.saved.emit(changes)
        self.reload()
        if then is not None:
            then()

    def _refused(self, exc: BaseException) -> None:
        self.busy = False
        self._enable()
        if isinstance(exc, ValidationError) and exc.errors():
            loc = exc.errors()[0]["loc"]
            if len(loc) >= 3 and loc[0] == "lines" and isinstance(loc[1], int):
                self.show_error("lines", _("Line %(number)s: %(problem)s") % {
                    "number": loc[1] + 1, "problem": _("This value is not valid.")})
            else:
                self.show_error(str(loc[0]) if loc else None, _("This value is not valid."))
            return
        self.show_error(exc.field if isinstance(exc, DomainError) else None, error_text(exc))

    def _failed(self, exc: BaseException) -> None:
        self.show_error(None, error_text(exc))

    def _on_changed(self, changes: Changes) -> None:
        mine = self.order_id
        if self.busy or mine is None:
            return
        if changes.everything or str(mine) in changes.ids("sales_order") or changes.touches("stock_level"):
            self.reload()


    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter ends a scan or a cell, never presses a button; Esc never drops unsaved typing
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) or (
                event.key() == Qt.Key.Key_Escape and self.dirty):
            event.accept()
            return
        super().keyPressEvent(event)


class CancelOrderDialog(QDialog):
    """Why the quote or order is cancelled (the reason is required)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Cancel order"))
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(_("Why is it cancelled?"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Cancel order"))
        self.ok_button.setEnabled(False)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Keep it"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        box = QVBoxLayout(self)
        box.addWidget(QLabel(_("Reason")))
        box.addWidget(self.reason)
        box.addWidget(buttons)
