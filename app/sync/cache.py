"""The client's SQLite cache: one file per tenant and user, made and migrated by a ladder of
``PRAGMA user_version`` steps (DESIGN §4, §5).

It holds every synced table (never the server's own tables) and the local sync tables:
``sync_state`` (client id, cursor, who is signed in), ``outbox`` (queued mutations, dense ids
from 1), ``shadow`` (the server's version of every row a queued mutation touched, for rebase),
``conflict`` (the conflict inbox) and ``rejected`` (mutations the server refused, with reasons).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.core.schema import SYNCED_TABLES, metadata

#: seconds a writer waits for another one (the sync thread, the UI's writer) before giving up
BUSY_TIMEOUT_MS = 10_000


def _v1_base(conn: Connection) -> None:
    """Synced tables, sync state, outbox and shadow."""
    metadata.create_all(conn, tables=[metadata.tables[n] for n in SYNCED_TABLES])
    conn.exec_driver_sql("CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT)")
    conn.exec_driver_sql(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, "
        "args TEXT NOT NULL, args_hash TEXT NOT NULL, created_at TEXT NOT NULL, "
        "state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','done')), "
        "checkpoint INTEGER, result TEXT)"
    )
    conn.exec_driver_sql(
        "CREATE TABLE shadow (tbl TEXT NOT NULL, row_id TEXT NOT NULL, base TEXT, PRIMARY KEY (tbl, row_id))"
    )


def _v2_inboxes(conn: Connection) -> None:
    """Conflict inbox, rejected mutations, and which rows each queued mutation touched."""
    conn.exec_driver_sql("ALTER TABLE outbox ADD COLUMN touched TEXT NOT NULL DEFAULT '[]'")
    conn.exec_driver_sql(
        "CREATE TABLE conflict (id INTEGER PRIMARY KEY, mutation_id INTEGER, tbl TEXT NOT NULL, "
        "row_id TEXT NOT NULL, field TEXT NOT NULL, base TEXT, mine TEXT, theirs TEXT, "
        "created_at TEXT NOT NULL, resolved_at TEXT, resolution TEXT)"
    )
    conn.exec_driver_sql(
        "CREATE TABLE rejected (id INTEGER PRIMARY KEY, mutation_id INTEGER NOT NULL, name TEXT NOT NULL, "
        "version INTEGER NOT NULL, args TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, "
        "field TEXT, created_at TEXT NOT NULL, dismissed_at TEXT)"
    )
    conn.exec_driver_sql("CREATE INDEX ix_conflict_open ON conflict (resolved_at)")


#: the ladder: STEPS[i] takes a cache from user_version i to i + 1; only ever append to it
STEPS: list[Callable[[Connection], None]] = [_v1_base, _v2_inboxes]
VERSION = len(STEPS)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # let SQLAlchemy's begin() issue BEGIN IMMEDIATE itself (pysqlite's implicit BEGIN comes late)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


#: execution option of connections that only read: they begin DEFERRED and never wait for a writer
READ_ONLY = "yiti_read_only"


def _on_begin(conn: Connection) -> None:
    # writers: IMMEDIATE takes the write lock up front, so two writers never deadlock on an upgrade;
    # readers (WAL) see the last commit and never block or wait for the writer
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def reading(engine: Engine) -> Connection:
    """A connection for reads only (``with reading(db) as conn: ...``)."""
    return engine.connect().execution_options(**{READ_ONLY: True})


def connect(path: str | Path) -> Engine:
    """An engine on the cache file with our pragmas; the file is not migrated (see `open_cache`)."""
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    sa.event.listen(engine, "connect", _on_connect)
    sa.event.listen(engine, "begin", _on_begin)
    return engine


def user_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def migrate(engine: Engine, target: int = VERSION) -> bool:
    """Run the ladder up to `target`, one transaction per step. Returns whether synced tables had
    to be reconciled with the code's schema (then the cache must pull everything again)."""
    with engine.begin() as conn:
        current = user_version(conn)
    if current > VERSION:
        raise RuntimeError(f"cache file version {current} is newer than this program ({VERSION})")
    for step in range(current, target):
        with engine.begin() as conn:
            STEPS[step](conn)
            conn.exec_driver_sql(f"PRAGMA user_version = {step + 1}")
    if target < VERSION:
        return False
    with engine.begin() as conn:
        return reconcile_synced_tables(conn)


def reconcile_synced_tables(conn: Connection) -> bool:
    """Create synced tables and columns the code has and the file lacks (a newer program).

    Their rows must come from the server again, so when anything was added the pull cursor is
    cleared; returns whether that happened."""
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names())
    changed = False
    for name in SYNCED_TABLES:
        table = metadata.tables[name]
        if name not in existing:
            table.create(conn)
            changed = True
            continue
        have = {c["name"] for c in inspector.get_columns(name)}
        for column in table.columns:
            if column.name not in have:
                ddl = column.type.compile(dialect=conn.dialect)
                default = column.server_default
                clause = ""
                if default is not None and isinstance(default, sa.DefaultClause):
                    arg = default.arg
                    text = arg if isinstance(arg, str) else str(arg.compile(dialect=conn.dialect))
                    clause = f" DEFAULT {text if not isinstance(arg, str) else repr(text)}"
                conn.exec_driver_sql(f'ALTER TABLE "{name}" ADD COLUMN "{column.name}" {ddl}{clause}')
                changed = True
    if changed and get_state(conn, "cursor") is not None:
        set_state(conn, "cursor", None)
    return changed


def open_cache(path: str | Path) -> Engine:
    """Open (creating or migrating) the cache file at `path`."""
    engine = connect(path)
    migrate(engine)
    return engine


# --- sync_state --------------------------------------------------------------------------------
def get_state(conn: Connection, key: str) -> Any:
    """A value of sync_state (stored as JSON), or None."""
    value = conn.execute(sa.text("SELECT value FROM sync_state WHERE key = :k"), {"k": key}).scalar()
    return None if value is None else json.loads(value)


def set_state(conn: Connection, key: str, value: Any) -> None:
    if value is None:
        conn.execute(sa.text("DELETE FROM sync_state WHERE key = :k"), {"k": key})
        return
    conn.execute(
        sa.text("INSERT INTO sync_state (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v"),
        {"k": key, "v": json.dumps(value)},
    )


def clear_synced_rows(conn: Connection) -> None:
    """Drop every cached server row and the shadow (a resync); the outbox stays."""
    for name in SYNCED_TABLES:
        conn.execute(sa.delete(metadata.tables[name]))
    conn.exec_driver_sql("DELETE FROM shadow")
