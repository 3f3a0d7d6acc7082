"""Writing what the server said into the cache: pulled pages and push results (DESIGN §4).

Each function works in the caller's SQLite transaction, so the cursor, the rows, the outbox and
the shadow always move together: a crash leaves the cursor never ahead of the data.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.protocol import PushOut
from app.core.schema import SYNCED_TABLES, utcnow
from app.sync import cache
from app.sync.codec import decode_row, dumps, loads, storage_rows, stored_id
from app.sync.outbox import pending_touching, put_row, rebase

#: the archive mutators: archiving a row the server archived too is no clash
_ARCHIVING = ("archive",)
#: the queued mutations a push answered
_QUEUED = sa.text("SELECT id, name, version, args, state FROM outbox WHERE id IN :ids").bindparams(
    sa.bindparam("ids", expanding=True)
)
#: pulled rows written per SQL statement (at most; SQLite's limit on parameters may lower it)
ROWS_PER_STATEMENT = 200


@dataclass
class Applied:
    """What one apply did (for the sync report)."""

    changes: int = 0
    rebased: bool = False
    settled: int = 0
    applied: int = 0
    rejected: int = 0
    conflicts: int = 0
    not_applying: list[int] = field(default_factory=list)
    #: table → ids of the rows this apply wrote (so open views refresh just those)
    touched: dict[str, set[str]] = field(default_factory=dict)


def apply_pages(
    conn: Connection,
    pages: Sequence[Mapping[str, Any]],
    user_id: uuid.UUID | None,
    before_commit: Callable[[], None] | None = None,
    force_rebase: bool = False,
) -> Applied:
    """Apply one whole page, or a run of ``partial`` pages and the page that completes them, and
    save the last page's cursor. Rows a queued mutation touched get a new server base in
    ``shadow`` and the queue is rebased on it; queued mutations the cursor has passed leave."""
    result = Applied(rebased=force_rebase)
    shadowed = {(t, r) for t, r in conn.execute(sa.text("SELECT tbl, row_id FROM shadow"))}
    writes = _Writes(conn)
    for page in pages:
        for change in page["changes"]:
            table, row_id, data = change["t"], str(change["id"]), change.get("row")
            if table not in SYNCED_TABLES:
                continue  # a newer server's table this program does not know yet
            result.changes += 1
            result.touched.setdefault(table, set()).add(row_id)
            gone = change["op"] == "delete" or data is None
            if (table, row_id) in shadowed:
                _new_base(conn, table, row_id, None if gone else data)
                result.rebased = True
            elif gone:
                writes.delete(table, row_id)
            else:
                writes.put(table, data)
    writes.flush()
    last = pages[-1]
    cursor = last["cursor"]
    cache.set_state(conn, "cursor", cursor)
    cache.set_state(conn, "epoch", last.get("epoch", cursor["epoch"]))
    settled = conn.execute(
        sa.text("DELETE FROM outbox WHERE state = 'done' AND COALESCE(checkpoint, 0) <= :x"), {"x": cursor["xact"]}
    ).rowcount
    result.settled = settled or 0
    if result.settled:
        result.rebased = True
    if result.rebased:
        result.not_applying = rebase(conn, user_id)
    if before_commit is not None:
        before_commit()
    return result


class _Writes:
    """Pulled rows written in runs: consecutive puts (or deletes) of one table go to SQLite as
    multi-row statements of the stored values, in the order the changes came.

    One statement for many rows, not an executemany: the search index's triggers (cache._v3_search)
    then flush their FTS5 work once per statement instead of once per row."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.run: tuple[str, str] | None = None  # ("put" | "delete", table)
        self.rows: list[tuple[Any, ...]] = []

    def put(self, table: str, data: Mapping[str, Any]) -> None:
        stored = storage_rows(table).encode(data)
        if stored is None:  # an older server's row lacks a column: SQLAlchemy fills it in
            self.flush()
            put_row(self.conn, table, decode_row(table, data))
            return
        self._add(("put", table), stored)

    def delete(self, table: str, row_id: str) -> None:
        self._add(("delete", table), (stored_id(row_id),))

    def _add(self, run: tuple[str, str], params: tuple[Any, ...]) -> None:
        if run != self.run:
            self.flush()
            self.run = run
        self.rows.append(params)

    def flush(self) -> None:
        if self.run is not None and self.rows:
            verb, table = self.run
            per = max(1, min(ROWS_PER_STATEMENT, _max_variables(self.conn) // len(self.rows[0])))
            for start in range(0, len(self.rows), per):
                part = self.rows[start:start + per]
                if verb == "put":
                    sql = storage_rows(table).replace_sql(len(part))
                else:
                    sql = f'DELETE FROM "{table}" WHERE id IN ({", ".join("?" * len(part))})'
                self.conn.exec_driver_sql(sql, tuple([v for row in part for v in row]))
        self.run, self.rows = None, []


def _max_variables(conn: Connection) -> int:
    """How many ? one statement may hold on this SQLite."""
    raw = conn.connection.driver_connection
    getlimit = getattr(raw, "getlimit", None)
    return int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)) if getlimit else 999


