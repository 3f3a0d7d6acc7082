"""Task reminders: every 30 seconds the cache is asked which reminders came due since the last
check; each is shown once, in the window (a small notice with a button to the customer) and in the
system tray where there is one. The last check is kept in the cache's sync_state, so a reminder
is not shown again after a restart, and one that came due while the app was closed shows at start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStyle,
    QSystemTrayIcon,
    QWidget,
)

from app.core import fmt
from app.core.i18n import _
from app.crm.agenda import AgendaItem, due_reminders
from app.sync.cache import get_state, reading, set_state
from app.ui.context import AppContext
from app.ui.ops import Changes

Clock = Callable[[], dt.datetime]
#: sync_state key: up to when reminders were shown (ISO timestamp, UTC)
CHECKED_KEY = "reminders_checked_at"
CHECK_MS = 30_000
#: on the very first start, reminders older than this are not dug up
FIRST_LOOK_BACK = dt.timedelta(days=1)
NOTICE_STYLE = ("QFrame#reminder { background: #fff4ce; border: 1px solid #f0d48a; border-radius: 4px; }"
                "QLabel { color: #5c4400; }")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def reminder_text(item: AgendaItem) -> str:
    return _("Reminder: %(subject)s — %(customer)s, due %(when)s") % {
        "subject": item.subject, "customer": item.customer, "when": fmt.datetime(item.at, style="short")}


class ReminderService(QObject):
    """Finds the reminders that came due and announces each once (`reminded`)."""

    #: reminders that came due (a list of AgendaItem), each announced once
    reminded = Signal(object)

    def __init__(self, ctx: AppContext, clock: Clock | None = None, interval_ms: int = CHECK_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clock = clock or utc_now
        self._checking = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        """Check now (what came due while the app was closed) and then every interval."""
        self.timer.start()
        self.check()

    def stop(self) -> None:
        self.timer.stop()

    def check(self) -> None:
        if self._checking:
            return  # the previous check is still on its way
        self._checking = True
        db, user_id, now = self.ctx.session.client.db, self.ctx.session.identity.user_id, self.clock()

        def read() -> tuple[dt.datetime, list[AgendaItem]]:
            with reading(db) as conn:
                seen = get_state(conn, CHECKED_KEY)
                since = dt.datetime.fromisoformat(seen) if seen else now - FIRST_LOOK_BACK
                return now, ([] if user_id is None else due_reminders(conn, user_id, now, since=since))

        self.ctx.ops.read(read).success(self._found).failure(self._failed).run()

    def _found(self, result: tuple[dt.datetime, list[AgendaItem]]) -> None:
        now, items = result
        db = self.ctx.session.client.db

        def remember() -> Changes:
            with db.begin() as conn:
                seen = get_state(conn, CHECKED_KEY)
                if seen is None or dt.datetime.fromisoformat(seen) < now:
                    set_state(conn, CHECKED_KEY, now.isoformat())
            return Changes(local=False)

        def done(_changes: Changes) -> None:
            self._checking = False
            if items:
                self.reminded.emit(items)

        self.ctx.ops.write(remember).success(done).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self._checking = False
        self.ctx.ops.failed.emit(exc)


class ReminderNotice(QFrame):
    """The in-window notice: the latest reminder, a button to its customer, and one to dismiss it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("reminder")
        self.setStyleSheet(NOTICE_STYLE)
        self.items: list[AgendaItem] = []
        self.text = QLabel()
        self.open_button = QPushButton(_("Open customer"))
        self.dismiss_button = QPushButton(_("Dismiss"))
        self.open_button.clicked.connect(self.open_customer)
        self.dismiss_button.clicked.connect(self.dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 4, 2)
        row.addWidget(self.text, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.dismiss_button)
        self.hide()

    def show_items(self, items: list[AgendaItem]) -> None:
        self.items = list(items) + [i for i in self.items if i.id not in {n.id for n in items}]
        self._render()

    def _render(self) -> None:
        if not self.items:
            self.hide()
            return
        text = reminder_text(self.items[0])
        if len(self.items) > 1:
            text += " " + _("(%(count)s more)") % {"count": len(self.items) - 1}
        self.text.setText(text)
        self.show()

    def open_customer(self) -> None:
        if self.items:
            item = self.items.pop(0)
            self.ctx.act("open_customer", str(item.party_id))
            self._render()

    def dismiss(self) -> None:
        if self.items:
            self.items.pop(0)
            self._render()


class Reminders(QObject):
    """The service wired to a window: the notice in its status bar and the tray message."""

    def __init__(self, ctx: AppContext, window: QMainWindow | None = None, clock: Clock | None = None) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.service = ReminderService(ctx, clock=clock, parent=self)
        self.notice = ReminderNotice(ctx)
        self.window = window
        self.tray: QSystemTrayIcon | None = None
        self._last: AgendaItem | None = None
        self._place_notice()
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = window.windowIcon() if window is not None and not window.windowIcon().isNull() else \
                QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.messageClicked.connect(self._tray_clicked)
            self.tray.show()
        self.service.reminded.connect(self._announce)
        self.service.start()

    def _place_notice(self) -> None:
        """Put the notice in the window's status bar (a language switch builds a new one)."""
        if self.window is None:
            return
        if not shiboken6.isValid(self.notice):
            self.notice = ReminderNotice(self.ctx)
        bar = self.window.statusBar()
        if self.notice.parent() is not bar:
            bar.addWidget(self.notice, 1)

    def _announce(self, items: list[AgendaItem]) -> None:
        self._place_notice()
        self.notice.show_items(items)
        if self.tray is not None:
            self._last = items[0]
            body = "\n".join(reminder_text(i) for i in items[:3])
            self.tray.showMessage(_("Yiti reminder"), body, QSystemTrayIcon.MessageIcon.Information, 15_000)

    def _tray_clicked(self) -> None:
        if self._last is not None:
            self.ctx.act("open_customer", str(self._last.party_id))


def install_reminders(window_or_ctx: Any, clock: Clock | None = None) -> Reminders:
    """Start the reminders for a main window (anything with `.ctx` and a status bar) or, without a
    window, for a context alone (notice not placed; the tray message still shows)."""
    if isinstance(window_or_ctx, AppContext):
        return Reminders(window_or_ctx, None, clock)
    window: QMainWindow = window_or_ctx
    reminders = Reminders(window.ctx, window, clock)  # type: ignore[attr-defined]
    window.reminders = reminders  # type: ignore[attr-defined]  # kept alive with the window
    return reminders
