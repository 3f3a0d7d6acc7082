"""The admin's user dialogs: add a user, change a role, rename. Each sends one request to the
server when the user presses OK and stays open until the server agrees; an error naming a field is
shown under that field and everything typed stays as it was."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from app.core.errors import DomainError
from app.core.i18n import _, current_locale
from app.ui.context import AppContext
from app.ui.crm.forms import ERROR_STYLE as ERROR_STYLE  # the one error colour; pages import it from here
from app.ui.crm.forms import FieldForm
from app.ui.errors import error_text
from app.ui.labels import ROLE_LABELS

#: each language by its own name, the same in every UI language
LANGUAGES = (("zh_CN", "简体中文"), ("en", "English"))

Request = tuple[str, str, dict[str, Any]]


def role_combo(current: str = "sales_rep") -> QComboBox:
    combo = QComboBox()
    for code, label in ROLE_LABELS.items():
        combo.addItem(_(label), code)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


class ServerFormDialog(FieldForm):
    """A form whose OK is one admin request (run on the writer, never on the GUI thread)."""

    #: the server's answer (the user as it is now)
    saved = Signal(object)

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, title, parent)
        self.setMinimumWidth(420)

    def request(self) -> Request | None:
        """(method, path, body) to send, or None after showing why the form is not ready."""
        raise NotImplementedError

    def submit(self) -> None:
        self.clear_errors()
        request = self.request()
        if request is None:
            return
        transport = self.ctx.session.client.transport
        self.ok_button.setEnabled(False)
        self.ctx.ops.write(lambda: transport.call(*request)).success(self._saved).failure(self._refused).run()

    def _saved(self, answer: Any) -> None:
        self.ok_button.setEnabled(True)
        self.saved.emit(answer)
        self.ctx.session.sync_now()  # the cache hears of the change from the server
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        field = exc.field if isinstance(exc, DomainError) else None
        self.show_error(field, error_text(exc))


class AddUserDialog(ServerFormDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Add user"), parent)
        self.username = self.add_field("username", _("User name:"), QLineEdit())
        self.display_name = self.add_field("display_name", _("Display name:"), QLineEdit())
        self.role = self.add_field("role", _("Role:"), role_combo())
        self.password = self.add_field("password", _("Password:"), QLineEdit())
        self.password_again = self.add_field("password_again", _("Password again:"), QLineEdit())
        for box in (self.password, self.password_again):
            box.setEchoMode(QLineEdit.EchoMode.Password)
        self.language = self.add_field("locale", _("Language:"), QComboBox())
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(current_locale()), 0))
        self.ok_button.setText(_("Add user"))

    def request(self) -> Request | None:
        username, name = self.username.text().strip(), self.display_name.text().strip()
        password, again = self.password.text(), self.password_again.text()
        if not username:
            self.show_error("username", _("Enter a user name."))
        if not password:
            self.show_error("password", _("Enter a password."))
        elif password != again:
            self.show_error("password_again", _("The two passwords differ."))
        if not username or not password or password != again:
            return None
        body: dict[str, Any] = {"username": username, "password": password, "role": self.role.currentData(),
                                "locale": self.language.currentData()}
        if name:
            body["display_name"] = name
        return "POST", "admin/users", body


class ChangeRoleDialog(ServerFormDialog):
    def __init__(self, ctx: AppContext, user_id: uuid.UUID, username: str, role: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Change the role of %(user)s") % {"user": username}, parent)
        self.user_id = user_id
        self.role = self.add_field("role", _("Role:"), role_combo(role))

    def request(self) -> Request | None:
        return "PATCH", f"admin/users/{self.user_id}", {"role": self.role.currentData()}


class RenameUserDialog(ServerFormDialog):
    def __init__(self, ctx: AppContext, user_id: uuid.UUID, username: str, display_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Rename %(user)s") % {"user": username}, parent)
        self.user_id = user_id
        self.display_name = self.add_field("display_name", _("Display name:"), QLineEdit(display_name))
        self.display_name.selectAll()

    def request(self) -> Request | None:
        name = self.display_name.text().strip()
        if not name:
            self.show_error("display_name", _("Enter a display name."))
            return None
        return "PATCH", f"admin/users/{self.user_id}", {"display_name": name}
