"""One sync round with the server: meta, push (with retries), pull (page by page), and the
recoveries the protocol asks for: a gap, a copied cache, a restored or compacted server."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.core.errors import DomainError
from app.core.i18n import current_locale
from app.core.protocol import Cursor, PushOut, SyncMetaOut
from app.sync import cache
from app.sync.apply import Applied, apply_pages, stamp, store_push_results
from app.sync.bootstrap import Bootstrapped, Progress, SnapshotIncomplete, apply_snapshot
from app.sync.codec import loads
from app.sync.outbox import renumber
from app.sync.transport import ApiError, Offline, Transport

log = logging.getLogger(__name__)

#: the client's wire schema (PushIn.schema_version)
SCHEMA_VERSION = 1
PUSH_BATCH = 500
PULL_LIMIT = 2000
#: a sync that wrote more rows than this asks views to reload instead of listing them
MAX_LISTED_CHANGES = 20_000
#: state flag: rebase after every page until caught up (after a resync, pulled rows arrive late)
REBASE_UNTIL_CAUGHT_UP = "rebase_until_caught_up"

T = TypeVar("T")


@dataclass
class SyncReport:
    """What one `SyncClient.sync()` did."""

    pushed: int = 0
    applied: int = 0
    rejected: int = 0
    conflicts: int = 0
    pulled_changes: int = 0
    #: rows received in a snapshot (an empty cache, or a resync)
    snapshot_rows: int = 0
    offline: bool = False
    #: the error code that ended the round early (e.g. "auth.not_authenticated"), or None
    error: str | None = None
    message: str | None = None
    resynced: bool = False
    new_client_id: bool = False
    not_applying: list[int] = field(default_factory=list)
    #: table → ids of the rows pulls wrote; None once there were too many to list (reload all)
    changed: dict[str, set[str]] | None = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.offline and self.error is None

    def note_changed(self, touched: dict[str, set[str]]) -> None:
        if self.changed is None:
            return
        for table, ids in touched.items():
            self.changed.setdefault(table, set()).update(ids)
        if sum(len(ids) for ids in self.changed.values()) > MAX_LISTED_CHANGES:
            self.changed = None


class Exchange:
    def __init__(
        self,
        db: Engine,
        transport: Transport,
        user_id: Callable[[], uuid.UUID | None],
        before_commit: Callable[[], Callable[[], None] | None],
        retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0),
        sleep: Callable[[float], object] = time.sleep,
        on_progress: Progress | None = None,
    ) -> None:
        self.db = db
        self.transport = transport
        self.user_id = user_id
        self.before_commit = before_commit
        self.retry_delays = retry_delays
        self.sleep = sleep
        #: (rows done, rows expected) while a snapshot downloads
        self.on_progress = on_progress

    # --- state ---------------------------------------------------------------------------------
    def client_id(self) -> str:
        with self.db.begin() as conn:
            value = cache.get_state(conn, "client_id")
            if value is None:
                value = str(uuid.uuid4())
                cache.set_state(conn, "client_id", value)
            return str(value)

    def new_identity(self, report: SyncReport, *, resync: bool) -> None:
        """A copied cache or a restored server: continue under a new client id, queued mutations
        renumbered from 1. A resync (restored server) also downloads every row again and sends
        the mutations it had applied once more, since the restore may have lost them."""
        with self.db.begin() as conn:
            cache.set_state(conn, "client_id", str(uuid.uuid4()))
            if resync:
                self._forget_cursor(conn)
                cache.set_state(conn, "epoch", None)
            renumber(conn, 1, reopen_done=resync)
        report.new_client_id = True
        report.resynced = report.resynced or resync

    def resync_rows(self, report: SyncReport) -> None:
        """Our cursor fell below the server's compaction floor: download every row again. The
        client id and the queue stay as they are (the server lost nothing of ours)."""
        with self.db.begin() as conn:
            self._forget_cursor(conn)
        report.resynced = True

    @staticmethod
    def _forget_cursor(conn: Connection) -> None:
        # the cached rows stay visible until the snapshot replaces them in one transaction
        cache.set_state(conn, "cursor", None)
        cache.set_state(conn, REBASE_UNTIL_CAUGHT_UP, True)

    # --- the round -----------------------------------------------------------------------------
    def run(self) -> SyncReport:
        report = SyncReport()
        try:
            if self._meta(report):  # restored server: download first, then send the queue again
                self._pull(report)
            self._push(report)
            if self._pull(report):  # the server asked for a resync: queued work goes again
                self._push(report)
                self._pull(report)
            with self.db.begin() as conn:
                stamp(conn)
        except Offline as exc:
            log.info("sync: offline (%s)", exc)
            report.offline = True
        except ApiError as exc:
            report.error, report.message = exc.server_code, exc.server_message
        except DomainError as exc:
            report.error, report.message = exc.code, exc.message(current_locale())
        return report

    def _retrying(self, call: Callable[[], T]) -> T:
        """Retry transport failures and 503 with bounded backoff; the last failure propagates."""
        for delay in (*self.retry_delays, None):
            try:
                return call()
            except Offline:
                if delay is None:
                    raise
            except ApiError as exc:
                if exc.status_code != 503 or delay is None:
                    raise
            self.sleep(delay)
        raise AssertionError("unreachable")

    def _fetch_meta(self) -> SyncMetaOut:
        client_id = self.client_id()
        return SyncMetaOut.model_validate(
            self._retrying(partial(self.transport.call, "GET", "sync/meta", params={"client_id": client_id}))
        )

    def _meta(self, report: SyncReport) -> bool:
        """Check the server's epoch, compaction floor and our mutation count; returns whether a
        resync began."""
        meta = self._fetch_meta()
        with self.db.begin() as conn:
            epoch, cursor = cache.get_state(conn, "epoch"), cache.get_state(conn, "cursor")
        if epoch is not None and epoch != meta.epoch:
            self.new_identity(report, resync=True)
            return True
        self._align(meta.last_mutation_id)
        if cursor is not None and Cursor.model_validate(cursor).below_floor(meta.compaction_floor):
            self.resync_rows(report)
            return True
        return False

    def _resync(self, report: SyncReport) -> None:
        """The server refused our cursor: a restore (new epoch) or compaction past it."""
        meta = self._fetch_meta()
        with self.db.begin() as conn:
            epoch = cache.get_state(conn, "epoch")
        if epoch is not None and epoch != meta.epoch:
            self.new_identity(report, resync=True)
        else:
            self.resync_rows(report)

    def _align(self, last: int | None) -> None:
        """Pending ids continue the server's count: after a gap, they start at last + 1."""
        with self.db.begin() as conn:
            first = conn.execute(sa.text("SELECT MIN(id) FROM outbox WHERE state = 'pending'")).scalar()
            if first is not None and int(first) > (last or 0) + 1:
                renumber(conn, (last or 0) + 1)

    def _push(self, report: SyncReport) -> None:
        recoveries = 0
        while True:
            with self.db.begin() as conn:
                queued = conn.execute(
                    sa.text("SELECT id, name, version, args FROM outbox WHERE state = 'pending' ORDER BY id LIMIT :n"),
                    {"n": PUSH_BATCH},
                ).all()
            if not queued:
                return
            client_id = self.client_id()
            body = {
                "client_id": client_id,
                "schema_version": SCHEMA_VERSION,
                "mutations": [
                    {"id": r.id, "name": r.name, "version": r.version, "args": loads(r.args)} for r in queued
                ],
            }
            try:
                raw: Any = self._retrying(partial(self.transport.call, "POST", "sync/push", body))
            except ApiError as exc:
                recoveries += 1
                if recoveries > 3 or exc.server_code not in ("sync.gap", "sync.client_clone"):
                    raise
                if exc.server_code == "sync.client_clone":
                    self.new_identity(report, resync=False)
                else:
                    self._meta(report)
                continue
            out = PushOut.model_validate(raw)
            user_id = self.user_id()
            with self.db.begin() as conn:
                done = store_push_results(conn, out, user_id)
            report.pushed += len(out.results)
            report.applied += done.applied
            report.rejected += done.rejected
            report.conflicts += done.conflicts
            report.not_applying = done.not_applying
            if out.stopped or not out.results:
                recoveries += 1
                if recoveries > len(self.retry_delays):
                    raise ApiError(503, "sync.unavailable", "push stopped early")
                self.sleep(self.retry_delays[min(recoveries, len(self.retry_delays)) - 1])

    def _apply(self, pages: list[dict[str, Any]]) -> Applied:
        """Write pulled pages and their cursor in ONE SQLite transaction (DESIGN §4, invariant 5)."""
        user_id = self.user_id()
        with self.db.begin() as conn:
            catching_up = bool(cache.get_state(conn, REBASE_UNTIL_CAUGHT_UP))
            done = apply_pages(conn, pages, user_id, self.before_commit(), force_rebase=catching_up)
            if catching_up and not pages[-1]["has_more"]:
                cache.set_state(conn, REBASE_UNTIL_CAUGHT_UP, None)
        return done

    def _bootstrap(self, report: SyncReport) -> dict[str, Any]:
        """Fill the cache from one server snapshot; returns the cursor to pull on from."""

        def once() -> Bootstrapped:
            body, user_id = {"client_id": self.client_id()}, self.user_id()
            with self.transport.stream("sync/snapshot", body) as lines, self.db.begin() as conn:
                try:
                    done = apply_snapshot(conn, lines, user_id, self.on_progress, self.before_commit())
                except SnapshotIncomplete as exc:  # rolled back; a retry starts over
                    raise Offline(str(exc)) from exc
                cache.set_state(conn, REBASE_UNTIL_CAUGHT_UP, None)
            return done

        done = self._retrying(once)
        report.snapshot_rows += done.rows
        report.changed = None  # a snapshot rewrote the cache: every view reloads
        report.not_applying = done.not_applying or report.not_applying
        return done.cursor

    def _pull(self, report: SyncReport) -> bool:
        """Pull until caught up; returns whether the server demanded a resync on the way."""
        resynced = False
        with self.db.begin() as conn:
            cursor = cache.get_state(conn, "cursor")
        held: list[dict[str, Any]] = []  # partial pages wait for the page that completes them
        while True:
            if cursor is None:  # an empty cache (or a resync) starts from the server's snapshot
                cursor = self._bootstrap(report)
                continue
            body = {"client_id": self.client_id(), "cursor": cursor, "limit": PULL_LIMIT}
            try:
                page: dict[str, Any] = self._retrying(partial(self.transport.call, "POST", "sync/pull", body))
            except ApiError as exc:
                if exc.server_code != "sync.resync" or resynced:
                    raise
                self._resync(report)
                resynced, cursor, held = True, None, []
                continue
            held.append(page)
            cursor = page["cursor"]
            if page.get("partial"):
                continue
            done = self._apply(held)
            report.pulled_changes += done.changes
            report.note_changed(done.touched)
            report.not_applying = done.not_applying or report.not_applying
            held = []
            if not page["has_more"]:
                return resynced
