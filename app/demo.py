"""``yiti demo``: the embedded server with the demo tenant, served from a background thread of this
process, and the desktop app signed in to it. Closing the app stops what the demo started.

A composition root: it builds the settings, the cluster and the server app itself, and imports
the server and the desktop shell only when it runs.
"""

from __future__ import annotations

import argparse
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from app.core import fmt
from app.core.i18n import _

if TYPE_CHECKING:
    import uvicorn

    from server.demo import DemoTenant
    from server.settings import Settings
    from server.tenancy import Cluster

#: the port the demo serves on unless it is taken (then any free one) or --port names another
DEFAULT_PORT = 8080
START_TIMEOUT = 30.0


def default_data_dir() -> Path:
    """Where the demo keeps its Postgres and the app's caches unless --data-dir says otherwise."""
    return platformdirs.user_data_path("yiti-demo", appauthor=False)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # a port left in TIME_WAIT by our own last run is free to take again (start_again)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class DemoServer:
    """An ASGI app served by uvicorn in a background thread of this process.

    ``start()`` returns once ``/health`` answers; ``stop()`` shuts it down (idempotent, from any
    thread). Tests take the server away with ``stop_for_test()`` and bring it back on the same
    port with ``start_again()``."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, fallback_to_free_port: bool = False) -> None:
        self.app = app
        self.host = host
        self.port = port
        #: the port asked for, when it was taken and a free one is used instead
        self.port_taken: int | None = None
        self._fallback = fallback_to_free_port
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def for_cluster(cls, cluster: Cluster, settings: Settings, host: str = "127.0.0.1", port: int = 0,
                    fallback_to_free_port: bool = False) -> DemoServer:
        """The Yiti server app over `cluster` (which the caller keeps and disposes of)."""
        from server.main import create_app

        return cls(create_app(settings, cluster=cluster), host, port, fallback_to_free_port)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> DemoServer:
        """Listen (on a free port if the one asked for is taken and falling back is allowed), serve
        in a background thread, and return once ``/health`` answers."""
        try:
            sock = _listen(self.host, self.port)
        except OSError:
            if not self._fallback or self.port == 0:
                raise
            self.port_taken = self.port
            sock = _listen(self.host, 0)
        self.port = int(sock.getsockname()[1])
        self._serve(sock)
        return self

    def start_again(self) -> DemoServer:
        """Serve again on the same port after ``stop()`` or ``stop_for_test()``."""
        self._serve(_listen(self.host, self.port))
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving: open requests get `timeout` seconds to finish. Does nothing when stopped."""
        self._shut_down(graceful=True, timeout=timeout)

    def stop_for_test(self) -> None:
        """Stop serving at once, cutting open connections, as an outage looks to a client; the
        port is kept for ``start_again()``."""
        self._shut_down(graceful=False, timeout=5.0)

    # --- inside ------------------------------------------------------------------------------------
    def _serve(self, sock: socket.socket) -> None:
        import uvicorn

        with self._lock:
            if self.running:
                sock.close()
                raise RuntimeError(f"the demo server already runs at {self.url}")
            config = uvicorn.Config(self.app, host=self.host, port=self.port, log_level="warning",
                                    timeout_graceful_shutdown=5)
            server = uvicorn.Server(config)
            thread = threading.Thread(target=self._run, args=(server, sock), name="yiti-demo-server", daemon=True)
            self._server, self._thread = server, thread
            thread.start()
        self._wait_until_healthy(server, thread)

    @staticmethod
    def _run(server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()

    def _wait_until_healthy(self, server: uvicorn.Server, thread: threading.Thread) -> None:
        import httpx

        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not thread.is_alive():
                raise RuntimeError(f"the demo server at {self.url} stopped while starting")
            if server.started:
                try:
                    if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the demo server at {self.url} did not answer within {START_TIMEOUT:.0f} s")

    def _shut_down(self, graceful: bool, timeout: float) -> None:
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        server.force_exit = not graceful
        thread.join(timeout)
        if thread.is_alive():
            server.force_exit = True
            thread.join(5.0)


# --- yiti demo -------------------------------------------------------------------------------------
@contextmanager
def _demo_cluster(settings: Settings) -> Iterator[Cluster]:
    from server.embedded import release_embedded
    from server.tenancy import connect_cluster

    cluster = connect_cluster(settings)
    try:
        yield cluster
    finally:
        cluster.dispose()
        if settings.database_url is None:
            release_embedded(settings.data_dir)


def _print_data(demo: DemoTenant, size: str, data_dir: Path) -> None:
    if demo.seeded:
        rows = demo.seeded
        print(_("Demo data written in %(seconds)s s: %(customers)s customers, %(contacts)s contacts, "
                "%(activities)s activities, %(products)s products, %(moves)s stock moves.")
              % {"seconds": fmt.number(Decimal(str(demo.seconds)), 1), "customers": fmt.number(rows.get("party", 0)),
                 "contacts": fmt.number(rows.get("contact", 0)), "activities": fmt.number(rows.get("activity", 0)),
                 "products": fmt.number(rows.get("product", 0)), "moves": fmt.number(rows.get("stock_move", 0))})
    else:
        print(_("Demo data found: %(customers)s customers.") % {"customers": fmt.number(demo.customers)})
    if demo.kept_other_size(size):
        print(_("The demo data already here is kept: --size %(asked)s only applies to a new folder. To start "
                "over: yiti demo --size %(asked)s --data-dir NEW_FOLDER (or delete %(folder)s).")
              % {"asked": size, "folder": data_dir})


def _print_welcome(server: DemoServer, users: tuple[tuple[str, str, str], ...], password: str,
                   tenant: str) -> None:
    if server.port_taken is not None:
        print(_("Port %(taken)s is taken; the demo uses port %(port)s instead.")
              % {"taken": server.port_taken, "port": server.port})
    print(_("Yiti demo server: %(url)s    tenant: %(tenant)s") % {"url": server.url, "tenant": tenant})
    print(_("Sign in with password %(password)s as:") % {"password": password})
    for username, role, name in users:
        print(f"    {username:<8} {role:<10} {name}")
    print(_("API contract: %(url)s/docs") % {"url": server.url})


def _serve_until_signalled(server: DemoServer) -> int:
    """--server-only: serve until Ctrl+C or SIGTERM (both stop cleanly) or until the server dies."""
    stopping = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    print(_("Stop with Ctrl+C."), flush=True)
    try:
        while server.running and not stopping.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(_("Stopping the demo server..."), flush=True)
    return 0 if stopping.is_set() else 1


def run_demo(args: argparse.Namespace) -> int:
    """``yiti demo``: the cluster, the demo tenant and its data, the server in a background
    thread, then the app signed in (or, with --server-only, the server until Ctrl+C). Everything
    started here is stopped before returning the app's exit code."""
    from server.cli import exit_on_signals
    from server.demo import DEMO_PASSWORD, DEMO_TENANT, DEMO_USERS, ensure_demo_tenant
    from server.settings import Settings

    data_dir = Path(args.data_dir).expanduser().resolve() if args.data_dir else default_data_dir()
    settings = Settings(data_dir=data_dir)
    port = DEFAULT_PORT if args.port is None else args.port
    print(_("Preparing the demo in %(folder)s ...") % {"folder": data_dir}, flush=True)
    try:
        with _demo_cluster(settings) as cluster:
            # until the server runs, SIGTERM ends the demo as Ctrl+C does: half-written data is
            # rolled back and the embedded Postgres stopped
            with exit_on_signals(_terminated, signal.SIGTERM):
                demo = ensure_demo_tenant(cluster, settings, args.size)
                _print_data(demo, args.size, data_dir)
            server = DemoServer.for_cluster(cluster, settings, args.host, port, fallback_to_free_port=args.port is None)
            try:
                with exit_on_signals(_terminated, signal.SIGTERM):
                    server.start()
                _print_welcome(server, DEMO_USERS, DEMO_PASSWORD, DEMO_TENANT)
                if args.server_only:
                    return _serve_until_signalled(server)
                from app.ui.launch import run_demo_desktop

                return run_demo_desktop(server=server.url, tenant=DEMO_TENANT, password=DEMO_PASSWORD,
                                        users=DEMO_USERS, data_dir=data_dir / "client", role=args.role,
                                        screenshots=args.screenshots, stop_server=server.stop)
            finally:
                server.stop()
    except KeyboardInterrupt:
        print(_("Interrupted."))
        return 130


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
