"""Offline is a normal state: the background loop syncs once the server is back, and a busy
server is retried with backoff, never given up on silently."""

from __future__ import annotations

import time

import httpx

from app.sync import SyncLoop


class Flaky:
    """The app's HTTP client with a switch: `down` refuses connections, `busy` answers 503 to that
    many pushes."""

    def __init__(self, inner: httpx.Client) -> None:
        self.inner = inner
        self.down = False
        self.busy = 0
        self.pushes = 0

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def _gate(self, url: object) -> httpx.Response | None:
        if self.down:
            raise httpx.ConnectError("connection refused")
        if str(url).endswith("sync/push"):
            self.pushes += 1
            if self.busy:
                self.busy -= 1
                return httpx.Response(503, json={"code": "sync.unavailable", "message": "busy"})
        return None

    def request(self, method, url, **kw):
        return self._gate(url) or self.inner.request(method, url, **kw)

    def get(self, url, **kw):
        return self._gate(url) or self.inner.get(url, **kw)

    def stream(self, method, url, **kw):
        self._gate(url)
        return self.inner.stream(method, url, **kw)


def _wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_the_loop_syncs_as_soon_as_the_server_is_reachable_again(make_client):
    rep = make_client("rep1")
    flaky = Flaky(rep.transport.http)
    rep.transport.http = flaky
    flaky.down = True
    rep.mutate("crm.customer.create", {"name": "路上新建"})
    reports = []
    loop = SyncLoop(rep, interval=60.0, probe_interval=0.05, on_report=reports.append).start()
    try:
        assert _wait_for(lambda: any(r.offline for r in reports)), "offline is reported, not raised"
        assert len(rep.pending()) == 1, "nothing is lost while offline"
        flaky.down = False
        assert _wait_for(lambda: rep.pending() == []), "synced well before the 60 s timer"
    finally:
        loop.stop()
    assert not loop.running
    assert reports[-1].ok and reports[-1].applied == 1


def test_a_busy_server_is_retried_with_backoff(make_client):
    rep = make_client("rep1")
    flaky = Flaky(rep.transport.http)
    rep.transport.http = flaky
    rep.retry_delays = (0.01, 0.01, 0.01)
    rep.mutate("crm.customer.create", {"name": "忙时新建"})
    flaky.busy = 2

    report = rep.sync()

    assert report.ok and report.applied == 1
    assert flaky.pushes == 3


def test_a_server_busy_for_longer_than_the_retries_keeps_the_change_queued(make_client):
    rep = make_client("rep1")
    flaky = Flaky(rep.transport.http)
    rep.transport.http = flaky
    rep.retry_delays = (0.0,)
    rep.mutate("crm.customer.create", {"name": "稍后再发"})
    flaky.busy = 10

    report = rep.sync()

    assert report.error == "sync.unavailable" and len(rep.pending()) == 1
    flaky.busy = 0
    assert rep.sync().ok and rep.pending() == []
