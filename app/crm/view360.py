"""The 360° view of one customer: header, contacts with family and birthdays, a unified timeline
(activities and cases, newest first, paged by keyset), open opportunities and open cases."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.schema import metadata
from app.crm.birthdays import next_birthday
from app.crm.customer_list import last_contact_at
from app.crm.fields import decode_custom, decode_tags
from app.crm.purchases import ORDER_KINDS, PurchaseHistory, order_figures, order_items, purchase_history

party = metadata.tables["party"]
contact = metadata.tables["contact"]
family = metadata.tables["contact_family"]
activity = metadata.tables["activity"]
case = metadata.tables["service_case"]
opportunity = metadata.tables["opportunity"]
app_user = metadata.tables["app_user"]

TIMELINE_PAGE = 50
#: timeline kinds: the activity kinds, "case", and the customer's quotes, orders and deliveries
TIMELINE_KINDS = ("call", "meeting", "visit", "task", "note", "case", *ORDER_KINDS)


@dataclass(frozen=True)
class Header:
    id: uuid.UUID
    name: str
    code: str | None
    kind: str
    status: str
    tier: str | None
    owner_id: uuid.UUID | None
    owner_name: str | None
    phone: str | None
    email: str | None
    city: str | None
    tags: list[str]
    custom_values: dict[str, object]
    #: Σ of the customer's confirmed orders (app.crm.purchases)
    lifetime_revenue: Decimal
    last_order_at: dt.datetime | None
    last_contact_at: dt.datetime | None
    archived: bool
    merged_into: uuid.UUID | None


@dataclass(frozen=True)
class FamilyMember:
    id: uuid.UUID
    relation: str
    name: str
    birthday: dt.date | None
    birthday_lunar: bool
    next_birthday: dt.date | None


@dataclass(frozen=True)
class ContactCard:
    id: uuid.UUID
    name: str
    title: str | None
    phone: str | None
    mobile: str | None
    email: str | None
    wechat: str | None
    buying_role: str | None
    preferred_channel: str | None
    interests: str | None
    birthday: dt.date | None
    birthday_lunar: bool
    next_birthday: dt.date | None
    family: list[FamilyMember] = field(default_factory=list)


@dataclass(frozen=True)
class Birthday:
    """An upcoming birthday: of a contact (relation None) or of a family member."""

    on: dt.date
    days_away: int
    name: str
    contact_id: uuid.UUID
    contact_name: str
    relation: str | None
    lunar: bool


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # an activity kind, "case", "quote", "order" or "delivery"
    id: uuid.UUID
    at: dt.datetime
    subject: str
    body: str | None
    by: str | None
    #: a task: "done"/"open"; a case or a document: its status; else None
    state: str | None
    #: a quote, order or delivery: the order to open
    order_id: uuid.UUID | None = None
    #: a quote or an order: its total
    amount: Decimal | None = None


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineItem]
    #: pass as `before` for the next page; None at the end
    next_before: tuple[dt.datetime, uuid.UUID] | None


@dataclass(frozen=True)
class OpportunityLine:
    id: uuid.UUID
    name: str
    stage: str
    amount: Decimal
    currency: str
    probability: int
    expected_close: dt.date | None
    owner_name: str | None


@dataclass(frozen=True)
class CaseLine:
    id: uuid.UUID
    subject: str
    priority: str
    status: str
    assignee_name: str | None
    opened_at: dt.datetime


@dataclass(frozen=True)
class Customer360:
    header: Header
    contacts: list[ContactCard]
    birthdays: list[Birthday]
    timeline: TimelinePage
    opportunities: list[OpportunityLine]
    cases: list[CaseLine]
    purchases: PurchaseHistory


def _user_name(column: sa.ColumnElement[uuid.UUID]) -> sa.ScalarSelect[str]:
    return sa.select(app_user.c.display_name).where(app_user.c.id == column).scalar_subquery()


def view360(conn: Connection, party_id: uuid.UUID, now: dt.datetime, birthday_days: int = 30,
            kinds: tuple[str, ...] = TIMELINE_KINDS, today: dt.date | None = None) -> Customer360 | None:
    """Everything the 360 view shows of one customer (None if there is no such customer).

    `today` is the user's local date for birthdays (default: `now`'s date)."""
    row = conn.execute(sa.select(party, _user_name(party.c.owner_id).label("owner_name"),
                                 last_contact_at(party.c.id, now).label("last_contact"))
                       .where(party.c.id == party_id)).mappings().first()
    if row is None:
        return None
    figures = order_figures(conn, party_id)
    header = Header(
        id=row["id"], name=row["name"], code=row["code"], kind=row["kind"], status=row["status"], tier=row["tier"],
        owner_id=row["owner_id"], owner_name=row["owner_name"], phone=row["phone"], email=row["email"],
        city=row["city"], tags=decode_tags(row["tags"]), custom_values=decode_custom(row["custom_values"]),
        lifetime_revenue=figures.lifetime_revenue, last_order_at=figures.last_order_at,
        last_contact_at=row["last_contact"],
        archived=row["archived"], merged_into=row["merged_into"],
    )
    day = today or now.date()
    contacts = contact_cards(conn, party_id, day)
    return Customer360(header, contacts, upcoming_birthdays(contacts, day, birthday_days),
                       timeline(conn, party_id, kinds=kinds), open_opportunities(conn, party_id),
                       open_cases(conn, party_id), purchase_history(conn, party_id, day))


def contact_cards(conn: Connection, party_id: uuid.UUID, today: dt.date) -> list[ContactCard]:
    rows = conn.execute(sa.select(contact).where(contact.c.party_id == party_id, contact.c.archived.is_(False))
                        .order_by(contact.c.name_pinyin, contact.c.id)).mappings().all()
    members: dict[uuid.UUID, list[FamilyMember]] = {}
    if rows:
        for f in conn.execute(sa.select(family).where(family.c.contact_id.in_([r["id"] for r in rows]),
                                                      family.c.archived.is_(False))
                              .order_by(family.c.relation, family.c.name)).mappings():
            members.setdefault(f["contact_id"], []).append(FamilyMember(
                f["id"], f["relation"], f["name"], f["birthday"], f["birthday_lunar"],
                _next(f["birthday"], f["birthday_lunar"], today)))
    return [ContactCard(
        r["id"], r["name"], r["title"], r["phone"], r["mobile"], r["email"], r["wechat"], r["buying_role"],
        r["preferred_channel"], r["interests"], r["birthday"], r["birthday_lunar"],
        _next(r["birthday"], r["birthday_lunar"], today), members.get(r["id"], [])) for r in rows]


def _next(birthday: dt.date | None, lunar: bool, today: dt.date) -> dt.date | None:
    return None if birthday is None else next_birthday(birthday, lunar, today)


def upcoming_birthdays(contacts: list[ContactCard], today: dt.date, days: int) -> list[Birthday]:
    """Birthdays of these contacts and their families within `days` from today, soonest first."""
    found = []
    for c in contacts:
        people = [(c.name, None, c.next_birthday, c.birthday_lunar)]
        people += [(m.name, m.relation, m.next_birthday, m.birthday_lunar) for m in c.family]
        for name, relation, on, lunar in people:
            if on is not None and (on - today).days <= days:
                found.append(Birthday(on, (on - today).days, name, c.id, c.name, relation, lunar))
    return sorted(found, key=lambda b: (b.on, b.name))


def timeline(conn: Connection, party_id: uuid.UUID, kinds: tuple[str, ...] = TIMELINE_KINDS,
             before: tuple[dt.datetime, uuid.UUID] | None = None, limit: int = TIMELINE_PAGE) -> TimelinePage:
    """One page of the customer's activities, cases, quotes, orders and deliveries, newest first;
    `before` continues a page.

    Each source is read by its (party_id, time) index with the page's limit, so the first page
    costs the same for 5 or 5,000 activities."""
    items: list[TimelineItem] = []
    activity_kinds = [k for k in kinds if k != "case"]
    if activity_kinds:
        q = (sa.select(activity, _user_name(activity.c.user_id).label("by"))
             .where(activity.c.party_id == party_id, activity.c.archived.is_(False),
                    activity.c.kind.in_(activity_kinds)))
        for r in conn.execute(_page(q, activity.c.occurred_at, activity.c.id, before, limit)).mappings():
            state = ("done" if r["done"] else "open") if r["kind"] == "task" else None
            items.append(TimelineItem(r["kind"], r["id"], r["occurred_at"], r["subject"], r["body"], r["by"], state))
    if "case" in kinds:
        q = (sa.select(case, _user_name(case.c.assignee_id).label("by"))
             .where(case.c.party_id == party_id, case.c.archived.is_(False)))
        for r in conn.execute(_page(q, case.c.opened_at, case.c.id, before, limit)).mappings():
            items.append(TimelineItem("case", r["id"], r["opened_at"], r["subject"], r["description"], r["by"],
                                      r["status"]))
    for o in order_items(conn, party_id, kinds, before, limit):
        items.append(TimelineItem(o.kind, o.id, o.at, o.number or _provisional(o.kind, o.id), None, None,
                                  o.state, o.order_id, o.amount))
    items.sort(key=lambda i: (i.at, i.id), reverse=True)
    more = len(items) > limit
    items = items[:limit]
    return TimelinePage(items, (items[-1].at, items[-1].id) if more else None)


def _provisional(kind: str, row_id: uuid.UUID) -> str:
    """A document's number until the server gives one (as app.erp.common.document_label)."""
    return f"{'DL' if kind == 'delivery' else 'SO'}-*{row_id.hex[-6:].upper()}"


