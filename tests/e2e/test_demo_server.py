"""The demo's server in a background thread, on real loopback HTTP: it starts, goes away and comes
back on the same port (what a client sees as an outage), and ``yiti demo --server-only`` stops
everything it started, the embedded Postgres included."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.demo import DemoServer
from app.sync import SyncClient
from tests.e2e.serving import ROOT, postgres_processes, server_env, wait_until_gone


@pytest.fixture
def demo_server(cluster, settings) -> Iterator[DemoServer]:
    server = DemoServer.for_cluster(cluster, settings).start()
    yield server
    server.stop()


def _health(url: str) -> int:
    return httpx.get(f"{url}/health", timeout=2).status_code


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_starts_on_a_free_port_and_answers_health(demo_server):
    assert demo_server.port != 0 and demo_server.url == f"http://127.0.0.1:{demo_server.port}"
    assert _health(demo_server.url) == 200


def test_stop_frees_the_port_and_start_again_serves_on_the_same_one(demo_server):
    port = demo_server.port

    demo_server.stop()
    demo_server.stop()  # a second stop (the app closing, then the demo's own cleanup) does nothing

    assert not demo_server.running and _port_is_free(port)
    with pytest.raises(httpx.ConnectError):
        _health(demo_server.url)
    demo_server.start_again()
    assert demo_server.port == port and _health(demo_server.url) == 200


def test_a_client_goes_offline_when_the_server_is_taken_away_and_syncs_when_it_is_back(
        demo_server, tenant, add_user, tmp_path: Path):
    add_user(tenant, "rep1", "sales_rep", "correct horse")
    with SyncClient.open(tmp_path / "rep1.sqlite", demo_server.url, tenant.slug) as rep:
        rep.retry_delays = (0.0, 0.0)
        rep.login("rep1", "correct horse")
        assert rep.sync().ok

        demo_server.stop_for_test()
        rep.mutate("crm.customer.create", {"name": "断网时新建的客户"})
        assert rep.sync().offline

        demo_server.start_again()
        back = rep.sync()
        assert back.ok and back.applied == 1 and rep.pending() == []


def test_a_taken_port_falls_back_to_a_free_one_only_when_allowed(cluster, settings):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            DemoServer.for_cluster(cluster, settings, port=port).start()
        moved = DemoServer.for_cluster(cluster, settings, port=port, fallback_to_free_port=True).start()
        try:
            assert moved.port_taken == port and moved.port != port and _health(moved.url) == 200
        finally:
            moved.stop()


def test_yiti_demo_server_only_serves_the_demo_and_stops_its_postgres_on_sigterm(tmp_path: Path):
    data_dir = tmp_path / "demo"
    data_dir.mkdir()
    data_dir.chmod(0o755)  # as root the cluster runs as an unprivileged user
    tmp_path.chmod(0o755)
    out = tmp_path / "demo.log"
    with out.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "demo", "--server-only", "--port", "0", "--data-dir", str(data_dir)],
            stdout=log, stderr=subprocess.STDOUT, env={**server_env(), "LANG": "C.UTF-8"}, cwd=ROOT)
    try:
        url = _wait_for_url(proc, out)
        assert _health(url) == 200
        signed_in = httpx.post(f"{url}/t/demo/v1/auth/login", json={"username": "rep", "password": "demo1234"})
        assert signed_in.status_code == 200 and signed_in.json()["user"]["role"] == "sales_rep"
        assert postgres_processes(data_dir / "pgdata")

        proc.send_signal(signal.SIGTERM)

        assert proc.wait(30) == 0, out.read_text()
        assert wait_until_gone(data_dir / "pgdata") == [], "the demo's Postgres outlived it"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for leftover in postgres_processes(data_dir / "pgdata"):
            leftover.kill()


def _wait_for_url(proc: subprocess.Popen[bytes], out: Path, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = out.read_text()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/docs", text)
        if found:
            return found.group(1)
        if proc.poll() is not None:
            pytest.fail(f"yiti demo exited with {proc.returncode}:\n{text}")
        time.sleep(0.2)
    pytest.fail(f"yiti demo did not serve within {timeout} s:\n{out.read_text()}")
