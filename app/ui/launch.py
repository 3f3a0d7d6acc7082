"""Composition root of the desktop app: the sign-in dialog, then the main window with its session;
signing out goes back to the sign-in. ``yiti`` runs `run_desktop`; ``yiti demo`` runs
`run_demo_desktop` against the demo server it started."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from app.core import i18n
from app.sync.signin import SignedIn, data_dir, sign_in
from app.ui.context import AppContext
from app.ui.errors import ErrorReporter, error_text
from app.ui.login import HttpFactory, LoginDialog
from app.ui.main_window import MainWindow
from app.ui.ops import Ops
from app.ui.prefs import Prefs
from app.ui.qtapp import apply_language, qapp, setup_logging
from app.ui.session import Session

log = logging.getLogger("yiti.ui")
SMOKE_READY = "yiti: sign-in window ready"


class Desktop(QObject):
    """Moves between the sign-in dialog and the main window and owns the session in between."""

    window_opened = Signal(object)

    def __init__(
        self, prefs: Prefs, ops: Ops, base: Path, reporter: ErrorReporter, http_factory: HttpFactory | None = None,
        demo_users: Sequence[tuple[str, str, str]] = (), demo_password: str | None = None,
        probe_interval: float = 5.0,
    ) -> None:
        super().__init__()
        self.probe_interval = probe_interval
        self.prefs = prefs
        self.ops = ops
        self.base = base
        self.reporter = reporter
        self.http_factory = http_factory
        self.demo_users = tuple(demo_users)
        self.demo_password = demo_password
        self.login: LoginDialog | None = None
        self.window: MainWindow | None = None
        self.ctx: AppContext | None = None
        self.on_last_close: Callable[[], None] | None = None
        ops.failed.connect(reporter.report)

    # --- sign-in ----------------------------------------------------------------------------
    def show_login(self) -> LoginDialog:
        dialog = LoginDialog(self.prefs, self.ops, self.base, self.http_factory)
        dialog.signed_in.connect(self.open_main)
        dialog.rejected.connect(self._login_cancelled)
        dialog.language_chosen.connect(self._login_language)
        self.login = dialog
        dialog.show()
        return dialog

    def _login_language(self, locale: str) -> None:
        old = self.login
        apply_language(locale)
        self.prefs.update(locale=i18n.current_locale())
        if old is None:
            return
        typed = (old.server.text(), old.tenant.text(), old.username.text())
        old.signed_in.disconnect(self.open_main)
        old.rejected.disconnect(self._login_cancelled)
        old.hide()
        old.deleteLater()
        dialog = self.show_login()
        for edit, text in zip((dialog.server, dialog.tenant, dialog.username), typed, strict=True):
            edit.setText(text)
        dialog.password.setFocus()

    def _login_cancelled(self) -> None:
        if self.window is None:
            QApplication.quit()

    def sign_in_as(self, server: str, tenant: str, username: str, password: str) -> None:
        """Sign in without the dialog (the demo); errors go to the error dialog."""
        http = self.http_factory(server) if self.http_factory else None

        def work() -> SignedIn:
            return sign_in(self.base, server, tenant, username, password, http=http)

        self.ops.read(work).success(self.open_main).run()

    # --- the main window --------------------------------------------------------------------
    def open_main(self, signed: SignedIn) -> MainWindow:
        previous = self.window
        if previous is not None:
            self._close_session(sign_out=False)
        session = Session(signed.client, self.ops, online=signed.online, identity=signed.identity,
                          sign_in_kept=signed.kept,
                          interval=float(self.prefs["sync_interval"]), probe_interval=self.probe_interval)
        ctx = AppContext(session, self.ops, self.prefs)
        ctx.actions["sign_out"] = self.sign_out
        window = MainWindow(ctx, self.demo_users)
        window.closed.connect(self._window_closed)
        window.role_switch_requested.connect(self.switch_user)
        self.ctx, self.window = ctx, window
        if previous is not None:
            previous.closed.disconnect(self._window_closed)
            window.setGeometry(previous.geometry())
            previous.close()
            previous.deleteLater()
        self.reporter.parent_widget = window
        session.start()
        window.show()
        self.window_opened.emit(window)
        return window

    def switch_user(self, username: str) -> None:
        """The demo's role switcher: the same server and tenant as another demo user."""
        if self.ctx is None or self.demo_password is None:
            return
        ident = self.ctx.session.identity
        self.sign_in_as(ident.server, ident.tenant, username, self.demo_password)

    def sign_out(self) -> None:
        window = self.window
        self._close_session(sign_out=True)
        self.window = None
        if window is not None:
            window.closed.disconnect(self._window_closed)
            window.close()
            window.deleteLater()
        self.show_login()

    def _window_closed(self) -> None:
        self._close_session(sign_out=not self.prefs["remember"] and not self.demo_users)
        self.window = None
        if self.on_last_close is not None:
            self.on_last_close()

    def _close_session(self, sign_out: bool) -> None:
        if self.ctx is not None:
            self.ops.wait()
            self.ctx.session.close(sign_out=sign_out)
            self.ctx = None

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.close()
        self._close_session(sign_out=False)


