"""A sales rep's day on the road, told through the screens: with the server out of reach the rep
creates a customer, logs a visit with its coordinates, converts a lead and moves the new deal
along the pipeline; the server comes back and the rep's desktop syncs; then the manager's desktop
(its own cache) syncs and shows all of it in the customer list, the 360 timeline and the pipeline.
Both desktops talk to a real server on loopback."""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa
from PySide6.QtCore import Qt

from app.core.ids import new_id
from app.core.schema import metadata
from app.sync import SyncClient
from app.sync.cache import reading
from app.ui.crm.activity_dialogs import ActivityDialog
from app.ui.crm.customers import CustomersPage
from app.ui.crm.leads import LeadsPage
from app.ui.crm.pipeline import PipelinePage
from app.ui.crm.pipeline_board import CARD_ROLE
from app.ui.crm.view360 import Customer360Page
from app.ui.session import SyncState
from tests.ui.desk import PASSWORD, Desk

WAIT = 20_000
opportunity = metadata.tables["opportunity"]
activity = metadata.tables["activity"]


def _desktop_cache(desk: Desk, server_url: str, username: str, role: str, name: str) -> SyncClient:
    """A user's own cache on their own computer, signed in against the server on loopback."""
    desk.add_user(desk.tenant, username, role, PASSWORD, display_name=name)
    client = SyncClient.open(desk.tmp_path / f"{username}-desktop.sqlite", server_url, desk.tenant.slug)
    client.retry_delays = (0.0, 0.0)
    client.login(username, PASSWORD)
    desk.clients.append(client)
    return client


def _show(qtbot, desk: Desk, page):
    qtbot.addWidget(page)
    desk.widgets.append(page)
    page.resize(1300, 700)
    page.show()
    return page


def _wait_for_customers(qtbot, page: CustomersPage, *names: str) -> None:
    """Wait until the list shows these customers (rows fetched as the view asks for them)."""
    model = page.model

    def listed() -> set[str]:
        for row in range(model.rowCount()):
            model.data(model.index(row, 0))
        return {row["name"] for r in range(model.rowCount()) if (row := model.row_data(r)) is not None}

    qtbot.waitUntil(lambda: set(names) <= listed(), timeout=WAIT)


def _cards(page: PipelinePage, stage: str) -> list[uuid.UUID]:
    cards = page.columns[stage].cards
    return [cards.item(i).data(CARD_ROLE) for i in range(cards.count())]


def _timeline(qtbot, desk: Desk, ctx, party_id: str) -> Customer360Page:
    page = _show(qtbot, desk, Customer360Page(ctx))
    page.show_customer(party_id)
    qtbot.waitUntil(lambda: page.loaded is not None and page.loaded.party_id == uuid.UUID(party_id), timeout=WAIT)
    return page


