"""The sales team's working set on top of the demo's customers: family members with birthdays,
leads in every status, a pipeline per rep, service cases, today's tasks and reminders, visits with
check-ins, two custom fields with values, and a few shared customers.

It reads the customers and contacts the CRM section wrote (same transaction), so every row points
to a live customer owned by a rep. Dates lie around the demo's "now", so the rep's day has overdue
tasks, tasks due today and reminders that fire within the hour.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lunardate import LunarDate

from app.crm.customers import share_id
from app.crm.fields import encode_custom, encode_tags
from app.crm.opportunities import STAGES
from server.demo_data import words as w
from server.demo_data.crm import Row, common, mobile, moment_between, uuid7_at

if TYPE_CHECKING:
    from server.demo_data import DemoContext

Tables = Iterator[tuple[str, Iterator[Row]]]

SEGMENTS = ("汽车零部件", "电子制造", "食品饮料", "医疗器械", "物流仓储", "建筑建材")
LEAD_SOURCES = ("展会", "官网", "转介绍", "电话营销", "阿里巴巴", "微信公众号")
DEAL_TOPICS = ("年度框架采购", "新产线设备", "包装材料替换", "春节备货", "仓储系统升级", "备件年度合同",
               "样品试产订单", "华东区域代理")
WON_REASONS = ("价格有优势，交期满足要求", "老客户续签，服务满意", "技术方案通过评审")
LOST_REASONS = ("价格高于竞争对手", "客户预算取消", "交期无法满足", "选择了原供应商")
DISQUALIFY_REASONS = ("无采购预算", "联系方式无效", "个人咨询，非企业客户", "同行打听价格")
CASE_SUBJECTS = ("到货外包装破损", "发票信息有误", "设备安装调试", "产品质量投诉", "退换货申请", "延迟发货咨询")
RESOLUTIONS = ("已补发并致歉", "已重开发票", "工程师上门处理完毕", "已退款")
VISIT_OUTCOMES = ("客户认可样品，下周报价", "见到采购经理，约定复盘会", "了解到明年预算增加",
                  "现场演示顺利，待技术评审")
STREETS = ("人民路", "解放路", "中山路", "建设大道", "科技园路", "工业大道", "滨江大道")
#: rough city centres (latitude, longitude) for visit check-ins
CENTRES = {"上海": (31.23, 121.47), "北京": (39.90, 116.40), "深圳": (22.54, 114.06), "广州": (23.13, 113.26),
           "杭州": (30.27, 120.15), "苏州": (31.30, 120.59), "南京": (32.06, 118.80), "成都": (30.57, 104.07),
           "武汉": (30.59, 114.31)}
CASE_STATUSES = ("open", "in_progress", "waiting", "resolved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
TAGS = ("VIP", "重点客户", "春节礼品", "华东", "老客户")
LEAD_STATUSES = ("new", "qualified", "disqualified", "converted")
#: fixed ids of the demo's custom fields
SEGMENT_FIELD = uuid.UUID("0190a000-0000-7000-8000-0000000c0f01")
PURCHASE_FIELD = uuid.UUID("0190a000-0000-7000-8000-0000000c0f02")


@dataclass(frozen=True)
class _Customer:
    id: uuid.UUID
    owner: uuid.UUID
    name: str
    city: str
    contacts: tuple[uuid.UUID, ...]


def generate_crm_more(ctx: DemoContext) -> Tables:
    """The section's tables; reads customers and contacts already written on `ctx.conn`."""
    rng = random.Random(ctx.seed * 7919 + 11)
    words = w.words(ctx.seed)
    customers, by_owner, contacts = _customers(ctx)
    reps = [r for r in ctx.role("sales_rep") if r in by_owner]
    if not customers or not reps:
        return
    scale = max(ctx.size.customers // 3000, 1)
    now = ctx.now
    yield "custom_field", iter(_custom_fields(now))
    _custom_values_and_tags(ctx, rng, customers)
    yield "contact_family", _family(rng, words, contacts, now, scale)
    opportunities = list(_opportunities(rng, reps, by_owner, now, scale))
    names = {c.id: c.name for c in customers}
    leads = list(_leads(rng, words, reps, names, now, scale, opportunities))  # links deals to their leads
    yield "opportunity", iter(opportunities)
    yield "lead", iter(leads)
    yield "service_case", _cases(rng, customers, [*reps, *ctx.role("manager")], now, scale)
    yield "activity", _tasks_and_visits(rng, reps, by_owner, now, scale)
    yield "party_share", _shares(reps, by_owner, now)


def _customers(ctx: DemoContext) -> tuple[list[_Customer], dict[uuid.UUID, list[_Customer]],
                                           list[tuple[uuid.UUID, str, uuid.UUID]]]:
    theirs: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    contacts: list[tuple[uuid.UUID, str, uuid.UUID]] = []
    for contact_id, party_id, name, owner in ctx.conn.execute(
            "SELECT c.id, c.party_id, c.name, p.owner_id FROM contact c JOIN party p ON p.id = c.party_id "
            "WHERE NOT c.archived ORDER BY c.id").fetchall():
        theirs[party_id].append(contact_id)
        contacts.append((contact_id, name, owner))
    customers = [_Customer(pid, owner, name, city or "上海", tuple(theirs.get(pid, ())))
                 for pid, owner, name, city in ctx.conn.execute(
                     "SELECT id, owner_id, name, city FROM party WHERE is_customer AND NOT archived "
                     "AND owner_id IS NOT NULL ORDER BY code").fetchall()]
    by_owner: dict[uuid.UUID, list[_Customer]] = defaultdict(list)
    for c in customers:
        by_owner[c.owner].append(c)
    return customers, by_owner, contacts


def _custom_fields(now: dt.datetime) -> list[Row]:
    return [
        {**common(SEGMENT_FIELD, now, now, None), "key": "segment", "label_zh": "行业细分",
         "label_en": "Industry segment", "type": "choice", "choices": json.dumps(list(SEGMENTS), ensure_ascii=False),
         "position": 0, "required": False},
        {**common(PURCHASE_FIELD, now, now, None), "key": "annual_purchase", "label_zh": "年采购额",
         "label_en": "Annual purchases", "type": "number", "choices": None, "position": 1, "required": False},
    ]


def _custom_values_and_tags(ctx: DemoContext, rng: random.Random, customers: Sequence[_Customer]) -> None:
    """About a third of the customers get custom field values, a fifth get tags (one UPDATE)."""
    ids: list[uuid.UUID] = []
    values: list[str | None] = []
    tags: list[str] = []
    for c in customers:
        custom: dict[str, Any] = {}
        if rng.random() < 0.35:
            custom[str(SEGMENT_FIELD)] = rng.choice(SEGMENTS)
            if rng.random() < 0.7:
                custom[str(PURCHASE_FIELD)] = str(Decimal(rng.randrange(5, 2000)) * 10_000)
        tagged = rng.sample(TAGS, rng.randint(1, 2)) if rng.random() < 0.2 else []
        if custom or tagged:
            ids.append(c.id)
            values.append(encode_custom(custom))
            tags.append(encode_tags(tagged))
    ctx.conn.execute(
        "UPDATE party p SET custom_values = v.custom, tags = v.tags, version = p.version + 1 "
        "FROM unnest(%s::uuid[], %s::text[], %s::text[]) AS v(id, custom, tags) WHERE p.id = v.id",
        (ids, values, tags))


def _birthday_this_month(rng: random.Random, today: dt.date, year: int, lunar: bool) -> dt.date:
    day = today.replace(day=rng.randint(1, 28))
    if not lunar:
        return day.replace(year=year)
    moon = LunarDate.from_solar_date(day.year, day.month, day.day)
    return dt.date(year, moon.month, min(moon.day, 28))


def _family(rng: random.Random, words: w.Words, contacts: Sequence[tuple[uuid.UUID, str, uuid.UUID]],
            now: dt.datetime, scale: int) -> Iterator[Row]:
    today = now.date()
    chinese = [c for c in contacts if not c[1].isascii()]
    for contact_id, name, owner in rng.sample(chinese, min(len(chinese), 180 * scale)):
        surname = name[0]
        members = [("spouse", 1960, 1995)] if rng.random() < 0.8 else []
        members += [("child", 1990, 2022)] * rng.choice((0, 1, 1, 2))
        if rng.random() < 0.15:
            members.append(("parent", 1935, 1965))
        for relation, first, last in members:
            lunar = rng.random() < 0.25
            year = rng.randint(first, last)
            if rng.random() < 0.3:
                birthday = _birthday_this_month(rng, today, year, lunar)
            else:
                birthday = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            given = rng.choice(words.zh_given)
            member = (rng.choice(words.zh_surnames) if relation == "spouse" else surname) + given
            born = moment_between(rng, now - dt.timedelta(days=400), now)
            yield {**common(uuid7_at(born, rng), born, born, owner), "contact_id": contact_id,
                   "relation": relation, "name": member, "birthday": birthday, "birthday_lunar": lunar,
                   "notes": rng.choice((None, None, "喜欢喝茶", "在读大学", "爱好高尔夫", "刚升初中"))}


def _opportunities(rng: random.Random, reps: Sequence[uuid.UUID], by_owner: dict[uuid.UUID, list[_Customer]],
                   now: dt.datetime, scale: int) -> Iterator[Row]:
    today = now.date()
    for rep in reps:
        mine = by_owner[rep]
        for stage, (_, probability) in STAGES.items():
            for _ in range(rng.randint(2, 5) * scale):
                c = rng.choice(mine)
                created = moment_between(rng, now - dt.timedelta(days=150), now - dt.timedelta(days=5))
                closed = stage in ("won", "lost")
                closed_at = moment_between(rng, created, now) if closed else None
                row = {**common(uuid7_at(created, rng), created, closed_at or created, rep), "party_id": c.id,
                       "contact_id": rng.choice(c.contacts) if c.contacts and rng.random() < 0.8 else None,
                       "lead_id": None, "name": f"{c.city}{rng.choice(DEAL_TOPICS)}", "stage": stage,
                       "amount": Decimal(rng.randrange(5, 800)) * 1000, "currency": "CNY",
                       "probability": probability, "probability_fixed": False,
                       "expected_close": (closed_at.date() if closed_at else
                                          today + dt.timedelta(days=rng.randint(-10, 75))),
                       "owner_id": rep,
                       "close_reason": rng.choice(WON_REASONS if stage == "won" else LOST_REASONS) if closed else None,
                       "closed_at": closed_at, "notes": None}
                yield row


def _leads(rng: random.Random, words: w.Words, reps: Sequence[uuid.UUID],
           names: dict[uuid.UUID, str], now: dt.datetime, scale: int, opportunities: Sequence[Row]) -> Iterator[Row]:
    # converted leads made some of the open deals: customer, contact and deal come from them
    linkable = [o for o in opportunities if o["stage"] not in ("won", "lost") and o["contact_id"]]
    for n in range(40 * scale):
        status = LEAD_STATUSES[n % len(LEAD_STATUSES)]
        owner = rng.choice(reps) if rng.random() < 0.9 or status == "converted" else None
        name = rng.choice(words.zh_surnames) + rng.choice(words.zh_given)
        city = rng.choice(list(CENTRES))
        company = f"{city}{rng.choice(words.zh_prefixes)}{rng.choice(w.INDUSTRIES)}有限公司"
        created = moment_between(rng, now - dt.timedelta(days=60), now)
        full, initials = words.pinyin(name)
        row = {**common(uuid7_at(created, rng), created, created, owner), "name": name, "name_pinyin": full,
               "name_initials": initials, "company": company, "title": rng.choice(w.ZH_TITLES),
               "phone": mobile(rng), "email": f"{full}{rng.randint(1, 99)}@{rng.choice(w.ZH_FREE_MAIL)}",
               "wechat": f"wx_{full}{rng.randint(10, 999)}" if rng.random() < 0.5 else None, "city": city,
               "source": rng.choice(LEAD_SOURCES), "status": status, "owner_id": owner,
               "disqualify_reason": rng.choice(DISQUALIFY_REASONS) if status == "disqualified" else None,
               "notes": None, "converted_party_id": None, "converted_contact_id": None,
               "converted_opportunity_id": None, "converted_at": None}
        mine = [o for o in linkable if o["owner_id"] == owner and o["lead_id"] is None]
        if status == "converted" and mine:
            deal = rng.choice(mine)
            deal["lead_id"] = row["id"]
            row.update(converted_party_id=deal["party_id"], converted_contact_id=deal["contact_id"],
                       converted_opportunity_id=deal["id"], converted_at=deal["created_at"],
                       company=names[deal["party_id"]], updated_at=deal["created_at"],
                       created_at=deal["created_at"] - dt.timedelta(days=rng.randint(1, 20)))
        elif status == "converted":
            row["status"] = "qualified"
        yield row


def _cases(rng: random.Random, customers: Sequence[_Customer], assignees: Sequence[uuid.UUID],
           now: dt.datetime, scale: int) -> Iterator[Row]:
    combos = [(s, p) for s in CASE_STATUSES for p in PRIORITIES]
    for n in range(max(len(combos), 30 * scale)):
        status, priority = combos[n % len(combos)]
        c = rng.choice(customers)
        opened = moment_between(rng, now - dt.timedelta(days=45), now - dt.timedelta(hours=2))
        resolved = moment_between(rng, opened, now) if status in ("resolved", "closed") else None
        closed = moment_between(rng, resolved, now) if resolved and status == "closed" else None
        yield {**common(uuid7_at(opened, rng), opened, closed or resolved or opened, c.owner), "party_id": c.id,
               "contact_id": rng.choice(c.contacts) if c.contacts else None,
               "subject": rng.choice(CASE_SUBJECTS), "description": rng.choice(w.ZH_NOTES),
               "priority": priority, "status": status,
               "assignee_id": (c.owner if rng.random() < 0.6 else rng.choice(assignees)) if n % 7 else None,
               "resolution": rng.choice(RESOLUTIONS) if resolved else None, "opened_at": opened,
               "resolved_at": resolved, "closed_at": closed}


#: COPY takes its columns from the first row: a task names the visit's columns too
_NO_CHECK_IN: Row = dict.fromkeys(("place", "address", "latitude", "longitude", "checked_in_at", "checked_out_at",
                                   "duration_minutes", "outcome"))


def _task(rng: random.Random, rep: uuid.UUID, c: _Customer, due: dt.datetime, remind: dt.datetime | None,
          now: dt.datetime) -> Row:
    created = now - dt.timedelta(days=rng.randint(1, 7), minutes=rng.randint(0, 600))
    return {**common(uuid7_at(created, rng), created, created, rep), "party_id": c.id,
            "contact_id": rng.choice(c.contacts) if c.contacts else None, "user_id": rep, "kind": "task",
            "subject": w.ZH_SUBJECTS["task"].format(t=rng.choice(w.ZH_TOPICS)), "body": None,
            "occurred_at": due, "done": False, "done_at": None, "due_at": due, "remind_at": remind,
            **_NO_CHECK_IN}


def _tasks_and_visits(rng: random.Random, reps: Sequence[uuid.UUID], by_owner: dict[uuid.UUID, list[_Customer]],
                      now: dt.datetime, scale: int) -> Iterator[Row]:
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    for rep in reps:
        mine = by_owner[rep]
        for _ in range(3 * scale):  # overdue
            yield _task(rng, rep, rng.choice(mine), now - rng.uniform(0.2, 5) * day, None, now)
        for _ in range(3 * scale):  # due later today
            yield _task(rng, rep, rng.choice(mine), now + rng.uniform(1, 6) * hour, None, now)
        # a reminder that is due already, and two that fire within the hour
        yield _task(rng, rep, rng.choice(mine), now + 2 * hour, now - dt.timedelta(minutes=10), now)
        for minutes in (rng.randint(3, 20), rng.randint(25, 55)):
            yield _task(rng, rep, rng.choice(mine), now + 2 * hour, now + dt.timedelta(minutes=minutes), now)
        for _ in range(4 * scale):  # the coming days, some with a reminder the morning before
            due = now + rng.uniform(1, 7) * day
            yield _task(rng, rep, rng.choice(mine), due, due - 3 * hour if rng.random() < 0.5 else None, now)
        for n in range(12 * scale):
            c = rng.choice(mine)
            arrived = now - rng.uniform(0.1, 1) * hour if n == 0 else moment_between(rng, now - 60 * day, now - hour)
            minutes = rng.randint(30, 120)
            lat, lon = CENTRES.get(c.city, CENTRES["上海"])
            yield {**common(uuid7_at(arrived, rng), arrived, arrived, rep), "party_id": c.id,
                   "contact_id": rng.choice(c.contacts) if c.contacts else None, "user_id": rep, "kind": "visit",
                   "subject": w.ZH_SUBJECTS["visit"].format(t=rng.choice(w.ZH_TOPICS)), "body": None,
                   "occurred_at": arrived, "done": False, "done_at": None, "due_at": None, "remind_at": None,
                   "place": c.name, "address": f"{c.city}市{rng.choice(STREETS)}{rng.randint(1, 999)}号",
                   "latitude": Decimal(str(round(lat + rng.uniform(-0.08, 0.08), 6))),
                   "longitude": Decimal(str(round(lon + rng.uniform(-0.08, 0.08), 6))),
                   "checked_in_at": arrived,
                   "checked_out_at": None if n == 0 else arrived + dt.timedelta(minutes=minutes),
                   "duration_minutes": None if n == 0 else minutes,
                   "outcome": None if n == 0 else rng.choice(VISIT_OUTCOMES)}


def _shares(reps: Sequence[uuid.UUID], by_owner: dict[uuid.UUID, list[_Customer]], now: dt.datetime) -> Iterator[Row]:
    """The main rep shares two customers with the next rep, who shares one back."""
    if len(reps) < 2:
        return
    pairs = [(c, reps[1]) for c in by_owner[reps[0]][:2]] + [(c, reps[0]) for c in by_owner[reps[1]][:1]]
    for c, user in pairs:
        yield {**common(share_id(c.id, user), now, now, c.owner), "party_id": c.id, "user_id": user}
