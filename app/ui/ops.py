"""Background work for the GUI (DESIGN §5, after Anki's ``QueryOp`` / ``CollectionOp``).

* ``ops.read(fn)`` runs ``fn()`` on a thread pool (SQLite WAL readers never wait for the writer);
* ``ops.write(fn)`` runs ``fn()`` on the one serial writer, in submission order, and ``fn`` returns
  a :class:`Changes`: which rows it touched, so open views refresh just those rows.

Results come back on the GUI thread through queued signals: ``.success(cb)`` / ``.failure(cb)``.
Workers never touch widgets. A failure with no handler goes to the app-wide ``failed`` signal
(the one error dialog and the log), so nothing is swallowed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Changes:
    """What a write (or a sync) changed: table → ids of the touched rows. ``everything`` asks
    views to reload (a snapshot resync); ``local`` says whether queued work grew."""

    rows: dict[str, set[str]] = field(default_factory=dict)
    everything: bool = False
    local: bool = False

    def add(self, table: str, row_id: object) -> Changes:
        self.rows.setdefault(table, set()).add(str(row_id))
        return self

    def touches(self, *tables: str) -> bool:
        return self.everything or any(t in self.rows for t in tables)

    def ids(self, table: str) -> set[str]:
        return self.rows.get(table, set())

    @classmethod
    def of(cls, touched: Iterable[tuple[str, object]], local: bool = True) -> Changes:
        changes = cls(local=local)
        for table, row_id in touched:
            changes.add(table, row_id)
        return changes


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, and because the receiving slots belong to this
    GUI-thread object, Qt queues their call to the GUI thread."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, ops: Ops, op: Op[Any]) -> None:
        # owned by the application, not by the Ops: it must outlive a worker that still emits on it
        # (a deleted receiver crashes the emitting thread) and be deleted by Qt only once its slot
        # has returned (deleteLater in Ops._finished), never by Python's garbage collector
        super().__init__(QCoreApplication.instance())
        self.ops = ops
        self.op = op
        self.succeeded.connect(self._on_succeeded)
        self.failed.connect(self._on_failed)

    @Slot(object)
    def _on_succeeded(self, result: Any) -> None:
        try:
            self.op._succeeded(result)
        finally:
            self.ops._finished(self)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        try:
            self.op._failed(exc)
        finally:
            self.ops._finished(self)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # handed to the GUI thread, never lost
            self.relay.failed.emit(exc)
        else:
            self.relay.succeeded.emit(result)


class Op(Generic[T]):
    """One piece of background work; chain ``.success()`` / ``.failure()`` before ``.run()``."""

    def __init__(self, ops: Ops, fn: Callable[[], T], writer: bool) -> None:
        self._ops = ops
        self._fn = fn
        self._writer = writer
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None

    def success(self, callback: Callable[[T], None]) -> Op[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op[T]:
        self._on_failure = callback
        return self

    def run(self) -> Op[T]:
        self._ops._start(self)
        return self

    # GUI thread
    def _succeeded(self, result: Any) -> None:
        try:
            if self._writer and isinstance(result, Changes):
                self._ops.changed.emit(result)
            if self._on_success is not None:
                self._on_success(result)
        except Exception as exc:  # a bug in a callback: the one error dialog, not a silent loss
            self._ops.failed.emit(exc)

    def _failed(self, exc: BaseException) -> None:
        if self._on_failure is not None:
            try:
                self._on_failure(exc)
            except Exception as again:
                self._ops.failed.emit(again)
        else:
            self._ops.failed.emit(exc)


class Ops(QObject):
    """The app's background workers: a pool of readers and one serial writer."""

    #: a write finished: views refresh the rows it names
    changed = Signal(object)
    #: an op failed and nobody handled it (goes to the error dialog)
    failed = Signal(object)
    #: the number of running ops went to zero
    idle = Signal()

    def __init__(self, parent: QObject | None = None, readers: int = 3) -> None:
        super().__init__(parent)
        self._readers = QThreadPool(self)
        self._readers.setMaxThreadCount(readers)
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)  # one writer: writes run in the order they were asked
        self._running: set[_Relay] = set()

    def read(self, fn: Callable[[], T]) -> Op[T]:
        return Op(self, fn, writer=False)

    def write(self, fn: Callable[[], T]) -> Op[T]:
        return Op(self, fn, writer=True)

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the pools are empty (tests and shutdown); queued results still need the
        event loop to arrive."""
        return self._writer.waitForDone(msecs) and self._readers.waitForDone(msecs)

    def _start(self, op: Op[Any]) -> None:
        relay = _Relay(self, op)
        self._running.add(relay)
        (self._writer if op._writer else self._readers).start(_Job(op._fn, relay))

    def _finished(self, relay: _Relay) -> None:
        self._running.discard(relay)
        relay.deleteLater()
        if not self._running:
            self.idle.emit()
