"""Local mutations and rebase: the client's half of DESIGN §4's speculative writes.

A local mutation runs its mutator on the cache and is appended to the outbox in the caller's
SQLite transaction, so a crash keeps both or neither. Before a queued mutation first writes a
row, the row as the server last sent it goes into ``shadow``; a rebase puts those server rows
back and re-runs every queued mutation in order on top of them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import pydantic
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core import mutations
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.schema import metadata
from app.core.tx import Tx
from app.sync import cache
from app.sync.codec import decode_row, dumps, loads

log = logging.getLogger(__name__)

OnTouch = Callable[[str, uuid.UUID], None]
#: sync_state key of the last mutation id given out
LAST_ID = "last_mutation_id"


#: statements of the per-mutation path, as plain SQL (each user action runs them in its own commit)
_SHADOWED = "SELECT 1 FROM shadow WHERE tbl = ? AND row_id = ?"
_SHADOW = "INSERT INTO shadow (tbl, row_id, base) VALUES (?, ?, ?)"
_ROLE_AND_LAST_ID = (
    "SELECT (SELECT value FROM sync_state WHERE key = 'role'), "
    f"(SELECT value FROM sync_state WHERE key = '{LAST_ID}'), (SELECT COALESCE(MAX(id), 0) FROM outbox)"
)
_SET_LAST_ID = (
    f"INSERT INTO sync_state (key, value) VALUES ('{LAST_ID}', ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_QUEUE = (
    "INSERT INTO outbox (id, name, version, args, args_hash, created_at, state, touched) "
    "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)"
)


@functools.cache
def _by_id(table: str) -> tuple[sa.Select[Any], sa.Insert, sa.Delete]:
    """SELECT, INSERT OR REPLACE and DELETE of one row of `table`, built once: a statement reused
    keeps its compiled form and cache key (the row id is the ``row_id`` parameter)."""
    t = metadata.tables[table]
    where = t.c.id == sa.bindparam("row_id")
    return sa.select(t).where(where), sa.insert(t).prefix_with("OR REPLACE"), sa.delete(t).where(where)


def capture_base(conn: Connection) -> OnTouch:
    """Tx's on_touch: keep the server's version of a row before a queued mutation first writes it.

    A row not yet in shadow was touched by no queued mutation, so the cache holds the server's
    version of it (or nothing: NULL base, the row is new here)."""

    def on_touch(table: str, row_id: uuid.UUID) -> None:
        key = (table, str(row_id))
        if conn.exec_driver_sql(_SHADOWED, key).first():
            return
        row = conn.execute(_by_id(table)[0], {"row_id": row_id}).mappings().first()
        conn.exec_driver_sql(_SHADOW, (*key, None if row is None else dumps(dict(row))))

    return on_touch


def validate(name: str, raw_args: Mapping[str, Any], version: int | None = None) -> tuple[int, dict[str, Any]]:
    """The mutator's version and its arguments as JSON values (raises pydantic.ValidationError)."""
    version = version or mutations.latest_version(name)
    model = mutations.get(name, version).args.model_validate(dict(raw_args))
    return version, model.model_dump(mode="json")


class DuplicateValue(DomainError):
    code = "record.duplicate"
    status = 409
    template = N_("Another record already has this value.")


def _constraint_field(exc: sa.exc.IntegrityError) -> str | None:
    """The column a SQLite unique failure names ("UNIQUE constraint failed: product.sku" → sku)."""
    text = str(exc.orig)
    return text.rsplit(".", 1)[-1].strip() if "UNIQUE constraint failed:" in text else None


def record(
    conn: Connection, user_id: uuid.UUID | None, now: dt.datetime, name: str, args: dict[str, Any], version: int
) -> int:
    """Run a validated mutation on the cache and queue it, in the caller's transaction.

    Returns its outbox id. A domain error from the mutator propagates (the caller rolls back)."""
    role, last_id, in_outbox = conn.exec_driver_sql(_ROLE_AND_LAST_ID).one()
    tx = Tx(conn, side="client", user_id=user_id, now=now, role=None if role is None else json.loads(role),
            on_touch=capture_base(conn))
    try:
        with conn.begin_nested():
            mutations.get(name, version).run(tx, args)
    except sa.exc.IntegrityError as exc:
        raise DuplicateValue(field=_constraint_field(exc)) from exc
    # as last_mutation_id(): the mutator writes neither the outbox nor sync_state
    next_id = max(int(in_outbox), int((None if last_id is None else json.loads(last_id)) or 0)) + 1
    conn.exec_driver_sql(_SET_LAST_ID, (json.dumps(next_id),))
    conn.exec_driver_sql(_QUEUE, (next_id, name, version, dumps(args), mutations.args_hash(name, version, args),
                                  now.isoformat(), dumps(_touched(tx))))
    return next_id


