"""A deterministic CRM dataset for benches: bilingual customers, their contacts and activities.

    python bench/dataset.py --customers 100000 [--contacts-per 2] [--activities-per 1] [--seed 1]
        [--data-dir DIR --tenant SLUG | --dsn URL]

The same seed gives the same rows (ids included). Rows go straight into a tenant database with
Postgres COPY; the change-capture triggers fire as for any write, so ``sync_change`` ends up as a
real server's would. Prints one JSON line: rows per table, seconds, and the database's DSN.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import itertools
import json
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from faker import Faker
from faker.providers.address.zh_CN import Provider as ZhAddress
from faker.providers.company.zh_CN import Provider as ZhCompany
from faker.providers.person.zh_CN import Provider as ZhPerson

from app.core.pinyin import pinyin_keys
from app.core.schema import metadata

#: "now" of every dataset, so that a seed always gives the same dates
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HISTORY = dt.timedelta(days=3 * 365)

_INDUSTRIES = ("科技", "贸易", "实业", "电子", "机械", "食品", "化工", "物流", "建材", "医药", "服饰", "家居",
               "信息技术", "文化传媒", "农业", "汽车配件", "包装", "环保", "新能源", "精密仪器", "纺织", "餐饮管理")
_ORG_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司")
_ZH_TOPICS = ("报价", "合同续签", "新品推介", "回款", "售后服务", "年度框架协议", "样品确认", "交期", "春节备货")
_EN_TOPICS = ("quote", "contract renewal", "new product line", "payment", "after-sales service", "delivery date")
_ZH_SUBJECTS = {"call": "电话回访：{t}", "meeting": "{t}沟通会", "visit": "上门拜访（{t}）", "task": "跟进{t}",
                "note": "备忘：{t}"}
_EN_SUBJECTS = {"call": "Call about {t}", "meeting": "Meeting: {t}", "visit": "Site visit ({t})",
                "task": "Follow up on {t}", "note": "Note: {t}"}
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


@dataclass(frozen=True)
class _Party:
    id: uuid.UUID
    born: dt.datetime
    english: bool
    owner: uuid.UUID | None


class _Words:
    """Pools of names and phrases drawn once from Faker, so a row costs a few random picks."""

    def __init__(self, seed: int) -> None:
        zh, en = Faker("zh_CN"), Faker("en_US")
        zh.seed_instance(seed)
        en.seed_instance(seed + 1)
        self.zh_surnames = list(ZhPerson.last_names)
        self.zh_given = list(ZhPerson.first_names)
        self.zh_prefixes = list(ZhCompany.company_prefixes)
        self.zh_cities = list(ZhAddress.cities)
        self.en_companies = sorted({en.company() for _ in range(4000)})
        self.en_first = sorted({en.first_name() for _ in range(1500)})
        self.en_last = sorted({en.last_name() for _ in range(1500)})
        self.en_cities = sorted({en.city() for _ in range(600)})
        self.zh_jobs = sorted({zh.job()[:80] for _ in range(600)})
        self.en_jobs = sorted({en.job()[:80] for _ in range(600)})
        self.zh_text = [zh.paragraph(nb_sentences=3) for _ in range(400)]
        self.en_text = [en.paragraph(nb_sentences=3) for _ in range(400)]
        self.en_domains = sorted({en.free_email_domain() for _ in range(60)})
        self.zh_domains = ["qq.com", "163.com", "126.com", "sina.com", "aliyun.com", "foxmail.com"]
        self._pinyin: dict[str, tuple[str, str]] = {}

    def pinyin(self, name: str) -> tuple[str, str]:
        keys = self._pinyin.get(name)
        if keys is None:
            keys = self._pinyin[name] = pinyin_keys(name)
        return keys


@functools.lru_cache(maxsize=4)
def _words(seed: int) -> _Words:
    return _Words(seed)


def uuid7_at(moment: dt.datetime, rng: random.Random) -> uuid.UUID:
    """A UUIDv7 stamped with `moment`, its random bits from `rng` (reproducible, unlike new_id)."""
    ms = int(moment.timestamp() * 1000) & 0xFFFF_FFFF_FFFF
    value = ms << 80 | 0x7 << 76 | rng.getrandbits(12) << 64 | 0b10 << 62 | rng.getrandbits(62)
    return uuid.UUID(int=value)


def _moment_between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    span = max((end - start).total_seconds(), 0.0)
    return start + dt.timedelta(seconds=rng.uniform(0, span))


def _phone(rng: random.Random, english: bool) -> str:
    if english:
        return f"+1-{rng.randint(201, 989)}-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
    return f"1{rng.choice('35789')}{rng.randint(0, 999_999_999):09d}"


def _email(rng: random.Random, words: _Words, local: str, english: bool) -> str:
    local = "".join(ch for ch in local.lower() if ch.isascii() and ch.isalnum())[:40] or "info"
    return f"{local}{rng.randint(1, 999)}@{rng.choice(words.en_domains if english else words.zh_domains)}"


def _party_rows(spec: DatasetSpec, rng: random.Random, words: _Words, owners: Sequence[uuid.UUID],
                parties: list[_Party]) -> Iterator[Row]:
    for n in range(1, spec.customers + 1):
        english = rng.random() < spec.english_share
        person = rng.random() < 0.08
        if english:
            name = (f"{rng.choice(words.en_first)} {rng.choice(words.en_last)}" if person
                    else rng.choice(words.en_companies))
            city = rng.choice(words.en_cities)
        else:
            city = rng.choice(words.zh_cities)
            name = (rng.choice(words.zh_surnames) + rng.choice(words.zh_given) if person else
                    city + rng.choice(words.zh_prefixes) + rng.choice(_INDUSTRIES) + rng.choice(_ORG_FORMS))
        full, initials = words.pinyin(name)
        born = _moment_between(rng, EPOCH - HISTORY, EPOCH)
        updated = _moment_between(rng, born, EPOCH)
        owner = rng.choice(owners) if owners else None
        party = _Party(uuid7_at(born, rng), born, english, owner)
        parties.append(party)
        status = rng.choices(_STATUSES, weights=(3, 5, 2, 1))[0]
        tier = rng.choice(("A", "B", "C", "D", None))
        credit = Decimal(rng.randrange(0, 500)) * 1000 if rng.random() < 0.7 else None
        notes = rng.choice(words.en_text if english else words.zh_text) if rng.random() < 0.3 else None
        yield {**_common(party.id, born, updated, owner), "archived": rng.random() < 0.02, "code": f"C{n:07d}",
               "kind": "person" if person else "company", "name": name, "name_pinyin": full,
               "name_initials": initials, "is_customer": True, "is_supplier": rng.random() < 0.05,
               "status": status, "tier": tier, "owner_id": owner, "phone": _phone(rng, english),
               "email": _email(rng, words, full, english), "city": city, "credit_limit": credit, "notes": notes}


def _contact_rows(spec: DatasetSpec, rng: random.Random, words: _Words, parties: Sequence[_Party],
                  contacts: list[list[uuid.UUID]]) -> Iterator[Row]:
    for party in parties:
        mine: list[uuid.UUID] = []
        for _ in range(spec.contacts_per):
            if party.english:
                name = f"{rng.choice(words.en_first)} {rng.choice(words.en_last)}"
                title = rng.choice(words.en_jobs)
            else:
                name = rng.choice(words.zh_surnames) + rng.choice(words.zh_given)
                title = rng.choice(words.zh_jobs)
            full = words.pinyin(name)[0]
            born = _moment_between(rng, party.born, EPOCH)
            contact_id = uuid7_at(born, rng)
            mine.append(contact_id)
            birthday = None
            if rng.random() < 0.6:
                birthday = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(0, 48 * 365))
            yield {**_common(contact_id, born, _moment_between(rng, born, EPOCH), party.owner),
                   "party_id": party.id, "name": name, "name_pinyin": full, "title": title,
                   "phone": _phone(rng, party.english), "email": _email(rng, words, full, party.english),
                   "birthday": birthday,
                   "birthday_lunar": birthday is not None and not party.english and rng.random() < 0.15}
        contacts.append(mine)


def _activity_rows(spec: DatasetSpec, rng: random.Random, words: _Words, parties: Sequence[_Party],
                   contacts: Sequence[list[uuid.UUID]]) -> Iterator[Row]:
    total = spec.customers * spec.activities_per
    for _ in range(total):
        # some customers get most of the attention, as in any sales team's history
        index = int(len(parties) * rng.random() ** 2)
        party, theirs = parties[index], contacts[index]
        kind = rng.choice(_KINDS)
        topics, subjects = (_EN_TOPICS, _EN_SUBJECTS) if party.english else (_ZH_TOPICS, _ZH_SUBJECTS)
        subject = subjects[kind].format(t=rng.choice(topics))
        occurred = _moment_between(rng, party.born, EPOCH)
        body = rng.choice(words.en_text if party.english else words.zh_text) if rng.random() < 0.5 else None
        yield {**_common(uuid7_at(occurred, rng), occurred, occurred, party.owner), "party_id": party.id,
               "contact_id": rng.choice(theirs) if theirs and rng.random() < 0.8 else None,
               "user_id": party.owner, "kind": kind, "subject": subject, "body": body, "occurred_at": occurred}


def _common(row_id: uuid.UUID, created: dt.datetime, updated: dt.datetime, by: uuid.UUID | None) -> Row:
    return {"id": row_id, "version": 1, "created_at": created, "updated_at": updated, "updated_by": by,
            "archived": False}


def _copy(conn: psycopg.Connection[Any], table: str, rows: Iterator[Row]) -> int:
    """COPY `rows` into `table`; columns the generator does not fill get their server default."""
    first = next(rows, None)
    if first is None:
        return 0
    known = [c.name for c in metadata.tables[table].columns]
    unknown = set(first) - set(known)
    if unknown:
        raise ValueError(f"{table} has no column {sorted(unknown)}")
    columns = [name for name in known if name in first]
    names = ", ".join(f'"{name}"' for name in columns)
    count = 0
    with conn.transaction(), conn.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in itertools.chain([first], rows):
            copy.write_row([row[name] for name in columns])
            count += 1
    return count


def owners_of(conn: psycopg.Connection[Any]) -> list[uuid.UUID]:
    """The users that own customers: sales reps, managers and admins, in a stable order."""
    found = conn.execute(
        "SELECT id FROM app_user WHERE role IN ('sales_rep', 'manager', 'admin') ORDER BY username"
    ).fetchall()
    return [row[0] for row in found]


def generate(spec: DatasetSpec, owners: Sequence[uuid.UUID] = ()) -> Iterator[tuple[str, Iterator[Row]]]:
    """The dataset table by table: party, contact, activity. Consume each table's rows before
    asking for the next table (contacts and activities refer to the rows made before them)."""
    rng, words = random.Random(spec.seed), _words(spec.seed)
    parties: list[_Party] = []
    contacts: list[list[uuid.UUID]] = []
    yield "party", _party_rows(spec, rng, words, owners, parties)
    yield "contact", _contact_rows(spec, rng, words, parties, contacts)
    yield "activity", _activity_rows(spec, rng, words, parties, contacts)


def load(conn: psycopg.Connection[Any], spec: DatasetSpec) -> dict[str, int]:
    """Generate `spec`'s rows and COPY them into the tenant database on `conn` (autocommit), one
    transaction per table; customers belong to the tenant's reps. Returns rows written per table."""
    counts = {table: _copy(conn, table, rows) for table, rows in generate(spec, owners_of(conn))}
    conn.execute("ANALYZE party, contact, activity, sync_change")
    return counts


