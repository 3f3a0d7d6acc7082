"""The Qt half of bench/crm.py: the real Customers and 360° pages, offscreen, on the bench cache.

"First paint" is the moment the rows a user sees carry values: the id list arrived and the rows
in the view's visible part have been fetched (their cells no longer show "…"). A keystroke is
timed from the debounce timer firing (the page waits DEBOUNCE_MS of quiet typing first: that is
waiting, not work, so it is left out) to the same moment. A 10 ms timer runs throughout and
records how late the GUI thread let it fire.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from crm_cache import BenchCache, size_label
from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QMessageLogContext,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QWidget

from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.customers import CustomersPage
from app.ui.crm.view360 import Customer360Page
from app.ui.ops import Ops
from app.ui.prefs import Prefs
from app.ui.qtapp import apply_language, qapp
from app.ui.session import Session

OPEN_TARGET, KEY_TARGET, VIEW360_TARGET, BLOCKED_TARGET = 0.15, 0.05, 0.2, 0.05
PROBE_MS = 10
TIMEOUT = 60.0


def emit(line: dict[str, Any]) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def _r(value: float) -> float:
    return round(value, 4)


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


class Probe(QObject):
    """A 10 ms precise timer: the worst delay between when it should and when it did fire."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0
        self._last = 0.0

    def start(self) -> Probe:
        self.worst, self._last = 0.0, time.perf_counter()
        self.timer.start()
        return self

    def stop(self) -> float:
        self.timer.stop()
        return self.worst

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self._last - PROBE_MS / 1000)
        self._last = now


def wait_until(done: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the page did not get there in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)


