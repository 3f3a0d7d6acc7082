"""SyncLoop: a background thread that syncs on a timer and right after the server is reachable
again (checked with ``GET /health`` while offline)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from app.sync.client import SyncClient
from app.sync.exchange import SyncReport

log = logging.getLogger(__name__)


class SyncLoop:
    def __init__(
        self,
        client: SyncClient,
        interval: float = 60.0,
        probe_interval: float = 5.0,
        on_report: Callable[[SyncReport], None] | None = None,
        on_start: Callable[[], None] | None = None,
    ) -> None:
        self.client = client
        self.interval = interval
        self.probe_interval = probe_interval
        self.on_report = on_report
        #: called on the loop's thread just before each sync round (a "Syncing…" indicator)
        self.on_start = on_start
        self.last_report: SyncReport | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SyncLoop:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self.client.sleep = self._stop.wait  # closing the app cuts a retry's pause short
            self._thread = threading.Thread(target=self._run, name="yiti-sync", daemon=True)
            self._thread.start()
        return self

    def sync_now(self) -> None:
        """Ask for a sync as soon as possible (after a local change, say)."""
        self._wake.set()

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            report = self._sync_once()
            if report is not None and report.offline:
                self._wait_for_server()
                continue
            self._wake.wait(self.interval)
            self._wake.clear()

    def _sync_once(self) -> SyncReport | None:
        try:
            if self.on_start is not None:
                self.on_start()
            report = self.client.sync()
        except Exception:  # a bug must not kill the loop silently: log it and try again later
            log.exception("sync failed")
            return None
        self.last_report = report
        if self.on_report is not None:
            self.on_report(report)
        return report

    def _wait_for_server(self) -> None:
        """Probe cheaply until the server answers (or we are stopped); then sync at once."""
        waited = 0.0
        while not self._stop.is_set():
            if self.client.is_online():
                return
            self._wake.wait(self.probe_interval)
            if self._wake.is_set():
                self._wake.clear()
                return
            waited += self.probe_interval
            if waited >= self.interval:  # a full sync attempt now and then, even without a probe
                return