def _page(query: sa.Select[tuple[object, ...]], at: sa.ColumnElement[dt.datetime], row_id: sa.ColumnElement[uuid.UUID],
          before: tuple[dt.datetime, uuid.UUID] | None, limit: int) -> sa.Select[tuple[object, ...]]:
    if before is not None:
        query = query.where(sa.or_(at < before[0], sa.and_(at == before[0], row_id < before[1])))
    return query.order_by(at.desc(), row_id.desc()).limit(limit + 1)


def open_opportunities(conn: Connection, party_id: uuid.UUID) -> list[OpportunityLine]:
    rows = conn.execute(
        sa.select(opportunity, _user_name(opportunity.c.owner_id).label("owner_name"))
        .where(opportunity.c.party_id == party_id, opportunity.c.archived.is_(False),
               opportunity.c.stage.notin_(("won", "lost")))
        .order_by(opportunity.c.expected_close.is_(None), opportunity.c.expected_close, opportunity.c.name)
    ).mappings()
    return [OpportunityLine(r["id"], r["name"], r["stage"], r["amount"], r["currency"], r["probability"],
                            r["expected_close"], r["owner_name"]) for r in rows]


def open_cases(conn: Connection, party_id: uuid.UUID) -> list[CaseLine]:
    urgency = sa.case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=case.c.priority)
    rows = conn.execute(
        sa.select(case, _user_name(case.c.assignee_id).label("assignee_name"))
        .where(case.c.party_id == party_id, case.c.archived.is_(False),
               case.c.status.in_(("open", "in_progress", "waiting")))
        .order_by(urgency, case.c.opened_at)
    ).mappings()
    return [CaseLine(r["id"], r["subject"], r["priority"], r["status"], r["assignee_name"], r["opened_at"])
            for r in rows]
