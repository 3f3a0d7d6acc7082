"""Migration 0003 on Postgres: the migrated database is the schema, an existing tenant with data
upgrades cleanly, and the new tables' changes are captured for sync."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import server.tables  # noqa: F401  (the server's own tables on the shared metadata)
from app.core.schema import metadata
from server import migrate

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _diff(conn: sa.Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True, "target_metadata": metadata})
    # sync_change is raw SQL in 0002 (xid8), not part of the metadata
    return [d for d in compare_metadata(context, metadata) if "sync_change" not in repr(d)]


def test_a_database_migrated_to_head_matches_the_schema(cluster, template_db):
    engine = cluster.engine(template_db)
    try:
        with engine.connect() as conn:
            assert _diff(conn) == []
    finally:
        cluster.drop_engine(template_db)


def test_an_existing_tenant_upgrades_with_its_rows_and_captures_the_new_tables(cluster):
    name = f"yiti__upgrade_{uuid.uuid4().hex[:8]}"
    cluster.create_database(name)
    try:
        engine = cluster.engine(name)
        party_id = uuid.uuid4()
        with engine.connect() as conn:
            migrate.upgrade(conn, "0002")
            conn.execute(sa.text(
                "INSERT INTO party (id, created_at, updated_at, name) VALUES (:id, :t, :t, '上海华联')"),
                {"id": party_id, "t": NOW})
            conn.commit()
            migrate.upgrade(conn, "head")
            assert migrate.current_revision(conn) == migrate.head_revision()
            assert _diff(conn) == []
            row = conn.execute(sa.text("SELECT tags, merged_into FROM party WHERE id = :id"), {"id": party_id}).one()
            assert tuple(row) == ("", None)
            conn.execute(sa.text(
                "INSERT INTO opportunity (id, created_at, updated_at, party_id, name) VALUES (:id, :t, :t, :p, 'x')"),
                {"id": uuid.uuid4(), "t": NOW, "p": party_id})
            captured = conn.execute(sa.text("SELECT scope FROM sync_change WHERE tbl = 'opportunity'")).scalars().all()
            assert captured == ["crm"]
            conn.rollback()
            migrate.upgrade(conn, "head")
            command.downgrade(migrate.alembic_config(conn), "0002")
            conn.commit()
            assert "opportunity" not in sa.inspect(conn).get_table_names()
            migrate.upgrade(conn, "head")
            assert _diff(conn) == []
    finally:
        cluster.drop_engine(name)
        cluster.drop_database(name)
