"""Service cases: the list (open / mine / all, by priority) and the work on a case, offering only
the moves its status allows (app.crm.cases.TRANSITIONS) and only to who may work on it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMenu, QPushButton, QTableView, QVBoxLayout, QWidget
from sqlalchemy.engine import Engine

from app.core.i18n import N_, _
from app.core.schema import metadata
from app.crm.cases import OPEN_STATUSES, PRIORITIES, STATUSES, TRANSITIONS
from app.crm.ownership import may_edit_party
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.case_dialogs import AssignCaseDialog, NewCaseDialog, ResolveCaseDialog
from app.ui.crm.forms import ERROR_STYLE, MutationForm
from app.ui.errors import error_text
from app.ui.models import Column, IdListTableModel, choice, configure_view
from app.ui.ops import Changes, Ops

service_case = metadata.tables["service_case"]
party = metadata.tables["party"]
app_user = metadata.tables["app_user"]
SCOPES = {"open": N_("Open cases"), "mine": N_("Assigned to me"), "all": N_("All cases")}
#: the statuses "Set status" offers (resolve, close and reopen have their own buttons)
WORK_STATUSES = {s: STATUSES[s] for s in OPEN_STATUSES}
_RANK = sa.case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=service_case.c.priority, else_=4)


class CasesTableModel(IdListTableModel):
    def __init__(self, ops: Ops, db: Engine, parent: QObject | None = None) -> None:
        super().__init__(ops, db, service_case, [
            Column("subject", N_("Subject"), width=28),
            Column("customer", N_("Customer"), expr=party.c.name, sort_expr=party.c.name_pinyin, width=22),
            Column("priority", N_("Priority"), format=choice(PRIORITIES), sort_expr=_RANK, width=8),
            Column("status", N_("Status"), format=choice(STATUSES), width=10),
            Column("assignee", N_("Assignee"), expr=app_user.c.display_name, width=14),
            Column("opened_at", N_("Opened"), width=16),
        ], where=[service_case.c.archived.is_(False), service_case.c.status.in_(OPEN_STATUSES)],
            sort=(5, Qt.SortOrder.DescendingOrder),
            depends_on=("party", "app_user"), parent=parent)

    def from_clause(self) -> sa.FromClause:
        return service_case.join(party, party.c.id == service_case.c.party_id).outerjoin(
            app_user, app_user.c.id == service_case.c.assignee_id)


@dataclass(frozen=True)
class CaseState:
    """The selected case as the actions need it."""

    id: uuid.UUID
    status: str
    assignee_id: uuid.UUID | None
    may_work: bool


class CasesPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.case: CaseState | None = None
        self.dialog: MutationForm | None = None
        title = QLabel(_("Service cases"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.scope = QComboBox()
        for code, label in SCOPES.items():
            self.scope.addItem(_(label), code)
        self.priority = QComboBox()
        self.priority.addItem(_("Any priority"), None)
        for code, label in PRIORITIES.items():
            self.priority.addItem(_(label), code)
        self.scope.currentIndexChanged.connect(self.apply_filters)
        self.priority.currentIndexChanged.connect(self.apply_filters)
        self.new_button = QPushButton(_("New case…"))
        self.new_button.clicked.connect(self.new_case)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.scope)
        top.addWidget(self.priority)
        top.addWidget(self.new_button)

        self.assign_button = QPushButton(_("Assign…"))
        self.status_button = QPushButton(_("Set status"))
        self.status_menu = QMenu(self.status_button)
        self.status_button.setMenu(self.status_menu)
        self.resolve_button = QPushButton(_("Resolve…"))
        self.close_button = QPushButton(_("Close case"))
        self.reopen_button = QPushButton(_("Reopen"))
        self.open_customer_button = QPushButton(_("Open customer"))
        self.assign_button.clicked.connect(self.assign)
        self.resolve_button.clicked.connect(self.resolve)
        self.close_button.clicked.connect(lambda: self.run("crm.case.close"))
        self.reopen_button.clicked.connect(lambda: self.run("crm.case.reopen"))
        self.open_customer_button.clicked.connect(self.open_customer)
        actions = QHBoxLayout()
        for button in (self.assign_button, self.status_button, self.resolve_button, self.close_button,
                       self.reopen_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.open_customer_button)
        self.note = QLabel()
        self.note.setStyleSheet("color: #6b7280;")
        self.problem = QLabel()
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.problem.hide()

        self.model = CasesTableModel(ctx.ops, ctx.session.client.db, self)
        self.view = QTableView()
        configure_view(self.view, self.model)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        self.model.ids_loaded.connect(self._selection_changed)
        self.view.doubleClicked.connect(lambda _i: self.open_customer())
        ctx.ops.changed.connect(self._on_changed)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)
        layout.addWidget(self.note)
        layout.addWidget(self.problem)
        self._update_actions()
        self.model.reload()

    # --- the list ---------------------------------------------------------------------------------
    def apply_filters(self) -> None:
        where: list[sa.ColumnElement[bool]] = [service_case.c.archived.is_(False)]
        scope = self.scope.currentData()
        if scope in ("open", "mine"):
            where.append(service_case.c.status.in_(OPEN_STATUSES))
        if scope == "mine":
            where.append(service_case.c.assignee_id == self.ctx.session.identity.user_id)
        if self.priority.currentData() is not None:
            where.append(service_case.c.priority == self.priority.currentData())
        self.model.set_where(*where)

    def _on_changed(self, changes: Changes) -> None:
        if self.case is not None and str(self.case.id) in changes.ids("service_case"):
            self._selection_changed()

    def selected_id(self) -> uuid.UUID | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.id_at(rows[0].row()) if rows else None

    def _selection_changed(self) -> None:
        case_id = self.selected_id()
        if case_id is None:
            self.case = None
            self._update_actions()
            return
        db, ident = self.ctx.session.client.db, self.ctx.session.identity

        def read() -> CaseState | None:
            with reading(db) as conn:
                row = conn.execute(sa.select(service_case).where(service_case.c.id == case_id)).mappings().first()
                if row is None:
                    return None
                owner = conn.execute(sa.select(party).where(party.c.id == row["party_id"])).mappings().first()
                may = row["assignee_id"] == ident.user_id or (
                    owner is not None and may_edit_party(conn, ident.user_id, ident.role, dict(owner)))
            return CaseState(case_id, row["status"], row["assignee_id"], may)

        self.ctx.ops.read(read).success(self._show_case).run()

    def _show_case(self, case: CaseState | None) -> None:
        if case is not None and case.id != self.selected_id():
            return  # the selection moved on meanwhile
        self.case = case
        self._update_actions()

    def allowed(self) -> set[str]:
        """The moves offered for the selected case: empty when the user may not work on it."""
        if self.case is None or not self.case.may_work:
            return set()
        return set(TRANSITIONS[self.case.status])

    def _update_actions(self) -> None:
        moves = self.allowed()
        self.assign_button.setEnabled(self.case is not None and self.case.may_work)
        self.resolve_button.setEnabled("resolved" in moves)
        self.close_button.setEnabled("closed" in moves)
        self.reopen_button.setEnabled("open" in moves and self.case is not None
                                      and self.case.status in ("resolved", "closed"))
        self.status_menu.clear()
        for status, label in WORK_STATUSES.items():
            if status in moves and self.case is not None and self.case.status in OPEN_STATUSES:
                action = self.status_menu.addAction(_(label))
                action.setData(status)
                action.triggered.connect(lambda _c=False, s=status: self.set_status(s))
        self.status_button.setEnabled(bool(self.status_menu.actions()))
        self.open_customer_button.setEnabled(self.case is not None)
        self.note.setText(_("You can only look at this case: it belongs to another rep's customer.")
                          if self.case is not None and not self.case.may_work else "")

    # --- actions --------------------------------------------------------------------------------
    def _open(self, dialog: MutationForm) -> MutationForm:
        self.problem.hide()
        self.dialog = dialog
        dialog.saved.connect(self._saved)
        dialog.open()
        return dialog

    def new_case(self) -> MutationForm:
        return self._open(NewCaseDialog(self.ctx, self))

    def assign(self) -> MutationForm | None:
        if self.case is None:
            return None
        return self._open(AssignCaseDialog(self.ctx, str(self.case.id), self.case.assignee_id, self))

    def resolve(self) -> MutationForm | None:
        if self.case is None:
            return None
        return self._open(ResolveCaseDialog(self.ctx, str(self.case.id), self))

    def set_status(self, status: str) -> None:
        if self.case is not None:
            self.run("crm.case.set_status", status={"base": self.case.status, "new": status})

    def run(self, name: str, **args: Any) -> None:
        if self.case is None:
            return
        self.problem.hide()
        self.ctx.session.mutate(name, {"id": str(self.case.id), **args}).success(self._saved).failure(
            self._refused).run()

    def _saved(self, changes: Changes) -> None:
        self.model.refresh_rows(changes.ids("service_case"))
        self._selection_changed()

    def _refused(self, exc: BaseException) -> None:
        self.problem.setText(error_text(exc))
        self.problem.show()

    def open_customer(self) -> None:
        row = self.view.selectionModel().selectedRows()
        if not row:
            return
        db, case_id = self.ctx.session.client.db, self.model.id_at(row[0].row())

        def read() -> uuid.UUID | None:
            with reading(db) as conn:
                return conn.execute(sa.select(service_case.c.party_id).where(service_case.c.id == case_id)).scalar()

        self.ctx.ops.read(read).success(
            lambda party_id: self.ctx.act("open_customer", str(party_id)) if party_id else None).run()
