"""The QApplication as Yiti sets it up: the bundled CJK font, the UI language (our catalog and
Qt's own qtbase translation), and a log file in the user log folder."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

import platformdirs
from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.core import i18n
from app.core.resources import resource_path

log = logging.getLogger("yiti.ui")

FONT_FILE = resource_path("fonts", "wqy-microhei.ttc")
_qt_translator: QTranslator | None = None


def font_path() -> Path:
    return FONT_FILE


def qapp(argv: list[str] | None = None) -> QApplication:
    """The application object (made once), with the bundled font as the default font."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("Yiti")
        app.setOrganizationName("Yiti")
        app.setApplicationDisplayName("一体 Yiti")
        app.setStyle("Fusion")
    load_font(app)
    return app


def load_font(app: QApplication) -> str:
    """Load the bundled CJK font (no system CJK font needed) and make it the app's font."""
    families = QFontDatabase.applicationFontFamilies(_font_id())
    family = families[0] if families else app.font().family()
    if app.font().family() != family:
        font = QFont(family)
        font.setPointSize(10)
        app.setFont(font)
    return family


_loaded_id: int | None = None


def _font_id() -> int:
    global _loaded_id
    if _loaded_id is None or _loaded_id < 0:
        _loaded_id = QFontDatabase.addApplicationFont(str(font_path()))
        if _loaded_id < 0:
            log.warning("could not load the bundled font %s", font_path())
    return _loaded_id


def apply_language(locale: str) -> str:
    """Switch the UI language: our catalog and Qt's standard dialogs. Returns the locale used.
    Open windows rebuild their widgets to show it."""
    global _qt_translator
    i18n.set_locale(locale)
    used = i18n.current_locale()
    QLocale.setDefault(QLocale(used))
    app = QApplication.instance()
    if app is None:
        return used
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if used != "en":
        translator = QTranslator(app)
        if translator.load(QLocale(used), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(translator)
            _qt_translator = translator
    return used


def setup_logging() -> Path:
    """Log to a rotating file in the user log folder (and stderr for warnings)."""
    folder = platformdirs.user_log_path("yiti", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "yiti.log"
    root = logging.getLogger()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path
