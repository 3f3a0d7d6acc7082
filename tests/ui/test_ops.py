"""Background ops: readers in a pool, one serial writer, results on the GUI thread, failures never
lost (the error reporter and the log), writes announcing the rows they changed."""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from app.core.errors import NotFound
from app.ui.errors import ErrorReporter
from app.ui.ops import Changes, Ops


def test_writes_run_one_at_a_time_in_the_order_they_were_asked(qtbot):
    ops = Ops()
    done: list[int] = []
    threads: set[str] = set()

    def write(i: int):
        def work() -> int:
            threads.add(threading.current_thread().name)
            time.sleep(0.002 * (10 - i))  # the earlier ones are slower: order must still hold
            done.append(i)
            return i
        return work

    for i in range(10):
        ops.write(write(i)).run()
    qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
    assert done == list(range(10))
    assert len(threads) == 1


def test_results_arrive_on_the_gui_thread(qtbot):
    ops = Ops()
    seen: list[bool] = []
    worker: list[bool] = []

    def work() -> int:
        worker.append(QThread.currentThread() is QApplication.instance().thread())
        return 42

    ops.read(work).success(lambda v: seen.append(QThread.currentThread() is QApplication.instance().thread()
                                                 and v == 42)).run()
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen == [True] and worker == [False]


def test_a_read_is_not_held_up_by_a_slow_write(qtbot):
    ops = Ops()
    release = threading.Event()
    order: list[str] = []
    ops.write(lambda: (release.wait(10), order.append("write"))).run()
    ops.read(lambda: order.append("read")).run()
    qtbot.waitUntil(lambda: order == ["read"], timeout=10_000)
    release.set()
    qtbot.waitUntil(lambda: order == ["read", "write"], timeout=10_000)


def test_a_write_announces_the_rows_it_changed(qtbot):
    ops = Ops()
    with qtbot.waitSignal(ops.changed, timeout=10_000) as signal:
        ops.write(lambda: Changes(local=True).add("party", "p1")).run()
    changes = signal.args[0]
    assert changes.ids("party") == {"p1"} and changes.touches("party") and not changes.touches("contact")


def test_a_failure_goes_to_its_handler(qtbot):
    ops = Ops()
    caught: list[BaseException] = []
    unhandled: list[BaseException] = []
    ops.failed.connect(unhandled.append)
    ops.read(lambda: 1 / 0).failure(caught.append).run()
    qtbot.waitUntil(lambda: bool(caught), timeout=10_000)
    assert isinstance(caught[0], ZeroDivisionError) and unhandled == []


def test_an_unhandled_failure_reaches_the_error_dialog_and_the_log(qtbot, caplog):
    ops = Ops()
    reporter = ErrorReporter()
    reporter.quiet = True
    ops.failed.connect(reporter.report)

    def broken() -> None:
        raise RuntimeError("disk on fire")

    with caplog.at_level(logging.ERROR, logger="yiti.ui"):
        ops.read(broken).run()
        qtbot.waitUntil(lambda: bool(reporter.shown), timeout=10_000)
    assert "RuntimeError" in reporter.shown[0] and "log file" in reporter.shown[0]
    assert "disk on fire" in caplog.text


def test_an_expected_error_is_shown_translated_and_not_logged_as_a_bug(qtbot, caplog):
    ops = Ops()
    reporter = ErrorReporter()
    reporter.quiet = True
    ops.failed.connect(reporter.report)

    def missing() -> None:
        raise NotFound(what="客户")

    with caplog.at_level(logging.ERROR, logger="yiti.ui"):
        ops.read(missing).run()
        qtbot.waitUntil(lambda: bool(reporter.shown), timeout=10_000)
    assert reporter.shown == ["客户 was not found."]
    assert "Traceback" not in caplog.text


def test_a_bug_in_a_success_callback_is_reported_too(qtbot):
    ops = Ops()
    unhandled: list[BaseException] = []
    ops.failed.connect(unhandled.append)
    ops.read(lambda: None).success(lambda _v: [][1]).run()
    qtbot.waitUntil(lambda: bool(unhandled), timeout=10_000)
    assert isinstance(unhandled[0], IndexError)
