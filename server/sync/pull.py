"""Pull: serve committed changes in (xact_id, seq) order, below the snapshot's xmin horizon.

Sequence values commit out of order, so a plain counter cursor can skip a change forever. Every
transaction with an xid below ``pg_snapshot_xmin(pg_current_snapshot())`` has finished, and in a
REPEATABLE READ snapshot its changes are visible: serving only below that horizon means nothing
can later appear behind a cursor. Pages end on transaction boundaries (an order never arrives
without its lines); one transaction larger than a page goes out in ``partial`` sub-pages. A
change carries the row as it is now (or a delete), so serving a change twice is harmless.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.protocol import Cursor
from app.core.schema import UtcDateTime, metadata

#: seq after every real one: a cursor (x, END) means "all of transaction x and before"
END_SEQ = 2**62


class ResyncRequired(DomainError):
    code = "sync.resync"
    status = 409
    template = N_(
        "The server's data was restored or compacted: this device downloads everything again. "
        "Your unsent changes are kept."
    )


@dataclass(frozen=True)
class Page:
    body: bytes
    cursor: Cursor
    has_more: bool
    partial: bool
    count: int


def row_json_sql(table: sa.Table) -> str:
    """json_build_object of every column; exact numbers as text, instants in UTC ISO-8601."""
    parts = []
    for column in table.columns:
        name = column.name
        if isinstance(column.type, sa.Numeric) or hasattr(column.type, "places"):
            value = f'"{name}"::text'
        elif isinstance(column.type, UtcDateTime):
            value = f'to_char("{name}" AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\')'
        else:
            value = f'"{name}"'
        parts.append(f"'{name}', {value}")
    return f"json_build_object({', '.join(parts)})"


_ROW_SQL: dict[str, str] = {}


def _row_sql(tbl: str) -> str:
    if tbl not in _ROW_SQL:
        table = metadata.tables[tbl]
        _ROW_SQL[tbl] = (
            f"SELECT id::text, json_build_object('t', '{tbl}', 'op', 'upsert', 'id', id, "
            f"'row', {row_json_sql(table)})::text FROM \"{tbl}\" WHERE id = ANY(CAST(:ids AS uuid[]))"
        )
    return _ROW_SQL[tbl]


def pull(
    engine: Engine, epoch: int, floor: int, scopes: list[str], cursor: Cursor | None, limit: int
) -> Page:
    if cursor is not None and (cursor.epoch != epoch or cursor.below_floor(floor)):
        raise ResyncRequired()
    after_x, after_s = (cursor.xact, cursor.seq) if cursor else (0, 0)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        # the first statement fixes the snapshot; the horizon comes from that same snapshot
        horizon = int(
            conn.execute(sa.text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")).scalar_one()
        )
        rows = conn.execute(
            sa.text(
                "SELECT xact_id::text::bigint AS x, seq, tbl, row_id::text AS row_id FROM sync_change "
                "WHERE (xact_id, seq) > (CAST(CAST(:x AS text) AS xid8), :s) "
                "AND xact_id < CAST(CAST(:h AS text) AS xid8) AND scope = ANY(:scopes) "
                "ORDER BY xact_id, seq LIMIT :n"
            ),
            {"x": after_x, "s": after_s, "h": horizon, "scopes": scopes, "n": limit + 1},
        ).all()
        page, new_cursor, has_more, partial = _cut(rows, limit, epoch, horizon, after_x)
        body, count = _encode(conn, page)
    envelope = orjson.dumps(
        {"epoch": epoch, "cursor": new_cursor.model_dump(), "has_more": has_more, "partial": partial}
    )
    return Page(envelope[:-1] + b',"changes":[' + body + b"]}", new_cursor, has_more, partial, count)


def _cut(rows: Sequence[sa.Row], limit: int, epoch: int, horizon: int, after_x: int
) -> tuple[list[sa.Row], Cursor, bool, bool]:
    if len(rows) <= limit:
        caught_up = max(horizon - 1, after_x)
        return list(rows), Cursor(epoch=epoch, xact=caught_up, seq=END_SEQ), False, False
    page = list(rows[:limit])
    last_x = page[-1].x
    if rows[limit].x != last_x:  # the page ends exactly on a transaction boundary
        return page, Cursor(epoch=epoch, xact=last_x, seq=END_SEQ), True, False
    whole = [r for r in page if r.x != last_x]
    if whole:  # drop the unfinished transaction's head; it comes whole in the next page
        return whole, Cursor(epoch=epoch, xact=whole[-1].x, seq=END_SEQ), True, False
    # one transaction bigger than a page: a sub-page the client holds until the transaction ends
    return page, Cursor(epoch=epoch, xact=last_x, seq=page[-1].seq), True, True


def _encode(conn: Connection, page: list[sa.Row]) -> tuple[bytes, int]:
    latest: OrderedDict[tuple[str, str], None] = OrderedDict()
    for r in page:
        key = (r.tbl, r.row_id)
        latest.pop(key, None)
        latest[key] = None
    by_table: dict[str, list[str]] = {}
    for tbl, row_id in latest:
        by_table.setdefault(tbl, []).append(row_id)
    found: dict[tuple[str, str], str] = {}
    for tbl, ids in by_table.items():
        for row_id, text in conn.execute(sa.text(_row_sql(tbl)), {"ids": ids}):
            found[(tbl, row_id)] = text
    parts = []
    for tbl, row_id in latest:
        text = found.get((tbl, row_id))
        if text is None:
            text = orjson.dumps({"t": tbl, "op": "delete", "id": row_id, "row": None}).decode()
        parts.append(text)
    return ",".join(parts).encode(), len(parts)


def compact(conn: Connection, older_than: dt.timedelta | None = None) -> int:
    """Drop change entries superseded by a later one for the same row (always safe: a change
    carries the current row). Returns how many went. Tombstone retention comes with hard deletes."""
    result = conn.execute(
        sa.text(
            "DELETE FROM sync_change a USING sync_change b "
            "WHERE a.tbl = b.tbl AND a.row_id = b.row_id AND (a.xact_id, a.seq) < (b.xact_id, b.seq) "
            "AND a.xact_id < pg_snapshot_xmin(pg_current_snapshot())"
        )
    )
    return result.rowcount or 0
