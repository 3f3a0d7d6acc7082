"""The conflict inbox (DESIGN §4): what the server did not take as the user sent it.

Conflicts: a guarded field someone else changed meanwhile; the user sees mine and theirs side by
side and keeps theirs, re-applies mine, or types a value of their own. Rejected: a change the
server refused, with its reason; the user reads it and dismisses it. Nothing here is silent.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import _
from app.ui.context import AppContext
from app.ui.errors import error_text
from app.ui.inbox_items import CHOICES, ConflictItem, RejectedItem, decimal_places, edit_text, load_inbox
from app.ui.ops import Changes
from app.ui.session import Counts

ERROR_STYLE = "color: #b3261e;"


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], keep: int) -> None:
    """Show `rows`, selecting row `keep` (clamped) so an action always has a target."""
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
    if rows:
        table.selectRow(min(max(keep, 0), len(rows) - 1))


class InboxDialog(QDialog):
    #: the lists were read again and shown
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.conflicts: list[ConflictItem] = []
        self.rejected: list[RejectedItem] = []
        self._load_number = 0
        self._busy = False
        self._shown_once = False
        self.setWindowTitle(_("Conflicts and rejected changes"))
        self.resize(860, 460)

        self.empty = QLabel(_("Nothing to settle: every change reached the server."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._conflicts_tab(), "")
        self.tabs.addTab(self._rejected_tab(), "")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.tabs)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.error)
        layout.addWidget(close)
        ctx.session.counts_changed.connect(self._on_counts)
        self._show_lists()
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        if self._shown_once:
            self.reload()  # shown again: what changed while it was hidden
        self._shown_once = True
        super().showEvent(event)

    # --- building -------------------------------------------------------------------------------
    def _conflicts_tab(self) -> QWidget:
        tab = QWidget()
        intro = QLabel(_("Someone else changed these fields while your change was on its way. "
                         "Choose which value stands."))
        intro.setWordWrap(True)
        self.conflict_table = _table([_("Record"), _("Field"), _("Mine"), _("Theirs (on the server)")])
        self.conflict_table.itemSelectionChanged.connect(self._update_actions)
        self.conflict_detail = QLabel()
        self.conflict_detail.setWordWrap(True)
        self.keep_theirs_button = QPushButton(_("Keep theirs"))
        self.keep_theirs_button.clicked.connect(self.keep_theirs)
        self.reapply_button = QPushButton(_("Re-apply mine"))
        self.reapply_button.clicked.connect(self.reapply_mine)
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.clicked.connect(self.edit_selected)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.keep_theirs_button, self.reapply_button, self.edit_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(tab)
        layout.addWidget(intro)
        layout.addWidget(self.conflict_table, 1)
        layout.addWidget(self.conflict_detail)
        layout.addLayout(buttons)
        return tab

    def _rejected_tab(self) -> QWidget:
        tab = QWidget()
        intro = QLabel(_("The server refused these changes, so they are not saved there. "
                         "Read why, then dismiss them."))
        intro.setWordWrap(True)
        self.rejected_table = _table([_("Change"), _("Record"), _("Reason"), _("When")])
        self.rejected_table.itemSelectionChanged.connect(self._update_actions)
        self.rejected_note = QLabel()
        self.dismiss_button = QPushButton(_("Dismiss"))
        self.dismiss_button.clicked.connect(self.dismiss)
        buttons = QHBoxLayout()
        buttons.addWidget(self.rejected_note, 1)
        buttons.addWidget(self.dismiss_button)
        layout = QVBoxLayout(tab)
        layout.addWidget(intro)
        layout.addWidget(self.rejected_table, 1)
        layout.addLayout(buttons)
        return tab

    # --- loading --------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read both lists again (on a worker) and show them."""
        self._load_number += 1
        number, client = self._load_number, self.ctx.session.client
        self.ctx.ops.read(lambda: load_inbox(client)).success(lambda found: self._loaded(number, *found)).failure(
            self._failed).run()

    def _loaded(self, number: int, conflicts: list[ConflictItem], rejected: list[RejectedItem]) -> None:
        if number != self._load_number:
            return  # a newer read is on its way
        self.conflicts, self.rejected = conflicts, rejected
        self._show_lists()
        self.loaded.emit()

    def _show_lists(self) -> None:
        keep_c, keep_r = self.conflict_table.currentRow(), self.rejected_table.currentRow()
        _fill(self.conflict_table, [[c.record, c.field_label, c.mine, c.theirs] for c in self.conflicts], keep_c)
        _fill(self.rejected_table, [[r.action, r.record, r.reason, r.when] for r in self.rejected], keep_r)
        for table in (self.conflict_table, self.rejected_table):
            table.resizeColumnsToContents()
        self.tabs.setTabText(0, _("Conflicts (%(count)s)") % {"count": len(self.conflicts)})
        self.tabs.setTabText(1, _("Rejected (%(count)s)") % {"count": len(self.rejected)})
        self.rejected_note.setText("" if self.rejected else _("No rejected changes."))
        if not self.conflicts and self.rejected and self.tabs.currentIndex() == 0:
            self.tabs.setCurrentIndex(1)
        elif self.conflicts and not self.rejected:
            self.tabs.setCurrentIndex(0)
        self.pages.setCurrentWidget(self.tabs if self.conflicts or self.rejected else self.empty)
        self._update_actions()

    def _on_counts(self, counts: Counts) -> None:
        if not self.isVisible():
            return  # a closed inbox reads again when it is shown
        if (counts.conflicts, counts.rejected) != (len(self.conflicts), len(self.rejected)):
            self.reload()  # a sync brought new ones (or another window settled some)

    # --- selection ------------------------------------------------------------------------------
    def selected_conflict(self) -> ConflictItem | None:
        row = self.conflict_table.currentRow()
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def selected_rejected(self) -> RejectedItem | None:
        row = self.rejected_table.currentRow()
        return self.rejected[row] if 0 <= row < len(self.rejected) else None

    def _update_actions(self) -> None:
        conflict = self.selected_conflict()
        free = not self._busy
        self.keep_theirs_button.setEnabled(free and conflict is not None)
        self.reapply_button.setEnabled(free and conflict is not None and conflict.reapplicable)
        self.edit_button.setEnabled(free and conflict is not None and conflict.editor != "none")
        self.dismiss_button.setEnabled(free and self.selected_rejected() is not None)
        self.conflict_detail.setText(conflict.summary if conflict else _("No conflicts."))

    # --- actions --------------------------------------------------------------------------------
    def keep_theirs(self) -> None:
        self._settle("theirs")

    def reapply_mine(self) -> None:
        self._settle("mine")

    def edit_selected(self) -> ConflictEditDialog | None:
        """Open the editor, prefilled with mine; saving queues a change from theirs to it."""
        item = self.selected_conflict()
        if item is None or item.editor == "none":
            return None
        editor = ConflictEditDialog(item, self)
        editor.edited.connect(lambda value: self._settle("mine", (value,)))
        editor.open()
        return editor

    def dismiss(self) -> None:
        item = self.selected_rejected()
        if item is None:
            return
        client = self.ctx.session.client

        def work() -> Changes:
            client.dismiss_rejected(item.id)
            return Changes()

        self._run(work)

    def _settle(self, choice: str, edited: tuple[Any, ...] = ()) -> None:
        item = self.selected_conflict()
        if item is None:
            return
        client = self.ctx.session.client

        def work() -> Changes:
            if edited:
                client.resolve_conflict(item.id, "mine", value=edited[0])
            else:
                client.resolve_conflict(item.id, "mine" if choice == "mine" else "theirs")
            return Changes().add(item.table, item.row_id)  # "mine" changed the record here at once

        self._run(work)

    def _run(self, work: Callable[[], Changes]) -> None:
        self._busy = True
        self.error.hide()
        self._update_actions()
        self.ctx.ops.write(work).success(self._done).failure(self._failed).run()

    def _done(self, _changes: Changes) -> None:
        self._busy = False
        self.ctx.session.refresh_counts()
        self.ctx.session.sync_now()
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.error.setText(error_text(exc))
        self.error.show()
        self.reload()


