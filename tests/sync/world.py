"""One example's world: a fresh tenant, the in-process server, 2–4 offline clients each on its own
SQLite file, and a writer that can hold a transaction open on the server's database.

The server keeps no state of its own: a restart drops its pool and builds a new app, and the
clients carry on (their access tokens are checked against Postgres again).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

import app.mutators  # noqa: F401  (registers every domain's mutators)
from app.core import mutations
from app.core.ids import new_id
from app.core.schema import utcnow
from app.core.tx import Tx
from app.sync import SyncClient
from tests.sync.network import Network

PASSWORD = "correct horse"
#: client seats: the first client is always a manager (it seeds the catalogue)
SEATS: dict[str, tuple[str, ...]] = {
    "manager": ("mgr1", "mgr2", "mgr3", "mgr4"),
    "sales_rep": ("rep1", "rep2", "rep3"),
    "clerk": ("clerk1", "clerk2", "clerk3"),
}
USERS = [(name, role) for role, names in SEATS.items() for name in names]
SERVER_URL = "http://testserver"
_slugs = itertools.count(1)

OnPush = Callable[[int, dict[str, Any], dict[str, Any]], None]


@dataclass(frozen=True)
class Servers:
    """Session resources: the Postgres cluster, the server settings, the template with users."""

    cluster: Any
    settings: Any
    template: str


@dataclass
class Seat:
    index: int
    username: str
    role: str
    path: Path
    client: SyncClient | None = None
    net: Network | None = None

    @property
    def sc(self) -> SyncClient:
        assert self.client is not None, "client is closed"
        return self.client


@dataclass
class LongWriter:
    """A second server process (a bulk import, say) whose transaction stays open for a while.

    It only inserts rows no client can know yet and renames a product no client edits, so no
    client's push waits on its row locks."""

    engine: sa.Engine
    product_id: str
    locations: tuple[str, str]
    conn: sa.Connection | None = None
    parties: list[dict[str, Any]] = field(default_factory=list)
    moves: list[dict[str, Any]] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.conn is not None

    def begin(self) -> None:
        self.conn = self.engine.connect()
        self.conn.begin()
        self.write()

    def write(self) -> None:
        """Write a customer, a stock receipt and a product rename in the open transaction."""
        assert self.conn is not None
        n = len(self.parties) + 1
        party = {"id": str(new_id()), "name": f"导入客户{n}", "phone": f"021-{n:04d}", "city": "杭州"}
        move = {"id": str(new_id()), "product_id": self.product_id, "qty": "3.5000", "kind": "receipt",
                "from_location_id": self.locations[0], "to_location_id": self.locations[1],
                "moved_at": utcnow().isoformat()}
        tx = Tx(self.conn, side="server", user_id=None, now=utcnow())
        mutations.get("crm.customer.create", 1).run(tx, party)
        mutations.get("erp.stock.move", 1).run(tx, move)
        name = f"导入品名{n}"
        tx.set("product", uuid.UUID(self.product_id), {"name": name})
        self.parties.append(party)
        self.moves.append(move)
        self.renamed.append(name)

    def end(self, commit: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Commit or roll back; returns the customers and moves that now exist."""
        assert self.conn is not None
        try:
            if commit:
                self.conn.commit()
            else:
                self.conn.rollback()
        finally:
            self.conn.close()
            self.conn = None
        done = (self.parties, self.moves) if commit else ([], [])
        self.parties, self.moves, self.renamed = [], [], []
        return done

    def close(self) -> None:
        if self.conn is not None:
            self.end(commit=False)
        self.engine.dispose()


class World:
    def __init__(self, servers: Servers, on_push: OnPush) -> None:
        from server.main import create_app

        self.servers = servers
        self.on_push = on_push
        self._create_app = create_app
        self.tenant = servers.cluster.create_tenant(f"sp{os.getpid()}_{next(_slugs)}", template=servers.template)
        self.app = create_app(servers.settings, cluster=servers.cluster)
        self.dir = Path(tempfile.mkdtemp(prefix="yiti-sync-"))
        url = servers.cluster.database_url(self.tenant.dbname)
        #: the tests' own view of the server database, apart from the server's pool
        self.checker = sa.create_engine(url, poolclass=NullPool)
        self.writer_engine = sa.create_engine(url, poolclass=NullPool)
        self.seats: list[Seat] = []
        self.writer: LongWriter | None = None
        self.restarts = 0

    # --- clients -----------------------------------------------------------------------------
    def add_client(self, role: str) -> Seat:
        taken = sum(1 for s in self.seats if s.role == role)
        seat = Seat(len(self.seats), SEATS[role][taken], role, self.dir / f"client{len(self.seats)}.sqlite")
        self.seats.append(seat)
        self._open(seat)
        seat.sc.login(seat.username, PASSWORD)
        return seat

    def _open(self, seat: Seat) -> None:
        net = Network(self.app, partial(self.on_push, seat.index))
        net.__enter__()
        client = SyncClient.open(seat.path, SERVER_URL, self.tenant.slug, http=net)
        client.retry_delays = (0.0, 0.0, 0.0, 0.0)
        seat.client, seat.net = client, net

    def _close(self, seat: Seat) -> None:
        if seat.client is not None:
            seat.client.close()
            seat.client = None
        if seat.net is not None:
            seat.net.__exit__(None, None, None)
            seat.net = None

    def restart_client(self, seat: Seat) -> None:
        """The client process died: open its cache file again (the sign-in comes from the keyring)."""
        self._close(seat)
        self._open(seat)

    # --- server ------------------------------------------------------------------------------
    def restart_server(self) -> None:
        """A new server process: no pool, no app state; clients keep their in-memory tokens."""
        self.servers.cluster.drop_engine(self.tenant.dbname)
        self.app = self._create_app(self.servers.settings, cluster=self.servers.cluster)
        self.restarts += 1
        for seat in self.seats:
            assert seat.net is not None and seat.client is not None
            seat.net.__exit__(None, None, None)
            seat.net = Network(self.app, partial(self.on_push, seat.index))
            seat.net.__enter__()
            seat.client.transport.http = seat.net

    def long_writer(self, product_id: str, locations: tuple[str, str]) -> LongWriter:
        if self.writer is None:
            self.writer = LongWriter(self.writer_engine, product_id, locations)
        return self.writer

    # --- the end -----------------------------------------------------------------------------
    def close(self) -> None:
        """Close everything this example opened, whatever state a failure left it in."""
        SyncClient._after_page_applied_hook = None
        try:
            for seat in self.seats:
                self._close(seat)
            if self.writer is not None:
                self.writer.close()
            else:
                self.writer_engine.dispose()
            self.checker.dispose()
        finally:
            self.servers.cluster.drop_tenant(self.tenant.slug)
            shutil.rmtree(self.dir, ignore_errors=True)


def moved_at() -> str:
    return dt.datetime.now(dt.UTC).isoformat()
