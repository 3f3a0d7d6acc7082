"""The sync machine's injected faults, each its own rule: lost answers, connection resets,
duplicated and re-sent pushes, transient server failures, clients killed mid-push and mid-pull,
server restarts, compaction and resyncs, and a writer holding a transaction open."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from app.sync import SyncClient
from server.sync import push as pushing
from server.sync.pull import compact
from tests.sync import checks
from tests.sync.network import AFTER_SERVER, BEFORE_SERVER, ClientKilled, Fault
from tests.sync.steps import ATTEMPTS, PICK, SEAT, SKIP, step
from tests.sync.world import Seat


class FaultRules:
    """Mixed into the SyncMachine, whose helpers (seat, sync, sync_with…) these rules use."""

    world: Any
    model: Any
    floor: int
    pushes: list[tuple[int, dict[str, Any]]]
    products: list[str]
    long_product: str
    locations: list[str]

    @rule(seat=SEAT, endpoint=st.sampled_from(["meta", "push", "pull"]), skip=SKIP,
          times=st.integers(1, ATTEMPTS + 1), error=st.sampled_from(sorted(AFTER_SERVER)))
    @step
    def sync_losing_answers(self, seat: int, endpoint: Any, skip: int, times: int, error: str) -> None:
        """The server commits, the answer never arrives; retries must not apply anything twice."""
        self._sync_through(self.seat(seat), Fault(endpoint, "drop", skip, times, error))

    @rule(seat=SEAT, endpoint=st.sampled_from(["meta", "push", "pull"]), skip=SKIP,
          times=st.integers(1, ATTEMPTS + 1), error=st.sampled_from(sorted(BEFORE_SERVER)))
    @step
    def sync_with_connection_resets(self, seat: int, endpoint: Any, skip: int, times: int, error: str) -> None:
        """The connection breaks before the request reaches the server, mid-push or mid-pull."""
        self._sync_through(self.seat(seat), Fault(endpoint, "reset", skip, times, error))

    def _sync_through(self, seat: Seat, fault: Fault) -> None:
        report, fault = self.sync_with(seat, fault)
        assert report is not None
        gave_up = fault.fired >= ATTEMPTS
        assert report.offline == gave_up, f"seat {seat.index}: {report} after {fault}"
        assert report.ok or gave_up, f"seat {seat.index}: {report}"

    @rule(seat=SEAT, skip=SKIP, times=st.integers(1, 2))
    @step
    def sync_with_pushes_duplicated(self, seat: int, skip: int, times: int) -> None:
        """A proxy sends a push twice: the second run must replay, not apply again."""
        report, _fault = self.sync_with(self.seat(seat), Fault("push", "duplicate", skip, times))
        assert report is not None and report.ok, report

    @rule(seat=SEAT, at=st.integers(1, 3), times=st.integers(1, 2))
    @step
    def sync_with_a_transient_server_failure(self, seat: int, at: int, times: int) -> None:
        """A mutation hits a transient database failure: the batch stops there, what ran before
        is committed and answered, and the client sends the rest again."""
        real, runs = pushing._apply, {"n": 0, "failed": 0}

        def flaky(*args: Any, **kwargs: Any) -> Any:
            runs["n"] += 1
            if runs["n"] >= at and runs["failed"] < times:
                runs["failed"] += 1
                raise sa.exc.OperationalError("UPDATE party", {}, RuntimeError("could not serialize access"))
            return real(*args, **kwargs)

        pushing._apply = flaky
        try:
            report = self.sync_ok(self.seat(seat))
        finally:
            pushing._apply = real
        if runs["failed"]:
            event("push stopped by a transient failure")
        assert report.ok, report

    @rule(pick=PICK)
    @step
    def resend_an_old_push(self, pick: int) -> None:
        """Someone sends a batch the server has run already: it answers as it did the first time."""
        if self.pushes:
            seat, body = self.pushes[pick % len(self.pushes)]
            self.seat(seat).sc.transport.call("POST", "sync/push", body)

    @rule(seat=SEAT, endpoint=st.sampled_from(["push", "pull"]), skip=SKIP)
    @step
    def kill_client_after_the_server_answered(self, seat: int, endpoint: Any, skip: int) -> None:
        report, _fault = self.sync_with(self.seat(seat), Fault(endpoint, "kill", skip))
        assert report is None or report.ok, report

    @rule(seat=SEAT, page=st.integers(1, 3))
    @step
    def kill_client_before_a_page_commits(self, seat: int, page: int) -> None:
        """The client dies after writing a pulled page, before its SQLite commit."""
        s = self.seat(seat)
        applied = {"pages": 0}

        def crash() -> None:
            applied["pages"] += 1
            if applied["pages"] == page:
                raise ClientKilled("client killed mid-pull")

        SyncClient._after_page_applied_hook = crash
        try:
            report = self.sync(s)
            assert report.ok, report
        except ClientKilled:
            event("client killed before a page committed")
            self.world.restart_client(s)
        finally:
            SyncClient._after_page_applied_hook = None

    @rule()
    @step
    def compact_change_log(self) -> None:
        """Superseded change entries go (always safe: a change carries the whole row)."""
        with self.world.checker.begin() as conn:
            compact(conn)

    @rule(seat=SEAT, cut=st.integers(0, ATTEMPTS))
    @step
    def resync_below_the_compaction_floor(self, seat: int, cut: int) -> None:
        """A retention job purged change entries below the horizon (all it may purge): clients
        whose cursor is below that floor download a snapshot again (here through `cut` broken
        streams), keeping their queue and identity."""
        with self.world.checker.connect() as conn:
            horizon = checks.horizon(conn)
        with self.world.checker.begin() as conn:
            conn.execute(sa.text("UPDATE tenant_info SET compaction_floor = :f"), {"f": horizon})
        self.floor = horizon
        s = self.seat(seat)
        behind = self.below_floor(s)
        report, fault = self.sync_with(s, Fault("snapshot", "cut", 0, cut)) if cut else (self.sync(s), None)
        assert report is not None
        gave_up = fault is not None and fault.fired >= ATTEMPTS
        assert report.offline == gave_up and (report.ok or gave_up), f"seat {s.index}: {report}"
        assert report.resynced == behind, f"seat {s.index}: resynced {report.resynced}, behind the floor {behind}"

    @rule()
    @step
    def restart_server(self) -> None:
        self.world.restart_server()

    @precondition(lambda self: self.world.writer is None or not self.world.writer.open)
    @rule()
    @step
    def open_long_transaction(self) -> None:
        """Another writer on the server takes an xid and keeps its transaction open."""
        # its own product: no rule creates that SKU again and no client moves it, so no push waits on
        # the unique index or the stock level rows behind the writer
        self.world.long_writer(self.long_product, (self.locations[2], self.locations[0])).begin()

    @precondition(lambda self: self.world.writer is not None and self.world.writer.open)
    @rule()
    @step
    def write_in_long_transaction(self) -> None:
        assert self.world.writer is not None
        self.world.writer.write()

    @precondition(lambda self: self.world.writer is not None and self.world.writer.open)
    @rule(commit=st.booleans())
    @step
    def end_long_transaction(self, commit: bool) -> None:
        self._end_long_transaction(commit)

    def _end_long_transaction(self, commit: bool) -> None:
        assert self.world.writer is not None
        parties, moves = self.world.writer.end(commit)
        self.model.committed_elsewhere(parties, moves)
