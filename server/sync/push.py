"""Push: apply a client's queued mutations exactly once, each in its own savepoint.

Per client the server keeps ``last_mutation_id``. A mutation with id ≤ last gets its stored
result again (never a second run); id = last + 1 runs and advances; a gap is refused. A
permanent failure (validation, permission, business rule) is recorded as ``rejected`` and still
advances; a transient one stops the batch: what ran before it is committed and answered.
The results are written to ``mutation_log`` together, in one statement, just before the client's
``last_mutation_id`` moves, in the same transaction as the mutations themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from typing import Any

import pydantic
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection, Engine

from app.core import mutations
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.protocol import ErrorOut, FieldConflictOut, MutationIn, MutationResult, PushIn, PushOut
from app.core.tx import Tx
from server import permissions
from server.numbering import numbering_for
from server.tables import mutation_log, sync_client

log = logging.getLogger(__name__)


class MutationGap(DomainError):
    code = "sync.gap"
    status = 409
    template = N_("Changes are missing before change %(first)s (the server has up to %(last)s). Sync again.")


class ClientClone(DomainError):
    code = "sync.client_clone"
    status = 409
    template = N_("This offline cache is a copy of another one; it will continue under a new identity.")


class SyncUnavailable(DomainError):
    code = "sync.unavailable"
    status = 503
    template = N_("The server is busy. Your changes are kept and will be sent again shortly.")


class InvalidArguments(DomainError):
    code = "validation.invalid"
    status = 422
    template = N_("The value of %(field)s is not valid: %(reason)s")


class DuplicateValue(DomainError):
    code = "record.duplicate"
    status = 409
    template = N_("Another record already has this value (%(constraint)s).")


#: how long one mutation of a push waits for a row another transaction holds
LOCK_TIMEOUT_MS = 2_000
#: failures worth retrying: the connection, a timeout, a serialization failure or deadlock
TRANSIENT = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)
#: failures that are the mutation's own fault
PERMANENT = (DomainError, pydantic.ValidationError, sa.exc.IntegrityError, sa.exc.DataError)


def _as_domain_error(exc: BaseException) -> DomainError:
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, pydantic.ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "args"
        return InvalidArguments(field=field, reason=str(first.get("msg", "")))
    if isinstance(exc, sa.exc.IntegrityError) and getattr(exc.orig, "sqlstate", None) == "23505":
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
        return DuplicateValue(field=constraint, constraint=constraint or "?")
    return InvalidArguments(field="args", reason=type(exc).__name__)


def already_applied(mutation_id: int, last: int) -> bool:
    """The exactly-once check: a mutation at or below the client's last applied id ran already."""
    return mutation_id <= last


def savepoint(conn: Connection) -> Any:
    """Each mutation runs in its own savepoint, so a rejected one leaves the batch intact."""
    return conn.begin_nested()


def _lock_client(conn: Connection, client_id: uuid.UUID, user_id: uuid.UUID, now: dt.datetime) -> int:
    conn.execute(
        pg_insert(sync_client)
        .values(client_id=client_id, user_id=user_id, last_mutation_id=0, created_at=now, last_seen_at=now)
        .on_conflict_do_nothing()
    )
    row = conn.execute(
        sa.select(sync_client).where(sync_client.c.client_id == client_id).with_for_update()
    ).one()
    if row.user_id != user_id:
        raise ClientClone()  # a client id belongs to one user; another user's cache is a copy
    return int(row.last_mutation_id)


def _replay(
    conn: Connection, client_id: uuid.UUID, m: MutationIn, pending: Mapping[int, dict[str, Any]] | None = None
) -> MutationResult:
    """The stored result of a mutation that ran already (`pending`: this push's results, not yet
    written to mutation_log)."""
    stored: Any = (pending or {}).get(m.id)
    if stored is None:
        row = conn.execute(
            sa.select(mutation_log).where(
                mutation_log.c.client_id == client_id, mutation_log.c.mutation_id == m.id
            )
        ).mappings().first()
        if row is None:  # results pruned by retention: it ran, and long ago
            return MutationResult(id=m.id, status="applied", checkpoint=0)
        stored = row
    if stored["args_hash"] != mutations.args_hash(m.name, m.version, m.args):
        raise ClientClone()
    return MutationResult.model_validate(stored["result"])


