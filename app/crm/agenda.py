"""A rep's day: overdue, today's and upcoming tasks and visits, and the reminders now due."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.schema import metadata

activity = metadata.tables["activity"]
party = metadata.tables["party"]


@dataclass(frozen=True)
class AgendaItem:
    id: uuid.UUID
    kind: str  # task, visit or meeting
    subject: str
    party_id: uuid.UUID
    customer: str
    #: a task's due time; a visit's or meeting's planned time
    at: dt.datetime
    remind_at: dt.datetime | None
    place: str | None


@dataclass
class MyDay:
    overdue: list[AgendaItem] = field(default_factory=list)
    today: list[AgendaItem] = field(default_factory=list)
    upcoming: list[AgendaItem] = field(default_factory=list)


def _day_bounds(now: dt.datetime, tz: dt.tzinfo | None) -> tuple[dt.datetime, dt.datetime]:
    local = now.astimezone(tz) if tz is not None else now.astimezone()
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start.astimezone(dt.UTC), (start + dt.timedelta(days=1)).astimezone(dt.UTC)


def _items(conn: Connection, where: sa.ColumnElement[bool], at: sa.ColumnElement[dt.datetime]) -> list[AgendaItem]:
    rows = conn.execute(
        sa.select(activity.c.id, activity.c.kind, activity.c.subject, activity.c.party_id, party.c.name,
                  at.label("at"), activity.c.remind_at, activity.c.place)
        .select_from(activity.join(party, party.c.id == activity.c.party_id))
        .where(where, activity.c.archived.is_(False), party.c.archived.is_(False))
        .order_by(at, activity.c.id)).all()
    return [AgendaItem(*r) for r in rows]


def my_day(conn: Connection, user_id: uuid.UUID, now: dt.datetime, tz: dt.tzinfo | None = None,
           days: int = 7) -> MyDay:
    """Open tasks due before today (overdue), today, and in the next `days` days; planned visits
    and meetings (logged with a time still ahead of `now`) today and in the next days.

    Days are the user's local days (`tz`, default: this machine's time zone)."""
    start, end = _day_bounds(now, tz)
    horizon = end + dt.timedelta(days=days)
    mine = activity.c.user_id == user_id
    task = sa.and_(mine, activity.c.kind == "task", activity.c.done.is_(False))
    due = sa.func.coalesce(activity.c.due_at, activity.c.occurred_at)
    planned = sa.and_(mine, activity.c.kind.in_(("visit", "meeting")), activity.c.checked_in_at.is_(None),
                      activity.c.occurred_at >= now)
    out = MyDay()
    out.overdue = _items(conn, sa.and_(task, due < start), due)
    out.today = _merge(_items(conn, sa.and_(task, due >= start, due < end), due),
                       _items(conn, sa.and_(planned, activity.c.occurred_at < end), activity.c.occurred_at))
    out.upcoming = _merge(
        _items(conn, sa.and_(task, due >= end, due < horizon), due),
        _items(conn, sa.and_(planned, activity.c.occurred_at >= end, activity.c.occurred_at < horizon),
               activity.c.occurred_at))
    return out


def _merge(a: list[AgendaItem], b: list[AgendaItem]) -> list[AgendaItem]:
    return sorted(a + b, key=lambda i: (i.at, i.id))


def due_reminders(conn: Connection, user_id: uuid.UUID, now: dt.datetime,
                  since: dt.datetime | None = None) -> list[AgendaItem]:
    """Open tasks of the user whose reminder time has come (after `since`, when given: the app
    keeps when it last notified, so reminders that fell due while it was closed still show)."""
    where = sa.and_(activity.c.user_id == user_id, activity.c.kind == "task", activity.c.done.is_(False),
                    activity.c.remind_at.is_not(None), activity.c.remind_at <= now)
    if since is not None:
        where = sa.and_(where, activity.c.remind_at > since)
    return _items(conn, where, sa.func.coalesce(activity.c.due_at, activity.c.occurred_at))
