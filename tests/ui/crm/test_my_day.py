"""A rep's day on the My day page: tasks and planned visits sorted into overdue / today / upcoming
around the clock's "now", completed and rescheduled from the page; reminders announced once, not
again after a restart, and at start for one that came due while the app was closed."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QMainWindow

from app.core.ids import new_id
from app.sync import cache
from app.ui.crm.my_day import MyDayPage
from app.ui.crm.reminders import CHECKED_KEY, ReminderService, install_reminders
from tests.ui.desk import Desk

# 10:00 in Shanghai, the business's time zone the day is cut in
NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def rep(desk: Desk):
    c = desk.client("rep1")
    assert c.sync().ok
    return c


def _customer(rep, name: str = "宁波海天精工") -> str:
    party_id = str(new_id())
    rep.mutate("crm.customer.create", {"id": party_id, "name": name, "owner_id": str(rep.user_id())})
    return party_id


def _task(rep, party_id: str, subject: str, due: dt.timedelta, remind: dt.timedelta | None = None) -> uuid.UUID:
    task_id = new_id()
    args = {"id": str(task_id), "party_id": party_id, "subject": subject, "due_at": (NOW + due).isoformat()}
    if remind is not None:
        args["remind_at"] = (NOW + remind).isoformat()
    rep.mutate("crm.task.create", args)
    return task_id


def _page(qtbot, desk: Desk, ctx, now=NOW) -> MyDayPage:
    page = MyDayPage(ctx, clock=lambda: now)
    desk.widgets.append(page)
    page.resize(900, 700)
    qtbot.waitUntil(lambda: page.day is not None, timeout=10_000)
    return page


def _subjects(page: MyDayPage) -> dict[str, list[str]]:
    return {key: [i.subject for i in model.items] for key, model in page.models.items()}


def test_tasks_and_visits_fall_into_overdue_today_and_upcoming_around_now(qtbot, desk, rep, qtmodeltester):
    party_id = _customer(rep)
    _task(rep, party_id, "催收尾款", -dt.timedelta(days=2))
    _task(rep, party_id, "发报价单", dt.timedelta(hours=3))
    _task(rep, party_id, "回访客户", dt.timedelta(days=3))
    _task(rep, party_id, "太远的事", dt.timedelta(days=30))
    rep.mutate("crm.activity.log", {"party_id": party_id, "kind": "visit", "subject": "工厂拜访", "place": "北仑厂区",
                                    "occurred_at": (NOW + dt.timedelta(hours=5)).isoformat()})
    page = _page(qtbot, desk, desk.context(rep))

    assert _subjects(page) == {"overdue": ["催收尾款"], "today": ["发报价单", "工厂拜访"], "upcoming": ["回访客户"]}
    today = page.models["today"]
    assert [today.data(today.index(r, 1)) for r in range(2)] == ["Task", "Visit"]
    assert today.data(today.index(0, 3)) == "宁波海天精工"
    assert today.data(today.index(1, 2)) == "工厂拜访 · 北仑厂区"
    assert all(not page.empty[k].isVisibleTo(page) for k in page.models)
    qtmodeltester.check(today)


def test_empty_sections_say_there_is_nothing(qtbot, desk, rep):
    page = _page(qtbot, desk, desk.context(rep))

    assert all(page.empty[k].isVisibleTo(page) and not page.views[k].isVisibleTo(page) for k in page.models)
    assert page.empty["today"].text() == "Nothing planned for today."
    assert not page.complete_button.isEnabled()


def test_completing_an_overdue_task_takes_it_out_of_overdue(qtbot, desk, rep):
    party_id = _customer(rep)
    late = _task(rep, party_id, "催收尾款", -dt.timedelta(days=2))
    page = _page(qtbot, desk, desk.context(rep))
    assert page.select(late) and page.complete_button.isEnabled()

    page.complete_selected()

    qtbot.waitUntil(lambda: _subjects(page)["overdue"] == [], timeout=10_000)
    assert rep.get("activity", late)["done"] is True
    assert page.empty["overdue"].isVisibleTo(page)


def test_rescheduling_moves_the_task_and_its_reminder(qtbot, desk, rep):
    party_id = _customer(rep)
    task = _task(rep, party_id, "发报价单", dt.timedelta(hours=3), remind=dt.timedelta(hours=2))
    page = _page(qtbot, desk, desk.context(rep))
    assert page.select(task)

    dialog = page.reschedule_selected()
    assert dialog is not None
    dialog.when.setDateTime(QDateTime.fromSecsSinceEpoch(int((NOW + dt.timedelta(days=2, hours=3)).timestamp())))
    dialog.submit()

    qtbot.waitUntil(lambda: _subjects(page)["upcoming"] == ["发报价单"], timeout=10_000)
    row = rep.get("activity", task)
    assert row["due_at"] == NOW + dt.timedelta(days=2, hours=3)
    assert row["remind_at"] == NOW + dt.timedelta(days=2, hours=2)


def test_opening_the_customer_of_a_row_goes_to_its_360_view(qtbot, desk, rep):
    party_id = _customer(rep)
    task = _task(rep, party_id, "发报价单", dt.timedelta(hours=3))
    ctx = desk.context(rep)
    opened: list[str] = []
    ctx.actions["open_customer"] = opened.append
    page = _page(qtbot, desk, ctx)
    page.select(task)

    page.open_selected()

    assert opened == [party_id]


def _checked(qtbot, service: ReminderService, now: list[dt.datetime], at: dt.timedelta) -> list[str]:
    """Run one check with the clock at NOW + `at`; the subjects it announced."""
    found: list[str] = []
    service.reminded.connect(lambda items: found.extend(i.subject for i in items))
    now[0] = NOW + at
    service.check()
    qtbot.waitUntil(lambda: not service._checking, timeout=10_000)
    return found


def test_a_reminder_fires_once_not_after_a_restart_and_at_start_when_due_while_closed(qtbot, desk, rep):
    party_id = _customer(rep)
    _task(rep, party_id, "发报价单", dt.timedelta(hours=1), remind=dt.timedelta(minutes=10))
    _task(rep, party_id, "回访客户", dt.timedelta(hours=2), remind=dt.timedelta(minutes=40))
    ctx = desk.context(rep)
    now = [NOW]
    first = ReminderService(ctx, clock=lambda: now[0])

    assert _checked(qtbot, first, now, dt.timedelta(0)) == []
    assert _checked(qtbot, first, now, dt.timedelta(minutes=15)) == ["发报价单"]
    assert _checked(qtbot, first, now, dt.timedelta(minutes=20)) == []
    with cache.reading(rep.db) as conn:
        assert cache.get_state(conn, CHECKED_KEY) == (NOW + dt.timedelta(minutes=20)).isoformat()

    # the app restarts at once: nothing is shown again
    again = ReminderService(ctx, clock=lambda: now[0])
    assert _checked(qtbot, again, now, dt.timedelta(minutes=21)) == []

    # closed for an hour: the reminder that came due meanwhile shows at the next start
    later = ReminderService(ctx, clock=lambda: now[0])
    assert _checked(qtbot, later, now, dt.timedelta(minutes=80)) == ["回访客户"]


def test_a_completed_task_does_not_remind(qtbot, desk, rep):
    party_id = _customer(rep)
    task = _task(rep, party_id, "发报价单", dt.timedelta(hours=1), remind=dt.timedelta(minutes=10))
    rep.mutate("crm.task.complete", {"id": str(task)})
    now = [NOW]
    service = ReminderService(desk.context(rep), clock=lambda: now[0])

    assert _checked(qtbot, service, now, dt.timedelta(minutes=15)) == []


def test_a_due_reminder_shows_in_the_window_with_a_way_to_the_customer(qtbot, desk, rep):
    party_id = _customer(rep)
    _task(rep, party_id, "发报价单", dt.timedelta(hours=1), remind=dt.timedelta(minutes=-5))
    ctx = desk.context(rep)
    opened: list[str] = []
    ctx.actions["open_customer"] = opened.append
    window = QMainWindow()
    window.ctx = ctx
    desk.widgets.append(window)
    window.show()

    reminders = install_reminders(window, clock=lambda: NOW)

    qtbot.waitUntil(lambda: reminders.notice.isVisible(), timeout=10_000)
    assert "发报价单" in reminders.notice.text.text() and "宁波海天精工" in reminders.notice.text.text()
    reminders.notice.open_button.click()
    assert opened == [party_id]
    assert not reminders.notice.isVisible()
    reminders.service.stop()
