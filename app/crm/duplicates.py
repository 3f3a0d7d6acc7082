"""Possible duplicates of a candidate customer, contact or lead: the same phone or e-mail once
normalized, or a near-identical name (company suffixes aside, or the same pinyin: 章伟 / 张伟)."""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.pinyin import pinyin_keys
from app.core.schema import metadata
from app.crm.customer_list import digits_only

#: table → (kind, phone columns, name column)
_SOURCES = {
    "party": ("customer", ("phone", "phone2")),
    "contact": ("contact", ("phone", "mobile")),
    "lead": ("lead", ("phone",)),
}
_SUFFIXES = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团|公司|co\.?,?\s*ltd\.?|ltd\.?|inc\.?|llc|gmbh|corp\.?|limited|company)$",
    re.IGNORECASE,
)
_PUNCT = re.compile(r"[\s\-_.,，。·()（）\[\]【】&/]+")
#: names at least this similar (difflib ratio, suffixes aside) count as near-identical
SIMILAR = 0.88


@dataclass(frozen=True)
class Duplicate:
    kind: str  # customer, contact or lead
    id: uuid.UUID
    name: str
    #: phone, email or name
    reason: str
    #: the customer it belongs to (a contact's party; a customer's own id)
    party_id: uuid.UUID | None


def phone_digits(phone: str | None) -> str:
    """Digits only, without China's +86 / 0086 prefix."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            return digits[len(prefix):]
    return digits


def name_core(name: str) -> str:
    """A name without spaces, punctuation, case and company-form suffixes."""
    core = _PUNCT.sub("", name.strip().lower())
    while True:
        shorter = _SUFFIXES.sub("", core)
        if shorter == core:
            return core
        core = shorter


def find_duplicates(conn: Connection, *, name: str | None = None, phone: str | None = None,
                    email: str | None = None, exclude: uuid.UUID | None = None, limit: int = 20,
                    kinds: Collection[str] = ("customer", "contact", "lead")) -> list[Duplicate]:
    """Live customers, contacts and leads (or only the `kinds` asked) that may be the candidate,
    phone and e-mail matches first."""
    found: dict[uuid.UUID, Duplicate] = {}
    digits = phone_digits(phone)
    mail = (email or "").strip().lower()
    core = name_core(name) if name else ""
    full = pinyin_keys(core)[0] if core else ""
    for table_name, (kind, phones) in _SOURCES.items():
        if kind not in kinds:
            continue
        t = metadata.tables[table_name]
        party_col = t.c.id if table_name == "party" else (
            t.c.party_id if table_name == "contact" else t.c.converted_party_id)
        base = sa.select(t.c.id, t.c.name, party_col, t.c.name_pinyin).where(t.c.archived.is_(False))
        if table_name == "party":
            base = base.where(t.c.merged_into.is_(None))
        if exclude is not None:
            base = base.where(t.c.id != exclude)
        checks: list[tuple[str, sa.ColumnElement[bool]]] = []
        if len(digits) >= 7:
            checks.append(("phone", sa.or_(*(digits_only(t.c[p]).like(f"%{digits}") for p in phones))))
        if mail:
            checks.append(("email", sa.func.lower(sa.func.trim(t.c.email)) == mail))
        if core:
            head = core[:2]
            checks.append(("name", sa.or_(t.c.name_pinyin.like(f"{full}%"), sa.func.lower(t.c.name).like(f"%{head}%"))))
        for reason, condition in checks:
            for row_id, row_name, party_id, pinyin in conn.execute(base.where(condition).limit(limit * 5)):
                if row_id in found:
                    continue
                if reason == "name" and not _near(core, full, row_name, pinyin):
                    continue
                found[row_id] = Duplicate(kind, row_id, row_name, reason, party_id)
    order = {"phone": 0, "email": 1, "name": 2}
    return sorted(found.values(), key=lambda d: (order[d.reason], d.name))[:limit]


def _near(core: str, full: str, other: str, other_pinyin: str | None) -> bool:
    other_core = name_core(other)
    if other_core == core or (full and pinyin_keys(other_core)[0] == full):
        return True
    return difflib.SequenceMatcher(None, core, other_core).ratio() >= SIMILAR


def contact_duplicates(conn: Connection, party_id: uuid.UUID, *, name: str | None = None,
                       phones: tuple[str | None, ...] = (), email: str | None = None,
                       limit: int = 5) -> list[Duplicate]:
    """Live contacts of one customer that may be the candidate: a phone or mobile matching either
    of `phones`, the same e-mail, or a near-identical name. A customer has few contacts, so they
    are compared here rather than in SQL."""
    t = metadata.tables["contact"]
    wanted = {d for d in (phone_digits(p) for p in phones) if len(d) >= 7}
    mail = (email or "").strip().lower()
    core = name_core(name) if name else ""
    full = pinyin_keys(core)[0] if core else ""
    found: list[Duplicate] = []
    rows = conn.execute(sa.select(t.c.id, t.c.name, t.c.name_pinyin, t.c.phone, t.c.mobile, t.c.email)
                        .where(t.c.party_id == party_id, t.c.archived.is_(False)).order_by(t.c.name, t.c.id))
    for row in rows:
        theirs = {d for d in (phone_digits(row.phone), phone_digits(row.mobile)) if len(d) >= 7}
        if any(a.endswith(b) or b.endswith(a) for a in wanted for b in theirs):
            reason = "phone"
        elif mail and (row.email or "").strip().lower() == mail:
            reason = "email"
        elif core and _near(core, full, row.name, row.name_pinyin):
            reason = "name"
        else:
            continue
        found.append(Duplicate("contact", row.id, row.name, reason, party_id))
    order = {"phone": 0, "email": 1, "name": 2}
    return sorted(found, key=lambda d: order[d.reason])[:limit]
