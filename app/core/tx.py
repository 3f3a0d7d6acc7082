"""Tx: the one way a mutator writes. It records touched rows and applies field patches.

A patch carries ``{field: {base, new}}`` (what the user saw, what they typed). Against the row as
it is now:
* current == base → apply; current == new → nothing to do;
* otherwise a soft field (notes, phone…) takes the write that reaches the server later (the loser
  is logged in ``overwritten``); a guarded field (price, credit limit, status…) is left alone and
  reported in ``conflicts`` for the conflict inbox. Append-only tables never conflict.

The same code runs on the client's SQLite cache (``side="client"``: speculative; inserts of a
row that exists overwrite it, since a rebase re-runs mutations the server may already hold) and
on the server's Postgres (``side="server"``: authoritative; bumps row versions).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.schema import APPEND_ONLY, GUARDED, SYNCED_TABLES, metadata

T = TypeVar("T")
Side = Literal["client", "server"]
COMMON = frozenset({"id", "version", "created_at", "updated_at", "updated_by", "archived"})
#: the bound name of the row id in the statements below (a column's own name is reserved in SET)
ROW_ID = "tx_row_id"


class Change(BaseModel, Generic[T]):
    """One field of a patch: the value the user started from and the one they want."""

    base: T | None
    new: T | None


class RowNotFound(DomainError):
    code = "sync.row_not_found"
    status = 404
    template = N_("The record to change no longer exists (%(table)s).")


class RowExists(DomainError):
    code = "sync.row_exists"
    status = 409
    template = N_("This record exists already (%(table)s).")


class UnknownField(DomainError):
    code = "sync.unknown_field"
    status = 422
    template = N_("%(table)s has no field %(field)s that may be changed.")


@dataclass(frozen=True)
class FieldConflict:
    table: str
    row_id: uuid.UUID
    field: str
    base: Any
    mine: Any
    theirs: Any


@dataclass
class Tx:
    conn: Connection
    side: Side
    user_id: uuid.UUID | None
    now: dt.datetime
    #: the writer's role (ownership rules: app.crm.ownership); None for a system job or unknown
    role: str | None = None
    #: client only: called before the first write to a row (to keep its server base for rebase)
    on_touch: Callable[[str, uuid.UUID], None] | None = None
    #: server only: the next number of a document series on a day ("SO" → "SO-2026-000123")
    numbering: Callable[[str, dt.date], str] | None = None
    touched: list[tuple[str, uuid.UUID]] = field(default_factory=list)
    conflicts: list[FieldConflict] = field(default_factory=list)
    overwritten: list[FieldConflict] = field(default_factory=list)

    # --- reading ------------------------------------------------------------------------------
    @staticmethod
    def table(name: str) -> sa.Table:
        if name not in SYNCED_TABLES:
            raise ValueError(f"{name} is not a synced table")
        return metadata.tables[name]

    def get(self, table: str, row_id: uuid.UUID) -> dict[str, Any] | None:
        row = self.conn.execute(_statements(table).select, {ROW_ID: row_id}).mappings().first()
        return dict(row) if row else None

    def require(self, table: str, row_id: uuid.UUID) -> dict[str, Any]:
        row = self.get(table, row_id)
        if row is None:
            raise RowNotFound(table=table)
        return row

    def lock(self, table: str, row_id: uuid.UUID, create: Mapping[str, Any], hold: bool = True) -> dict[str, Any]:
        """The row, made with `create` if it does not exist, locked until the transaction ends
        (`hold=False`: only made, for rows that are read and never changed, like a virtual location).

        For projections that the posting code reads and writes (stock levels, valuation): two pushes
        on the server serialize on the row, so each applies its change to the other's result. (SQLite
        has one writer at a time: there a plain read is enough.)"""
        statements = _statements(table)
        if self.conn.dialect.name == "postgresql":
            row = {**create, **self._stamp(), "id": row_id, "created_at": self.now, "archived": False, "version": 1}
            self.conn.execute(statements.insert_if_missing, row)
            read = statements.select_for_update if hold else statements.select
            locked = self.conn.execute(read, {ROW_ID: row_id}).mappings().one()
            return dict(locked)
        existing = self.get(table, row_id)
        if existing is not None:
            return existing
        self.insert(table, {**create, "id": row_id})
        return self.require(table, row_id)

    def next_number(self, series: str, day: dt.date) -> str | None:
        """The server's next document number in `series`; None on the client (the number comes
        with the next sync; until then the document shows a provisional one)."""
        if self.side != "server" or self.numbering is None:
            return None
        return self.numbering(series, day)

    # --- writing ------------------------------------------------------------------------------
    def _touch(self, table: str, row_id: uuid.UUID) -> None:
        key = (table, row_id)
        if key not in self.touched:
            if self.on_touch is not None:
                self.on_touch(table, row_id)
            self.touched.append(key)

    def _stamp(self) -> dict[str, Any]:
        return {"updated_at": self.now, "updated_by": self.user_id}

    def insert(self, table: str, values: Mapping[str, Any]) -> uuid.UUID:
        """Insert a row whose id was made where the record was born (values["id"])."""
        statements = _statements(table)
        row_id = values["id"]
        self._check_fields(table, values, allow_id=True)
        row = {**values, **self._stamp(), "created_at": self.now, "archived": False,
               "version": 1 if self.side == "server" else 0}
        existing = self.get(table, row_id)
        if existing is not None and self.side == "server":
            if all(_same(existing[name], value) for name, value in values.items()):
                return row_id  # the same create sent again (a queue re-sent after a restore)
            raise RowExists(table=table)
        self._touch(table, row_id)
        if existing is not None:
            self.conn.execute(statements.update, {**row, ROW_ID: row_id})
        else:
            self.conn.execute(statements.insert, row)
        return row_id

    def patch(
        self,
        table: str,
        row_id: uuid.UUID,
        changes: Mapping[str, Change[Any]],
        derived: Callable[[dict[str, Any]], Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Apply field changes with the merge rules above; returns the fields actually set.

        `derived` computes dependent columns (a name's pinyin) from the fields set, written in the
        same UPDATE (one row version, one change entry)."""
        self._check_fields(table, changes)
        current = self.require(table, row_id)
        guarded = GUARDED.get(table, frozenset()) if table not in APPEND_ONLY else frozenset()
        values: dict[str, Any] = {}
        for name, change in changes.items():
            now_value = current[name]
            if _same(now_value, change.new):
                continue
            if not _same(now_value, change.base):
                clash = FieldConflict(table, row_id, name, change.base, change.new, now_value)
                if name in guarded:
                    self.conflicts.append(clash)
                    continue
                self.overwritten.append(clash)
            values[name] = change.new
        if values:
            self._write(table, row_id, {**values, **(derived(values) if derived else {})})
            if current["archived"]:
                # kept on the archived record, but the editor must hear of the archive: they decide
                # in the conflict inbox whether to restore the record (mine) or leave it (theirs)
                self.conflicts.append(FieldConflict(table, row_id, "archived", False, False, True))
        return values

    def set(self, table: str, row_id: uuid.UUID, values: Mapping[str, Any]) -> None:
        """Unconditional write (business logic, not a user's edit)."""
        self._check_fields(table, values)
        self.require(table, row_id)
        self._write(table, row_id, dict(values))

    def archive(self, table: str, row_id: uuid.UUID, archived: bool = True) -> None:
        """Soft delete (or restore): hard deletes are only for retention jobs."""
        current = self.require(table, row_id)
        if current["archived"] != archived:
            self._write(table, row_id, {"archived": archived})

    def _write(self, table: str, row_id: uuid.UUID, values: dict[str, Any]) -> None:
        statements = _statements(table)
        unknown = values.keys() - statements.columns
        if unknown:  # a `derived` naming no column: fail as a statement built with .values() would
            raise sa.exc.CompileError(f"Unconsumed column names: {', '.join(sorted(unknown))}")
        self._touch(table, row_id)
        params: dict[str, Any] = {**values, **self._stamp(), ROW_ID: row_id}
        update = statements.update_version if self.side == "server" else statements.update
        self.conn.execute(update, params)

    def _check_fields(self, table: str, names: Mapping[str, Any], allow_id: bool = False) -> None:
        columns = self.table(table).c
        for name in names:
            if name not in columns or (name in COMMON and not (allow_id and name == "id")):
                raise UnknownField(field=name, table=table)


@dataclass(frozen=True)
class _Statements:
    """A table's statements, built once: the values travel as parameters, so the compiled form
    is reused instead of building a new statement for every write."""

    columns: frozenset[str]
    select: sa.Select[Any]
    select_for_update: sa.Select[Any]
    insert: sa.Insert
    #: the server's insert that leaves an existing row alone (Postgres ON CONFLICT DO NOTHING)
    insert_if_missing: sa.Insert
    update: sa.Update
    #: the server's update: bumps the row version in the same statement
    update_version: sa.Update


@functools.cache
def _statements(table: str) -> _Statements:
    t = Tx.table(table)
    by_id = t.c.id == sa.bindparam(ROW_ID, type_=t.c.id.type)
    update = sa.update(t).where(by_id)
    return _Statements(
        columns=frozenset(t.c.keys()),
        select=sa.select(t).where(by_id),
        select_for_update=sa.select(t).where(by_id).with_for_update(),
        insert=sa.insert(t),
        insert_if_missing=pg_insert(t).on_conflict_do_nothing(index_elements=["id"]),
        update=update,
        update_version=update.values(version=t.c.version + 1),
    )


def _same(a: Any, b: Any) -> bool:
    return bool(a == b) if (a is not None and b is not None) else a is b
