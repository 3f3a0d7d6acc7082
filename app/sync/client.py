"""SyncClient: the offline-first client as a scripting API (also the headless client for
integrations and the engine under the desktop app).

    c = SyncClient.open("rep1.sqlite", "http://127.0.0.1:8080", "acme")
    c.login("rep1", password)          # online once; afterwards works offline
    mid = c.mutate("crm.customer.create", {"name": "上海华联"})
    report = c.sync()                  # push then pull; never raises for being offline
    c.rows("party", name="上海华联")
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Literal

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import app.mutators  # noqa: F401  (registers every domain's mutators)
from app.core import mutations
from app.core.errors import DomainError, NotAuthenticated
from app.core.i18n import N_
from app.core.ids import new_id
from app.core.protocol import TokenPairOut, UserOut
from app.core.schema import SYNCED_TABLES, metadata, total, utcnow
from app.sync import cache, outbox
from app.sync.codec import loads
from app.sync.exchange import Exchange, SyncReport
from app.sync.transport import Transport

#: conflict fields settled by the archive mutator rather than a patch
_ARCHIVE_MUTATOR = {"party": "crm.customer.archive"}
#: resolve_conflict's default value: the user's own value as the conflict recorded it
_MINE = object()
#: the patch mutator of each table whose fields the conflict inbox can settle as "mine"
_PATCH_MUTATOR = {
    "party": "crm.customer.update",
    "contact": "crm.contact.update",
    "product": "erp.product.update",
    "opportunity": "crm.opportunity.update",
    "activity": "crm.task.reschedule",
    "service_case": "crm.case.update",
    "lead": "crm.lead.update",
}


class CacheOfAnotherUser(DomainError):
    code = "sync.cache_owner"
    status = 409
    template = N_("This offline cache belongs to %(owner)s; open your own cache to sign in as %(user)s.")


class CacheOfAnotherTenant(DomainError):
    code = "sync.cache_tenant"
    status = 409
    template = N_("This offline cache belongs to the tenant %(owner)s, not %(tenant)s; open the cache of %(tenant)s.")


class CannotReapply(DomainError):
    code = "sync.cannot_reapply"
    status = 409
    template = N_("Your value of %(field)s cannot be re-applied from the inbox: open the record and make the "
                  "change there (a stage or status moves through its own step). Keep theirs to close this conflict.")


class ConflictNotFound(DomainError):
    code = "sync.conflict_not_found"
    status = 404
    template = N_("This conflict was resolved already or does not exist.")


class SyncClient:
    #: test hook: called after a pulled page is written, before its SQLite commit
    _after_page_applied_hook: ClassVar[Callable[[], None] | None] = None
    #: pauses between retries of a failed push or pull (seconds)
    retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)

    def __init__(self, db: Engine, transport: Transport, owns_http: bool) -> None:
        self.db = db
        self.transport = transport
        self._owns_http = owns_http
        self._sync_lock = threading.Lock()
        self.clock: Callable[[], dt.datetime] = utcnow
        #: how a retry waits (the sync loop makes it end early when the app closes)
        self.sleep: Callable[[float], object] = time.sleep
        #: called with (rows done, rows expected) while a snapshot downloads (a progress bar)
        self.on_progress: Callable[[int, int], None] | None = None
        with db.begin() as conn:
            self.transport.username = cache.get_state(conn, "username")
        self.transport.on_tokens = self._signed_in

    @classmethod
    def open(cls, path: str | Path, server: str, tenant: str, http: httpx.Client | None = None) -> SyncClient:
        """Open (or create) the cache file of one tenant and user; `http` is an injected client
        (tests pass Starlette's TestClient: its base URL is used, not `server`)."""
        db = cache.open_cache(path)
        owns = http is None
        client = http or httpx.Client(base_url=server, timeout=httpx.Timeout(30.0, connect=5.0))
        with db.begin() as conn:
            known = cache.get_state(conn, "tenant")
            if known is not None and known != tenant:
                db.dispose()
                raise CacheOfAnotherTenant(owner=known, tenant=tenant)
            cache.set_state(conn, "tenant", tenant)
            cache.set_state(conn, "server", server)
        return cls(db, Transport(client, server, tenant), owns)

    def close(self) -> None:
        self.db.dispose()
        if self._owns_http:
            self.transport.http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- who ---------------------------------------------------------------------------------
    def login(self, username: str, password: str) -> UserOut:
        """Sign in (online); the refresh token goes to the OS keyring, so later syncs need no
        password and everything else works offline."""
        with self.db.begin() as conn:
            owner = cache.get_state(conn, "username")
        if owner is not None and owner != username:
            raise CacheOfAnotherUser(owner=owner, user=username)
        return self.transport.login(username, password).user

    def _signed_in(self, pair: TokenPairOut) -> None:
        with self.db.begin() as conn:
            cache.set_state(conn, "username", pair.user.username)
            cache.set_state(conn, "user_id", str(pair.user.id))
            cache.set_state(conn, "role", pair.user.role)
            cache.set_state(conn, "tenant_id", str(pair.tenant_id))

    @property
    def sign_in_kept(self) -> bool:
        """Whether the sign-in outlives this process (the refresh token is in the OS keyring)."""
        return self.transport.refresh_token_in_keyring()

    @property
    def signed_in(self) -> bool:
        """Whether a sync can authenticate without asking for the password."""
        return self.transport.access_token is not None or self.transport.refresh_token() is not None

    def user_id(self) -> uuid.UUID | None:
        with cache.reading(self.db) as conn:
            value = cache.get_state(conn, "user_id")
        return None if value is None else uuid.UUID(value)

    def state(self, key: str) -> Any:
        with cache.reading(self.db) as conn:
            return cache.get_state(conn, key)

    # --- writing -----------------------------------------------------------------------------
    def mutate(self, name: str, args: Mapping[str, Any], version: int | None = None) -> int:
        """Apply a mutation to the cache at once and queue it for the server; returns its outbox id.

        A create without an ``id`` gets a new one. Invalid args raise before anything is written."""
        args = dict(args)
        version = version or mutations.latest_version(name)
        fields = mutations.get(name, version).args.model_fields
        if "id" not in args and "id" in fields and fields["id"].is_required() and _creates(name):
            args["id"] = new_id()
        version, clean = outbox.validate(name, args, version)
        user_id = self.user_id()
        with self.db.begin() as conn:
            return outbox.record(conn, user_id, self.clock(), name, clean, version)

    def sync(self) -> SyncReport:
        """Push the outbox, then pull until caught up. Offline is a normal outcome
        (``report.offline``); a missing sign-in is ``report.error == "auth.not_authenticated"``."""
        with self._sync_lock:
            exchange = Exchange(
                self.db, self.transport, self.user_id, lambda: type(self)._after_page_applied_hook,
                retry_delays=self.retry_delays, sleep=self.sleep, on_progress=self.on_progress,
            )
            if not self.signed_in:
                return SyncReport(error=NotAuthenticated.code)
            return exchange.run()

    def resolve_conflict(
        self, conflict_id: int, choice: Literal["theirs", "mine"], value: object = _MINE
    ) -> int | None:
        """Settle a conflict: "theirs" keeps the server's value; "mine" queues a new change from
        theirs to mine, or to `value` when the user edited it. Returns the new mutation's outbox
        id, if any."""
        if value is not _MINE and choice != "mine":
            raise ValueError("an edited value is queued as 'mine'")
        with self.db.begin() as conn:
            row = conn.execute(
                sa.text("SELECT * FROM conflict WHERE id = :id AND resolved_at IS NULL"), {"id": conflict_id}
            ).mappings().first()
        if row is None:
            raise ConflictNotFound()
        mutation_id = None
        if choice == "mine":
            wanted = loads(row["mine"]) if value is _MINE else value
            mutation_id = self._reapply_mine(row["tbl"], row["row_id"], row["field"], wanted, loads(row["theirs"]))
        with self.db.begin() as conn:
            conn.execute(
                sa.text("UPDATE conflict SET resolved_at = :at, resolution = :r WHERE id = :id"),
                {"at": self.clock().isoformat(), "r": choice if value is _MINE else "edited", "id": conflict_id},
            )
        return mutation_id

    def _reapply_mine(self, table: str, row_id: str, field: str, mine: Any, theirs: Any) -> int | None:
        if field == "deleted":
            return None  # nothing left to change: the server deleted the row
        if field == "archived":
            name = _ARCHIVE_MUTATOR.get(table)
            if name is None:
                raise CannotReapply(field=field)
            return self.mutate(name, {"id": row_id, "archived": bool(mine)})
        name = _PATCH_MUTATOR.get(table)
        if name is None or field not in mutations.get(name, mutations.latest_version(name)).args.model_fields:
            # a stage or status moves through its own transition (with a reason): never lose "mine" silently
            raise CannotReapply(field=field)
        return self.mutate(name, {"id": row_id, field: {"base": theirs, "new": mine}})

    def dismiss_rejected(self, rejected_id: int) -> None:
        with self.db.begin() as conn:
            conn.execute(sa.text("UPDATE rejected SET dismissed_at = :at WHERE id = :id"),
                         {"at": self.clock().isoformat(), "id": rejected_id})

    # --- reading -----------------------------------------------------------------------------
    def rows(self, table: str, **equal: Any) -> list[dict[str, Any]]:
        """Rows of a synced table in the cache, filtered by equality on columns."""
        if table not in SYNCED_TABLES:
            raise ValueError(f"{table} is not a synced table")
        t = metadata.tables[table]
        query = sa.select(t).order_by(t.c.id)
        for column, value in equal.items():
            if isinstance(t.c[column].type, sa.Uuid) and isinstance(value, str):
                value = uuid.UUID(value)  # ids as the wire and the user give them
            query = query.where(t.c[column] == value)
        with cache.reading(self.db) as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def get(self, table: str, row_id: uuid.UUID | str) -> dict[str, Any] | None:
        found = self.rows(table, id=uuid.UUID(str(row_id)))
        return found[0] if found else None

    def on_hand(self, product_id: uuid.UUID | str, location_id: uuid.UUID | str | None = None) -> Decimal:
        """Σ moves in − Σ moves out: at one location, or over every internal location."""
        moves, loc = metadata.tables["stock_move"], metadata.tables["location"]
        pid = uuid.UUID(str(product_id))
        if location_id is not None:
            lid = uuid.UUID(str(location_id))
            into, out_of = moves.c.to_location_id == lid, moves.c.from_location_id == lid
        else:
            internal = sa.select(loc.c.id).where(loc.c.kind == "internal")
            into, out_of = moves.c.to_location_id.in_(internal), moves.c.from_location_id.in_(internal)
        live = sa.and_(moves.c.product_id == pid, moves.c.archived.is_(False))
        with cache.reading(self.db) as conn:
            incoming = conn.execute(sa.select(total(moves.c.qty)).where(live, into)).scalar_one()
            outgoing = conn.execute(sa.select(total(moves.c.qty)).where(live, out_of)).scalar_one()
        return Decimal(incoming) - Decimal(outgoing)

    def pending(self) -> list[dict[str, Any]]:
        """Queued mutations the server has not answered yet, oldest first."""
        return self._local("SELECT id, name, version, args, created_at FROM outbox WHERE state = 'pending' ORDER BY id",
                           json_columns=("args",))

    def conflicts(self, include_resolved: bool = False) -> list[dict[str, Any]]:
        where = "" if include_resolved else " WHERE resolved_at IS NULL"
        return self._local(f"SELECT * FROM conflict{where} ORDER BY id", json_columns=("base", "mine", "theirs"))

    def rejected(self, include_dismissed: bool = False) -> list[dict[str, Any]]:
        where = "" if include_dismissed else " WHERE dismissed_at IS NULL"
        return self._local(f"SELECT * FROM rejected{where} ORDER BY id", json_columns=("args",))

    def _local(self, sql: str, json_columns: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        with cache.reading(self.db) as conn:
            found = [dict(r) for r in conn.execute(sa.text(sql)).mappings()]
        for row in found:
            for column in json_columns:
                row[column] = loads(row[column])
        return found

    def is_online(self) -> bool:
        return self.transport.health()


def _creates(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in ("create", "log", "move")


__all__ = ["CacheOfAnotherTenant", "CacheOfAnotherUser", "ConflictNotFound", "SyncClient", "SyncReport"]
