"""Signed-in desktop sessions for UI tests: real SyncClients (each with its own cache file) on the
in-process server, wrapped in the Session / Ops / AppContext the widgets get."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.sync import SyncClient
from app.ui.context import AppContext
from app.ui.ops import Ops
from app.ui.prefs import Prefs
from app.ui.session import Session

PASSWORD = "correct horse"


class Desk:
    def __init__(self, http, tenant, add_user, tmp_path: Path) -> None:
        self.http, self.tenant, self.add_user, self.tmp_path = http, tenant, add_user, tmp_path
        self.clients: list[SyncClient] = []
        self.contexts: list[AppContext] = []
        #: widgets a test made: closed before the caches, so no late read reaches a closed cache
        self.widgets: list[QWidget] = []
        self._users: set[str] = set()

    def client(self, username: str, role: str = "sales_rep") -> SyncClient:
        """A signed-in SyncClient of a (new) user, on its own cache file."""
        if username not in self._users:
            self.add_user(self.tenant, username, role, PASSWORD)
            self._users.add(username)
        c = SyncClient.open(self.tmp_path / f"{username}.sqlite", "http://testserver", self.tenant.slug,
                            http=self.http)
        c.retry_delays = (0.0, 0.0)
        c.login(username, PASSWORD)
        self.clients.append(c)
        return c

    def context(self, client: SyncClient, online: bool = True, start: bool = False) -> AppContext:
        """The AppContext a page gets; `start` runs the background SyncLoop."""
        ops = Ops()
        session = Session(client, ops, online=online, interval=3600, probe_interval=3600)
        if start:
            session.start()
        ctx = AppContext(session, ops, Prefs(self.tmp_path / f"prefs-{len(self.contexts)}.json"))
        self.contexts.append(ctx)
        return ctx

    def server_row(self, cluster, table: str, **equal) -> dict | None:
        where = " AND ".join(f"{k} = :{k}" for k in equal)
        with cluster.tenant_engine(self.tenant).connect() as conn:
            row = conn.execute(sa.text(f"SELECT * FROM {table} WHERE {where}"), equal).mappings().first()
        return None if row is None else dict(row)

    def close(self) -> None:
        """Widgets first (their timers stopped), then the work they started, then the caches."""
        for widget in self.widgets:
            for timer in widget.findChildren(QTimer):
                timer.stop()
            widget.close()
            widget.deleteLater()
        for ctx in self.contexts:
            ctx.ops.wait()
        QApplication.processEvents()  # results of the last ops arrive while the caches are open
        for ctx in self.contexts:
            ctx.ops.wait()
            ctx.session.loop.stop()
        for c in self.clients:
            c.close()