def tenant_dsn(data_dir: Path, slug: str) -> str:
    """The libpq URL of tenant `slug`'s database in the embedded cluster under `data_dir`
    (started, or joined when a server already runs it)."""
    from sqlalchemy.engine import make_url

    from server.embedded import start_embedded
    from server.tenancy import dbname_for

    url = make_url(start_embedded(data_dir)).set(drivername="postgresql", database=dbname_for(slug))
    return url.render_as_string(hide_password=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load a deterministic CRM dataset into a tenant database.")
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--contacts-per", type=int, default=2)
    parser.add_argument("--activities-per", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dsn", help="libpq URL of a tenant database (instead of --data-dir/--tenant)")
    parser.add_argument("--data-dir", type=Path, help="embedded cluster's data folder (default: the server's)")
    parser.add_argument("--tenant", default="bench", help="tenant slug (default: bench)")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.contacts_per < 0 or args.activities_per < 0:
        parser.error("--customers must be at least 1; --contacts-per and --activities-per not negative")
    if args.dsn:
        dsn = args.dsn
    else:
        from server.settings import Settings

        dsn = tenant_dsn(args.data_dir or Settings().data_dir, args.tenant)
    spec = DatasetSpec(args.customers, args.contacts_per, args.activities_per, args.seed)
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        counts = load(conn, spec)
    seconds = round(time.perf_counter() - started, 2)
    print(json.dumps({**counts, "seconds": seconds, "seed": spec.seed, "dsn": dsn}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