def test_the_manager_sees_what_the_rep_did_offline_once_both_synced(qtbot, desk, live_server):
    rep = _desktop_cache(desk, live_server.url, "wangfang", "sales_rep", "王芳")
    lead_id = new_id()
    rep.mutate("crm.lead.create", {"id": str(lead_id), "name": "周杰", "company": "温州瓯越电器",
                                   "phone": "13900002222"})
    assert rep.sync().ok  # yesterday's lead is on the server

    # --- on the road: the server is out of reach --------------------------------------------------
    live_server.stop()
    ctx = desk.context(rep, start=True)
    session = ctx.session
    qtbot.waitUntil(lambda: session.state is SyncState.OFFLINE, timeout=WAIT)

    customers = _show(qtbot, desk, CustomersPage(ctx))
    form = customers.new_customer()
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: form.data is not None, timeout=WAIT)
    form.widgets["name"].setText("宁波海天精工")
    form.widgets["city"].setText("宁波")
    with qtbot.waitSignal(form.saved, timeout=WAIT) as created:
        form.submit()
    customer = created.args[0]
    _wait_for_customers(qtbot, customers, "宁波海天精工")

    view = _timeline(qtbot, desk, ctx, customer)
    visit = view.open_action("visit")
    assert isinstance(visit, ActivityDialog)
    qtbot.addWidget(visit)
    visit.subject.setText("工厂拜访")
    visit.place.setText("北仑厂区")
    qtbot.keyClicks(visit.latitude, "29.868336")
    qtbot.keyClicks(visit.longitude, "121.543990")
    visit.ok_button.click()
    qtbot.waitUntil(lambda: not visit.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: [i.subject for i in view.timeline_model.items] == ["工厂拜访"], timeout=WAIT)

    leads = _show(qtbot, desk, LeadsPage(ctx))
    qtbot.waitUntil(lambda: leads.select_lead(lead_id), timeout=WAIT)
    qtbot.waitUntil(lambda: leads.current is not None and leads.current["id"] == lead_id, timeout=WAIT)
    convert = leads.convert()
    qtbot.waitUntil(lambda: convert.ok_button.isEnabled(), timeout=WAIT)
    qtbot.keyClicks(convert.amount, "86,000.00")
    convert.ok_button.click()
    qtbot.waitUntil(lambda: not convert.isVisible(), timeout=WAIT)
    deal, converted = convert.opportunity_id, str(convert.party_id)

    pipeline = _show(qtbot, desk, PipelinePage(ctx))
    qtbot.waitUntil(lambda: _cards(pipeline, "qualified") == [deal], timeout=WAIT)
    qualified = pipeline.columns["qualified"].cards
    qualified.setCurrentRow(0)
    qtbot.keyClick(qualified, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _cards(pipeline, "proposal") == [deal], timeout=WAIT)

    qtbot.waitUntil(lambda: session.counts.pending == 4, timeout=WAIT)  # customer, visit, convert, move
    assert session.state is SyncState.OFFLINE

    # --- back in the office: the server answers again and the rep's desktop sends the day -------
    live_server.start()
    session.sync_now()
    qtbot.waitUntil(lambda: session.state is SyncState.ONLINE and session.counts.pending == 0, timeout=WAIT)
    assert rep.rejected() == [] and session.counts.conflicts == 0

    # --- the manager's desktop, its own cache, syncs and sees the day ----------------------------
    boss = _desktop_cache(desk, live_server.url, "boss", "manager", "李经理")
    boss_ctx = desk.context(boss, start=True)
    qtbot.waitUntil(lambda: boss_ctx.session.last_report is not None and boss_ctx.session.last_report.ok,
                    timeout=WAIT)

    _wait_for_customers(qtbot, _show(qtbot, desk, CustomersPage(boss_ctx)), "宁波海天精工", "温州瓯越电器")

    seen = _timeline(qtbot, desk, boss_ctx, customer)
    qtbot.waitUntil(lambda: bool(seen.timeline_model.items), timeout=WAIT)
    [item] = seen.timeline_model.items
    assert (item.kind, item.subject, item.by) == ("visit", "工厂拜访", "王芳")
    assert seen.title.text() == "宁波海天精工"
    with reading(boss.db) as conn:
        stored = conn.execute(sa.select(activity.c.place, activity.c.latitude, activity.c.longitude)
                              .where(activity.c.id == item.id)).one()
    assert tuple(stored) == ("北仑厂区", Decimal("29.868336"), Decimal("121.543990"))
    assert [o.name for o in _timeline(qtbot, desk, boss_ctx, converted).loaded.view.opportunities] == ["温州瓯越电器"]

    board = _show(qtbot, desk, PipelinePage(boss_ctx))
    qtbot.waitUntil(lambda: board.loaded and _cards(board, "proposal") == [deal], timeout=WAIT)
    assert board.scope.currentData() == "team"
    assert "王芳: 1, CN¥86,000.00 · weighted CN¥43,000.00" in board.reps.text()
    with reading(boss.db) as conn:
        assert conn.execute(sa.select(opportunity.c.stage).where(opportunity.c.id == deal)).scalar_one() == "proposal"
