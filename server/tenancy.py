"""Tenancy: a control database lists tenants; each tenant has its own Postgres database and pool.

Engines are created lazily and cached per process; the control database is the only copy of
which tenants exist, so any number of server processes can share a cluster.
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url

from app.core.errors import InvalidSlug, TenantExists, TenantNotFound
from app.core.ids import new_id
from app.core.schema import utcnow
from server import migrate
from server.settings import Settings
from server.tables import control_metadata, tenant, tenant_info

CONTROL_DB = "yiti_control"
SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class Tenant:
    slug: str
    tenant_id: uuid.UUID
    dbname: str
    dsn: str | None


def check_slug(slug: str) -> str:
    if not SLUG_RE.fullmatch(slug):
        raise InvalidSlug(field="tenant", tenant=slug)
    return slug


def dbname_for(slug: str) -> str:
    return f"yiti_{check_slug(slug)}"


class Cluster:
    """One Postgres cluster holding the control database and tenant databases."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.url: URL = make_url(url)
        self.settings = settings
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()
        self._control_ready = False

    # --- engines ------------------------------------------------------------------------------
    def database_url(self, dbname: str, dsn: str | None = None) -> URL:
        base = make_url(dsn) if dsn else self.url
        return base.set(database=dbname)

    def engine(self, dbname: str, dsn: str | None = None) -> Engine:
        key = f"{dsn or ''}/{dbname}"
        with self._lock:
            engine = self._engines.get(key)
            if engine is None:
                options = (
                    f"-c statement_timeout={self.settings.statement_timeout_ms} "
                    f"-c idle_in_transaction_session_timeout={self.settings.idle_in_transaction_timeout_ms}"
                )
                engine = sa.create_engine(
                    self.database_url(dbname, dsn),
                    pool_pre_ping=True,
                    pool_size=self.settings.pool_size,
                    connect_args={"options": options},
                )
                self._engines[key] = engine
            return engine

    def admin_connection(self) -> Connection:
        """An autocommit connection to the maintenance database (CREATE/DROP DATABASE)."""
        engine = self.engine(self.url.database or "postgres")
        return engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def control(self) -> Engine:
        if not self._control_ready:
            with self.admin_connection() as conn:
                exists = conn.execute(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": CONTROL_DB}
                ).scalar()
                if not exists:
                    conn.execute(sa.text(f'CREATE DATABASE "{CONTROL_DB}"'))
            engine = self.engine(CONTROL_DB)
            control_metadata.create_all(engine)
            self._control_ready = True
        return self.engine(CONTROL_DB)

    def dispose(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
            self._control_ready = False

    # --- tenants ------------------------------------------------------------------------------
    def lookup(self, slug: str) -> Tenant:
        if not SLUG_RE.fullmatch(slug):
            raise TenantNotFound(tenant=slug)
        with self.control().connect() as conn:
            row = conn.execute(sa.select(tenant).where(tenant.c.slug == slug)).first()
        if row is None:
            raise TenantNotFound(tenant=slug)
        return Tenant(row.slug, row.tenant_id, row.dbname, row.dsn)

    def tenants(self) -> list[Tenant]:
        with self.control().connect() as conn:
            rows = conn.execute(sa.select(tenant).order_by(tenant.c.slug)).all()
        return [Tenant(r.slug, r.tenant_id, r.dbname, r.dsn) for r in rows]

    def tenant_engine(self, t: Tenant) -> Engine:
        return self.engine(t.dbname, t.dsn)

    def database_exists(self, dbname: str) -> bool:
        with self.admin_connection() as conn:
            return bool(
                conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": dbname}).scalar()
            )

    def create_database(self, dbname: str, template: str | None = None) -> None:
        with self.admin_connection() as conn:
            clause = f' TEMPLATE "{template}"' if template else ""
            conn.execute(sa.text(f'CREATE DATABASE "{dbname}"{clause}'))

    def drop_engine(self, dbname: str) -> None:
        """Close this process's pool for `dbname`."""
        with self._lock:
            for key in [k for k in self._engines if k.endswith(f"/{dbname}")]:
                self._engines.pop(key).dispose()

    def drop_database(self, dbname: str) -> None:
        """Drop a database, first ending every session connected to it (ours included)."""
        self.drop_engine(dbname)
        with self.admin_connection() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))

    def create_tenant(self, slug: str, template: str | None = None) -> Tenant:
        """Create `slug`'s database, migrate it (or copy a migrated template) and register it."""
        dbname = dbname_for(slug)
        with self.control().connect() as conn:
            if conn.execute(sa.select(tenant.c.slug).where(tenant.c.slug == slug)).first():
                raise TenantExists(field="tenant", tenant=slug)
        if self.database_exists(dbname):
            raise TenantExists(field="tenant", tenant=slug)
        self.create_database(dbname, template)
        try:
            t = Tenant(slug, new_id(), dbname, None)
            with self.tenant_engine(t).connect() as conn:
                if template is None:
                    migrate.upgrade(conn)
                conn.execute(sa.delete(tenant_info))
                conn.execute(
                    sa.insert(tenant_info).values(
                        singleton=True, tenant_id=t.tenant_id, slug=slug, epoch=1, created_at=utcnow()
                    )
                )
                conn.commit()
            self.register(t)
        except BaseException:
            self.drop_database(dbname)
            raise
        return t

    def register(self, t: Tenant) -> None:
        with self.control().begin() as conn:
            conn.execute(sa.delete(tenant).where(tenant.c.slug == t.slug))
            conn.execute(
                sa.insert(tenant).values(
                    slug=t.slug, tenant_id=t.tenant_id, dbname=t.dbname, dsn=t.dsn, created_at=utcnow()
                )
            )

    def drop_tenant(self, slug: str) -> None:
        t = self.lookup(slug)
        self.drop_database(t.dbname)
        with self.control().begin() as conn:
            conn.execute(sa.delete(tenant).where(tenant.c.slug == slug))


def connect_cluster(settings: Settings) -> Cluster:
    """The composition root's way to a cluster: DATABASE_URL, or the embedded default."""
    if settings.database_url:
        url = settings.database_url
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    else:
        from server.embedded import start_embedded

        url = start_embedded(settings.data_dir)
    return Cluster(url, settings)
