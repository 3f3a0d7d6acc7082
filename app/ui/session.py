"""The signed-in session as the GUI sees it: the cache's SyncClient, the background SyncLoop, and
Qt signals for the status bar (online / offline / syncing, progress, pending, conflicts)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import QObject, Signal, Slot

from app.sync import SyncClient, SyncLoop, SyncReport, cache
from app.sync.cache import reading
from app.sync.codec import loads
from app.sync.signin import Identity, identity_of
from app.ui.ops import Changes, Op, Ops


class SyncState(enum.StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    SYNCING = "syncing"
    #: the server no longer accepts our sign-in (password changed, disabled): work goes on offline
    SIGNED_OUT = "signed_out"
    ERROR = "error"


@dataclass(frozen=True)
class Counts:
    pending: int = 0
    conflicts: int = 0
    rejected: int = 0

    @property
    def inbox(self) -> int:
        return self.conflicts + self.rejected


class Session(QObject):
    state_changed = Signal(str)
    #: (rows done, rows expected) while a long pull runs
    progress = Signal(int, int)
    synced = Signal(object)
    counts_changed = Signal(object)
    #: who is signed in became better known (the directory arrived with the first sync)
    identity_changed = Signal(object)

    # emitted on the sync thread, delivered on the GUI thread (slots of this GUI-thread object)
    _started = Signal()
    _reported = Signal(object)
    _progressed = Signal(int, int)

    def __init__(
        self, client: SyncClient, ops: Ops, *, online: bool, interval: float = 60.0, probe_interval: float = 5.0,
        identity: Identity | None = None, sign_in_kept: bool = True, parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.ops = ops
        #: read by the sign-in worker; read here only when a caller did not
        self.identity = identity or identity_of(client)
        #: False when the OS has no keyring: the sign-in lasts only while the app runs
        self.sign_in_kept = sign_in_kept
        self.state = SyncState.ONLINE if online else SyncState.OFFLINE
        self.counts = Counts()
        self.last_synced: dt.datetime | None = _parse(client.state("last_synced_at"))
        self.last_report: SyncReport | None = None
        self._started.connect(self._on_started)
        self._reported.connect(self._on_reported)
        self._progressed.connect(self.progress)
        # closures hold this session while the sync thread runs: a QObject deleted under a thread
        # that emits on it would crash the process
        client.on_progress = lambda done, expected: self._progressed.emit(done, expected)
        self.loop = SyncLoop(client, interval=interval, probe_interval=probe_interval,
                             on_report=lambda report: self._reported.emit(report),
                             on_start=lambda: self._started.emit())
        ops.changed.connect(self._on_changed)

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self.loop.start()
        self.refresh_counts()

    def close(self, sign_out: bool = False) -> None:
        """Stop syncing and close the cache; `sign_out` also forgets the kept sign-in."""
        self.loop.stop()
        self.client.on_progress = None
        if sign_out:
            self.client.transport.forget()
        self.client.close()

    def sync_now(self) -> None:
        self.loop.sync_now()

    # --- writes -------------------------------------------------------------------------------
    def mutate(self, name: str, args: Mapping[str, Any]) -> Op[Changes]:
        """Apply a mutation to the cache on the writer thread and queue it for the server; the
        op's result names the rows it touched."""

        def work() -> Changes:
            mutation_id = self.client.mutate(name, args)
            with reading(self.client.db) as conn:
                touched = conn.execute(sa.text("SELECT touched FROM outbox WHERE id = :id"),
                                       {"id": mutation_id}).scalar()
            return Changes.of((t, r) for t, r in loads(touched or "[]"))

        return self.ops.write(work)

    # --- counts -------------------------------------------------------------------------------
    def refresh_counts(self) -> None:
        def read() -> Counts:
            with reading(self.client.db) as conn:
                pending, conflicts, rejected = (
                    conn.execute(sa.text(f"SELECT count(*) FROM {where}")).scalar_one()
                    for where in ("outbox WHERE state = 'pending'", "conflict WHERE resolved_at IS NULL",
                                  "rejected WHERE dismissed_at IS NULL"))
            return Counts(pending, conflicts, rejected)

        self.ops.read(read).success(self._set_counts).run()

    def _set_counts(self, counts: Counts) -> None:
        self.counts = counts
        self.counts_changed.emit(counts)

    # --- slots (GUI thread) -------------------------------------------------------------------
    @Slot()
    def _on_started(self) -> None:
        if self.state != SyncState.OFFLINE:
            self._set_state(SyncState.SYNCING)

    @Slot(object)
    def _on_reported(self, report: SyncReport) -> None:
        self.last_report = report
        if report.offline:
            self._set_state(SyncState.OFFLINE)
        elif report.error == "auth.not_authenticated":
            self._set_state(SyncState.SIGNED_OUT)
        elif report.error is not None:
            self._set_state(SyncState.ERROR)
        else:
            self.last_synced = dt.datetime.now(dt.UTC)
            self._set_state(SyncState.ONLINE)
            self.ops.write(self._stamp).run()
        if report.changed is None or report.rejected or report.conflicts or report.not_applying:
            self.ops.changed.emit(Changes(everything=True))
        elif report.changed:
            self.ops.changed.emit(Changes(rows=report.changed))
        self.refresh_counts()
        if report.changed is None or "app_user" in report.changed:
            self.ops.read(lambda: identity_of(self.client)).success(self._set_identity).run()
        self.synced.emit(report)

    def _set_identity(self, identity: Identity) -> None:
        if identity != self.identity:
            self.identity = identity
            self.identity_changed.emit(identity)

    def _stamp(self) -> None:
        with self.client.db.begin() as conn:
            cache.set_state(conn, "last_synced_at", self.last_synced.isoformat() if self.last_synced else None)

    @Slot(object)
    def _on_changed(self, changes: Changes) -> None:
        if changes.local:
            self.refresh_counts()
            self.sync_now()

    def _set_state(self, state: SyncState) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state.value)


def _parse(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None
