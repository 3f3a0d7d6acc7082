"""The customer list's query: filters and sort in SQL, an ordered id list out (the table model
holds ids and fetches rows by page). Saved filters store a CustomerFilter as JSON.

The text filter finds customers whose name or code contains the text, whose pinyin (spaces
dropped) or initials start with it, or, given 3+ digits, whose phone numbers contain them. Every
query can check that row by row; on the client's cache a `TextIndex` (the search index) first
narrows the rows to check, and the rows found are the same."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from app.core.i18n import N_
from app.core.schema import metadata
from app.crm.fields import tag_pattern

party = metadata.tables["party"]
activity = metadata.tables["activity"]
app_user = metadata.tables["app_user"]
party_share = metadata.tables["party_share"]
saved_filter = metadata.tables["saved_filter"]

SortKey = Literal["name", "code", "status", "tier", "city", "territory", "owner", "last_contact", "created_at",
                  "updated_at", "credit_limit", "industry"]
#: activity kinds that count as contact with the customer ("no contact in N days")
CONTACT_KINDS = ("call", "meeting", "visit")


class CustomerFilter(BaseModel):
    """What the list shows; every field narrows it (empty = no condition)."""

    model_config = ConfigDict(extra="forbid")

    #: over name, pinyin, initials, code and phones
    text: str = ""
    #: owned by or shared with the user asking
    mine: bool = False
    owner_ids: list[uuid.UUID] = Field(default_factory=list)
    unowned: bool = False
    statuses: list[Literal["prospect", "active", "dormant", "lost"]] = Field(default_factory=list)
    tiers: list[Literal["A", "B", "C", "D"]] = Field(default_factory=list)
    cities: list[str] = Field(default_factory=list)
    territories: list[str] = Field(default_factory=list)
    #: every one of these tags
    tags: list[str] = Field(default_factory=list)
    #: no call, meeting or visit in this many days (or ever)
    no_contact_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    #: custom field id → value it must have
    custom: dict[str, str] = Field(default_factory=dict)
    include_archived: bool = False
    sort: SortKey = "name"
    descending: bool = False


@dataclass(frozen=True)
class SavedFilter:
    id: uuid.UUID | str
    name: str
    filter: CustomerFilter
    builtin: bool = False


#: filters every user has (names are msgids); saved ones come from saved_filter
BUILTIN_FILTERS: list[SavedFilter] = [
    SavedFilter("mine", N_("My customers"), CustomerFilter(mine=True), builtin=True),
    SavedFilter("no_contact_60", N_("No contact in 60 days"), CustomerFilter(mine=True, no_contact_days=60),
                builtin=True),
    SavedFilter("tier_a_shanghai", N_("Tier A in Shanghai"), CustomerFilter(tiers=["A"], cities=["上海"]),
                builtin=True),
]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _LikeAnyCase(sa.ColumnElement[bool]):
    """`column` ILIKE `pattern` (escape character backslash). SQLite's LIKE ignores ASCII case
    already, and ASCII is all its lower() folds, so there it is a plain LIKE: the same rows,
    without two lower() calls per row (half a scan's time)."""

    inherit_cache = True
    type = sa.Boolean()
    _is_implicitly_boolean = True  # a comparison: never "= 1" after it
    _traverse_internals: list[tuple[str, InternalTraversal]] = [  # noqa: RUF012  (SQLAlchemy's own shape)
        ("column", InternalTraversal.dp_clauseelement), ("pattern", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: sa.ColumnElement[Any], pattern: str) -> None:
        self.column = column
        self.pattern = sa.literal(pattern, sa.String())


@compiles(_LikeAnyCase)
def _ilike(element: _LikeAnyCase, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.ilike(element.pattern, escape="\\"), **kw)


@compiles(_LikeAnyCase, "sqlite")
def _sqlite_like(element: _LikeAnyCase, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.like(element.pattern, escape="\\"), **kw)


@dataclass(frozen=True)
class TextFilter:
    """The list's text filter in the forms its conditions use."""

    #: trimmed, lower case (inner spaces kept): inside the name or code, start of the initials
    words: str
    #: without spaces: start of the pinyin
    compact: str
    #: every digit of the text; 3 or more: inside a phone number (separators ignored)
    digits: str

    @classmethod
    def of(cls, text: str) -> TextFilter:
        words = text.strip().lower()
        return cls(words, words.replace(" ", ""), "".join(ch for ch in words if ch.isdigit()))

    @property
    def pinyin_start(self) -> str:
        """LIKE pattern (escape character backslash): the pinyin starts with the text."""
        return f"{_like(self.compact)}%"

    @property
    def initials_start(self) -> str:
        """LIKE pattern (escape character backslash): the initials start with the text."""
        return f"{_like(self.words)}%"

    def condition(self) -> sa.ColumnElement[bool]:
        """The filter checked on each row (any database)."""
        like = f"%{_like(self.words)}%"
        found = [_LikeAnyCase(party.c.name, like), _LikeAnyCase(party.c.code, like),
                 party.c.name_pinyin.like(self.pinyin_start, escape="\\"),
                 party.c.name_initials.like(self.initials_start, escape="\\")]
        if len(self.digits) >= 3:
            found += [digits_only(party.c.phone).like(f"%{self.digits}%"),
                      digits_only(party.c.phone2).like(f"%{self.digits}%")]
        return sa.or_(*found)


#: an index that narrows the text filter: (text, include archived) → a SELECT of party ids holding
#: every customer the filter lets through (it may hold more: each row is checked), or None when
#: it cannot promise that for this text (the rows are then all checked)
TextIndex = Callable[[TextFilter, bool], "sa.Select[Any] | sa.CompoundSelect[Any] | None"]


def digits_only(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """A phone column without its usual separators ("138-0000 1111" → "13800001111")."""
    value = column
    for sep in (" ", "-", "+", "(", ")", ".", "/"):
        value = sa.func.replace(value, sep, "")
    return value


def last_contact_at(party_id: sa.ColumnElement[uuid.UUID], now: dt.datetime) -> sa.ScalarSelect[dt.datetime]:
    """The latest call, meeting or visit up to `now` of a customer (a correlated subquery)."""
    return (sa.select(sa.func.max(activity.c.occurred_at))
            .where(activity.c.party_id == party_id, activity.c.kind.in_(CONTACT_KINDS),
                   activity.c.archived.is_(False), activity.c.occurred_at <= now)
            .scalar_subquery())


def customer_query(f: CustomerFilter, user_id: uuid.UUID | None, now: dt.datetime,
                   text_index: TextIndex | None = None) -> sa.Select[tuple[uuid.UUID]]:
    """The SELECT of the ids of the customers `f` lets through, in its order; `text_index`
    narrows the text filter first where it can (the client's search index)."""
    query = sa.select(party.c.id).where(party.c.is_customer.is_(True))
    if not f.include_archived:
        query = query.where(party.c.archived.is_(False))
    if f.text.strip():
        text = TextFilter.of(f.text)
        candidates = text_index(text, f.include_archived) if text_index is not None else None
        if candidates is not None:
            query = query.where(party.c.id.in_(candidates))
        query = query.where(text.condition())
    owners = []
    if f.mine and user_id is not None:
        shared = sa.select(party_share.c.party_id).where(party_share.c.user_id == user_id,
                                                         party_share.c.archived.is_(False))
        owners += [party.c.owner_id == user_id, party.c.id.in_(shared)]
    if f.owner_ids:
        owners.append(party.c.owner_id.in_(f.owner_ids))
    if f.unowned:
        owners.append(party.c.owner_id.is_(None))
    if owners:
        query = query.where(sa.or_(*owners))
    for column, values in ((party.c.status, f.statuses), (party.c.tier, f.tiers), (party.c.city, f.cities),
                           (party.c.territory, f.territories)):
        if values:
            query = query.where(column.in_(values))
    for tag in f.tags:
        query = query.where(party.c.tags.like(tag_pattern(tag)))
    for field_id, value in f.custom.items():
        pair = json.dumps({field_id: value}, ensure_ascii=False)[1:-1]
        query = query.where(party.c.custom_values.like(f"%{_like(pair)}%", escape="\\"))
    if f.no_contact_days is not None:
        since = now - dt.timedelta(days=f.no_contact_days)
        recent = sa.exists().where(activity.c.party_id == party.c.id, activity.c.kind.in_(CONTACT_KINDS),
                                   activity.c.archived.is_(False), activity.c.occurred_at >= since,
                                   activity.c.occurred_at <= now)
        query = query.where(~recent)
    return query.order_by(*_order(f, now))


def _order(f: CustomerFilter, now: dt.datetime) -> list[Any]:
    key: Any
    if f.sort == "name":
        key = party.c.name_pinyin  # Chinese names in pinyin order, as a Chinese user expects
    elif f.sort == "owner":
        key = sa.select(app_user.c.display_name).where(app_user.c.id == party.c.owner_id).scalar_subquery()
    elif f.sort == "last_contact":
        key = last_contact_at(party.c.id, now)
    else:
        key = party.c[f.sort]
    # then a stable tiebreak; descending reverses the whole order (an index read backwards)
    order = [k.desc() if f.descending else k.asc() for k in (key, party.c.name, party.c.id)]
    if isinstance(key, sa.Column) and not key.nullable:
        return order  # name (pinyin): the client cache's list index gives this order as it is
    # empty values last whatever the direction
    return [sa.case((key.is_(None), 1), else_=0), *order]


def customer_ids(conn: Connection, f: CustomerFilter, user_id: uuid.UUID | None, now: dt.datetime,
                 text_index: TextIndex | None = None) -> list[uuid.UUID]:
    """The ids of the customers the filter lets through, in its order."""
    return list(conn.scalars(customer_query(f, user_id, now, text_index)))


def saved_filters(conn: Connection, user_id: uuid.UUID | None) -> list[SavedFilter]:
    """The built-in filters, then the user's own, in their order."""
    rows = conn.execute(
        sa.select(saved_filter.c.id, saved_filter.c.name, saved_filter.c.definition)
        .where(saved_filter.c.user_id == user_id, saved_filter.c.archived.is_(False))
        .order_by(saved_filter.c.position, saved_filter.c.name)).all()
    return [*BUILTIN_FILTERS,
            *(SavedFilter(r.id, r.name, CustomerFilter.model_validate_json(r.definition)) for r in rows)]