class Stamps:
    """The time of the last emission of each watched signal (set by the slot: no polling lag)."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}

    def watch(self, signal: Any, name: str) -> None:
        signal.connect(lambda *_a: self.at.__setitem__(name, time.perf_counter()))


def _context(bench: BenchCache, folder: Path) -> AppContext:
    ops = Ops()
    session = Session(bench.client, ops, online=False, interval=3600, probe_interval=3600, identity=bench.identity)
    return AppContext(session, ops, Prefs(folder / "prefs.json"))


def _visible_rows_loaded(page: CustomersPage) -> bool:
    model, view = page.model, page.view
    if not model.loaded:
        return False
    shown = min(model.rowCount(), max(1, view.viewport().height() // max(1, view.rowHeight(0) or 1)))
    return all(model.row_data(r) is not None for r in range(shown))


def _painted_at(page: CustomersPage, stamps: Stamps, since: float) -> float:
    """When the visible rows first carried values after `since`."""
    wait_until(lambda: stamps.at.get("ids", 0) > since and _visible_rows_loaded(page))
    QCoreApplication.processEvents()  # the paint the arrival asked for
    rows_at = stamps.at.get("rows", 0)
    return max(stamps.at["ids"], rows_at if rows_at > since else 0)


def customers_page(ctx: AppContext, customers: int, rounds: int, typed: Sequence[str], probe: Probe) -> None:
    """Each round: a new page is asked to show (timed to its first paint), then the text is typed
    into it one keystroke at a time (each timed to its paint), so no round finds the rows the
    one before fetched."""
    k = size_label(customers)
    opens: list[float] = []
    lists: list[float] = []
    by_text: dict[str, list[float]] = {t: [] for t in typed}
    late = {"open": 0.0, "filter": 0.0}
    open_cpu: list[float] = []  # the GUI thread's own CPU time (what the machine's load leaves out)
    key_cpu: list[float] = []
    n = 0
    for _ in range(rounds):
        stamps = Stamps()
        probe.start()
        cpu, started = time.thread_time(), time.perf_counter()
        page = CustomersPage(ctx)
        stamps.watch(page.model.ids_loaded, "ids")
        stamps.watch(page.model.rows_loaded, "rows")
        page.resize(1200, 800)
        page.show()
        opens.append(_painted_at(page, stamps, started) - started)
        open_cpu.append(time.thread_time() - cpu)
        lists.append(stamps.at["ids"] - started)
        n = page.model.rowCount()
        late["open"] = max(late["open"], probe.stop())
        probe.start()
        for text in typed:
            page.search.setText(text)
            cpu, started = time.thread_time(), time.perf_counter()
            page.apply_filter()  # what the debounce timer calls after DEBOUNCE_MS of quiet
            by_text[text].append(_painted_at(page, stamps, started) - started)
            if text:
                key_cpu.append(time.thread_time() - cpu)
        late["filter"] = max(late["filter"], probe.stop())
        page.close()
        page.deleteLater()
        ctx.ops.wait()
        QCoreApplication.processEvents()
    p95 = _p95(opens)
    emit({"case": f"customers_page_open_{k}", "n": n, "seconds": _r(p95), "target_seconds": OPEN_TARGET,
          "p50_seconds": _r(statistics.median(opens)), "p95_seconds": _r(p95), "ids_p95_seconds": _r(_p95(lists)),
          "gui_cpu_p95_seconds": _r(_p95(open_cpu)), "gui_max_late_seconds": _r(late["open"]), "rounds": rounds})
    worst = [_p95(v) for t, v in by_text.items() if t]
    emit({"case": f"customers_page_filter_{k}", "n": customers, "seconds": _r(max(worst)), "target_seconds": KEY_TARGET,
          "p50_seconds": _r(statistics.median(worst)),
          "p95_seconds_by_text": {t: _r(_p95(v)) for t, v in by_text.items()},
          "cleared_seconds": _r(_p95(by_text.get("", [0.0]))), "gui_cpu_p95_seconds": _r(_p95(key_cpu)),
          "gui_max_late_seconds": _r(late["filter"]), "rounds": rounds})
    probe.worst = max(late.values())


def view360_page(bench: BenchCache, ctx: AppContext, rounds: int, probe: Probe) -> None:
    page = Customer360Page(ctx)
    page.resize(1200, 800)
    page.show()
    other = _another_customer(bench)
    timings: list[float] = []
    cpus: list[float] = []
    probe.start()
    for n in range(rounds * 2):
        party_id = bench.busy_id if n % 2 == 0 else other  # a switch each time, as a rep moves between customers
        cpu, started = time.thread_time(), time.perf_counter()
        page.show_customer(str(party_id))
        wait_until(partial(_showing, page, party_id))
        QCoreApplication.processEvents()  # the paint the arrival asked for
        if party_id == bench.busy_id:
            timings.append(time.perf_counter() - started)
            cpus.append(time.thread_time() - cpu)
            assert page.timeline_model.rowCount() > 0
    late = probe.stop()
    p95 = _p95(timings)
    emit({"case": "view360_page_first_paint", "n": bench.busy_activities,
          "seconds": _r(p95), "target_seconds": VIEW360_TARGET, "p50_seconds": _r(statistics.median(timings)),
          "p95_seconds": _r(p95), "gui_cpu_p95_seconds": _r(_p95(cpus)), "gui_max_late_seconds": _r(late),
          "rounds": rounds, "orders": 500})
    page.close()
    page.deleteLater()


def _showing(page: Customer360Page, party_id: uuid.UUID) -> bool:
    return page.loaded is not None and page.loaded.party_id == party_id


def _another_customer(bench: BenchCache) -> uuid.UUID:
    with reading(bench.client.db) as conn:
        found = conn.execute(sa.text("SELECT id FROM party WHERE id != :b AND NOT archived LIMIT 1"),
                             {"b": bench.busy_id.hex}).scalar_one()
    return uuid.UUID(found)


def _quiet_offscreen_warnings(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if "propagateSizeHints" not in message:  # the offscreen platform says so for every window
        print(message, file=sys.stderr)


def idle_lateness(probe: Probe, seconds: float = 1.0) -> float:
    """The probe's worst lateness while the GUI thread does nothing (the machine's own noise)."""
    probe.start()
    deadline = time.perf_counter() + seconds
    wait_until(lambda: time.perf_counter() > deadline)
    return probe.stop()


def ui_cases(bench: BenchCache, customers: int, rounds: int, folder: Path, typed: Sequence[str]) -> None:
    qInstallMessageHandler(_quiet_offscreen_warnings)
    app = qapp()
    apply_language("zh_CN")
    ctx = _context(bench, folder)
    probe = Probe()
    idle = idle_lateness(probe)
    worst: list[float] = []
    try:
        customers_page(ctx, customers, rounds, typed, probe)
        worst.append(probe.worst)
        view360_page(bench, ctx, rounds, probe)
        worst.append(probe.worst)
    finally:
        for widget in app.topLevelWidgets():
            if isinstance(widget, QWidget):
                widget.close()
        ctx.ops.wait()
        QCoreApplication.processEvents()
    emit({"case": "gui_thread_blocked", "seconds": _r(max(worst)), "floor_seconds": _r(idle),
          "target_seconds": BLOCKED_TARGET, "probe_ms": PROBE_MS})