def _quit_on_signals(app: QApplication) -> QTimer:
    """SIGINT/SIGTERM close the app in order (sessions stopped, what the demo started stopped).
    Python runs signal handlers only between bytecodes, so a timer wakes it now and then."""

    def quit_app(_signum: int, _frame: object) -> None:
        app.quit()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, quit_app)
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
    return timer


def _start_qt(prefs: Prefs) -> tuple[QApplication, ErrorReporter]:
    setup_logging()
    app = qapp()
    _quit_on_signals(app)
    apply_language(prefs["locale"] or _system_locale())
    reporter = ErrorReporter()
    reporter.install()
    return app, reporter


def _system_locale() -> str:
    return os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or i18n.DEFAULT_LOCALE


def run_desktop(smoke_test: bool = False) -> int:
    """``yiti``: the sign-in dialog, then the main window."""
    prefs = Prefs()
    app, reporter = _start_qt(prefs)
    desktop = Desktop(prefs, Ops(), data_dir(), reporter)
    dialog = desktop.show_login()
    if smoke_test:
        def ready() -> None:
            ok = dialog.isVisible() and dialog.windowTitle() != ""
            print(SMOKE_READY if ok else "yiti: sign-in window NOT shown", flush=True)
            app.exit(0 if ok else 1)

        QTimer.singleShot(200, ready)
    code = app.exec()
    desktop.shutdown()
    return code


def run_demo_desktop(
    *, server: str, tenant: str, password: str, users: Sequence[tuple[str, str, str]], data_dir: Path,
    role: str, screenshots: Path | None, stop_server: Callable[[], None],
) -> int:
    """``yiti demo``: the main window signed in to the demo server as a user of `role` (a role or a
    user name), with the role switcher; `screenshots` renders every page to PNGs and exits."""
    prefs = Prefs(data_dir / "prefs.json")
    app, reporter = _start_qt(prefs)
    username = next((u for u, r, _n in users if role in (u, r)), users[0][0])
    desktop = Desktop(prefs, Ops(), data_dir, reporter, demo_users=users, demo_password=password)
    if screenshots is not None:
        from app.ui.screenshots import render_all

        try:
            written = render_all(desktop, server, tenant, password, users, screenshots)
        finally:
            desktop.shutdown()
            stop_server()
        print(f"{len(written)} screenshots in {screenshots}")
        return 0
    desktop.on_last_close = stop_server
    desktop.sign_in_as(server, tenant, username, password)
    try:
        return app.exec()
    except Exception as exc:  # pragma: no cover - the excepthook shows errors while the loop runs
        print(error_text(exc), file=sys.stderr)
        return 1
    finally:
        desktop.shutdown()
        stop_server()