def last_mutation_id(conn: Connection) -> int:
    """The last id this client gave a mutation. Ids are never reused, also once the outbox is
    empty: the server takes a reused id for a resend (or for a copied cache)."""
    in_outbox = int(conn.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM outbox")).scalar_one())
    return max(in_outbox, int(cache.get_state(conn, LAST_ID) or 0))


def _touched(tx: Tx) -> list[list[str]]:
    return [[t, str(r)] for t, r in tx.touched]


def put_row(conn: Connection, table: str, row: Mapping[str, Any]) -> None:
    """Insert or replace one cached row (Python values)."""
    conn.execute(_by_id(table)[1], dict(row))


def delete_row(conn: Connection, table: str, row_id: uuid.UUID) -> None:
    conn.execute(_by_id(table)[2], {"row_id": row_id})


def rebase(conn: Connection, user_id: uuid.UUID | None) -> list[int]:
    """Put the server's rows back and re-run every queued mutation in order, in the caller's
    transaction. Returns the ids of mutations that no longer apply locally (their effect is
    absent until the server answers for them)."""
    for tbl, row_id, base in conn.execute(sa.text("SELECT tbl, row_id, base FROM shadow")).all():
        if tbl not in metadata.tables:
            continue
        if base is None:
            delete_row(conn, tbl, uuid.UUID(row_id))
        else:
            put_row(conn, tbl, decode_row(tbl, loads(base)))
    conn.exec_driver_sql("DELETE FROM shadow")
    failed: list[int] = []
    queued = conn.execute(sa.text("SELECT id, name, version, args, created_at FROM outbox ORDER BY id")).all()
    role = cache.get_state(conn, "role")
    for mutation_id, name, version, args, created_at in queued:
        tx = Tx(conn, side="client", user_id=user_id, now=dt.datetime.fromisoformat(created_at), role=role,
                on_touch=capture_base(conn))
        try:
            with conn.begin_nested():
                mutations.get(name, version).run(tx, loads(args))
        except (DomainError, pydantic.ValidationError, sa.exc.IntegrityError) as exc:
            # IntegrityError: another client's row holds a unique value (a SKU) that this one
            # wants too; the server refuses it the same way and says why
            log.info("queued mutation %s (%s) no longer applies locally: %s", mutation_id, name, exc)
            failed.append(mutation_id)
            continue
        conn.execute(sa.text("UPDATE outbox SET touched = :t WHERE id = :id"),
                     {"t": dumps(_touched(tx)), "id": mutation_id})
    return failed


def renumber(conn: Connection, start: int = 1, reopen_done: bool = False) -> None:
    """Give pending mutations dense ids from `start` (a new client identity, or the server's
    last id + 1). Mutations the server already applied keep their order below them.

    With `reopen_done` (a restored server may have lost them) they become pending again."""
    if reopen_done:
        conn.exec_driver_sql("UPDATE outbox SET state = 'pending', checkpoint = NULL, result = NULL")
    rows = conn.execute(sa.text("SELECT id, state FROM outbox ORDER BY id")).all()
    done = [r.id for r in rows if r.state == "done"]
    pending = [r.id for r in rows if r.state == "pending"]
    conn.exec_driver_sql("UPDATE outbox SET id = -id - 4000000000")  # out of the way of the new ids
    new_ids = {old: -len(done) + i for i, old in enumerate(done)}
    new_ids.update({old: start + i for i, old in enumerate(pending)})
    for old, new in new_ids.items():
        conn.execute(sa.text("UPDATE outbox SET id = :new WHERE id = :old"), {"new": new, "old": -old - 4000000000})
    # conflicts follow their mutation; those of mutations that left the outbox lose the link
    conn.exec_driver_sql("UPDATE conflict SET mutation_id = -mutation_id - 4000000000 WHERE mutation_id IS NOT NULL")
    for old, new in new_ids.items():
        conn.execute(sa.text("UPDATE conflict SET mutation_id = :new WHERE mutation_id = :old"),
                     {"new": new, "old": -old - 4000000000})
    conn.exec_driver_sql("UPDATE conflict SET mutation_id = NULL WHERE mutation_id < -3000000000")
    cache.set_state(conn, LAST_ID, start - 1 + len(pending))


def pending_touching(conn: Connection, table: str, row_id: str) -> list[tuple[int, str]]:
    """(id, name) of pending mutations that wrote this row in their last local run."""
    found = []
    for mutation_id, name, touched in conn.execute(
        sa.text("SELECT id, name, touched FROM outbox WHERE state = 'pending' ORDER BY id")
    ):
        if [table, row_id] in loads(touched):
            found.append((int(mutation_id), str(name)))
    return found
