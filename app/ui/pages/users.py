"""The admin's Users page: the tenant's users as the cache has them (synced ``app_user``), and
the changes only the server can make (add, change role, rename, disable), which need a connection.
A change shows in the list once the next sync brings it back from the server."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget
from sqlalchemy.engine import Engine

from app.core.i18n import N_, _
from app.core.schema import app_user
from app.ui.context import AppContext
from app.ui.errors import error_text
from app.ui.labels import ROLE_LABELS
from app.ui.models import Column, IdListTableModel, choice, configure_view
from app.ui.ops import Ops
from app.ui.pages.user_dialogs import ERROR_STYLE, AddUserDialog, ChangeRoleDialog, RenameUserDialog, ServerFormDialog
from app.ui.session import SyncState

NOTE_STYLE = "background: #fff4ce; color: #5c4400; padding: 6px 10px; border-radius: 4px;"


def _status(disabled: Any) -> str:
    return _("Disabled") if disabled else _("Enabled")


class UsersTableModel(IdListTableModel):
    """The tenant's users (one row each), disabled ones greyed."""

    def __init__(self, ops: Ops, db: Engine, parent: QObject | None = None) -> None:
        super().__init__(ops, db, app_user, [
            Column("username", N_("User name"), width=18),
            Column("display_name", N_("Display name"), width=22),
            Column("role", N_("Role"), format=choice(ROLE_LABELS), width=16),
            Column("disabled", N_("Status"), format=_status, width=10),
        ], where=[app_user.c.archived.is_(False)], parent=parent)

    def row_role(self, row: Mapping[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row.get("disabled"):
            return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None


class UsersPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        title = QLabel(_("Users"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.note = QLabel()
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setWordWrap(True)
        self.add_button = QPushButton(_("Add user…"))
        self.add_button.clicked.connect(self.add_user)
        self.role_button = QPushButton(_("Change role…"))
        self.role_button.clicked.connect(self.change_role)
        self.rename_button = QPushButton(_("Rename…"))
        self.rename_button.clicked.connect(self.rename)
        self.toggle_button = QPushButton(_("Disable"))
        self.toggle_button.clicked.connect(self.toggle_disabled)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        tools = QHBoxLayout()
        for button in (self.add_button, self.role_button, self.rename_button, self.toggle_button):
            tools.addWidget(button)
        tools.addStretch(1)

        self.model = UsersTableModel(ctx.ops, ctx.session.client.db, self)
        self.view = QTableView()
        configure_view(self.view, self.model)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.view.doubleClicked.connect(lambda _index: self.rename())
        self.model.rows_loaded.connect(self._update_actions)
        self.model.ids_loaded.connect(self._select_first)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.note)
        layout.addLayout(tools)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)
        ctx.session.state_changed.connect(self._update_actions)
        self._update_actions()
        self.model.reload()

    # --- state ----------------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self.ctx.session.state not in (SyncState.OFFLINE, SyncState.SIGNED_OUT)

    def selected_user(self) -> dict[str, Any] | None:
        """The selected user's cached row (with ``id``), or None."""
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        found = self.model.row_data(rows[0].row())
        return None if found is None else {**found, "id": self.model.id_at(rows[0].row())}

    def _select_first(self) -> None:
        if self.model.rowCount() and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)
        self._update_actions()

    def _update_actions(self, *_args: object) -> None:
        state = self.ctx.session.state
        if state == SyncState.SIGNED_OUT:
            self.note.setText(_("Sign in again to change users."))
        else:
            self.note.setText(_("Changing users needs a connection to the server."))
        self.note.setVisible(not self.online)
        user = self.selected_user()
        self.add_button.setEnabled(self.online)
        for button in (self.role_button, self.rename_button, self.toggle_button):
            button.setEnabled(self.online and user is not None)
        me = self.ctx.session.identity.user_id
        if user is not None and user["id"] == me:
            self.toggle_button.setEnabled(False)
            self.toggle_button.setToolTip(_("You cannot disable your own account."))
        else:
            self.toggle_button.setToolTip("")
        self.toggle_button.setText(_("Enable") if user is not None and user["disabled"] else _("Disable"))

    # --- actions --------------------------------------------------------------------------------
    def _open(self, dialog: ServerFormDialog) -> ServerFormDialog:
        self.error.hide()
        dialog.open()
        return dialog

    def add_user(self) -> AddUserDialog | None:
        if not self.online:
            return None
        dialog = AddUserDialog(self.ctx, self)
        self._open(dialog)
        return dialog

    def change_role(self) -> ChangeRoleDialog | None:
        user = self.selected_user()
        if user is None or not self.online:
            return None
        dialog = ChangeRoleDialog(self.ctx, user["id"], user["username"], user["role"], self)
        self._open(dialog)
        return dialog

    def rename(self) -> RenameUserDialog | None:
        user = self.selected_user()
        if user is None or not self.online:
            return None
        dialog = RenameUserDialog(self.ctx, user["id"], user["username"], user["display_name"], self)
        self._open(dialog)
        return dialog

    def toggle_disabled(self) -> None:
        """Disable the selected user (their sign-ins end at once), or enable them again."""
        user = self.selected_user()
        if user is None or not self.online:
            return
        user_id: uuid.UUID = user["id"]
        transport = self.ctx.session.client.transport
        body = {"disabled": not user["disabled"]}
        self.error.hide()
        self.toggle_button.setEnabled(False)
        self.ctx.ops.write(lambda: transport.call("PATCH", f"admin/users/{user_id}", body)).success(
            self._toggled).failure(self._refused).run()

    def _toggled(self, _answer: object) -> None:
        self.ctx.session.sync_now()
        self._update_actions()

    def _refused(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))
        self.error.show()
        self._update_actions()
