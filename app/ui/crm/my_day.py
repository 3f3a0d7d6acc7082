"""My day: the rep's overdue, today's and upcoming tasks and planned visits, with the actions a
busy day needs (complete a task, move it to another time, open the customer)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QDateTime, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import fmt
from app.core.i18n import N_, _
from app.crm.activities import KINDS
from app.crm.agenda import AgendaItem, MyDay, my_day
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.forms import ERROR_STYLE, MutationForm
from app.ui.errors import error_text
from app.ui.ops import Changes

Clock = Callable[[], dt.datetime]
HEADERS = (N_("When"), N_("Kind"), N_("Subject"), N_("Customer"))
#: section key → (title, what an empty section says); all marked for translation
SECTIONS = {
    "overdue": (N_("Overdue"), N_("Nothing overdue.")),
    "today": (N_("Today"), N_("Nothing planned for today.")),
    "upcoming": (N_("Upcoming"), N_("Nothing planned for the next days.")),
}
Index = QModelIndex | QPersistentModelIndex


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AgendaTableModel(QAbstractTableModel):
    """One section of the day: a short list of agenda items (never big: a week of one rep's work)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[AgendaItem] = []

    def set_items(self, items: list[AgendaItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(HEADERS):
            return _(HEADERS[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return fmt.datetime(item.at, style="short")
            if index.column() == 1:
                return _(KINDS[item.kind]) if item.kind in KINDS else item.kind
            if index.column() == 2:
                return item.subject + (f" · {item.place}" if item.place else "")
            return item.customer
        if role == Qt.ItemDataRole.UserRole:
            return item
        return None


class RescheduleDialog(MutationForm):
    """Move a task to another time; its reminder moves with it, as far ahead as it was."""

    def __init__(self, ctx: AppContext, item: AgendaItem, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Reschedule task"), parent)
        self.item = item
        self.form.addRow(_("Task"), QLabel(f"{item.subject} — {item.customer}"))
        self.when = QDateTimeEdit(QDateTime.fromSecsSinceEpoch(int(item.at.timestamp())))
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.add_field("due_at", _("New time"), self.when)

    def new_time(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.when.dateTime().toSecsSinceEpoch(), dt.UTC)

    def mutation(self) -> tuple[str, Mapping[str, Any]] | None:
        new = self.new_time()
        if new == self.item.at:
            self.show_error("due_at", _("Choose a different time."))
            return None
        args: dict[str, Any] = {"id": str(self.item.id),
                                "due_at": {"base": self.item.at.isoformat(), "new": new.isoformat()}}
        if self.item.remind_at is not None:
            moved = self.item.remind_at + (new - self.item.at)
            args["remind_at"] = {"base": self.item.remind_at.isoformat(), "new": moved.isoformat()}
        return "crm.task.reschedule", args


class MyDayPage(QWidget):
    def __init__(self, ctx: AppContext, clock: Clock | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.clock = clock or utc_now
        self.day: MyDay | None = None
        self.models: dict[str, AgendaTableModel] = {}
        self.views: dict[str, QTableView] = {}
        self.empty: dict[str, QLabel] = {}
        self.dialog: RescheduleDialog | None = None

        title = QLabel(_("My day"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.complete_button = QPushButton(_("Complete"))
        self.reschedule_button = QPushButton(_("Reschedule…"))
        self.open_button = QPushButton(_("Open customer"))
        self.complete_button.clicked.connect(self.complete_selected)
        self.reschedule_button.clicked.connect(self.reschedule_selected)
        self.open_button.clicked.connect(self.open_selected)
        actions = QHBoxLayout()
        actions.addWidget(title)
        actions.addStretch(1)
        for button in (self.complete_button, self.reschedule_button, self.open_button):
            actions.addWidget(button)
        self.problem = QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.problem.hide()

        body = QWidget()
        sections = QVBoxLayout(body)
        for key, (heading, empty_text) in SECTIONS.items():
            label = QLabel(_(heading))
            label.setObjectName(f"{key}_title")
            label.setStyleSheet("font-weight: 600; font-size: 12pt; margin-top: 8px;"
                                + (" color: #b3261e;" if key == "overdue" else ""))
            model = AgendaTableModel(self)
            view = QTableView()
            view.setObjectName(key)
            view.setModel(model)
            view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
            view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
            view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
            view.verticalHeader().hide()
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            view.horizontalHeader().setStretchLastSection(True)
            view.setAlternatingRowColors(True)
            view.doubleClicked.connect(lambda _index, k=key: self._open(k))
            view.selectionModel().selectionChanged.connect(lambda *_a, k=key: self._selected_in(k))
            empty = QLabel(_(empty_text))
            empty.setStyleSheet("color: #6b7280; padding: 4px 8px;")
            self.models[key], self.views[key], self.empty[key] = model, view, empty
            sections.addWidget(label)
            sections.addWidget(empty)
            sections.addWidget(view)
        sections.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.problem)
        layout.addWidget(scroll)

        self._reload = QTimer(self, singleShot=True, interval=200)
        self._reload.timeout.connect(self.load)
        ctx.ops.changed.connect(self._on_changed)
        self._update_actions()
        self.load()

    # --- loading ----------------------------------------------------------------------------------
    def _on_changed(self, changes: Changes) -> None:
        if changes.touches("activity", "party"):
            self._reload.start()

    def load(self) -> None:
        db, user_id, now = self.ctx.session.client.db, self.ctx.session.identity.user_id, self.clock()
        tz = ZoneInfo(fmt.DISPLAY_TZ)

        def read() -> MyDay:
            with reading(db) as conn:
                return my_day(conn, user_id, now, tz=tz)

        self.ctx.ops.read(read).success(self._show).run()

    def _show(self, day: MyDay) -> None:
        self.day = day
        for key, model in self.models.items():
            items = getattr(day, key)
            model.set_items(items)
            view = self.views[key]
            view.setVisible(bool(items))
            self.empty[key].setVisible(not items)
            view.resizeColumnsToContents()
            rows = view.verticalHeader().defaultSectionSize() * len(items)
            view.setFixedHeight(min(rows, 10 * view.verticalHeader().defaultSectionSize())
                                + view.horizontalHeader().sizeHint().height() + 4)
        self._update_actions()

    # --- selection and actions -------------------------------------------------------------------
    def _selected_in(self, key: str) -> None:
        if self.views[key].selectionModel().hasSelection():
            for other, view in self.views.items():
                if other != key:
                    view.clearSelection()
        self._update_actions()

    def selected(self) -> AgendaItem | None:
        for key, view in self.views.items():
            rows = view.selectionModel().selectedRows()
            if rows:
                return self.models[key].items[rows[0].row()]
        return None

    def select(self, item_id: uuid.UUID) -> bool:
        """Select the row of this item (tests and keyboard users arriving from a reminder)."""
        for key, model in self.models.items():
            for row, item in enumerate(model.items):
                if item.id == item_id:
                    self.views[key].selectRow(row)
                    return True
        return False

    def _update_actions(self) -> None:
        item = self.selected()
        is_task = item is not None and item.kind == "task"
        self.complete_button.setEnabled(is_task)
        self.reschedule_button.setEnabled(is_task)
        self.open_button.setEnabled(item is not None)

    def _open(self, key: str) -> None:
        rows = self.views[key].selectionModel().selectedRows()
        if rows:
            self.ctx.act("open_customer", str(self.models[key].items[rows[0].row()].party_id))

    def open_selected(self) -> None:
        item = self.selected()
        if item is not None:
            self.ctx.act("open_customer", str(item.party_id))

    def complete_selected(self) -> None:
        item = self.selected()
        if item is None or item.kind != "task":
            return
        self.problem.hide()
        self.complete_button.setEnabled(False)
        self.ctx.session.mutate("crm.task.complete", {"id": str(item.id)}).success(
            lambda _c: self.load()).failure(self._refused).run()

    def reschedule_selected(self) -> RescheduleDialog | None:
        item = self.selected()
        if item is None or item.kind != "task":
            return None
        self.problem.hide()
        self.dialog = RescheduleDialog(self.ctx, item, self)
        self.dialog.saved.connect(lambda _c: self.load())
        self.dialog.open()
        return self.dialog

    def _refused(self, exc: BaseException) -> None:
        self.problem.setText(error_text(exc))
        self.problem.show()
        self._update_actions()
