"""The UI language: our catalog and Qt's own standard dialogs switch together; Chinese is drawn by
the bundled font; a missing keyring is said plainly in the status bar."""

from __future__ import annotations

import keyring.backend
import keyring.errors
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from app.core.i18n import _
from app.ui.qtapp import apply_language, load_font


def _cancel_text() -> str:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    return box.button(QDialogButtonBox.StandardButton.Cancel).text()


def test_chinese_switches_our_strings_and_qts_standard_buttons(qtbot):
    assert _cancel_text() == "&Cancel" or "Cancel" in _cancel_text()
    assert apply_language("zh_CN") == "zh_CN"
    assert _("Settings") == "设置"
    assert "取消" in _cancel_text()
    apply_language("en")
    assert "Cancel" in _cancel_text() and _("Settings") == "Settings"


def test_an_unknown_language_falls_back_to_chinese(qtbot):
    assert apply_language("fr_FR") == "zh_CN"


def test_the_bundled_font_draws_chinese_without_system_fonts(qapp):
    family = load_font(qapp)
    assert "WenQuanYi" in family or "文泉驿" in family
    metrics = QFontMetrics(QApplication.font())
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "张伟上海华联一体￥●")


class _NoKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError("no keyring here")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringError("no keyring here")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringError("no keyring here")


def test_without_a_keyring_the_status_bar_says_the_sign_in_is_not_kept(qtbot, staff, client, tmp_path, prefs):
    from app.sync.signin import sign_in
    from app.ui.context import AppContext
    from app.ui.ops import Ops
    from app.ui.session import Session
    from app.ui.statusbar import SyncStatusBar

    before = keyring.get_keyring()
    keyring.set_keyring(_NoKeyring())
    try:
        signed = sign_in(tmp_path, "http://testserver", staff.slug, "rep", "correct horse", http=client)
    finally:
        keyring.set_keyring(before)
    assert signed.online and not signed.kept
    session = Session(signed.client, Ops(), online=True, identity=signed.identity, sign_in_kept=signed.kept)
    bar = SyncStatusBar(AppContext(session, session.ops, prefs))
    qtbot.addWidget(bar)
    assert not bar.keyring_label.isHidden()
    assert "No keyring" in bar.keyring_label.text()
    session.close()
