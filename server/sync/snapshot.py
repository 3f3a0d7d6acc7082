"""Snapshot: how an empty cache bootstraps (DESIGN §4).

Instead of replaying every change since the tenant began, the client receives every row of its
scopes from one REPEATABLE READ snapshot, table by table in primary-key order, and then pulls from
that snapshot's horizon. Every transaction below the horizon (``pg_snapshot_xmin``) is finished and
visible in the snapshot; a committed transaction at or above it may be visible too, and the pull
after the snapshot serves its changes again, which is harmless (a change carries the whole row).

The body is newline-delimited JSON, streamed: a header line (epoch, cursor, row counts per table),
one line per row ``{"t": table, "row": {...}}`` built by Postgres itself, and an end line, so a
truncated stream is never taken for a complete one. A read-only snapshot holds no xid, so it
does not hold back anyone's pull horizon.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app.core.protocol import Cursor
from app.core.schema import SCOPES, SYNCED_TABLES, metadata
from server.sync.pull import END_SEQ, row_json_sql

#: rows fetched from Postgres per round trip
FETCH_ROWS = 5000
#: lines joined into one chunk of the HTTP body
CHUNK_LINES = 2000


def snapshot_tables(scopes: list[str]) -> list[str]:
    """The synced tables a holder of `scopes` receives, in a stable order."""
    allowed = set(scopes)
    return [name for name in SYNCED_TABLES if SCOPES[name] in allowed]


def _rows_sql(table: str) -> str:
    t = metadata.tables[table]
    return f"SELECT '{{\"t\":\"{table}\",\"row\":' || {row_json_sql(t)}::text || '}}' FROM \"{table}\" ORDER BY id"


def stream(engine: Engine, epoch: int, scopes: list[str]) -> Iterator[bytes]:
    """Yield the snapshot body in chunks; the transaction lives as long as the iteration."""
    tables = snapshot_tables(scopes)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        conn.execute(sa.text("SET TRANSACTION READ ONLY"))
        horizon = int(
            conn.execute(sa.text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")).scalar_one()
        )
        counts = {t: int(conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in tables}
        cursor = Cursor(epoch=epoch, xact=horizon - 1, seq=END_SEQ)
        header = {"epoch": epoch, "cursor": cursor.model_dump(), "tables": tables, "counts": counts}
        yield orjson.dumps(header) + b"\n"
        sent = 0
        for table in tables:
            result = conn.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(
                sa.text(_rows_sql(table))
            )
            lines: list[str] = []
            for (line,) in result:
                lines.append(line)
                if len(lines) >= CHUNK_LINES:
                    yield ("\n".join(lines) + "\n").encode()
                    sent += len(lines)
                    lines = []
            if lines:
                yield ("\n".join(lines) + "\n").encode()
                sent += len(lines)
        yield orjson.dumps({"end": True, "rows": sent}) + b"\n"
