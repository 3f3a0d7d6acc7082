"""Figures for the home pages: a rep's book of customers and recent work, a manager's team view.
Plain SQLAlchemy Core over a Connection, so they run on the cache (and on the server)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.schema import metadata

party = metadata.tables["party"]
activity = metadata.tables["activity"]
app_user = metadata.tables["app_user"]


@dataclass(frozen=True)
class ActivityLine:
    occurred_at: dt.datetime
    kind: str
    subject: str
    customer: str
    by: str


@dataclass
class CrmSummary:
    customers: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    activities_7d: int = 0
    open_tasks: int = 0
    recent: list[ActivityLine] = field(default_factory=list)
    #: display name → activities in the last 7 days (the team's work progress)
    by_rep_7d: list[tuple[str, int]] = field(default_factory=list)


def crm_summary(conn: Connection, now: dt.datetime, owner_id: uuid.UUID | None = None, recent: int = 10) -> CrmSummary:
    """Customers (of one owner, or all), their status mix, the last 7 days' activities and the
    latest ones; tasks not done (overdue ones too) count as open."""
    live = sa.and_(party.c.archived.is_(False), party.c.is_customer.is_(True))
    mine = live if owner_id is None else sa.and_(live, party.c.owner_id == owner_id)
    out = CrmSummary()
    for status, count in conn.execute(sa.select(party.c.status, sa.func.count()).where(mine).group_by(party.c.status)):
        out.by_status[status] = count
    out.customers = sum(out.by_status.values())
    acts = sa.and_(activity.c.archived.is_(False))
    if owner_id is not None:
        acts = sa.and_(acts, activity.c.user_id == owner_id)
    week_ago = now - dt.timedelta(days=7)
    out.activities_7d = conn.execute(
        sa.select(sa.func.count()).select_from(activity)
        .where(acts, activity.c.occurred_at >= week_ago, activity.c.occurred_at <= now)).scalar_one()
    out.open_tasks = conn.execute(
        sa.select(sa.func.count()).select_from(activity)
        .where(acts, activity.c.kind == "task", activity.c.done.is_(False))).scalar_one()
    rows = conn.execute(
        sa.select(activity.c.occurred_at, activity.c.kind, activity.c.subject, party.c.name, app_user.c.display_name)
        .select_from(activity.join(party, party.c.id == activity.c.party_id)
                     .outerjoin(app_user, app_user.c.id == activity.c.user_id))
        .where(acts, activity.c.occurred_at <= now)
        .order_by(activity.c.occurred_at.desc()).limit(recent))
    out.recent = [ActivityLine(r[0], r[1], r[2], r[3], r[4] or "") for r in rows]
    if owner_id is None:
        out.by_rep_7d = [(name, count) for name, count in conn.execute(
            sa.select(app_user.c.display_name, sa.func.count())
            .select_from(activity.join(app_user, app_user.c.id == activity.c.user_id))
            .where(acts, activity.c.occurred_at >= week_ago, activity.c.occurred_at <= now)
            .group_by(app_user.c.display_name).order_by(sa.func.count().desc()).limit(8))]
    return out
