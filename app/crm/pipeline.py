"""The pipeline in figures: per stage and per rep, the count, the amount and the weighted amount
(amount × probability). Sums are exact: amounts are summed in SQL per probability and weighted
in Python (Money refuses a division in SQL, where SQLite would round)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.money import AMOUNT_PLACES
from app.core.schema import metadata, total
from app.crm.opportunities import OPEN_STAGES, STAGES

opportunity = metadata.tables["opportunity"]
app_user = metadata.tables["app_user"]
_CENT = Decimal(1).scaleb(-AMOUNT_PLACES)


@dataclass
class Figure:
    count: int = 0
    amount: Decimal = Decimal("0.00")
    weighted: Decimal = Decimal("0.00")


@dataclass
class Pipeline:
    currency: str
    #: every stage in pipeline order (label = msgid), open and closed
    stages: list[tuple[str, str, Figure]] = field(default_factory=list)
    #: open opportunities per owner: (owner id, display name, figure), largest weighted first
    reps: list[tuple[uuid.UUID | None, str | None, Figure]] = field(default_factory=list)
    open_total: Figure = field(default_factory=Figure)


def pipeline_summary(conn: Connection, currency: str = "CNY", owner_id: uuid.UUID | None = None,
                     closing_from: dt.date | None = None, closing_to: dt.date | None = None) -> Pipeline:
    """Figures of live opportunities in one currency, of one owner or all, optionally those
    expected to close in a date range."""
    where = [opportunity.c.archived.is_(False), opportunity.c.currency == currency]
    if owner_id is not None:
        where.append(opportunity.c.owner_id == owner_id)
    if closing_from is not None:
        where.append(opportunity.c.expected_close >= closing_from)
    if closing_to is not None:
        where.append(opportunity.c.expected_close <= closing_to)
    rows = conn.execute(
        sa.select(opportunity.c.stage, opportunity.c.owner_id, opportunity.c.probability,
                  sa.func.count(), total(opportunity.c.amount))
        .where(*where).group_by(opportunity.c.stage, opportunity.c.owner_id, opportunity.c.probability)).all()
    names = dict(conn.execute(sa.select(app_user.c.id, app_user.c.display_name)).all())
    by_stage = {s: Figure() for s in STAGES}
    by_rep: dict[uuid.UUID | None, Figure] = {}
    out = Pipeline(currency)
    for stage, owner, probability, count, amount in rows:
        weighted = (Decimal(amount) * probability / 100).quantize(_CENT)
        figures = [by_stage[stage]]
        if stage in OPEN_STAGES:
            figures += [by_rep.setdefault(owner, Figure()), out.open_total]
        for f in figures:
            f.count += count
            f.amount += Decimal(amount)
            f.weighted += weighted
    out.stages = [(s, STAGES[s][0], by_stage[s]) for s in STAGES]
    out.reps = sorted(((o, names.get(o) if o else None, f) for o, f in by_rep.items()),
                      key=lambda r: (-r[2].weighted, r[1] or ""))
    return out