def _apply(
    conn: Connection,
    role: str,
    user_id: uuid.UUID,
    now: dt.datetime,
    m: MutationIn,
    checkpoint: int,
    locale: str,
) -> MutationResult:
    try:
        with savepoint(conn):
            mutator = mutations.get(m.name, m.version)
            permissions.require_mutation(role, m.name)
            tx = Tx(conn, side="server", user_id=user_id, now=now, role=role, numbering=numbering_for(conn))
            mutator.run(tx, m.args)
    except PERMANENT as exc:
        error = _as_domain_error(exc)
        return MutationResult(id=m.id, status="rejected", error=ErrorOut(**error.to_body(locale)))
    conflicts = [
        FieldConflictOut(
            table=c.table, row_id=c.row_id, field=c.field, base=c.base, mine=c.mine, theirs=c.theirs
        )
        for c in tx.conflicts
    ]
    return MutationResult(
        id=m.id, status="conflict" if conflicts else "applied", checkpoint=checkpoint, conflicts=conflicts
    )


def push(
    engine: Engine, role: str, user_id: uuid.UUID, body: PushIn, now: dt.datetime, locale: str
) -> PushOut:
    results: list[MutationResult] = []
    #: this push's mutation_log rows by mutation id, written with the client's new last id
    logged: dict[int, dict[str, Any]] = {}
    stopped = False
    with engine.connect() as conn, conn.begin():
        # a row another transaction holds (a stock level a long import is writing) stops the batch
        # as a transient failure after a moment, instead of holding the client for the statement timeout
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
        last = _lock_client(conn, body.client_id, user_id, now)
        checkpoint = int(conn.execute(sa.text("SELECT pg_current_xact_id()::text::bigint")).scalar_one())
        for m in body.mutations:
            if already_applied(m.id, last):
                results.append(_replay(conn, body.client_id, m, logged))
                continue
            if m.id != last + 1:
                if not results:
                    raise MutationGap(first=m.id, last=last)
                break
            try:
                result = _apply(conn, role, user_id, now, m, checkpoint, locale)
            except TRANSIENT:
                log.warning("transient failure in %s from client %s", m.name, body.client_id, exc_info=True)
                stopped = True
                break
            logged[m.id] = _log_row(body.client_id, m, result, now)
            results.append(result)
            last = m.id
        if stopped and not results:
            raise SyncUnavailable()
        if logged:  # on every path that commits, a transient stop included
            conn.execute(sa.insert(mutation_log), list(logged.values()))
        conn.execute(
            sa.update(sync_client)
            .where(sync_client.c.client_id == body.client_id)
            .values(last_mutation_id=last, last_seen_at=now)
        )
    return PushOut(results=results, stopped=stopped, last_mutation_id=last)


def _log_row(client_id: uuid.UUID, m: MutationIn, result: MutationResult, now: dt.datetime) -> dict[str, Any]:
    """The mutation_log row that lets a resent mutation get this result again."""
    return {
        "client_id": client_id,
        "mutation_id": m.id,
        "name": m.name,
        "version": m.version,
        "args_hash": mutations.args_hash(m.name, m.version, m.args),
        "status": result.status,
        "result": result.model_dump(mode="json"),
        "created_at": now,
    }


def last_mutation_id(conn: Connection, client_id: uuid.UUID) -> int | None:
    value = conn.execute(
        sa.select(sync_client.c.last_mutation_id).where(sync_client.c.client_id == client_id)
    ).scalar()
    return None if value is None else int(value)
