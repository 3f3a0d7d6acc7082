"""The Customers page: every customer in the cache (100k and more), filtered as the user types
(debounced, in SQL over name, pinyin, initials, code and phone), by a saved filter, sorted by the
clicked column; Enter or a double-click opens the 360° view; New / Edit open the customer form;
Merge… joins two selected customers (or one and a duplicate searched for) into one."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import _, ngettext
from app.core.ids import new_id
from app.crm.customer_list import BUILTIN_FILTERS, CustomerFilter, SavedFilter, saved_filters
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.customer_form import CustomerFormDialog
from app.ui.crm.customer_model import CustomersTableModel
from app.ui.crm.import_dialog import files_button
from app.ui.crm.merge_dialog import MergeDialog
from app.ui.errors import error_text
from app.ui.models import configure_view
from app.ui.ops import Changes
from app.ui.pages.user_dialogs import ERROR_STYLE

#: milliseconds of quiet typing before the list is filtered
DEBOUNCE_MS = 200
ALL = "all"
SAVE_CURRENT = "save"


class CustomersPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.filters: list[SavedFilter] = []
        self._chosen_id: str = ALL
        self._select_when_listed: str | None = None
        title = QLabel(_("Customers"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search by name, pinyin, code or phone"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._typed)
        self.filter_picker = QComboBox()
        self.filter_picker.setMinimumContentsLength(18)
        self.filter_picker.activated.connect(self._picked)
        self.count = QLabel()
        self.new_button = QPushButton(_("New customer…"))
        self.new_button.clicked.connect(self.new_customer)
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.clicked.connect(self.edit_customer)
        self.merge_button = QPushButton(_("Merge…"))
        self.merge_button.setObjectName("merge")
        self.merge_button.setToolTip(_("Select the two records of one customer (Ctrl+click), or one and find "
                                       "the other"))
        self.merge_button.clicked.connect(self.merge_customers)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        tools = QHBoxLayout()
        tools.addWidget(self.search, 2)
        tools.addWidget(self.filter_picker, 1)
        tools.addWidget(self.count)
        tools.addStretch(1)
        tools.addWidget(self.new_button)
        tools.addWidget(self.edit_button)
        tools.addWidget(self.merge_button)
        tools.addWidget(files_button(self, ctx, (
            (_("Import customers…"), "import", "customer"), (_("Import contacts…"), "import", "contact"),
            (_("Export customers…"), "export", "customer"), (_("Export contacts…"), "export", "contact"))))

        session = ctx.session
        self.model = CustomersTableModel(ctx.ops, session.client.db, session.identity.user_id,
                                         session.client.clock, self)
        self.view = QTableView()
        configure_view(self.view, self.model)
        self.view.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.view.doubleClicked.connect(lambda _index: self.open_selected())
        self.view.installEventFilter(self)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.ids_loaded.connect(self._ids_loaded)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.apply_filter)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(tools)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)
        ctx.ops.changed.connect(self._on_changed)
        self._update_actions()
        self._filters_arrived(list(BUILTIN_FILTERS))  # the user's own follow from the cache
        self.load_filters()
        self.apply_filter()

    # --- filters --------------------------------------------------------------------------------
    def load_filters(self) -> None:
        db, user_id = self.ctx.session.client.db, self.ctx.session.identity.user_id

        def read() -> list[SavedFilter]:
            with reading(db) as conn:
                return saved_filters(conn, user_id)

        self.ctx.ops.read(read).success(self._filters_arrived).run()

    def _filters_arrived(self, filters: list[SavedFilter]) -> None:
        current = self.filter_picker.currentData()
        self.filters = filters
        self.filter_picker.clear()
        self.filter_picker.addItem(_("All customers"), ALL)
        for f in filters:
            self.filter_picker.addItem(_(f.name) if f.builtin else f.name, str(f.id))
        self.filter_picker.insertSeparator(self.filter_picker.count())
        self.filter_picker.addItem(_("Save current filter…"), SAVE_CURRENT)
        self.filter_picker.setCurrentIndex(max(self.filter_picker.findData(current or self._chosen_id), 0))

    def choose_filter(self, filter_id: str) -> None:
        """Show the saved (or built-in) filter `filter_id` ("all": no filter)."""
        index = self.filter_picker.findData(filter_id)
        if index >= 0:
            self.filter_picker.setCurrentIndex(index)
            self._picked(index)

    def _picked(self, index: int) -> None:
        if self.filter_picker.itemData(index) == SAVE_CURRENT:
            self.filter_picker.setCurrentIndex(max(self.filter_picker.findData(self._chosen_id), 0))
            self.save_current_filter()
            return
        self._chosen_id = self.filter_picker.itemData(index)
        self.apply_filter()

    def current_filter(self) -> CustomerFilter:
        """The picked filter narrowed by the search box."""
        chosen = next((f.filter for f in self.filters if str(f.id) == self._chosen_id), CustomerFilter())
        return chosen.model_copy(update={"text": self.search.text().strip()})

    def _typed(self, _text: str) -> None:
        self.debounce.start()

    def apply_filter(self) -> None:
        self.debounce.stop()
        self.model.set_filter(self.current_filter())

    def save_current_filter(self, name: str | None = None) -> None:
        """Keep what the list shows now under a name of the user's (asked when not given)."""
        if name is None:
            name, ok = QInputDialog.getText(self, _("Save current filter"), _("Name of the filter:"))
            if not ok:
                return
        name = name.strip()
        if not name:
            return
        definition = self.model.current_filter().model_dump(mode="json", exclude_defaults=True)
        filter_id = str(new_id())
        self._chosen_id = filter_id
        args = {"id": filter_id, "name": name, "definition": definition}
        self.ctx.session.mutate("crm.saved_filter.create", args).success(
            lambda _c: self.load_filters()).failure(self._failed).run()

    # --- list -----------------------------------------------------------------------------------
    def _ids_loaded(self) -> None:
        n = self.model.rowCount()
        self.count.setText(ngettext("%(n)s customer", "%(n)s customers", n) % {"n": fmt.number(n)})
        wanted = None if self._select_when_listed is None else self.model.row_of(self._select_when_listed)
        if wanted is not None:
            self._select_when_listed = None
            self.view.selectRow(wanted)
        elif n and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)
        self._update_actions()

    def selected_id(self) -> uuid.UUID | None:
        """The selected customer (the current one of several selected)."""
        ids = self.selected_ids()
        current = self.view.currentIndex()
        at = self.model.id_at(current.row()) if current.isValid() else None
        return at if at in ids else (ids[0] if ids else None)

    def selected_ids(self) -> list[uuid.UUID]:
        """Every selected customer, in list order."""
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [self.model.id_at(r) for r in rows]

    def _update_actions(self, *_args: object) -> None:
        self.edit_button.setEnabled(self.selected_id() is not None)
        self.merge_button.setEnabled(len(self.selected_ids()) in (1, 2))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_selected()
                return True
        return super().eventFilter(watched, event)

    def open_selected(self) -> None:
        """The 360° view of the selected customer."""
        party_id = self.selected_id()
        if party_id is not None:
            self.ctx.act("open_customer", str(party_id))

    def _on_changed(self, changes: Changes) -> None:
        if changes.touches("saved_filter"):
            self.load_filters()

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))
        self.error.show()

    # --- form -----------------------------------------------------------------------------------
    def new_customer(self) -> CustomerFormDialog:
        dialog = CustomerFormDialog(self.ctx, None, self)
        dialog.saved.connect(self._saved)
        dialog.open()
        return dialog

    def edit_customer(self) -> CustomerFormDialog | None:
        party_id = self.selected_id()
        if party_id is None:
            return None
        dialog = CustomerFormDialog(self.ctx, party_id, self)
        dialog.saved.connect(self._saved)
        dialog.open()
        return dialog

    def merge_customers(self) -> MergeDialog | None:
        """Merge the two selected customers (the one with more history stays, unless the user
        swaps), or the selected one and a duplicate the dialog searches for."""
        ids = self.selected_ids()
        if len(ids) not in (1, 2):
            return None
        dialog = MergeDialog(self.ctx, ids[0], ids[1] if len(ids) == 2 else None, self, suggest=len(ids) == 2)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.merged.connect(self._saved)
        dialog.open()
        return dialog

    def _saved(self, party_id: str) -> None:
        """Select the customer just saved once the list holds it."""
        self.error.hide()
        row = self.model.row_of(party_id)
        if row is not None:
            self.view.selectRow(row)
        else:
            self._select_when_listed = party_id
