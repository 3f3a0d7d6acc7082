"""Customers, their contacts and activities: bilingual, reproducible by seed.

Two flavours share one generator. The bench's (``lifelike=False``) is frozen: its random draws
must not change, or the benches of two commits would no longer load the same rows. The demo's
(``lifelike=True``) adds what makes a demo feel real: Chinese cities with landlines, company
mail domains, job titles and notes written for a sales team, 张伟 among the contacts, and tasks
due in the coming days.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from server.demo_data import words as w

#: "now" of every bench dataset, so that a seed always gives the same dates
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HISTORY = dt.timedelta(days=3 * 365)

_KINDS = ("call", "meeting", "visit", "task", "note")
_STATUSES = ("prospect", "active", "dormant", "lost")

Row = dict[str, Any]


@dataclass(frozen=True)
class DatasetSpec:
    customers: int
    contacts_per: int = 2
    activities_per: int = 1
    seed: int = 1
    #: share of customers (and their contacts) with English names
    english_share: float = 0.2
    #: the dataset's "now": every date lies in the `history` before it (tasks may lie after it)
    now: dt.datetime = EPOCH
    history: dt.timedelta = HISTORY
    #: each customer gets contacts_per + 0..contacts_spread contacts
    contacts_spread: int = 0
    #: open tasks fall due within this many days after `now` (0: none)
    due_days: int = 0
    #: the demo's flavour (see the module's docstring); False keeps the bench's rows as they were
    lifelike: bool = False
    #: about how many contacts are called 张伟 (lifelike only)
    namesakes: int = 6


@dataclass(frozen=True)
class _Party:
    id: uuid.UUID
    born: dt.datetime
    english: bool
    owner: uuid.UUID | None


def uuid7_at(moment: dt.datetime, rng: random.Random) -> uuid.UUID:
    """A UUIDv7 stamped with `moment`, its random bits from `rng` (reproducible, unlike new_id)."""
    ms = int(moment.timestamp() * 1000) & 0xFFFF_FFFF_FFFF
    value = ms << 80 | 0x7 << 76 | rng.getrandbits(12) << 64 | 0b10 << 62 | rng.getrandbits(62)
    return uuid.UUID(int=value)


def moment_between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    span = max((end - start).total_seconds(), 0.0)
    return start + dt.timedelta(seconds=rng.uniform(0, span))


def common(row_id: uuid.UUID, created: dt.datetime, updated: dt.datetime, by: uuid.UUID | None) -> Row:
    """The columns every synced row carries, as a row written once and never edited since."""
    return {"id": row_id, "version": 1, "created_at": created, "updated_at": updated, "updated_by": by,
            "archived": False}


def _phone(rng: random.Random, english: bool) -> str:
    if english:
        return f"+1-{rng.randint(201, 989)}-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
    return mobile(rng)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randint(0, 999_999_999):09d}"


def _landline(rng: random.Random, city: str) -> str:
    return f"{w.CITY_AREA_CODES[city]}-{rng.randint(5, 8)}{rng.randint(0, 9_999_999):07d}"


def _ascii(text: str, limit: int = 40) -> str:
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())[:limit]


def _email(rng: random.Random, words: w.Words, local: str, english: bool) -> str:
    local = _ascii(local) or "info"
    return f"{local}{rng.randint(1, 999)}@{rng.choice(words.en_domains if english else words.zh_domains)}"


def _company_email(rng: random.Random, brand: str, english: bool) -> str:
    domain = _ascii(brand, 20) or "mail"
    return f"{rng.choice(('sales', 'info', 'service', 'purchase'))}@{domain}.{'com' if english else 'com.cn'}"


def _brand_prefixes(words: w.Words) -> list[str]:
    """Faker's company prefixes that read as a brand (no place names, no "公司" of their own)."""
    places = set(words.zh_cities) | set(w.CITY_AREA_CODES)
    return [p for p in words.zh_prefixes if not p.endswith("公司") and not any(c in p for c in places)]


def _party_rows(spec: DatasetSpec, rng: random.Random, words: w.Words, owners: Sequence[uuid.UUID],
                parties: list[_Party]) -> Iterator[Row]:
    brands = _brand_prefixes(words)
    since = spec.now - spec.history
    for n in range(1, spec.customers + 1):
        english = rng.random() < spec.english_share
        person = rng.random() < 0.08
        brand = ""
        if spec.lifelike:
            city = rng.choices(words.demo_cities, words.demo_city_weights)[0]
            if english:
                name = (f"{rng.choice(words.en_first)} {rng.choice(words.en_last)}" if person
                        else rng.choice(words.en_companies))
                brand = name.split()[0]
            else:
                brand = rng.choice(brands)
                name = (rng.choice(words.zh_surnames) + rng.choice(words.zh_given) if person else
                        city + brand + rng.choice(w.INDUSTRIES) + rng.choice(w.ORG_FORMS))
        elif english:
            name = (f"{rng.choice(words.en_first)} {rng.choice(words.en_last)}" if person
                    else rng.choice(words.en_companies))
            city = rng.choice(words.en_cities)
        else:
            city = rng.choice(words.zh_cities)
            name = (rng.choice(words.zh_surnames) + rng.choice(words.zh_given) if person else
                    city + rng.choice(words.zh_prefixes) + rng.choice(w.INDUSTRIES) + rng.choice(w.ORG_FORMS))
        full, initials = words.pinyin(name)
        born = moment_between(rng, since, spec.now)
        updated = moment_between(rng, born, spec.now)
        owner = rng.choice(owners) if owners else None
        party = _Party(uuid7_at(born, rng), born, english, owner)
        parties.append(party)
        status = rng.choices(_STATUSES, weights=(3, 5, 2, 1))[0]
        tier = rng.choice(("A", "B", "C", "D", None))
        credit = Decimal(rng.randrange(0, 500)) * 1000 if rng.random() < 0.7 else None
        if spec.lifelike:
            notes = rng.choice(w.EN_NOTES if english else w.ZH_NOTES) if rng.random() < 0.3 else None
        else:
            notes = rng.choice(words.en_text if english else words.zh_text) if rng.random() < 0.3 else None
        row = {**common(party.id, born, updated, owner), "archived": rng.random() < 0.02, "code": f"C{n:07d}",
               "kind": "person" if person else "company", "name": name, "name_pinyin": full,
               "name_initials": initials, "is_customer": True, "is_supplier": rng.random() < 0.05,
               "status": status, "tier": tier, "owner_id": owner, "phone": None, "email": None, "city": city,
               "credit_limit": credit, "notes": notes}
        if not spec.lifelike:
            row["phone"], row["email"] = _phone(rng, english), _email(rng, words, full, english)
        elif person:
            row["phone"], row["email"] = mobile(rng), _email(rng, words, full, english)
        else:
            latin = brand if english else words.pinyin(brand)[0]
            row["phone"], row["email"] = _landline(rng, city), _company_email(rng, latin, english)
        yield row


