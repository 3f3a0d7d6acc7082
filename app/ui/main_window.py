"""The main window: a sidebar of the pages the user's role may use, the global search (Ctrl+K), the
signed-in user, and the sync status bar. Changing the language rebuilds the widgets in place."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import _
from app.ui.context import AppContext
from app.ui.labels import role_label
from app.ui.pages import SELLING, PageSpec, pages_for
from app.ui.qtapp import apply_language
from app.ui.statusbar import SyncStatusBar


class MainWindow(QMainWindow):
    closed = Signal()
    #: a demo user name picked in the role switcher
    role_switch_requested = Signal(str)

    def __init__(self, ctx: AppContext, demo_users: Sequence[tuple[str, str, str]] = ()) -> None:
        super().__init__()
        self.ctx = ctx
        self.demo_users = tuple(demo_users)
        self.setObjectName("main_window")
        self.resize(1280, 800)
        self.pages: dict[str, QWidget] = {}
        self.specs: list[PageSpec] = []
        self.inbox: QDialog | None = None
        ctx.actions.update({
            "go_to": self.go_to,
            "set_language": self.set_language,
            "open_inbox": self.open_inbox,
            "open_record": self.open_record,
            "open_customer": self.open_customer,
        })
        ctx.session.identity_changed.connect(lambda _ident: self._show_identity())
        self._search_shortcut = QShortcut(QKeySequence("Ctrl+K"), self)
        self._search_shortcut.activated.connect(self.focus_search)
        self._build()
        self.reminders = None
        if ctx.session.identity.role in SELLING:
            from app.ui.crm.reminders import install_reminders

            install_reminders(self)  # tasks' reminders: in the window and as a tray message

    # --- building ---------------------------------------------------------------------------
    def _build(self, current: str = "home") -> None:
        ident = self.ctx.session.identity
        self.specs = pages_for(ident.role)
        self.pages = {}
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(190)
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setStyleSheet(
            "QListWidget#sidebar { background: #1f2937; color: #e5e7eb; border: none; font-size: 11pt; }"
            "QListWidget#sidebar::item { padding: 10px 12px; }"
            "QListWidget#sidebar::item:selected { background: #2563eb; color: white; }")
        style = QApplication.style()
        for spec in self.specs:
            item = QListWidgetItem(style.standardIcon(spec.icon), _(spec.title))
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.sidebar.addItem(item)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(self._top_bar())
        right_layout.addWidget(self.stack, 1)
        layout.addWidget(self.sidebar)
        layout.addWidget(right, 1)
        self.setCentralWidget(central)
        self.status = SyncStatusBar(self.ctx, self)
        self.setStatusBar(self.status)  # deletes the previous one
        self.sidebar.currentRowChanged.connect(self._show_row)
        # clicking the current entry again comes back to its page (from a customer's 360 view)
        self.sidebar.itemClicked.connect(lambda item: self._show_row(self.sidebar.row(item)))
        self._show_identity()
        self.go_to(current if any(s.key == current for s in self.specs) else "home")

    def _show_identity(self) -> None:
        ident = self.ctx.session.identity
        self.setWindowTitle(_("Yiti — %(company)s — %(user)s") % {"company": ident.tenant, "user": ident.display_name})
        self.user_label.setText(f"{ident.display_name} · {role_label(ident.role)}")

    def _top_bar(self) -> QWidget:
        bar = QWidget()
        bar.setObjectName("top_bar")
        bar.setStyleSheet("QWidget#top_bar { background: #f3f4f6; border-bottom: 1px solid #d1d5db; }")
        row = QHBoxLayout(bar)
        row.setContentsMargins(12, 6, 12, 6)
        self.search = self._make_search()
        row.addWidget(self.search, 1)
        ident = self.ctx.session.identity
        self.user_label = QLabel()
        self.user_label.setObjectName("user_label")
        row.addWidget(self.user_label)
        self.role_switcher: QComboBox | None = None
        if self.demo_users:
            row.addWidget(QLabel(_("Try as:")))
            switcher = QComboBox()
            switcher.setObjectName("role_switcher")
            for username, role, _name in self.demo_users:
                switcher.addItem(f"{role_label(role)} ({username})", username)
            switcher.setCurrentIndex(max(0, switcher.findData(ident.username)))
            switcher.activated.connect(lambda i: self._switch_role(switcher.itemData(i)))
            row.addWidget(switcher)
            self.role_switcher = switcher
        return bar

    def _make_search(self) -> QWidget:
        from app.ui.search import GlobalSearch

        return GlobalSearch(self.ctx)

    def _switch_role(self, username: str) -> None:
        if username != self.ctx.session.identity.username:
            self.role_switch_requested.emit(username)

    # --- navigation -------------------------------------------------------------------------
    def page_keys(self) -> list[str]:
        return [s.key for s in self.specs]

    def go_to(self, key: str) -> QWidget:
        """Show the page `key` (built on first visit)."""
        index = next(i for i, s in enumerate(self.specs) if s.key == key)
        if self.sidebar.currentRow() != index:
            self.sidebar.setCurrentRow(index)  # → _show_row
        else:
            self._show_row(index)
        return self.pages[key]

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        spec = self.specs[row]
        page = self.pages.get(spec.key)
        if page is None:
            page = spec.factory(self.ctx)
            page.setObjectName(f"page_{spec.key}")
            self.pages[spec.key] = page
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)

    def current_key(self) -> str:
        row = self.sidebar.currentRow()
        return self.specs[row].key if 0 <= row < len(self.specs) else "home"

    def focus_search(self) -> None:
        focus: Callable[[], None] | None = getattr(self.search, "focus_search", None)
        if focus is not None:
            focus()
        else:
            self.search.setFocus()

    # --- window actions ---------------------------------------------------------------------
    def set_language(self, locale: str) -> None:
        """Switch the UI language now: rebuild every widget in the new language."""
        used = apply_language(locale)
        self.ctx.prefs.update(locale=used)
        current = self.current_key()
        for page in self.pages.values():
            page.deleteLater()
        if self.inbox is not None:
            self.inbox.close()
            self.inbox.deleteLater()
            self.inbox = None
        self._build(current)

    def open_inbox(self) -> QDialog:
        """The conflict inbox (one per window; it reloads whenever it is shown)."""
        if self.inbox is None:
            from app.ui.inbox import InboxDialog

            self.inbox = InboxDialog(self.ctx, self)
            self.inbox.setObjectName("inbox")
        self.inbox.show()
        self.inbox.raise_()
        return self.inbox

    def open_customer(self, party_id: str) -> QWidget:
        """The 360° view of one customer, under the Customers entry of the sidebar."""
        from app.ui.crm.view360 import Customer360Page

        page = self.pages.get("customer360")
        if page is None:
            page = Customer360Page(self.ctx)
            page.setObjectName("page_customer360")
            self.pages["customer360"] = page
            self.stack.addWidget(page)
        assert isinstance(page, Customer360Page)
        page.show_customer(str(party_id))
        self.stack.setCurrentWidget(page)
        keys = self.page_keys()
        if "customers" in keys:
            self.sidebar.blockSignals(True)
            self.sidebar.setCurrentRow(keys.index("customers"))
            self.sidebar.blockSignals(False)
        return page

    def open_record(self, kind: str, row_id: str) -> QWidget:
        if kind == "customer" and "customers" in self.page_keys():
            return self.open_customer(row_id)
        if kind == "product" and "products" in self.page_keys():
            page = self.go_to("products")
            page.show_product(row_id)  # type: ignore[attr-defined]
            return page
        from app.ui.record import RecordDialog

        dialog = RecordDialog(self.ctx, kind, row_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.reminders is not None:
            self.reminders.service.stop()
        self.closed.emit()
        super().closeEvent(event)
