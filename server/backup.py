"""Backup and restore of one tenant database with pg_dump -Fc / pg_restore.

A restored tenant is a new incarnation: new tenant id, next epoch, no tokens, no throttle
state (and, with sync, no per-client state), so nothing issued by the source keeps working.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from app.core.errors import TenantExists
from app.core.ids import new_id
from app.core.schema import utcnow
from server import migrate
from server.embedded import pg_bin_dir
from server.tables import RESET_ON_RESTORE, tenant_info
from server.tenancy import Cluster, Tenant, dbname_for


def _libpq_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for the pg_* tools (password through the environment, never argv)."""
    args = ["--dbname", url.database or ""]
    host = url.query.get("host") or url.host
    if isinstance(host, tuple):
        host = host[0]
    if host:
        args += ["--host", str(host)]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = {"PGPASSWORD": url.password} if url.password else {}
    return args, env


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    import os

    result = subprocess.run(
        [str(pg_bin_dir() / tool), *args], env={**os.environ, **env}, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}")


def backup(cluster: Cluster, slug: str, file: Path) -> None:
    t = cluster.lookup(slug)
    args, env = _libpq_args(cluster.database_url(t.dbname, t.dsn))
    _run("pg_dump", ["--format=custom", "--no-owner", "--file", str(file), *args], env)


def restore(cluster: Cluster, slug: str, file: Path, replace: bool = False) -> Tenant:
    """Restore `file` as tenant `slug` (a new tenant, or replacing one with `replace`)."""
    if not file.is_file():
        raise FileNotFoundError(file)
    dbname = dbname_for(slug)
    known = {t.slug for t in cluster.tenants()}
    if slug in known or cluster.database_exists(dbname):
        if not replace:
            raise TenantExists(field="tenant", tenant=slug)
        cluster.drop_database(dbname)
    cluster.create_database(dbname)
    t = Tenant(slug, new_id(), dbname, None)
    try:
        args, env = _libpq_args(cluster.database_url(dbname))
        _run("pg_restore", ["--no-owner", "--exit-on-error", "--single-transaction", *args, str(file)], env)
        with cluster.tenant_engine(t).connect() as conn:
            migrate.upgrade(conn)  # a backup from an older version comes up to date
            previous = conn.execute(sa.select(tenant_info.c.epoch)).scalar() or 0
            conn.execute(sa.delete(tenant_info))
            conn.execute(
                sa.insert(tenant_info).values(
                    singleton=True,
                    tenant_id=t.tenant_id,
                    slug=slug,
                    epoch=previous + 1,
                    created_at=utcnow(),
                    restored_at=utcnow(),
                )
            )
            for table in RESET_ON_RESTORE:
                conn.execute(sa.text(f'DELETE FROM "{table}"'))
            conn.commit()
        cluster.register(t)
    except BaseException:
        cluster.drop_database(dbname)
        raise
    return t
