"""Errors in the GUI: a translated sentence for every error a user can meet, shown where they
acted; anything unexpected goes to one dialog and the log file (STYLE §3)."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.errors import DomainError
from app.core.i18n import _, current_locale
from app.sync.transport import ApiError, Offline

log = logging.getLogger("yiti.ui")


def error_text(exc: BaseException) -> str:
    """What to tell the user about `exc`, in their language."""
    if isinstance(exc, ApiError):
        return exc.server_message or exc.message(current_locale())
    if isinstance(exc, DomainError):
        return exc.message(current_locale())
    if isinstance(exc, Offline):
        return _("The server cannot be reached. Your work is kept here and is sent once the connection is back.")
    return _("Something went wrong: %(error)s. The details are in the log file.") % {"error": type(exc).__name__}


def is_expected(exc: BaseException) -> bool:
    """Errors a user can cause or meet (bad input, refused, offline), not bugs."""
    return isinstance(exc, DomainError | Offline)


class ErrorReporter(QObject):
    """The one place unexpected errors end: logged with their traceback, then a dialog."""

    _raised = Signal(object)

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__()
        self.parent_widget = parent_widget
        self.shown: list[str] = []  # what was reported, for tests and the log
        self.quiet = False  # tests: record without opening a modal dialog
        self._raised.connect(self.report)

    def install(self) -> None:
        sys.excepthook = self._excepthook

    def _excepthook(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unhandled error", exc_info=(kind, exc, tb))
        self._raised.emit(exc)  # queued to the GUI thread when raised elsewhere

    @Slot(object)
    def report(self, exc: BaseException) -> None:
        if not is_expected(exc):
            log.error("error: %s", "".join(traceback.format_exception(exc)))
        text = error_text(exc)
        self.shown.append(text)
        if not self.quiet:
            QMessageBox.warning(self.parent_widget, _("Yiti"), text)
