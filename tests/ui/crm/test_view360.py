"""The 360° customer view and the activity dialogs over a real cache filled through the real
mutators (offline: nothing listens at the server address), and two reps on the in-process server
for the read-only case."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from app.core.schema import metadata
from app.sync import SyncClient
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.activity_dialogs import ActivityDialog, open_activity_dialog
from app.ui.crm.quick_opportunity import NewOpportunityDialog
from app.ui.crm.timeline_model import TimelineModel
from app.ui.crm.view360 import Customer360Page
from app.ui.ops import Ops
from app.ui.prefs import Prefs
from app.ui.session import Session
from tests.ui.desk import Desk

NOWHERE = "http://127.0.0.1:9"
activity = metadata.tables["activity"]
NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    http = httpx.Client(base_url=NOWHERE)
    client = SyncClient.open(tmp_path / "cache.sqlite", NOWHERE, "acme", http=http)
    client.clock = lambda: NOW
    ops = Ops()
    session = Session(client, ops, online=False)
    context = AppContext(session, ops, Prefs(tmp_path / "prefs.json"))
    yield context
    ops.wait()
    session.close()
    http.close()


def _id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def shop(ctx: AppContext) -> dict[str, str]:
    """A customer with a contact and her family, a task, an opportunity and a case."""
    c = ctx.session.client
    ids = {"shop": _id(), "li": _id(), "task": _id(), "deal": _id(), "case": _id()}
    c.mutate("crm.customer.create", {"id": ids["shop"], "name": "上海华联超市", "code": "C-0042", "status": "active",
                                     "tier": "A", "phone": "021-6543 2100", "city": "上海"})
    c.mutate("crm.contact.create", {"id": ids["li"], "party_id": ids["shop"], "name": "李娜", "title": "采购经理",
                                    "birthday": "1985-06-10"})
    c.mutate("crm.contact.family.create", {"id": _id(), "contact_id": ids["li"], "relation": "spouse",
                                           "name": "王强", "birthday": "1983-05-20", "birthday_lunar": True})
    c.mutate("crm.task.create", {"id": ids["task"], "party_id": ids["shop"], "subject": "Send the price list",
                                 "due_at": "2026-06-03T01:00:00+00:00"})
    c.mutate("crm.opportunity.create", {"id": ids["deal"], "party_id": ids["shop"], "name": "Summer promotion",
                                        "amount": "120000.00", "stage": "proposal",
                                        "expected_close": "2026-07-15"})
    c.mutate("crm.case.create", {"id": ids["case"], "party_id": ids["shop"], "subject": "Damaged carton",
                                 "priority": "high", "opened_at": "2026-05-30T03:00:00+00:00"})
    return ids


def _page(qtbot, ctx: AppContext, party_id: str) -> Customer360Page:
    page = Customer360Page(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.show_customer(party_id)
    qtbot.waitUntil(lambda: page.loaded is not None and page.loaded.party_id == uuid.UUID(party_id))
    return page


def _subjects(page: Customer360Page) -> list[str]:
    return [i.subject for i in page.timeline_model.items]


def test_the_header_and_sections_show_the_customers_data(qtbot, ctx: AppContext, shop: dict[str, str]) -> None:
    page = _page(qtbot, ctx, shop["shop"])
    assert page.title.text() == "上海华联超市"
    assert "C-0042" in page.subtitle.text() and "Active" in page.subtitle.text()
    assert page.figures["last_order"].text() == "none yet"
    assert page.figures["city"].text() == "上海"
    assert "0.00" in page.figures["revenue"].text()
    contacts = page.sections["contacts"].text()
    assert "李娜" in contacts and "王强" in contacts and "Spouse" in contacts and "lunar" in contacts
    assert "李娜" in page.sections["birthdays"].text()  # 10 June: nine days away
    assert "Summer promotion" in page.sections["opportunities"].text()
    assert "120,000.00" in page.sections["opportunities"].text()
    assert "Damaged carton" in page.sections["cases"].text()
    assert _subjects(page) == ["Send the price list", "Damaged carton"]  # newest first
    assert page.timeline_model.items[0].state == "open"
    assert all(b.isEnabled() for b in page.quick_actions.values())
    assert page.read_only.isHidden()


def test_a_customer_with_nothing_says_so_in_every_section(qtbot, ctx: AppContext) -> None:
    bare = _id()
    ctx.session.client.mutate("crm.customer.create", {"id": bare, "name": "Empty Ltd"})
    page = _page(qtbot, ctx, bare)
    assert page.sections["opportunities"].text().endswith("No open opportunities.</span>")
    assert "No open service cases." in page.sections["cases"].text()
    assert "No contacts yet." in page.sections["contacts"].text()
    assert "No birthdays" in page.sections["birthdays"].text()
    assert page.timeline_empty.isVisible() and not page.timeline_view.isVisible()
    assert page.figures["last_contact"].text() == "never"


def test_the_kind_filter_shows_only_cases(qtbot, ctx: AppContext, shop: dict[str, str]) -> None:
    page = _page(qtbot, ctx, shop["shop"])
    page.kind_filter.setCurrentIndex(page.kind_filter.findText("Service case"))
    qtbot.waitUntil(lambda: _subjects(page) == ["Damaged carton"])


def test_logging_a_call_through_the_dialog_adds_it_to_the_timeline(qtbot, ctx: AppContext,
                                                                   shop: dict[str, str]) -> None:
    page = _page(qtbot, ctx, shop["shop"])
    dialog = page.open_action("call")
    assert isinstance(dialog, ActivityDialog)
    qtbot.waitUntil(lambda: dialog.contact.count() == 2)
    dialog.subject.setText("Asked about the June order")
    dialog.contact.setCurrentIndex(dialog.contact.findText("李娜"))
    dialog.duration.setValue(15)
    dialog.outcome.setText("Will order 200 cases")
    dialog.submit()
    qtbot.waitUntil(lambda: "Asked about the June order" in _subjects(page))
    assert not dialog.isVisible()
    with reading(ctx.session.client.db) as conn:
        row = conn.execute(sa.select(activity).where(activity.c.subject == "Asked about the June order")
                           ).mappings().one()
    assert (row["kind"], row["duration_minutes"], row["outcome"]) == ("call", 15, "Will order 200 cases")
    assert row["contact_id"] == uuid.UUID(shop["li"])
    assert row["occurred_at"] == NOW  # "when" defaults to now and survives the business time zone


def test_a_call_without_subject_is_refused_inline_and_the_form_is_kept(qtbot, ctx: AppContext,
                                                                       shop: dict[str, str]) -> None:
    dialog = open_activity_dialog(ctx, None, shop["shop"], "call")
    qtbot.addWidget(dialog)
    assert isinstance(dialog, ActivityDialog)
    dialog.outcome.setText("kept")
    dialog.submit()
    assert dialog.errors["subject"].isVisible() and dialog.errors["subject"].text() == "Enter a subject."
    assert dialog.isVisible() and dialog.outcome.text() == "kept"


def test_visit_coordinates_out_of_range_are_refused_inline(qtbot, ctx: AppContext, shop: dict[str, str]) -> None:
    dialog = open_activity_dialog(ctx, None, shop["shop"], "visit")
    qtbot.addWidget(dialog)
    assert isinstance(dialog, ActivityDialog)
    dialog.subject.setText("Store check")
    dialog.place.setText("华联 徐汇店")
    dialog.latitude.setText("91")
    dialog.longitude.setText("121.47")
    dialog.submit()
    assert dialog.errors["latitude"].isVisible()
    assert "-90 to 90" in dialog.errors["latitude"].text()
    assert not dialog.errors["longitude"].isVisible()
    assert dialog.isVisible() and dialog.latitude.text() == "91" and dialog.place.text() == "华联 徐汇店"
    dialog.latitude.setText("31.2304")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with reading(ctx.session.client.db) as conn:
        row = conn.execute(sa.select(activity).where(activity.c.kind == "visit")).mappings().one()
    assert row["place"] == "华联 徐汇店" and row["checked_in_at"] is not None
    assert (row["latitude"], row["longitude"]) == (Decimal("31.230400"), Decimal("121.470000"))


def test_a_task_from_the_dialog_is_created_with_its_reminder(qtbot, ctx: AppContext, shop: dict[str, str]) -> None:
    dialog = open_activity_dialog(ctx, None, shop["shop"], "task")
    qtbot.addWidget(dialog)
    assert isinstance(dialog, ActivityDialog)
    dialog.subject.setText("Call back about samples")
    dialog.remind_on.setChecked(True)
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with reading(ctx.session.client.db) as conn:
        row = conn.execute(sa.text("SELECT kind, done, due_at, remind_at FROM activity "
                                   "WHERE subject = 'Call back about samples'")).one()
    assert row.kind == "task" and not row.done and row.remind_at is not None and row.due_at is not None


def test_a_new_opportunity_shows_among_the_open_ones(qtbot, ctx: AppContext, shop: dict[str, str]) -> None:
    page = _page(qtbot, ctx, shop["shop"])
    dialog = page.open_action("")
    assert isinstance(dialog, NewOpportunityDialog)
    dialog.name.setText("Autumn listing")
    dialog.amount.setText("abc")
    dialog.submit()
    assert dialog.errors["amount"].isVisible() and dialog.isVisible()
    dialog.amount.setText("8,500.50")
    dialog.submit()
    qtbot.waitUntil(lambda: "Autumn listing" in page.sections["opportunities"].text())
    assert "8,500.50" in page.sections["opportunities"].text()


def test_the_timeline_pages_with_more_for_300_activities(qtbot, ctx: AppContext) -> None:
    busy = _id()
    c = ctx.session.client
    c.mutate("crm.customer.create", {"id": busy, "name": "Busy Trading"})
    for n in range(300):
        c.mutate("crm.activity.log", {"id": _id(), "party_id": busy, "kind": "call", "subject": f"call {n:03}",
                                      "occurred_at": (NOW - dt.timedelta(hours=n)).isoformat()})
    page = _page(qtbot, ctx, busy)
    assert len(page.timeline_model.items) == 50 and page.more.isVisible()
    assert _subjects(page)[:2] == ["call 000", "call 001"]
    page.more.click()
    qtbot.waitUntil(lambda: len(page.timeline_model.items) == 100)
    while page.more.isVisible():
        count = len(page.timeline_model.items)
        page.more.click()
        qtbot.waitUntil(lambda n=count: len(page.timeline_model.items) > n)
    assert _subjects(page) == [f"call {n:03}" for n in range(300)]


def test_the_timeline_model_passes_the_model_tester(qtmodeltester, ctx: AppContext, shop: dict[str, str]) -> None:
    from app.crm.view360 import timeline

    model = TimelineModel()
    with reading(ctx.session.client.db) as conn:
        page = timeline(conn, uuid.UUID(shop["shop"]))
    model.set_items(page.items)
    qtmodeltester.check(model)
    model.append(page.items)  # nothing new: no rows added twice
    assert model.rowCount() == 2


def test_a_rep_sees_another_reps_customer_read_only(qtbot, desk: Desk) -> None:
    anna = desk.client("anna")
    bob = desk.client("bob")
    mine = _id()
    anna.mutate("crm.customer.create", {"id": mine, "name": "Anna's Account", "owner_id": str(anna.user_id())})
    assert anna.sync().error is None
    assert bob.sync().error is None
    page = _page(qtbot, desk.context(bob), mine)
    assert page.read_only.isVisible() and "anna" in page.read_only.text().lower()
    assert not any(b.isEnabled() for b in page.quick_actions.values())
    assert page.open_action("call") is None
    own = _page(qtbot, desk.context(anna), mine)
    assert own.read_only.isHidden() and all(b.isEnabled() for b in own.quick_actions.values())
