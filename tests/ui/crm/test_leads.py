"""A rep works the Leads page on their own cache: captures a lead, qualifies it, disqualifies one
only with a reason, and converts one into a customer + contact + opportunity in one mutation,
linking the existing customer when the lead's company is one already."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.core.ids import new_id
from app.sync.cache import reading
from app.ui.crm.leads import LeadsPage
from tests.ui.desk import Desk


@pytest.fixture
def rep(desk: Desk):
    c = desk.client("rep1")
    assert c.sync().ok
    return c


def _page(qtbot, ctx) -> LeadsPage:
    page = LeadsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 500)
    qtbot.waitUntil(lambda: page.model.loaded, timeout=10_000)
    return page


def _lead(client, name: str, **fields) -> uuid.UUID:
    lead_id = new_id()
    client.mutate("crm.lead.create", {"id": str(lead_id), "name": name, **fields})
    return lead_id


def _row(client, table: str, row_id) -> dict | None:
    t = sa.table(table, sa.column("id"))
    with reading(client.db) as conn:
        found = conn.execute(sa.select(sa.text("*")).select_from(t).where(t.c.id == row_id)).mappings().first()
    return None if found is None else dict(found)


def _lead_row(client, lead_id: uuid.UUID) -> dict:
    from app.core.schema import metadata

    lead = metadata.tables["lead"]
    with reading(client.db) as conn:
        return dict(conn.execute(sa.select(lead).where(lead.c.id == lead_id)).mappings().one())


def _select(qtbot, page: LeadsPage, lead_id: uuid.UUID) -> None:
    qtbot.waitUntil(lambda: page.select_lead(lead_id), timeout=10_000)
    qtbot.waitUntil(lambda: page.current is not None and page.current["id"] == lead_id, timeout=10_000)


def _outbox_names(client) -> list[str]:
    with reading(client.db) as conn:
        return list(conn.execute(sa.text("SELECT name FROM outbox ORDER BY id")).scalars())


def test_a_new_lead_typed_in_the_form_appears_in_the_list_selected(qtbot, desk, rep, qtmodeltester):
    page = _page(qtbot, desk.context(rep))
    dialog = page.new_lead()
    qtbot.keyClicks(dialog.name, "Li Lei")
    dialog.company.setText("星辰科技有限公司")
    qtbot.keyClicks(dialog.phone, "13800138000")
    qtbot.keyClicks(dialog.source, "expo")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)

    qtbot.waitUntil(lambda: page.current is not None and page.current["id"] == dialog.lead_id, timeout=10_000)
    row = page.model.row_of(dialog.lead_id)
    page.model.data(page.model.index(row, 0))  # asks for the row's block
    qtbot.waitUntil(lambda: page.model.row_data(row) is not None, timeout=10_000)
    cells = [page.model.data(page.model.index(row, c)) for c in range(5)]
    assert cells == ["Li Lei", "星辰科技有限公司", "13800138000", "expo", "New"]
    assert page.qualify_button.isEnabled() and page.convert_button.isEnabled()
    assert not page.reopen_button.isEnabled()
    qtmodeltester.check(page.model)


def test_a_lead_without_a_name_is_refused_at_the_name_field_and_keeps_the_form(qtbot, desk, rep):
    page = _page(qtbot, desk.context(rep))
    dialog = page.new_lead()
    qtbot.keyClicks(dialog.company, "Acme")
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert dialog.errors["name"].isVisibleTo(dialog)
    assert dialog.company.text() == "Acme"
    assert "crm.lead.create" not in _outbox_names(rep)


def test_qualify_moves_the_selected_lead_and_the_status_filter_follows(qtbot, desk, rep):
    lead_id = _lead(rep, "王强", company="海蓝贸易")
    other = _lead(rep, "Zhang Wei")
    page = _page(qtbot, desk.context(rep))
    _select(qtbot, page, lead_id)
    page.qualify_button.click()
    qtbot.waitUntil(lambda: _lead_row(rep, lead_id)["status"] == "qualified", timeout=10_000)
    qtbot.waitUntil(lambda: page.current is not None and page.current["status"] == "qualified", timeout=10_000)
    assert not page.qualify_button.isEnabled() and page.reopen_button.isEnabled()

    page.status.setCurrentIndex(page.status.findData("qualified"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    assert page.model.id_at(0) == lead_id
    page.status.setCurrentIndex(0)
    page.search.setText("zhang")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.id_at(0) == other, timeout=10_000)


def test_disqualify_needs_a_reason_and_reopen_clears_it(qtbot, desk, rep):
    lead_id = _lead(rep, "Tom Brown", company="Brown Ltd")
    page = _page(qtbot, desk.context(rep))
    _select(qtbot, page, lead_id)
    dialog = page.disqualify()
    assert not dialog.ok_button.isEnabled()
    dialog.reason.setPlainText("   ")
    assert not dialog.ok_button.isEnabled()
    dialog.submit()  # even when forced, a blank reason never reaches the cache
    assert dialog.errors["reason"].isVisibleTo(dialog)
    assert _lead_row(rep, lead_id)["status"] == "new"

    dialog.reason.setPlainText("无预算 no budget")
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    row = _lead_row(rep, lead_id)
    assert (row["status"], row["disqualify_reason"]) == ("disqualified", "无预算 no budget")
    qtbot.waitUntil(lambda: page.reason.text() == "Disqualified: 无预算 no budget", timeout=10_000)

    page.reopen_button.click()
    qtbot.waitUntil(lambda: _lead_row(rep, lead_id)["status"] == "new", timeout=10_000)
    assert _lead_row(rep, lead_id)["disqualify_reason"] is None


def test_convert_makes_customer_contact_and_opportunity_in_one_mutation(qtbot, desk, rep):
    lead_id = _lead(rep, "陈静", company="绿洲食品有限公司", phone="13911112222", email="chen@oasis.cn")
    ctx = desk.context(rep)
    opened: list[str] = []
    ctx.actions["open_customer"] = opened.append
    page = _page(qtbot, ctx)
    _select(qtbot, page, lead_id)
    before = len(_outbox_names(rep))
    dialog = page.convert()
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=10_000)
    assert dialog.matches == [] and dialog.linked_customer() is None
    dialog.opportunity_name.setText("绿洲 2026 年框架合同")
    qtbot.keyClicks(dialog.amount, "128,000.50")
    dialog.has_close.setChecked(True)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)

    assert _outbox_names(rep)[before:] == ["crm.lead.convert"]
    party = _row(rep, "party", dialog.party_id)
    contact = _row(rep, "contact", dialog.contact_id)
    deal = _row(rep, "opportunity", dialog.opportunity_id)
    assert party["name"] == "绿洲食品有限公司"
    assert (contact["name"], contact["party_id"]) == ("陈静", dialog.party_id.hex)
    assert (deal["name"], deal["stage"]) == ("绿洲 2026 年框架合同", "qualified")
    assert deal["expected_close"] is not None
    assert _lead_row(rep, lead_id)["status"] == "converted"

    assert page.done.isVisibleTo(page)
    page.open_customer_button.click()
    assert opened == [str(dialog.party_id)]


def test_convert_finds_the_existing_customer_by_phone_and_links_it(qtbot, desk, rep):
    customer = new_id()
    rep.mutate("crm.customer.create", {"id": str(customer), "name": "蓝天物流", "phone": "021-5555 6666"})
    lead_id = _lead(rep, "赵敏", company="蓝天物流股份有限公司", phone="02155556666")
    page = _page(qtbot, desk.context(rep))
    _select(qtbot, page, lead_id)
    dialog = page.convert()
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=10_000)
    assert [(m.party_id, m.reason) for m in dialog.matches] == [(customer, "phone")]
    assert dialog.linked_customer().party_id == customer  # the match is offered first
    dialog.with_opportunity.setChecked(False)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)

    assert _row(rep, "party", dialog.party_id) is None  # no second customer
    contact = _row(rep, "contact", dialog.contact_id)
    assert contact["party_id"] == customer.hex
    row = _lead_row(rep, lead_id)
    assert (row["status"], row["converted_party_id"], row["converted_opportunity_id"]) == (
        "converted", customer, None)
    assert page.converted_party == customer


def test_another_reps_lead_is_read_only(qtbot, desk, rep):
    other = desk.client("rep2")
    _lead(other, "Someone Else")
    assert other.sync().ok
    assert rep.sync().ok
    page = _page(qtbot, desk.context(rep))
    qtbot.waitUntil(lambda: page.current is not None, timeout=10_000)
    assert not any(b.isEnabled() for b in (page.qualify_button, page.disqualify_button, page.convert_button))
    assert "another sales rep" in page.reason.text()
