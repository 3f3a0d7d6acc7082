"""The Leads page: every lead in the cache, filtered by status and text; capture, qualify,
disqualify (with a reason), reopen, and convert into a customer + contact + opportunity."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import Engine

from app.core.i18n import N_, _
from app.core.schema import app_user, metadata
from app.crm.leads import STATUSES, TRANSITIONS
from app.crm.ownership import MANAGING
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.forms import ERROR_STYLE
from app.ui.crm.import_dialog import files_button
from app.ui.crm.lead_dialogs import ConvertLeadDialog, DisqualifyDialog, NewLeadDialog
from app.ui.errors import error_text
from app.ui.models import Column, IdListTableModel, choice, configure_view
from app.ui.ops import Changes, Ops

lead = metadata.tables["lead"]
owner = app_user.alias("lead_owner")
NOTE_STYLE = "background: #e6f4ea; color: #0d5226; padding: 6px 10px; border-radius: 4px;"


class LeadsTableModel(IdListTableModel):
    """Live leads, newest first, with the owner's name; closed ones (disqualified, converted) grey."""

    def __init__(self, ops: Ops, db: Engine, parent: QObject | None = None) -> None:
        super().__init__(ops, db, lead, [
            Column("name", N_("Name"), sort_expr=lead.c.name_pinyin, width=14),
            Column("company", N_("Company"), width=22),
            Column("phone", N_("Phone"), width=14),
            Column("source", N_("Source"), width=10),
            Column("status", N_("Status"), format=choice(STATUSES), width=10),
            Column("owner", N_("Owner"), expr=owner.c.display_name, width=12),
            Column("created_at", N_("Created"), width=16),
        ], where=self.filter(), sort=(6, Qt.SortOrder.DescendingOrder), depends_on=("app_user",), parent=parent)

    def from_clause(self) -> sa.FromClause:
        return lead.outerjoin(owner, owner.c.id == lead.c.owner_id)

    @staticmethod
    def filter(status: str | None = None, text: str = "") -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = [lead.c.archived.is_(False)]
        if status:
            where.append(lead.c.status == status)
        text = text.strip().lower()
        if text:
            pattern = "%" + text.replace("%", "").replace("_", "") + "%"
            where.append(sa.or_(*(sa.func.lower(c).like(pattern) for c in (
                lead.c.name, lead.c.company, lead.c.phone, lead.c.email, lead.c.name_pinyin, lead.c.name_initials))))
        return where

    def row_role(self, row: Mapping[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row.get("status") in ("disqualified", "converted"):
            return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None


class LeadsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        #: the selected lead's full cached row (None while nothing is selected or it is loading)
        self.current: dict[str, Any] | None = None
        #: the customer the last conversion made or linked
        self.converted_party: uuid.UUID | None = None
        title = QLabel(_("Leads"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)

        self.status = QComboBox()
        self.status.addItem(_("All statuses"), None)
        for code, label in STATUSES.items():
            self.status.addItem(_(label), code)
        self.status.currentIndexChanged.connect(self._filter)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search name, company, phone, pinyin…"))
        self.search.setClearButtonEnabled(True)
        self._typing = QTimer(self, singleShot=True, interval=150)
        self._typing.timeout.connect(self._filter)
        self.search.textChanged.connect(lambda: self._typing.start())
        filters = QHBoxLayout()
        filters.addWidget(self.status)
        filters.addWidget(self.search, 1)

        self.new_button = QPushButton(_("New lead…"))
        self.new_button.clicked.connect(self.new_lead)
        self.qualify_button = QPushButton(_("Qualify"))
        self.qualify_button.clicked.connect(lambda: self._act("crm.lead.qualify"))
        self.disqualify_button = QPushButton(_("Disqualify…"))
        self.disqualify_button.clicked.connect(self.disqualify)
        self.reopen_button = QPushButton(_("Reopen"))
        self.reopen_button.clicked.connect(lambda: self._act("crm.lead.reopen"))
        self.convert_button = QPushButton(_("Convert…"))
        self.convert_button.clicked.connect(self.convert)
        tools = QHBoxLayout()
        for button in (self.new_button, self.qualify_button, self.disqualify_button, self.reopen_button,
                       self.convert_button):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(files_button(self, ctx, ((_("Import leads…"), "import", "lead"),
                                                 (_("Export leads…"), "export", "lead"))))

        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.done = QFrame()
        self.done.setStyleSheet(NOTE_STYLE)
        done_row = QHBoxLayout(self.done)
        done_row.setContentsMargins(8, 4, 8, 4)
        self.done_text = QLabel()
        self.open_customer_button = QPushButton(_("Open customer"))
        self.open_customer_button.clicked.connect(self.open_converted_customer)
        done_row.addWidget(self.done_text, 1)
        done_row.addWidget(self.open_customer_button)
        self.done.hide()
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.hide()

        self.model = LeadsTableModel(ctx.ops, ctx.session.client.db, self)
        self.view = QTableView()
        configure_view(self.view, self.model)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.selectionModel().selectionChanged.connect(self._load_current)
        self.view.doubleClicked.connect(lambda _index: self._double_clicked())
        self.model.ids_loaded.connect(self._select_first)
        ctx.ops.changed.connect(self._on_changed)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addLayout(tools)
        layout.addWidget(self.error)
        layout.addWidget(self.done)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.reason)
        self._update_actions()
        self.model.reload()

    # --- selection and state --------------------------------------------------------------------
    def select_lead(self, lead_id: uuid.UUID) -> bool:
        row = self.model.row_of(lead_id)
        if row is None:
            return False
        self.view.selectRow(row)
        return True

    def _select_first(self) -> None:
        if self.model.rowCount() and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)
        elif not self.view.selectionModel().hasSelection():
            self._load_current()

    def _selected_id(self) -> uuid.UUID | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.id_at(rows[0].row()) if rows else None

    def _load_current(self, *_args: object) -> None:
        lead_id = self._selected_id()
        self.current = None
        self._update_actions()
        if lead_id is None:
            return
        db = self.ctx.session.client.db

        def read() -> dict[str, Any] | None:
            with reading(db) as conn:
                found = conn.execute(sa.select(lead).where(lead.c.id == lead_id)).mappings().first()
            return None if found is None else dict(found)

        self.ctx.ops.read(read).success(lambda row: self._current_arrived(lead_id, row)).run()

    def _current_arrived(self, lead_id: uuid.UUID, row: dict[str, Any] | None) -> None:
        if lead_id == self._selected_id():
            self.current = row
            self._update_actions()

    def may_change(self, row: Mapping[str, Any] | None) -> bool:
        """A rep changes their own and unowned leads; managers every lead (the mutators agree)."""
        if row is None:
            return False
        me = self.ctx.session.identity
        return me.role in MANAGING or row["owner_id"] is None or row["owner_id"] == me.user_id

    def _update_actions(self) -> None:
        row = self.current
        status = str(row["status"]) if row is not None else None
        mine = self.may_change(row)
        nexts = TRANSITIONS.get(status or "", frozenset())
        self.qualify_button.setEnabled(mine and "qualified" in nexts)
        self.disqualify_button.setEnabled(mine and "disqualified" in nexts)
        self.reopen_button.setEnabled(mine and "new" in nexts)
        self.convert_button.setEnabled(mine and "converted" in nexts)
        if row is not None and not mine:
            self.reason.setText(_("This lead belongs to another sales rep: you may read it but not change it."))
        elif row is not None and status == "disqualified" and row["disqualify_reason"]:
            self.reason.setText(_("Disqualified: %(reason)s") % {"reason": row["disqualify_reason"]})
        else:
            self.reason.setText("")
        self.reason.setVisible(bool(self.reason.text()))

    def _filter(self) -> None:
        self.model.set_where(*LeadsTableModel.filter(self.status.currentData(), self.search.text()))

    def _on_changed(self, changes: Changes) -> None:
        if self.current is not None and (changes.everything or str(self.current["id"]) in changes.ids("lead")
                                         or self.current["id"].hex in changes.ids("lead")):
            self._load_current()

    def _double_clicked(self) -> None:
        if self.current is not None and self.current["converted_party_id"] is not None:
            self.ctx.act("open_customer", str(self.current["converted_party_id"]))

    # --- actions --------------------------------------------------------------------------------
    def _act(self, name: str) -> None:
        if self.current is None:
            return
        self.error.hide()
        self.ctx.session.mutate(name, {"id": str(self.current["id"])}).failure(self._refused).run()

    def _refused(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))
        self.error.show()

    def new_lead(self) -> NewLeadDialog:
        self.error.hide()
        dialog = NewLeadDialog(self.ctx, self)
        dialog.saved.connect(lambda _changes: self._reveal(dialog.lead_id))
        dialog.open()
        return dialog

    def _reveal(self, lead_id: uuid.UUID) -> None:
        """Select a lead once the list holds it (after the reload its creation caused)."""
        if not self.select_lead(lead_id):
            QTimer.singleShot(100, lambda: self.select_lead(lead_id))

    def disqualify(self) -> DisqualifyDialog | None:
        if self.current is None or not self.disqualify_button.isEnabled():
            return None
        self.error.hide()
        dialog = DisqualifyDialog(self.ctx, self.current["id"], str(self.current["name"]), self)
        dialog.open()
        return dialog

    def convert(self) -> ConvertLeadDialog | None:
        if self.current is None or not self.convert_button.isEnabled():
            return None
        self.error.hide()
        self.done.hide()
        dialog = ConvertLeadDialog(self.ctx, self.current, self)
        dialog.saved.connect(lambda _changes: self._converted(dialog))
        dialog.open()
        return dialog

    def _converted(self, dialog: ConvertLeadDialog) -> None:
        self.converted_party = dialog.customer_id
        linked = dialog.linked_customer()
        name = linked.name if linked is not None else dialog.customer_name.text().strip()
        self.done_text.setText(_("%(lead)s was converted: customer %(customer)s.")
                               % {"lead": dialog.lead["name"], "customer": name})
        self.done.show()

    def open_converted_customer(self) -> None:
        if self.converted_party is not None:
            self.ctx.act("open_customer", str(self.converted_party))