def _new_base(conn: Connection, table: str, row_id: str, data: Mapping[str, Any] | None) -> None:
    old = loads(conn.execute(
        sa.text("SELECT base FROM shadow WHERE tbl = :t AND row_id = :r"), {"t": table, "r": row_id}
    ).scalar())
    conn.execute(
        sa.text("UPDATE shadow SET base = :b WHERE tbl = :t AND row_id = :r"),
        {"b": None if data is None else dumps(data), "t": table, "r": row_id},
    )
    was_there = old is not None and not old.get("archived")
    now_gone = data is None or bool(data.get("archived"))
    if was_there and now_gone:
        _deleted_on_server(conn, table, row_id, "deleted" if data is None else "archived")


def _deleted_on_server(conn: Connection, table: str, row_id: str, field_name: str) -> None:
    """A row the user edits offline was deleted or archived on the server: the inbox says so."""
    for mutation_id, name in pending_touching(conn, table, row_id):
        if name.rsplit(".", 1)[-1] in _ARCHIVING:
            continue
        theirs = None if field_name == "deleted" else True
        mine = None if field_name == "deleted" else False
        add_conflict(conn, mutation_id, table, row_id, field_name, False, mine, theirs)
        return


def add_conflict(
    conn: Connection, mutation_id: int | None, table: str, row_id: str, field_name: str,
    base: Any, mine: Any, theirs: Any,
) -> None:
    open_one = conn.execute(
        sa.text("SELECT 1 FROM conflict WHERE tbl = :t AND row_id = :r AND field = :f AND resolved_at IS NULL "
                "AND mutation_id IS :m"),
        {"t": table, "r": row_id, "f": field_name, "m": mutation_id},
    ).first()
    if open_one:
        return
    conn.execute(
        sa.text("INSERT INTO conflict (mutation_id, tbl, row_id, field, base, mine, theirs, created_at) "
                "VALUES (:m, :t, :r, :f, :b, :mine, :theirs, :c)"),
        {"m": mutation_id, "t": table, "r": row_id, "f": field_name, "b": dumps(base), "mine": dumps(mine),
         "theirs": dumps(theirs), "c": utcnow().isoformat()},
    )


def store_push_results(conn: Connection, out: PushOut, user_id: uuid.UUID | None) -> Applied:
    """Record the server's answer to a push: applied or conflicting mutations wait in the outbox
    for the pull that passes their checkpoint; rejected ones leave it (their local effect goes
    in the rebase) and are kept for the user with their reason."""
    result = Applied()
    now = utcnow().isoformat()
    ids = [r.id for r in out.results]
    queued = {row.id: row for row in conn.execute(_QUEUED, {"ids": ids})} if ids else {}
    settled: list[tuple[int, str, int]] = []
    for r in out.results:
        row = queued.pop(r.id, None)  # popped: a second answer for one id finds it stored already
        if row is None or row.state != "pending":
            continue  # an answer we had already stored (a resent batch)
        if r.status == "rejected":
            error = r.error
            conn.execute(
                sa.text("INSERT INTO rejected (mutation_id, name, version, args, code, message, field, created_at) "
                        "VALUES (:m, :n, :v, :a, :code, :msg, :f, :c)"),
                {"m": r.id, "n": row.name, "v": row.version, "a": row.args,
                 "code": error.code if error else "error", "msg": error.message if error else "",
                 "f": error.field if error else None, "c": now},
            )
            conn.execute(sa.text("DELETE FROM outbox WHERE id = :id"), {"id": r.id})
            result.rejected += 1
            result.rebased = True
            continue
        settled.append((r.checkpoint or 0, dumps(r.model_dump(mode="json")), r.id))
        result.applied += 1
        for c in r.conflicts:
            add_conflict(conn, r.id, c.table, str(c.row_id), c.field, c.base, c.mine, c.theirs)
            result.conflicts += 1
    if settled:  # one statement for the batch: they wait for the pull that passes their checkpoint
        conn.exec_driver_sql("UPDATE outbox SET state = 'done', checkpoint = ?, result = ? WHERE id = ?", settled)
    if result.rebased:
        result.not_applying = rebase(conn, user_id)
    return result


def stamp(conn: Connection) -> None:
    cache.set_state(conn, "last_sync_at", dt.datetime.now(dt.UTC).isoformat())
