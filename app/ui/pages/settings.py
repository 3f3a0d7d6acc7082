"""Settings: the UI language (applied at once), how often to sync, who is signed in and where the
cache and the log live, and signing out."""

from __future__ import annotations

import platformdirs
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.core.i18n import _, current_locale
from app.ui.context import AppContext
from app.ui.labels import role_label
from app.ui.login import LANGUAGES


class SettingsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        title = QLabel(_("Settings"))
        title.setStyleSheet("font-size: 18pt; font-weight: 600;")
        outer.addWidget(title)

        general = QGroupBox(_("General"))
        form = QFormLayout(general)
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code, label in LANGUAGES:
            self.language.addItem(label, code)
        self.language.setCurrentIndex(max(0, self.language.findData(current_locale())))
        self.language.activated.connect(self._language_chosen)
        form.addRow(_("Language"), self.language)
        self.interval = QSpinBox()
        self.interval.setObjectName("sync_interval")
        self.interval.setRange(10, 3600)
        self.interval.setSuffix(" " + _("seconds"))
        self.interval.setValue(int(ctx.prefs["sync_interval"]))
        self.interval.valueChanged.connect(self._interval_changed)
        form.addRow(_("Sync every"), self.interval)
        outer.addWidget(general)

        ident = ctx.session.identity
        account = QGroupBox(_("Account"))
        info = QFormLayout(account)
        for label, value in (
            (_("Signed in as"), f"{ident.display_name} ({ident.username}) · {role_label(ident.role)}"),
            (_("Company (tenant)"), ident.tenant),
            (_("Server"), ident.server),
            (_("Offline cache"), str(ctx.session.client.db.url.database or "")),
            (_("Log files"), str(platformdirs.user_log_path("yiti", appauthor=False))),
            (_("Version"), __version__),
        ):
            text = QLabel(value)
            text.setWordWrap(True)
            info.addRow(label, text)
        buttons = QHBoxLayout()
        sign_out = QPushButton(_("Sign out"))
        sign_out.setObjectName("sign_out")
        sign_out.setToolTip(_("Forget the sign-in kept on this computer; changes not yet sent stay in the cache."))
        sign_out.clicked.connect(lambda: ctx.act("sign_out"))
        buttons.addWidget(sign_out)
        buttons.addStretch(1)
        info.addRow(buttons)
        outer.addWidget(account)
        outer.addStretch(1)

    def _language_chosen(self, index: int) -> None:
        code = self.language.itemData(index)
        if code != current_locale():
            self.ctx.act("set_language", code)

    def _interval_changed(self, seconds: int) -> None:
        self.ctx.prefs.update(sync_interval=seconds)
        self.ctx.session.loop.interval = float(seconds)
