"""The floor of an initial sync (DESIGN §9): the least work that moves the same rows from Postgres
into a fresh cache file. Postgres ``COPY (SELECT ...) TO STDOUT`` emits every value already in the
cache's storage form (hex ids, UTC ISO-8601 instants, integer cents, 0/1 booleans), and SQLite
takes them with ``executemany`` in one transaction. No sync engine does less than this.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

from app.core.schema import Money, Quantity, UtcDateTime, metadata
from app.sync.cache import open_cache

#: rows per executemany
BATCH = 5000


@dataclass(frozen=True)
class Floor:
    rows: int
    seconds: float
    #: of which reading COPY's rows, and SQLite's inserts
    copy_seconds: float
    insert_seconds: float


def _stored(column: sa.Column[Any]) -> str:
    """A Postgres expression giving `column` as the cache stores it."""
    name = f'"{column.name}"'
    kind = column.type
    if isinstance(kind, Money | Quantity):
        return f"({name} * {10 ** kind.places})::bigint"
    if isinstance(kind, UtcDateTime):
        return f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
    if isinstance(kind, sa.Uuid):
        return f"replace({name}::text, '-', '')"
    if isinstance(kind, sa.Boolean):
        return f"{name}::int"
    if isinstance(kind, sa.Date):
        return f"to_char({name}, 'YYYY-MM-DD')"
    return name


def copy_sql(table: str) -> str:
    columns = ", ".join(_stored(c) for c in metadata.tables[table].columns)
    return f'COPY (SELECT {columns} FROM "{table}" ORDER BY id) TO STDOUT'


def insert_sql(table: str) -> str:
    columns = [c.name for c in metadata.tables[table].columns]
    names = ", ".join(f'"{n}"' for n in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'


def measure(dsn: str, tables: Sequence[str], cache_path: Path) -> Floor:
    """COPY every row of `tables` out of the tenant database into a new cache file at `cache_path`."""
    engine = open_cache(cache_path)  # made before the clock starts, as the synced cache is
    engine.dispose()
    lite = sqlite3.connect(cache_path, isolation_level=None)
    lite.execute("PRAGMA journal_mode=WAL")
    lite.execute("PRAGMA synchronous=FULL")  # the cache's own setting
    rows = 0
    insert_seconds = 0.0
    with psycopg.connect(dsn, autocommit=True) as pg:
        started = time.perf_counter()
        lite.execute("BEGIN IMMEDIATE")
        # the floor is a plain bulk insert: no search index upkeep (as app.sync.cache.pause_search)
        lite.execute("UPDATE search_state SET paused = 1")
        for table in tables:
            sql = insert_sql(table)
            with pg.cursor() as cur, cur.copy(copy_sql(table)) as copy:
                batch: list[tuple[Any, ...]] = []
                for row in copy.rows():
                    batch.append(row)
                    if len(batch) >= BATCH:
                        insert_seconds += _insert(lite, sql, batch)
                        rows += len(batch)
                        batch = []
                insert_seconds += _insert(lite, sql, batch)
                rows += len(batch)
        commit_started = time.perf_counter()
        lite.execute("COMMIT")
        insert_seconds += time.perf_counter() - commit_started
        seconds = time.perf_counter() - started
    lite.close()
    return Floor(rows, seconds, seconds - insert_seconds, insert_seconds)


def _insert(lite: sqlite3.Connection, sql: str, batch: list[tuple[Any, ...]]) -> float:
    started = time.perf_counter()
    if batch:
        lite.executemany(sql, batch)
    return time.perf_counter() - started


def same_rows(synced: Path, floor: Path, tables: Sequence[str], sample: int = 200) -> bool:
    """Whether both caches hold the same rows: counts, and the first and last `sample` rows of each
    table value for value (the floor must do the same work, not less)."""
    a, b = sqlite3.connect(synced), sqlite3.connect(floor)
    try:
        for table in tables:
            if a.execute(f'SELECT count(*) FROM "{table}"').fetchone() != \
                    b.execute(f'SELECT count(*) FROM "{table}"').fetchone():
                return False
            for order in ("ASC", "DESC"):
                query = f'SELECT * FROM "{table}" ORDER BY id {order} LIMIT {sample}'
                if a.execute(query).fetchall() != b.execute(query).fetchall():
                    return False
        return True
    finally:
        a.close()
        b.close()
