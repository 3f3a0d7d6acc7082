"""Real ``yiti-server`` processes for end-to-end tests: a data folder with its embedded Postgres,
servers started on free loopback ports, and the admin CLI run as a separate process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
SLUG = "acme"
PASSWORD = "correct horse"
START_TIMEOUT = 60.0


def server_env() -> dict[str, str]:
    """The caller's environment minus anything that would point the server elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YITI_") and k != "DATABASE_URL"}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def cli(data_dir: Path, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``yiti-server --data-dir DATA_DIR ARGV...`` and wait for it."""
    return subprocess.run(
        [sys.executable, "-m", "server", "--data-dir", str(data_dir), *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=server_env(),
        cwd=ROOT,
        timeout=120,
    )


def free_port() -> int:
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


def wait_until_gone(pgdata: Path, timeout: float = 15) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while (left := postgres_processes(pgdata)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@dataclass
class Server:
    data_dir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir / f"serve-{self.port}.log"

    def start(self) -> Server:
        """Start (or, after `stop`, start again on the same port) and wait until it answers."""
        with self.log.open("ab") as out:  # a restart appends: the log keeps both runs
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server", "--data-dir", str(self.data_dir), "serve", "--port", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=server_env(),
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

    def login(self, username: str = "boss", password: str = PASSWORD, tenant: str = SLUG) -> httpx.Response:
        return httpx.post(
            f"{self.url}/t/{tenant}/v1/auth/login",
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

    def cli(self, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return cli(self.data_dir, *argv, stdin=stdin)

    def create_tenant(self, slug: str, admin: str = "boss", password: str = PASSWORD) -> None:
        made = self.cli("tenant", "create", slug, "--admin", admin, "--password-stdin", stdin=f"{password}\n")
        assert made.returncode == 0, made.stderr

    def add_user(self, slug: str, username: str, role: str, password: str = PASSWORD) -> None:
        added = self.cli("user", "add", slug, username, "--role", role, "--password-stdin", stdin=f"{password}\n")
        assert added.returncode == 0, added.stderr


#: the test keyring backend for client processes (a file shared with the test process)
FILE_KEYRING = "tests.e2e.filekeyring.FileKeyring"


def client_env(keyring_file: Path, backend: str = FILE_KEYRING, lang: str = "en_US.UTF-8") -> dict[str, str]:
    """The environment of a client process (``yiti sync``, a crash client): the keyring `backend`
    (the shared file by default), the repository importable, and one language."""
    from tests.e2e.filekeyring import ENV

    env = {k: v for k, v in server_env().items() if k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env.update(PYTHONPATH=str(ROOT), PYTHON_KEYRING_BACKEND=backend, LANG=lang)
    env[ENV] = str(keyring_file)
    return env
