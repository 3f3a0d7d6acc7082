"""Sign-in throttling kept in the tenant database, so every server process counts together.

After ``free`` consecutive failures for one user name, each further failure locks the name for
``base × 2^(n − free)`` seconds (capped). A success clears the count. Names that do not exist
are throttled the same way, so throttling does not reveal which names exist.
"""

from __future__ import annotations

import datetime as dt
import math

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from app.core.errors import LoginThrottled
from server.tables import login_throttle


def lock_row(conn: Connection, username: str) -> sa.Row:
    """Fetch the throttle row FOR UPDATE, creating it; concurrent sign-ins for one name queue here."""
    conn.execute(pg_insert(login_throttle).values(username=username, failures=0).on_conflict_do_nothing())
    return conn.execute(
        sa.select(login_throttle).where(login_throttle.c.username == username).with_for_update()
    ).one()


def check(row: sa.Row, now: dt.datetime) -> None:
    if row.locked_until is not None and row.locked_until > now:
        raise LoginThrottled(seconds=max(1, math.ceil((row.locked_until - now).total_seconds())))


def record_failure(conn: Connection, row: sa.Row, now: dt.datetime, free: int, base: int, cap: int) -> None:
    failures = row.failures + 1
    locked_until = None
    if failures >= free:
        locked_until = now + dt.timedelta(seconds=min(cap, base * 2 ** (failures - free)))
    conn.execute(
        sa.update(login_throttle)
        .where(login_throttle.c.username == row.username)
        .values(failures=failures, last_failure_at=now, locked_until=locked_until)
    )


def record_success(conn: Connection, username: str) -> None:
    conn.execute(
        sa.update(login_throttle)
        .where(login_throttle.c.username == username)
        .values(failures=0, locked_until=None)
    )