class ConflictEditDialog(QDialog):
    """A value of the user's own for one conflicting field, starting from mine."""

    #: the parsed value the user saved (Decimal, a choice's code, text, or None for empty)
    edited = Signal(object)

    def __init__(self, item: ConflictItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setWindowTitle(_("Edit %(field)s") % {"field": item.field_label})
        title = QLabel(f"<b>{item.kind} {item.record}</b>")
        title.setTextFormat(Qt.TextFormat.RichText)
        self.input: QLineEdit | QComboBox
        if item.editor == "choice":
            combo = QComboBox()
            for code, label in CHOICES[item.field].items():
                combo.addItem(_(label), code)
            combo.setCurrentIndex(max(combo.findData(item.mine_value), 0))
            self.input = combo
        else:
            self.input = QLineEdit(edit_text(item))
            self.input.selectAll()
        self.problem = QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.hide()
        form = QFormLayout()
        form.addRow(_("Theirs (on the server):"), QLabel(item.theirs))
        form.addRow(_("Mine:"), QLabel(item.mine))
        form.addRow(item.field_label + ":", self.input)
        form.addRow("", self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def value(self) -> Any:
        """The typed value, parsed; ValueError with a sentence for the user when it is not one."""
        if isinstance(self.input, QComboBox):
            return self.input.currentData()
        text = self.input.text().strip()
        if not text:
            return None
        if self.item.editor != "number":
            return text
        try:
            number = fmt.parse_number(text)
        except ValueError:
            example = fmt.number(Decimal("1234.5"), 2)
            raise ValueError(_("Enter a number, such as %(example)s.") % {"example": example}) from None
        if number < 0:
            raise ValueError(_("Enter zero or more."))
        places = decimal_places(self.item.table, self.item.field)
        if number != number.quantize(Decimal(1).scaleb(-places)):
            raise ValueError(_("Use at most %(places)s decimals.") % {"places": places})
        return number

    def accept(self) -> None:
        try:
            value = self.value()
        except ValueError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        self.edited.emit(value)
        super().accept()
