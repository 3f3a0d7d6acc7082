"""What the sync benches share: a throwaway embedded cluster served by a real ``yiti-server`` process
on a free loopback port, a tenant with a sales rep, the dataset loaded into it, and signed-in
SyncClients in this process (so this process is the client: its RSS is the client's).

Server-side setup goes through the server's own CLI and ``bench/dataset.py`` as child processes,
so nothing of the server or of the data generator stays in the client's memory.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial, wraps
from pathlib import Path
from typing import Any

import httpx
import keyring
import keyring.backend
import keyring.errors

from app.sync import SyncClient
from app.sync.exchange import Exchange

ROOT = Path(__file__).resolve().parents[1]
SLUG = "bench"
REP = "rep1"
PASSWORD = "bench-password-1"
START_TIMEOUT = 120.0


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Refresh tokens of bench clients live in this process only (never in the OS keyring)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


def use_memory_keyring() -> None:
    keyring.set_keyring(MemoryKeyring())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _child_env() -> dict[str, str]:
    """This environment minus anything that would point a child at another cluster."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YITI_") and k != "DATABASE_URL"}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _run(argv: list[str], stdin: str | None = None, timeout: float = 1800) -> str:
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=_child_env(), cwd=ROOT,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:4])} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done.stdout


def server_cli(data_dir: Path, *argv: str, stdin: str | None = None) -> str:
    """``yiti-server --data-dir DATA_DIR ARGV...`` as a child process."""
    return _run([sys.executable, "-m", "server", "--data-dir", str(data_dir), *argv], stdin=stdin)


@dataclass
class BenchServer:
    """A real server process (uvicorn, one worker) serving the cluster in `data_dir`."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir / "serve.log"

    def start(self) -> BenchServer:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server", "--data-dir", str(self.data_dir), "serve", "--port", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, env=_child_env(), cwd=ROOT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{self.log.read_text()[-4000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {START_TIMEOUT:.0f} s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class BenchEnv:
    data_dir: Path
    server: BenchServer
    #: libpq URL of the tenant database (for the floor and for server-side edits)
    dsn: str
    #: rows the dataset wrote per table
    loaded: dict[str, int]

    def client(self, name: str, http: httpx.Client | None = None) -> SyncClient:
        """A signed-in SyncClient with a fresh cache file of its own."""
        client = SyncClient.open(self.data_dir / f"{name}.sqlite", self.server.url, SLUG, http=http)
        client.retry_delays = (0.5, 1.0)
        client.login(REP, PASSWORD)
        return client


@contextmanager
def bench_env(customers: int, contacts_per: int = 2, activities_per: int = 1, seed: int = 1) -> Iterator[BenchEnv]:
    """A served tenant holding the dataset; everything is gone when the block and the process end."""
    data_dir = Path(tempfile.mkdtemp(prefix="yiti-bench-"))
    data_dir.chmod(0o755)  # as root the cluster runs as an unprivileged user that must reach it
    # registered before any cluster handle, so it runs after the cluster has stopped (atexit is LIFO)
    atexit.register(shutil.rmtree, data_dir, True)
    server = BenchServer(data_dir).start()
    try:
        server_cli(data_dir, "tenant", "create", SLUG, "--admin", "boss", "--password-stdin", stdin=f"{PASSWORD}\n")
        server_cli(data_dir, "user", "add", SLUG, REP, "--role", "sales_rep", "--password-stdin",
                   stdin=f"{PASSWORD}\n")
        out = _run([sys.executable, str(ROOT / "bench" / "dataset.py"), "--customers", str(customers),
                    "--contacts-per", str(contacts_per), "--activities-per", str(activities_per),
                    "--seed", str(seed), "--data-dir", str(data_dir), "--tenant", SLUG])
        loaded = json.loads(out.strip().splitlines()[-1])
        dsn = str(loaded.pop("dsn"))
        yield BenchEnv(data_dir, server, dsn, {k: int(v) for k, v in loaded.items() if k in ("party", "contact",
                                                                                           "activity")})
    finally:
        server.stop()


class PhaseTimer:
    """Seconds spent in each phase of sync rounds (Exchange's steps) and in each kind of HTTP call.

    Instrumentation only: it wraps methods of this process's classes and changes no behaviour."""

    PHASES = ("_meta", "_push", "_pull", "_bootstrap", "_apply")

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._undo: list[Callable[[], None]] = []

    def install(self, client: SyncClient) -> PhaseTimer:
        for name in self.PHASES:
            original = getattr(Exchange, name, None)
            if original is not None:  # a phase that a newer Exchange renamed is simply not reported
                setattr(Exchange, name, self._timed(name.strip("_"), original))
                self._undo.append(partial(setattr, Exchange, name, original))
        transport = client.transport
        call = transport.call

        @wraps(call)
        def timed_call(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(method, path, *args, **kwargs)
            finally:
                self.seconds[f"http_{path.rsplit('/', 1)[-1]}"] += time.perf_counter() - started

        transport.call = timed_call  # type: ignore[method-assign]
        self._undo.append(lambda: delattr(transport, "call"))
        return self

    def _timed(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        return timed

    def reset(self) -> None:
        self.seconds.clear()

    def remove(self) -> None:
        while self._undo:
            self._undo.pop()()
