"""Service cases from the Cases page: opened on a customer found by name, assigned, resolved with a
resolution, closed and reopened, each move offered only when the case's status allows it; the
list filtered to open cases, the rep's own, all, and by priority."""

from __future__ import annotations

import uuid

import pytest

from app.core.ids import new_id
from app.ui.crm.case_dialogs import NewCaseDialog, ResolveCaseDialog
from app.ui.crm.cases import CasesPage
from tests.ui.desk import Desk


@pytest.fixture
def rep(desk: Desk):
    desk.add_user(desk.tenant, "rep2", "sales_rep", "correct horse", display_name="李娜")
    c = desk.client("rep1")
    assert c.sync().ok
    return c


def _customer(rep, name: str) -> str:
    party_id = str(new_id())
    rep.mutate("crm.customer.create", {"id": party_id, "name": name, "owner_id": str(rep.user_id())})
    return party_id


def _case(rep, party_id: str, subject: str, priority: str = "normal", mine: bool = True) -> uuid.UUID:
    case_id = new_id()
    rep.mutate("crm.case.create", {"id": str(case_id), "party_id": party_id, "subject": subject, "priority": priority,
                                   "assignee_id": str(rep.user_id()) if mine else None})
    return case_id


def _page(qtbot, desk: Desk, ctx) -> CasesPage:
    page = CasesPage(ctx)
    desk.widgets.append(page)
    page.resize(1000, 600)
    page.show()
    qtbot.waitUntil(lambda: page.model.loaded, timeout=10_000)
    return page


def _subjects(qtbot, page: CasesPage) -> list[str]:
    model = page.model
    qtbot.waitUntil(lambda: all(model.row_data(r) is not None or model.data(model.index(r, 0)) is None
                                for r in range(model.rowCount())), timeout=10_000)
    return sorted(model.row_data(r)["subject"] for r in range(model.rowCount()))


def _select(qtbot, page: CasesPage, case_id: uuid.UUID) -> None:
    qtbot.waitUntil(lambda: page.model.row_of(case_id) is not None, timeout=10_000)
    page.view.selectRow(page.model.row_of(case_id))
    qtbot.waitUntil(lambda: page.case is not None and page.case.id == case_id, timeout=10_000)


def _refreshed(qtbot, page: CasesPage, status: str) -> None:
    qtbot.waitUntil(lambda: page.case is not None and page.case.status == status, timeout=10_000)


def test_a_new_case_is_opened_on_a_customer_found_by_name(qtbot, desk, rep, qtmodeltester):
    _customer(rep, "宁波海天精工")
    other = _customer(rep, "Hangzhou Robam")
    page = _page(qtbot, desk, desk.context(rep))
    assert _subjects(qtbot, page) == []

    dialog = page.new_case()
    assert isinstance(dialog, NewCaseDialog)
    dialog.submit()  # nothing chosen, nothing typed: both fields say so, nothing is written
    assert dialog.errors["party_id"].isVisibleTo(dialog) and dialog.errors["subject"].isVisibleTo(dialog)
    qtbot.keyClicks(dialog.customer.search, "robam")
    qtbot.waitUntil(lambda: dialog.customer.party_id() == other, timeout=10_000)
    qtbot.keyClicks(dialog.subject, "Cooker hood noisy")
    dialog.priority.setCurrentIndex(dialog.priority.findData("high"))
    dialog.submit()

    qtbot.waitUntil(lambda: _subjects(qtbot, page) == ["Cooker hood noisy"], timeout=10_000)
    row = rep.get("service_case", dialog.case_id)
    assert row["party_id"] == uuid.UUID(other) and row["priority"] == "high" and row["status"] == "open"
    cells = [page.model.data(page.model.index(0, c)) for c in range(page.model.columnCount())]
    assert cells[1:4] == ["Hangzhou Robam", "High", "Open"]
    qtmodeltester.check(page.model)


def test_a_case_is_assigned_resolved_closed_and_reopened_offering_only_allowed_moves(qtbot, desk, rep):
    party_id = _customer(rep, "宁波海天精工")
    case_id = _case(rep, party_id, "主轴异响", mine=False)
    page = _page(qtbot, desk, desk.context(rep))
    page.scope.setCurrentIndex(page.scope.findData("all"))
    _select(qtbot, page, case_id)
    assert not page.reopen_button.isEnabled() and page.resolve_button.isEnabled()

    dialog = page.assign()
    qtbot.waitUntil(lambda: dialog.assignee.findData(str(rep.user_id())) >= 0, timeout=10_000)
    dialog.assignee.setCurrentIndex(dialog.assignee.findData(str(rep.user_id())))
    dialog.submit()
    qtbot.waitUntil(lambda: rep.get("service_case", case_id)["assignee_id"] == rep.user_id(), timeout=10_000)

    [waiting] = [a for a in page.status_menu.actions() if a.data() == "waiting"]
    waiting.trigger()
    _refreshed(qtbot, page, "waiting")

    resolve = page.resolve()
    assert isinstance(resolve, ResolveCaseDialog)
    resolve.submit()
    assert resolve.errors["resolution"].isVisibleTo(resolve)
    resolve.resolution.setPlainText("更换主轴轴承")
    resolve.submit()
    _refreshed(qtbot, page, "resolved")
    assert rep.get("service_case", case_id)["resolution"] == "更换主轴轴承"
    assert page.reopen_button.isEnabled() and page.close_button.isEnabled()
    assert not page.resolve_button.isEnabled() and not page.status_button.isEnabled()

    page.close_button.click()
    _refreshed(qtbot, page, "closed")
    assert rep.get("service_case", case_id)["closed_at"] is not None
    assert not page.close_button.isEnabled() and page.reopen_button.isEnabled()

    page.reopen_button.click()
    _refreshed(qtbot, page, "open")
    assert rep.get("service_case", case_id)["closed_at"] is None
    assert not page.reopen_button.isEnabled()


def test_filters_show_open_cases_mine_all_and_by_priority(qtbot, desk, rep):
    party_id = _customer(rep, "宁波海天精工")
    _case(rep, party_id, "mine urgent", priority="urgent")
    _case(rep, party_id, "nobody's", mine=False)
    done = _case(rep, party_id, "closed one")
    rep.mutate("crm.case.close", {"id": str(done)})
    page = _page(qtbot, desk, desk.context(rep))

    assert _subjects(qtbot, page) == ["mine urgent", "nobody's"]
    page.scope.setCurrentIndex(page.scope.findData("mine"))
    qtbot.waitUntil(lambda: _subjects(qtbot, page) == ["mine urgent"], timeout=10_000)
    page.scope.setCurrentIndex(page.scope.findData("all"))
    qtbot.waitUntil(lambda: _subjects(qtbot, page) == ["closed one", "mine urgent", "nobody's"], timeout=10_000)
    page.priority.setCurrentIndex(page.priority.findData("urgent"))
    qtbot.waitUntil(lambda: _subjects(qtbot, page) == ["mine urgent"], timeout=10_000)


def test_a_case_on_another_reps_customer_is_read_only(qtbot, desk, rep):
    other = desk.client("rep3")
    party_id = _customer(other, "温州瓯越电器")
    case_id = _case(other, party_id, "漏电")
    assert other.sync().ok and rep.sync().ok
    page = _page(qtbot, desk, desk.context(rep))
    _select(qtbot, page, case_id)

    assert not any(b.isEnabled() for b in (page.assign_button, page.resolve_button, page.close_button,
                                           page.status_button, page.reopen_button))
    assert page.note.text()
