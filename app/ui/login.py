"""The sign-in dialog: server, tenant, user, password, remember me. Online when the server answers;
after one online sign-in the same password unlocks the cache offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import _, current_locale
from app.sync.signin import SignedIn, sign_in
from app.ui.errors import error_text
from app.ui.ops import Ops
from app.ui.prefs import Prefs

#: makes the HTTP client a sign-in uses (tests inject Starlette's TestClient)
HttpFactory = Callable[[str], httpx.Client | None]

LANGUAGES = (("zh_CN", "简体中文"), ("en", "English"))


class LoginDialog(QDialog):
    signed_in = Signal(object)
    language_chosen = Signal(str)

    def __init__(
        self, prefs: Prefs, ops: Ops, data_dir: Path, http_factory: HttpFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.prefs = prefs
        self.ops = ops
        self.data_dir = data_dir
        self.http_factory = http_factory
        self.result_session: SignedIn | None = None
        self.setObjectName("login")
        self.setMinimumWidth(420)
        self._build()

    def _build(self) -> None:
        self.setWindowTitle(_("Sign in to Yiti"))
        layout = QVBoxLayout(self)
        heading = QLabel(_("一体 Yiti — CRM + ERP"))
        heading.setStyleSheet("font-size: 18pt; font-weight: 600; padding: 6px 0;")
        layout.addWidget(heading)
        form = QFormLayout()
        self.language = QComboBox()
        for code, label in LANGUAGES:
            self.language.addItem(label, code)
        self.language.setCurrentIndex(max(0, self.language.findData(current_locale())))
        self.language.currentIndexChanged.connect(lambda _i: self.language_chosen.emit(self.language.currentData()))
        self.server = QLineEdit(self.prefs["server"])
        self.tenant = QLineEdit(self.prefs["tenant"])
        self.username = QLineEdit(self.prefs["username"])
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(_("Remember me on this computer"))
        self.remember.setChecked(bool(self.prefs["remember"]))
        for edit, name in ((self.server, "server"), (self.tenant, "tenant"), (self.username, "username"),
                           (self.password, "password")):
            edit.setObjectName(name)
        form.addRow(_("Language"), self.language)
        form.addRow(_("Server"), self.server)
        form.addRow(_("Company (tenant)"), self.tenant)
        form.addRow(_("User name"), self.username)
        form.addRow(_("Password"), self.password)
        form.addRow("", self.remember)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Sign in"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        first_empty = next((e for e in (self.server, self.tenant, self.username) if not e.text()), self.password)
        first_empty.setFocus()

    def show_message(self, text: str, error: bool = True) -> None:
        self.message.setStyleSheet("color: #b3261e;" if error else "color: #555;")
        self.message.setText(text)

    def submit(self) -> None:
        values = {name: edit.text().strip() for name, edit in (
            ("server", self.server), ("tenant", self.tenant), ("username", self.username))}
        password = self.password.text()
        for name, edit in (("server", self.server), ("tenant", self.tenant), ("username", self.username)):
            if not values[name]:
                self.show_message(_("Please fill in: %(field)s") % {"field": self._label(name)})
                edit.setFocus()
                return
        if not values["server"].startswith(("http://", "https://")):
            self.show_message(_("The server address starts with http:// or https://"))
            self.server.setFocus()
            return
        if not password:
            self.show_message(_("Please fill in: %(field)s") % {"field": _("Password")})
            self.password.setFocus()
            return
        self._busy(True)
        self.show_message(_("Signing in…"), error=False)
        http = self.http_factory(values["server"]) if self.http_factory else None
        base, remember = self.data_dir, self.remember.isChecked()

        def work() -> SignedIn:
            return sign_in(base, values["server"], values["tenant"], values["username"], password, http=http)

        def done(result: SignedIn) -> None:
            self.prefs.update(server=values["server"], tenant=values["tenant"], username=values["username"],
                              remember=remember)
            self.result_session = result
            self._busy(False)
            self.signed_in.emit(result)
            self.accept()

        def failed(exc: BaseException) -> None:
            self._busy(False)
            self.password.selectAll()
            self.password.setFocus()
            self.show_message(error_text(exc))

        self.ops.read(work).success(done).failure(failed).run()

    def _busy(self, busy: bool) -> None:
        for widget in (self.server, self.tenant, self.username, self.password, self.remember, self.buttons):
            widget.setEnabled(not busy)

    @staticmethod
    def _label(name: str) -> str:
        return {"server": _("Server"), "tenant": _("Company (tenant)"), "username": _("User name")}[name]
