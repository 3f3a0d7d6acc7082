"""Merge, and the reads the screens use: customer list, 360 view, my day, pipeline, duplicates."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from app.crm.agenda import due_reminders, my_day
from app.crm.birthdays import next_birthday
from app.crm.customer_list import BUILTIN_FILTERS, CustomerFilter, customer_ids, saved_filters
from app.crm.duplicates import find_duplicates
from app.crm.errors import CustomValueInvalid, MergedAlready, NotYourFilter
from app.crm.merge import merge_customers  # noqa: F401  (registered)
from app.crm.pipeline import pipeline_summary
from app.crm.view360 import timeline, view360

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _at(days: float = 0, hours: float = 0) -> str:
    return (dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=days, hours=hours)).isoformat()


def test_merge_moves_every_child_and_archives_the_duplicate(crm):
    kept = crm.run("boss", "crm.customer.create", name="上海华联", owner_id=crm.users["rep1"], tags=["VIP"])
    gone = crm.run("boss", "crm.customer.create", name="上海华联有限公司", phone="021-555", tags=["零售", "vip"],
                   owner_id=crm.users["rep1"])
    contact = crm.run("boss", "crm.contact.create", party_id=gone, name="张伟")
    act = crm.run("boss", "crm.activity.log", party_id=gone, kind="call", subject="c", occurred_at=_at())
    deal = crm.run("boss", "crm.opportunity.create", party_id=gone, name="d")
    case = crm.run("boss", "crm.case.create", party_id=gone, subject="s")
    crm.run("boss", "crm.customer.share", party_id=gone, user_id=crm.users["rep2"])
    crm.run("rep1", "crm.customer.merge", id=kept, merged_id=gone)
    for table, row_id in (("contact", contact), ("activity", act), ("opportunity", deal), ("service_case", case)):
        assert crm.get(table, row_id)["party_id"] == kept, table
    assert [s["user_id"] for s in crm.rows("party_share", party_id=kept, archived=False)] == [crm.users["rep2"]]
    merged = crm.get("party", gone)
    assert merged["archived"] and merged["merged_into"] == kept
    row = crm.get("party", kept)
    assert (row["phone"], row["tags"]) == ("021-555", "|VIP|零售|")
    with pytest.raises(MergedAlready):
        crm.run("boss", "crm.customer.merge", id=kept, merged_id=gone)


def test_custom_fields_are_checked_by_type_and_filterable(crm):
    size = crm.run("boss", "crm.custom_field.create", key="size", label_zh="规模", label_en="Size", type="choice",
                   choices=["大", "小"])
    big = crm.run("rep1", "crm.customer.create", name="甲", custom_values={str(size): "大"})
    crm.run("rep1", "crm.customer.create", name="乙", custom_values={str(size): "小"})
    with pytest.raises(CustomValueInvalid):
        crm.run("rep1", "crm.customer.create", name="丙", custom_values={str(size): "中"})
    with crm.engine.connect() as conn:
        assert customer_ids(conn, CustomerFilter(custom={str(size): "大"}), None, crm.now) == [big]


def test_customer_list_filters_and_sorts_in_sql(crm):
    rep1 = crm.users["rep1"]
    a = crm.run("boss", "crm.customer.create", name="张伟贸易", owner_id=rep1, tier="A", city="上海", tags=["重点"],
                phone="138-0000-1111")
    b = crm.run("boss", "crm.customer.create", name="Acme Ltd", owner_id=crm.users["rep2"], tier="A", city="上海")
    c = crm.run("boss", "crm.customer.create", name="北京同仁堂", tier="B", city="北京", status="active")
    crm.run("boss", "crm.customer.share", party_id=b, user_id=rep1)
    crm.run("boss", "crm.activity.log", party_id=b, kind="visit", subject="v", occurred_at=_at(-10))
    crm.run("boss", "crm.activity.log", party_id=a, kind="note", subject="n", occurred_at=_at(-1))
    with crm.engine.connect() as conn:
        def ids(**f):
            return customer_ids(conn, CustomerFilter(**f), rep1, crm.now)
        assert ids(text="zw") == [a]
        assert ids(text="00001111") == [a]
        assert set(ids(mine=True)) == {a, b}
        assert ids(tiers=["A"], cities=["上海"], sort="name") == [b, a]  # "acme" before "zhangwei"
        assert ids(tags=["重点"]) == [a]
        assert set(ids(no_contact_days=5)) == {a, b, c}  # a note is not contact; b's visit is 10 days old
        assert set(ids(no_contact_days=30)) == {a, c}
        assert ids(sort="last_contact", descending=True)[0] == b
        assert ids(statuses=["active"]) == [c]
        names = [f.name for f in saved_filters(conn, rep1)]
    assert names == [f.name for f in BUILTIN_FILTERS]


def test_saved_filters_are_per_user_and_map_to_the_list_query(crm):
    crm.run("rep1", "crm.saved_filter.create", name="上海A类", definition={"tiers": ["A"], "cities": ["上海"]})
    with crm.engine.connect() as conn:
        mine = saved_filters(conn, crm.users["rep1"])[-1]
        assert (mine.name, mine.filter.tiers, mine.filter.cities) == ("上海A类", ["A"], ["上海"])
        assert saved_filters(conn, crm.users["rep2"])[-1].builtin
    with pytest.raises(NotYourFilter):
        crm.run("rep2", "crm.saved_filter.archive", id=mine.id)


def test_view360_gathers_header_contacts_birthdays_timeline_deals_and_cases(crm):
    pid = crm.run("boss", "crm.customer.create", name="杭州新锐", owner_id=crm.users["rep1"], tier="A")
    lunar_mom = crm.run("rep1", "crm.contact.create", party_id=pid, name="陈静", birthday="1970-05-01",
                        birthday_lunar=True)  # lunar 5/1 in 2026 is 15 June
    crm.run("rep1", "crm.contact.family.create", contact_id=lunar_mom, relation="child", name="陈小宝",
            birthday="2015-06-10")
    crm.run("rep1", "crm.activity.log", party_id=pid, kind="call", subject="first", occurred_at=_at(-3))
    crm.run("rep1", "crm.activity.log", party_id=pid, kind="visit", subject="second", occurred_at=_at(-1))
    crm.run("rep1", "crm.case.create", party_id=pid, subject="case", opened_at=_at(-2))
    crm.run("rep1", "crm.opportunity.create", party_id=pid, name="deal", amount="1000")
    with crm.engine.connect() as conn:
        view = view360(conn, pid, crm.now)
        only_calls = timeline(conn, pid, kinds=("call",))
    assert view is not None
    assert (view.header.owner_name, view.header.lifetime_revenue) == ("Rep1", Decimal("0.00"))
    assert view.header.last_contact_at == dt.datetime.fromisoformat(_at(-1))
    assert [(b.name, b.on) for b in view.birthdays] == [("陈小宝", dt.date(2026, 6, 10)),
                                                       ("陈静", dt.date(2026, 6, 15))]
    assert [i.subject for i in view.timeline.items] == ["second", "case", "first"]
    assert [o.name for o in view.opportunities] == ["deal"] and [c.subject for c in view.cases] == ["case"]
    assert [i.kind for i in only_calls.items] == ["call"]


def test_timeline_pages_by_keyset_without_gaps_or_repeats(crm):
    pid = crm.run("boss", "crm.customer.create", name="甲")
    for n in range(7):
        crm.run("boss", "crm.activity.log", party_id=pid, kind="note", subject=f"n{n}", occurred_at=_at(-n // 2))
    seen: list[uuid.UUID] = []
    before = None
    with crm.engine.connect() as conn:
        while True:
            page = timeline(conn, pid, before=before, limit=3)
            seen += [i.id for i in page.items]
            if page.next_before is None:
                break
            before = page.next_before
    assert len(seen) == len(set(seen)) == 7


def test_my_day_sorts_tasks_and_visits_into_overdue_today_and_upcoming(crm):
    rep1 = crm.users["rep1"]
    pid = crm.run("boss", "crm.customer.create", name="甲", owner_id=rep1)
    overdue = crm.run("rep1", "crm.task.create", party_id=pid, subject="late", due_at=_at(-2))
    today = crm.run("rep1", "crm.task.create", party_id=pid, subject="now", due_at=_at(hours=3),
                    remind_at=_at(hours=-1))
    visit = crm.run("rep1", "crm.activity.log", party_id=pid, kind="visit", subject="visit", occurred_at=_at(2))
    done = crm.run("rep1", "crm.task.create", party_id=pid, subject="done", due_at=_at(1))
    crm.run("rep1", "crm.task.complete", id=done)
    with crm.engine.connect() as conn:
        day = my_day(conn, rep1, crm.now, tz=SHANGHAI)
        reminders = due_reminders(conn, rep1, crm.now)
        later = due_reminders(conn, rep1, crm.now, since=crm.now)
    assert [i.id for i in day.overdue] == [overdue]
    assert [i.id for i in day.today] == [today]
    assert [i.id for i in day.upcoming] == [visit]
    assert [i.id for i in reminders] == [today] and later == []


def test_pipeline_sums_amounts_and_weighted_amounts_per_stage_and_rep(crm):
    pid = crm.run("boss", "crm.customer.create", name="甲")
    crm.run("rep1", "crm.opportunity.create", party_id=pid, name="a", amount="1000.00", stage="proposal")
    crm.run("rep1", "crm.opportunity.create", party_id=pid, name="b", amount="333.33", stage="proposal",
            probability=33)
    crm.run("rep2", "crm.opportunity.create", party_id=pid, name="c", amount="200.00")
    with crm.engine.connect() as conn:
        p = pipeline_summary(conn)
    stages = {s: f for s, _label, f in p.stages}
    assert (stages["proposal"].count, stages["proposal"].amount, stages["proposal"].weighted) == (
        2, Decimal("1333.33"), Decimal("610.00"))
    assert [(name, f.weighted) for _id, name, f in p.reps] == [("Rep1", Decimal("610.00")), ("Rep2", Decimal("20.00"))]


def test_duplicates_by_phone_email_and_near_identical_name(crm):
    a = crm.run("boss", "crm.customer.create", name="上海华联有限公司", phone="+86 138 0000 1111")
    b = crm.run("boss", "crm.contact.create", party_id=a, name="张伟", email="ZW@example.com")
    lead = crm.run("boss", "crm.lead.create", name="章伟")
    with crm.engine.connect() as conn:
        by_phone = find_duplicates(conn, phone="13800001111")
        by_mail = find_duplicates(conn, email=" zw@example.COM ")
        by_name = find_duplicates(conn, name="上海华联")
        by_pinyin = find_duplicates(conn, name="张伟")
        nothing = find_duplicates(conn, name="北京同仁堂", phone="010-1234567")
    assert [(d.kind, d.id, d.reason) for d in by_phone] == [("customer", a, "phone")]
    assert [(d.kind, d.party_id) for d in by_mail] == [("contact", a)]
    assert [d.id for d in by_name] == [a]
    assert {d.id for d in by_pinyin} == {b, lead}
    assert nothing == []


@pytest.mark.parametrize("birthday, lunar, today, expected", [
    (dt.date(1980, 8, 15), True, dt.date(2026, 6, 1), dt.date(2026, 9, 25)),  # 中秋
    (dt.date(1980, 1, 5), True, dt.date(2026, 12, 20), dt.date(2027, 2, 10)),
    (dt.date(1984, 2, 29), False, dt.date(2026, 1, 1), dt.date(2026, 2, 28)),
    (dt.date(1990, 6, 1), False, dt.date(2026, 6, 1), dt.date(2026, 6, 1)),
])
def test_next_birthday_converts_lunar_dates_to_this_years_solar_day(birthday, lunar, today, expected):
    assert next_birthday(birthday, lunar, today) == expected


