"""Desktop tests: the Qt app offscreen with the bundled font, a tenant with one user per role, and
a real uvicorn server on loopback that a test can stop and start again (the network going away)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from app.core import i18n
from tests.ui.desk import Desk

PASSWORD = "correct horse"
ROLES = {"admin": "admin", "manager": "manager", "rep": "sales_rep", "clerk": "clerk", "planner": "planner"}


@pytest.fixture(autouse=True)
def english_ui(qapp) -> Iterator[None]:
    """Every desktop test starts in English with the bundled font loaded, and leaves it so."""
    from app.ui.qtapp import apply_language, load_font

    load_font(qapp)
    apply_language("en")
    yield
    apply_language("en")
    i18n.set_locale(i18n.DEFAULT_LOCALE)


@pytest.fixture
def staff(tenant, add_user):
    """One user per role in the test's tenant: admin, manager, rep, clerk, planner."""
    for username, role in ROLES.items():
        add_user(tenant, username, role, PASSWORD, display_name=f"{username.title()} 测试")
    return tenant


class LiveServer:
    """The app served by uvicorn on a loopback port in a thread; stop() and start() again on the
    same port, as a server going down and coming back."""

    def __init__(self, app) -> None:
        self.app = app
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LiveServer:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise TimeoutError("the server did not start")

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(20)
            self._server = self._thread = None


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def prefs(tmp_path: Path):
    from app.ui.prefs import Prefs

    return Prefs(tmp_path / "prefs.json")


@pytest.fixture
def desk(client, tenant, add_user, tmp_path: Path, qapp) -> Iterator[Desk]:
    """Signed-in sessions on the in-process server, closed in a safe order after the test."""
    d = Desk(client, tenant, add_user, tmp_path)
    yield d
    d.close()
