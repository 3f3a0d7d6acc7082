"""Backup and restore of one tenant database with pg_dump -Fc / pg_restore.

A restored tenant is a new incarnation: new tenant id, next epoch, no tokens, no throttle
state (and, with sync, no per-client state), so nothing issued by the source keeps working.
"""

from __future__ import annotations

import os
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

#: a restore is built in ``yiti_<slug>-restoring`` and renamed once complete (no slug has a "-")
STAGING_SUFFIX = "-restoring"


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
    result = subprocess.run(
        [str(pg_bin_dir() / tool), *args], env={**os.environ, **env}, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}")


def backup(cluster: Cluster, slug: str, file: Path) -> None:
    """Dump tenant `slug` to `file`; written aside and renamed, so a failed dump never leaves a
    truncated file (or clobbers an earlier good one) under that name."""
    t = cluster.lookup(slug)
    args, env = _libpq_args(cluster.database_url(t.dbname, t.dsn))
    partial = file.with_name(f".{file.name}.partial")
    try:
        _run("pg_dump", ["--format=custom", "--no-owner", "--file", str(partial), *args], env)
        os.replace(partial, file)
    finally:
        partial.unlink(missing_ok=True)


def restore(cluster: Cluster, slug: str, file: Path, replace: bool = False) -> Tenant:
    """Restore `file` as tenant `slug` (a new tenant, or replacing one with `replace`).

    The dump goes into a staging database first; only a complete, migrated and reset restore
    takes the tenant's name, so a broken file never costs the tenant it was meant to replace.
    """
    if not file.is_file():
        raise FileNotFoundError(f"no backup file at {file}")
    dbname = dbname_for(slug)
    exists = slug in {t.slug for t in cluster.tenants()} or cluster.database_exists(dbname)
    if exists and not replace:
        raise TenantExists(field="tenant", tenant=slug)
    staging = f"{dbname}{STAGING_SUFFIX}"
    if cluster.database_exists(staging):  # left behind by a restore that was killed
        cluster.drop_database(staging)
    cluster.create_database(staging)
    tenant_id = new_id()
    try:
        args, env = _libpq_args(cluster.database_url(staging))
        _run("pg_restore", ["--no-owner", "--exit-on-error", "--single-transaction", *args, str(file)], env)
        with cluster.tenant_engine(Tenant(slug, tenant_id, staging, None)).connect() as conn:
            migrate.upgrade(conn)  # a backup from an older version comes up to date
            previous = conn.execute(sa.select(tenant_info.c.epoch)).scalar() or 0
            conn.execute(sa.delete(tenant_info))
            conn.execute(
                sa.insert(tenant_info).values(
                    singleton=True,
                    tenant_id=tenant_id,
                    slug=slug,
                    epoch=previous + 1,
                    created_at=utcnow(),
                    restored_at=utcnow(),
                )
            )
            for table in RESET_ON_RESTORE:
                conn.execute(sa.text(f'DELETE FROM "{table}"'))
            conn.commit()
        cluster.drop_engine(staging)  # RENAME needs the database to itself
        if exists:
            cluster.drop_database(dbname)
        with cluster.admin_connection() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{staging}" RENAME TO "{dbname}"'))
    except BaseException:
        cluster.drop_database(staging)
        raise
    t = Tenant(slug, tenant_id, dbname, None)
    cluster.register(t)
    return t
