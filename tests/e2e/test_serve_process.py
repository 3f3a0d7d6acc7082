"""``yiti-server serve`` as real processes with nothing configured: each starts (or joins) the
embedded Postgres in its data folder. Two processes on one folder share the cluster, so a token
and the sign-in throttle work across both; the cluster stops when the last process exits."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
SLUG = "acme"
PASSWORD = "correct horse"
START_TIMEOUT = 60.0


def _env() -> dict[str, str]:
    """The caller's environment minus anything that would point the server elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YITI_") and k != "DATABASE_URL"}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _cli(data_dir: Path, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", "--data-dir", str(data_dir), *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
        timeout=120,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_processes(pgdata: Path) -> list[psutil.Process]:
    """Live postgres processes serving `pgdata` (the postmaster names it on its command line)."""
    found = []
    for proc in psutil.process_iter(attrs=("name", "cmdline", "status")):
        cmdline = proc.info["cmdline"] or []
        if (
            proc.info["name"] == "postgres"
            and proc.info["status"] != psutil.STATUS_ZOMBIE
            and any(str(pgdata) in part for part in cmdline)
        ):
            found.append(proc)
    return found


@dataclass
class Server:
    data_dir: Path
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir / f"serve-{self.port}.log"

    def start(self) -> Server:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server", "--data-dir", str(self.data_dir), "serve", "--port", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=_env(),
                cwd=ROOT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"serve exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"serve did not answer within {START_TIMEOUT}s:\n{self.log.read_text()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"serve ignored {signal.Signals(sig).name} for {timeout}s:\n{self.log.read_text()}")

    def login(self, username: str = "boss", password: str = PASSWORD) -> httpx.Response:
        return httpx.post(
            f"{self.url}/t/{SLUG}/v1/auth/login",
            json={"username": username, "password": password},
            headers={"Accept-Language": "en"},
        )


@dataclass
class Deployment:
    data_dir: Path
    servers: list[Server] = field(default_factory=list)

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    def serve(self) -> Server:
        server = Server(self.data_dir)
        self.servers.append(server)
        return server.start()


def _wait_until_gone(pgdata: Path, timeout: float = 15) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while (left := postgres_processes(pgdata)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    """A fresh data folder with tenant `acme` (created by the CLI) and, on demand, servers."""
    data_dir = Path(tempfile.mkdtemp(prefix="yiti-e2e-"))
    data_dir.chmod(0o755)  # as root the cluster runs as an unprivileged user
    d = Deployment(data_dir)
    try:
        made = _cli(data_dir, "tenant", "create", SLUG, "--admin", "boss", "--password-stdin", stdin=f"{PASSWORD}\n")
        assert made.returncode == 0, made.stderr
        assert f"tenant {SLUG} created" in made.stdout
        # the CLI was the only user of the cluster: it stopped it on the way out
        assert _wait_until_gone(d.pgdata) == []
        yield d
    finally:
        for server in d.servers:
            if server.proc is not None and server.proc.poll() is None:
                server.proc.kill()
                server.proc.wait()
        for proc in postgres_processes(d.pgdata):  # never leak a cluster, even after a failure
            proc.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def first(deployment: Deployment) -> Server:
    return deployment.serve()


@pytest.fixture(scope="module")
def second(deployment: Deployment, first: Server) -> Server:
    return deployment.serve()


def test_health_answers_with_the_version(first):
    r = httpx.get(f"{first.url}/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": __version__}


def test_sign_in_and_who_am_i(first):
    r = first.login()
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"]["username"] == "boss" and body["user"]["role"] == "admin"
    me = httpx.get(f"{first.url}/t/{SLUG}/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "boss"


def test_errors_have_the_error_body(first):
    wrong = first.login(password="not the password")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "auth.invalid_credentials"
    assert wrong.json()["message"] == "Wrong user name or password."
    unknown = httpx.post(f"{first.url}/t/nosuchtenant/v1/auth/login", json={"username": "boss", "password": PASSWORD})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "tenant.not_found"
    malformed = httpx.post(
        f"{first.url}/t/{SLUG}/v1/auth/login",
        content=b'{"username": "boss", "password": ',
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert set(malformed.json()) >= {"code", "message"}
    # the failure above must not count against a later sign-in
    assert first.login().status_code == 200


def test_a_token_from_one_process_works_at_the_other(first, second):
    assert second.port != first.port
    token = first.login().json()["access_token"]
    me = httpx.get(f"{second.url}/t/{SLUG}/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["username"] == "boss"
    assert second.proc.pid != first.proc.pid
    assert len(postgres_processes(first.data_dir / "pgdata")) >= 1


def test_throttling_counts_across_processes(first, second):
    servers = [first, second]
    for attempt in range(5):
        r = servers[attempt % 2].login(password=f"wrong {attempt}")
        assert r.status_code == 401, (attempt, r.text)
    for server in (second, first):
        r = server.login(password="wrong again")
        assert r.status_code == 429, r.text
        assert int(r.headers["Retry-After"]) > 0
        assert r.json()["code"]
        # while locked, even the right password waits
        assert server.login().status_code == 429


def test_sigterm_stops_the_servers_and_then_the_embedded_postgres(deployment, first, second):
    pgdata = deployment.pgdata
    assert postgres_processes(pgdata)
    assert first.stop() == 0
    # the other process still holds the cluster
    assert postgres_processes(pgdata)
    assert second.login(password="irrelevant").status_code == 429
    assert second.stop() == 0
    assert _wait_until_gone(pgdata) == [], "the last process out did not stop the embedded Postgres"
    assert not (pgdata / "postmaster.pid").exists()


def test_a_killed_process_does_not_keep_the_cluster_alive(deployment):
    """A process that died without cleaning up (SIGKILL, OOM) leaves its pid in the cluster's
    handle list; the last live process must still stop the cluster when it exits."""
    killed = deployment.serve()
    survivor = deployment.serve()
    killed.stop(signal.SIGKILL)
    assert survivor.login(password="x").status_code in (401, 429)
    assert survivor.stop() == 0
    assert _wait_until_gone(deployment.pgdata) == [], "a dead process's handle kept the embedded Postgres up"
