"""The status bar: Online / Offline / Syncing (with progress on long pulls), changes waiting to be
sent, the last sync time, and the badge that opens the conflict inbox. Offline is a normal state."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from app.core import fmt
from app.core.i18n import _, ngettext
from app.ui.context import AppContext
from app.ui.session import Counts, SyncState

_STATE_STYLE = {
    SyncState.ONLINE: ("#1b7f3b", "●"),
    SyncState.OFFLINE: ("#9a6700", "●"),
    SyncState.SYNCING: ("#0b57d0", "⟳"),
    SyncState.SIGNED_OUT: ("#b3261e", "●"),
    SyncState.ERROR: ("#b3261e", "●"),
}


def state_text(state: SyncState) -> str:
    return {
        SyncState.ONLINE: _("Online"),
        SyncState.OFFLINE: _("Offline — working from this computer"),
        SyncState.SYNCING: _("Syncing…"),
        SyncState.SIGNED_OUT: _("Signed out by the server — sign in again to sync"),
        SyncState.ERROR: _("Sync stopped on an error — see the log"),
    }[state]


class SyncStatusBar(QStatusBar):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("statusbar")
        self.setSizeGripEnabled(False)
        self.state_label = QLabel()
        self.state_label.setObjectName("sync_state")
        self.progress = QProgressBar()
        self.progress.setObjectName("sync_progress")
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.pending_label = QLabel()
        self.pending_label.setObjectName("pending")
        self.last_sync_label = QLabel()
        self.last_sync_label.setObjectName("last_sync")
        self.inbox_button = QPushButton()
        self.inbox_button.setObjectName("inbox_badge")
        self.inbox_button.setFlat(True)
        self.inbox_button.setStyleSheet("color: white; background: #b3261e; border-radius: 8px; padding: 1px 8px;")
        self.inbox_button.clicked.connect(lambda: ctx.act("open_inbox"))
        self.inbox_button.hide()
        self.sync_button = QPushButton(_("Sync now"))
        self.sync_button.setObjectName("sync_now")
        self.sync_button.setFlat(True)
        self.sync_button.clicked.connect(ctx.session.sync_now)
        self.keyring_label = QLabel(_("No keyring: the sign-in lasts until the app closes"))
        self.keyring_label.setObjectName("no_keyring")
        self.keyring_label.setStyleSheet("color: #9a6700;")
        self.keyring_label.setToolTip(_(
            "This computer has no usable keyring (password store), so Yiti cannot keep your sign-in. "
            "Your work is safe; after a restart you sign in again to sync."))
        self.keyring_label.setVisible(not ctx.session.sign_in_kept)
        self.addWidget(self.state_label)
        self.addWidget(self.progress)
        self.addPermanentWidget(self.keyring_label)
        self.addPermanentWidget(self.inbox_button)
        self.addPermanentWidget(self.pending_label)
        self.addPermanentWidget(self.last_sync_label)
        self.addPermanentWidget(self.sync_button)
        session = ctx.session
        session.state_changed.connect(self._on_state)
        session.counts_changed.connect(self._on_counts)
        session.progress.connect(self._on_progress)
        session.synced.connect(self._on_synced)
        self._on_state(session.state.value)
        self._on_counts(session.counts)
        self._show_last_sync()

    @Slot(str)
    def _on_state(self, value: str) -> None:
        state = SyncState(value)
        colour, mark = _STATE_STYLE[state]
        self.state_label.setText(f"<span style='color:{colour}'>{mark}</span> {state_text(state)}")
        self.state_label.setProperty("state", state.value)
        if state != SyncState.SYNCING:
            self.progress.hide()

    @Slot(object)
    def _on_counts(self, counts: Counts) -> None:
        if counts.pending:
            self.pending_label.setText(
                ngettext("%(n)s change waiting to be sent", "%(n)s changes waiting to be sent", counts.pending)
                % {"n": fmt.number(counts.pending)})
        else:
            self.pending_label.setText(_("All changes sent"))
        self.inbox_button.setVisible(counts.inbox > 0)
        self.inbox_button.setText(
            ngettext("%(n)s to settle", "%(n)s to settle", counts.inbox) % {"n": fmt.number(counts.inbox)})

    @Slot(int, int)
    def _on_progress(self, done: int, expected: int) -> None:
        if expected <= 0 or done >= expected:
            self.progress.hide()
            return
        self.progress.setRange(0, expected)
        self.progress.setValue(done)
        self.progress.setFormat(_("Downloading %(done)s / %(total)s") % {
            "done": fmt.number(done), "total": fmt.number(expected)})
        self.progress.show()

    @Slot(object)
    def _on_synced(self, _report: object) -> None:
        self.progress.hide()
        self._show_last_sync()

    def _show_last_sync(self) -> None:
        last = self.ctx.session.last_synced
        if last is None:
            self.last_sync_label.setText(_("Not synced yet"))
        else:
            self.last_sync_label.setText(_("Last sync %(when)s") % {"when": fmt.datetime(last, style="short")})