def _contact_rows(spec: DatasetSpec, rng: random.Random, words: w.Words, parties: Sequence[_Party],
                  contacts: list[list[uuid.UUID]]) -> Iterator[Row]:
    # every `stride`-th customer's first Chinese contact is a 张伟 (lifelike only)
    stride = max(spec.customers // max(spec.namesakes, 1), 1)
    namesake_due = False
    for index, party in enumerate(parties):
        mine: list[uuid.UUID] = []
        count = spec.contacts_per
        if spec.lifelike:
            count += rng.randint(0, spec.contacts_spread)
            namesake_due = namesake_due or index % stride == stride // 2
        for _ in range(count):
            if party.english:
                name = f"{rng.choice(words.en_first)} {rng.choice(words.en_last)}"
                title = rng.choice(w.EN_TITLES if spec.lifelike else words.en_jobs)
            else:
                name = rng.choice(words.zh_surnames) + rng.choice(words.zh_given)
                title = rng.choice(w.ZH_TITLES if spec.lifelike else words.zh_jobs)
                if namesake_due:
                    name, namesake_due = w.NAMESAKE, False
            full = words.pinyin(name)[0]
            born = moment_between(rng, party.born, spec.now)
            contact_id = uuid7_at(born, rng)
            mine.append(contact_id)
            birthday = None
            if rng.random() < 0.6:
                birthday = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(0, 48 * 365))
            yield {**common(contact_id, born, moment_between(rng, born, spec.now), party.owner),
                   "party_id": party.id, "name": name, "name_pinyin": full, "title": title,
                   "phone": mobile(rng) if spec.lifelike else _phone(rng, party.english),
                   "email": _email(rng, words, full, party.english),
                   "birthday": birthday,
                   "birthday_lunar": birthday is not None and not party.english and rng.random() < 0.15}
        contacts.append(mine)


def _activity_rows(spec: DatasetSpec, rng: random.Random, words: w.Words, parties: Sequence[_Party],
                   contacts: Sequence[list[uuid.UUID]]) -> Iterator[Row]:
    total = spec.customers * spec.activities_per
    for _ in range(total):
        # some customers get most of the attention, as in any sales team's history
        index = int(len(parties) * rng.random() ** 2)
        party, theirs = parties[index], contacts[index]
        kind = rng.choice(_KINDS)
        topics, subjects = (w.EN_TOPICS, w.EN_SUBJECTS) if party.english else (w.ZH_TOPICS, w.ZH_SUBJECTS)
        subject = subjects[kind].format(t=rng.choice(topics))
        occurred = moment_between(rng, party.born, spec.now)
        created = occurred
        if spec.lifelike and kind == "task" and spec.due_days and rng.random() < 0.05:
            # an open task: written down some days ago, due in the coming days
            created = moment_between(rng, max(party.born, spec.now - dt.timedelta(days=10)), spec.now)
            occurred = spec.now + dt.timedelta(hours=rng.uniform(2, 24 * spec.due_days))
        if spec.lifelike:
            body = rng.choice(w.EN_NOTES if party.english else w.ZH_NOTES) if rng.random() < 0.5 else None
        else:
            body = rng.choice(words.en_text if party.english else words.zh_text) if rng.random() < 0.5 else None
        yield {**common(uuid7_at(created, rng), created, created, party.owner), "party_id": party.id,
               "contact_id": rng.choice(theirs) if theirs and rng.random() < 0.8 else None,
               "user_id": party.owner, "kind": kind, "subject": subject, "body": body, "occurred_at": occurred,
               # a task of the past was done when it fell due; an open one is due ahead
               "done": kind == "task" and occurred <= spec.now,
               "done_at": occurred if kind == "task" and occurred <= spec.now else None,
               "due_at": occurred if kind == "task" else None}


def generate(spec: DatasetSpec, owners: Sequence[uuid.UUID] = ()) -> Iterator[tuple[str, Iterator[Row]]]:
    """The dataset table by table: party, contact, activity. Consume each table's rows before
    asking for the next table (contacts and activities refer to the rows made before them).
    Customers are shared out over `owners` (repeat an owner to give them a bigger share)."""
    rng, words = random.Random(spec.seed), w.words(spec.seed)
    parties: list[_Party] = []
    contacts: list[list[uuid.UUID]] = []
    yield "party", _party_rows(spec, rng, words, owners, parties)
    yield "contact", _contact_rows(spec, rng, words, parties, contacts)
    yield "activity", _activity_rows(spec, rng, words, parties, contacts)
