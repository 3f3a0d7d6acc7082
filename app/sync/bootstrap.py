"""Filling an empty cache from the server's snapshot (DESIGN §4), in one SQLite transaction.

The snapshot replaces every cached server row; queued mutations then run again on top of it
(a resync keeps the outbox), and the cursor becomes the snapshot's horizon, so the pull that
follows starts exactly where the snapshot ends. A stream that stops early raises before the
commit: a crash or a dropped connection leaves the cache as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.schema import SYNCED_TABLES, metadata
from app.sync import cache
from app.sync.codec import StorageRows, decode_row, storage_rows
from app.sync.outbox import rebase

#: rows per INSERT executemany
BATCH = 5000

Progress = Callable[[int, int], None]


class SnapshotIncomplete(Exception):
    """The snapshot stream ended before its end line (connection lost, server stopped)."""


@dataclass
class Bootstrapped:
    rows: int
    cursor: dict[str, Any]
    not_applying: list[int]


def apply_snapshot(
    conn: Connection,
    lines: Iterator[bytes],
    user_id: uuid.UUID | None,
    on_progress: Progress | None = None,
    before_commit: Callable[[], None] | None = None,
) -> Bootstrapped:
    """Write a whole snapshot into the cache in the caller's transaction."""
    try:
        header = orjson.loads(next(lines))
    except StopIteration:
        raise SnapshotIncomplete("empty snapshot") from None
    expected = sum(header["counts"].values())
    cache.pause_search(conn)  # the index is filled in bulk below: far quicker than row by row
    cache.clear_synced_rows(conn)
    done = seen = 0
    batch: list[tuple[Any, ...]] = []
    batch_table: str | None = None
    storage: StorageRows | None = None
    ended = False
    for line in lines:
        item = orjson.loads(line)
        if item.get("end"):
            ended = item.get("rows") == seen
            break
        seen += 1
        table = item["t"]
        if table != batch_table or len(batch) >= BATCH:
            done += _flush(conn, storage, batch)
            batch, batch_table = [], table
            # a newer server's table this program does not know yet is skipped
            storage = storage_rows(table) if table in SYNCED_TABLES else None
            if on_progress is not None:
                on_progress(done, expected)
        if storage is not None:
            stored = storage.encode(item["row"])
            if stored is None:  # an older server's row lacks a column: SQLAlchemy fills it in
                done += _flush(conn, storage, batch)
                batch = []
                conn.execute(sa.insert(metadata.tables[table]), decode_row(table, item["row"]))
                done += 1
            else:
                batch.append(stored)
    if not ended:
        raise SnapshotIncomplete(f"snapshot ended after {seen} of {expected} rows")
    done += _flush(conn, storage, batch)
    cache.reindex_search(conn)
    if on_progress is not None:
        on_progress(done, expected)
    cursor = header["cursor"]
    cache.set_state(conn, "cursor", cursor)
    cache.set_state(conn, "epoch", header["epoch"])
    conn.execute(
        sa.text("DELETE FROM outbox WHERE state = 'done' AND COALESCE(checkpoint, 0) <= :x"), {"x": cursor["xact"]}
    )
    not_applying = rebase(conn, user_id)
    if before_commit is not None:
        before_commit()
    return Bootstrapped(done, cursor, not_applying)


def _flush(conn: Connection, storage: StorageRows | None, batch: list[tuple[Any, ...]]) -> int:
    if not batch or storage is None:
        return 0
    conn.exec_driver_sql(storage.insert_sql, batch)
    return len(batch)
