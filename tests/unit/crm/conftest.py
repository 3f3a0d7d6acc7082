"""The CRM's mutators and reads on a real SQLite database (server side semantics: row versions,
authoritative checks), with users of every role in the directory."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

import app.mutators  # noqa: F401  (registers every mutator)
from app.core import mutations
from app.core.ids import new_id
from app.core.schema import SYNCED_TABLES, metadata
from app.core.tx import Tx

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


class Crm:
    """Runs mutations as one user and reads rows back."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.now = NOW
        self.users: dict[str, uuid.UUID] = {}
        self.last: Tx | None = None

    def user(self, name: str, role: str) -> uuid.UUID:
        user_id = new_id()
        with self.engine.begin() as conn:
            Tx(conn, side="server", user_id=None, now=self.now).insert(
                "app_user", {"id": user_id, "username": name, "display_name": name.title(), "role": role})
        self.users[name] = user_id
        return user_id

    def run(self, who: str | None, mutation: str, /, **args: Any) -> Any:
        """Run one mutation as `who` (None: a system job); returns the args' id (if any)."""
        if "id" not in args and mutation.rsplit(".", 1)[-1] in ("create", "log"):
            args["id"] = new_id()
        with self.engine.begin() as conn:
            user_id = self.users[who] if who else None
            role = self.role(conn, user_id)
            self.last = Tx(conn, side="server", user_id=user_id, now=self.now, role=role)
            mutations.get(mutation, mutations.latest_version(mutation)).run(self.last, _jsonable(args))
        return args.get("id")

    @staticmethod
    def role(conn: sa.Connection, user_id: uuid.UUID | None) -> str | None:
        if user_id is None:
            return None
        t = metadata.tables["app_user"]
        return conn.execute(sa.select(t.c.role).where(t.c.id == user_id)).scalar()

    def get(self, table: str, row_id: Any) -> dict[str, Any]:
        t = metadata.tables[table]
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(t).where(t.c.id == row_id)).mappings().one())

    def rows(self, table: str, **equal: Any) -> list[dict[str, Any]]:
        t = metadata.tables[table]
        query = sa.select(t).order_by(t.c.id)
        for column, value in equal.items():
            query = query.where(t.c[column] == value)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID | dt.date | dt.datetime):
        return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    return value


@pytest.fixture
def crm(tmp_path) -> Iterator[Crm]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'crm.sqlite'}")
    metadata.create_all(engine, tables=[metadata.tables[n] for n in SYNCED_TABLES])
    world = Crm(engine)
    world.user("boss", "manager")
    world.user("rep1", "sales_rep")
    world.user("rep2", "sales_rep")
    yield world
    engine.dispose()
