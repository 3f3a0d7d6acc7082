"""A sales rep merges two records of one customer on a real cache: side by side with what each
holds, the one that stays can be swapped, and confirming moves every contact, activity,
opportunity and case to it and archives the duplicate; from the customer list (two rows, or one
and a search for the other) and from the 360° view's "possible duplicates" line. A merge the rep
may not make is refused in the dialog and changes nothing."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QItemSelectionModel

from app.ui.crm.customers import CustomersPage
from app.ui.crm.merge_dialog import MergeDialog
from app.ui.crm.view360 import Customer360Page
from tests.ui.desk import Desk

CHILDREN = ("contact", "activity", "opportunity", "service_case")


def _id() -> str:
    return str(uuid.uuid4())


def _customer(client, name: str, contacts: int, **fields) -> str:
    """A customer of the signed-in rep with `contacts` contacts, a call, an opportunity and a case."""
    party = _id()
    client.mutate("crm.customer.create", {"id": party, "name": name, "owner_id": str(client.user_id()), **fields})
    for n in range(contacts):
        client.mutate("crm.contact.create", {"id": _id(), "party_id": party, "name": f"{name[:2]}联系人{n}"})
    client.mutate("crm.activity.log", {"id": _id(), "party_id": party, "kind": "call", "subject": f"Call {name}",
                                       "occurred_at": "2026-05-20T02:00:00+00:00"})
    client.mutate("crm.opportunity.create", {"id": _id(), "party_id": party, "name": f"Deal {name}",
                                             "amount": "5000.00", "stage": "proposal"})
    client.mutate("crm.case.create", {"id": _id(), "party_id": party, "subject": f"Case {name}",
                                      "opened_at": "2026-05-21T02:00:00+00:00"})
    return party


@pytest.fixture
def rep(desk: Desk):
    return desk.context(desk.client("rep1"), online=False)


@pytest.fixture
def pair(rep) -> dict[str, str]:
    """Two records of one customer: the fuller one without a phone, the duplicate with one."""
    client = rep.session.client
    return {"kept": _customer(client, "上海恒通科技有限公司", 2, city="上海", email="info@hengtong.cn"),
            "dup": _customer(client, "上海恒通科技", 1, phone="021-5555 1234", city="苏州")}


@pytest.fixture
def opened(rep) -> list[str]:
    shown: list[str] = []
    rep.actions["open_customer"] = shown.append
    return shown


def _dialog(desk: Desk, qtbot, dialog: MergeDialog) -> MergeDialog:
    desk.widgets.append(dialog)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=10_000)
    return dialog


def _cell(dialog: MergeDialog, key: str, side: int) -> str:
    return dialog.cells[key][side].text()


def _merge(qtbot, dialog: MergeDialog) -> list[str]:
    with qtbot.waitSignal(dialog.merged, timeout=10_000) as done:
        dialog.merge_button.click()
    return done.args


def _assert_merged(client, kept: str, gone: str, children: dict[str, int]) -> None:
    for table, n in children.items():
        assert len(client.rows(table, party_id=kept)) == n, table
        assert client.rows(table, party_id=gone) == [], table
    (duplicate,) = client.rows("party", id=gone)
    assert duplicate["archived"] and duplicate["merged_into"] == uuid.UUID(kept)


def test_merging_keeps_every_record_of_both_and_archives_the_duplicate(desk, rep, pair, opened, qtbot):
    dialog = _dialog(desk, qtbot, MergeDialog(rep, pair["kept"], pair["dup"]))
    assert [_cell(dialog, "name", 0), _cell(dialog, "name", 1)] == ["上海恒通科技有限公司", "上海恒通科技"]
    assert [_cell(dialog, "contacts", 0), _cell(dialog, "contacts", 1)] == ["2", "1"]
    assert _cell(dialog, "activities", 1) == "1" and _cell(dialog, "cases", 0) == "1"
    assert "021-5555 1234" in _cell(dialog, "phone", 0), "the phone it lacks comes from the duplicate"
    assert _cell(dialog, "city", 0) == "上海", "a field it has stays"
    assert "archived" in dialog.statement.text() and "Phone" in dialog.statement.text()

    dialog.swap_button.click()
    assert dialog.kept_id == uuid.UUID(pair["dup"]) and _cell(dialog, "name", 0) == "上海恒通科技"
    assert "info@hengtong.cn" in _cell(dialog, "email", 0)
    dialog.swap_button.click()

    assert _merge(qtbot, dialog) == [pair["kept"]]
    assert opened == [pair["kept"]], "the kept customer's 360° view opens"
    client = rep.session.client
    _assert_merged(client, pair["kept"], pair["dup"], {"contact": 3, "activity": 2, "opportunity": 2,
                                                       "service_case": 2})
    (kept,) = client.rows("party", id=pair["kept"])
    assert (kept["phone"], kept["city"], kept["archived"]) == ("021-5555 1234", "上海", False)
    assert [p["name"] for p in client.pending()][-1] == "crm.customer.merge"


def test_a_merge_the_rep_may_not_make_is_refused_in_the_dialog_and_changes_nothing(desk, opened, qtbot):
    other = desk.client("rep2")
    theirs = _customer(other, "北京远航科技有限公司", 1, phone="010-8888 7777")
    assert other.sync().ok
    me = desk.client("rep1")
    mine = _customer(me, "北京远航科技", 1)
    assert me.sync().ok
    ctx = desk.context(me, online=False)
    ctx.actions["open_customer"] = opened.append

    dialog = _dialog(desk, qtbot, MergeDialog(ctx, mine, theirs))
    dialog.merge_button.click()
    qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=10_000)

    assert "Rep2" in dialog.problem.text() or "belongs to" in dialog.problem.text()
    assert dialog.isVisible() and dialog.merge_button.isEnabled() and opened == []
    assert len(me.rows("contact", party_id=theirs)) == 1 and len(me.rows("contact", party_id=mine)) == 1
    assert not me.rows("party", id=theirs)[0]["archived"]
    assert [p["name"] for p in me.pending()] == []


def _page(qtbot, desk: Desk, ctx) -> CustomersPage:
    page = CustomersPage(ctx)
    desk.widgets.append(page)
    qtbot.addWidget(page)
    page.resize(1100, 500)
    qtbot.waitUntil(lambda: page.model.loaded and page.model.rowCount() >= 2, timeout=10_000)
    return page


def _select(page: CustomersPage, *party_ids: str) -> None:
    selection = page.view.selectionModel()
    selection.clearSelection()
    for party_id in party_ids:
        row = page.model.row_of(party_id)
        assert row is not None
        selection.select(page.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)


def _opened_dialog(qtbot, page: CustomersPage) -> MergeDialog:
    qtbot.waitUntil(lambda: bool(page.findChildren(MergeDialog)), timeout=5_000)
    (dialog,) = page.findChildren(MergeDialog)
    return dialog


def test_two_customers_selected_in_the_list_merge_keeping_the_one_with_more_history(desk, rep, pair, opened,
                                                                                    qtbot):
    page = _page(qtbot, desk, rep)
    _select(page, pair["dup"], pair["kept"])
    assert page.merge_button.isEnabled() and page.selected_ids() and len(page.selected_ids()) == 2

    page.merge_button.click()
    dialog = _opened_dialog(qtbot, page)
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=10_000)
    assert dialog.kept_id == uuid.UUID(pair["kept"]), "more contacts: it stays"
    assert _merge(qtbot, dialog) == [pair["kept"]]

    _assert_merged(rep.session.client, pair["kept"], pair["dup"], {c: 3 if c == "contact" else 2 for c in CHILDREN})
    qtbot.waitUntil(lambda: page.model.row_of(pair["dup"]) is None, timeout=10_000)


def test_one_selected_customer_and_a_search_find_the_duplicate_to_merge(desk, rep, pair, opened, qtbot):
    page = _page(qtbot, desk, rep)
    _select(page, pair["kept"])
    page.merge_button.click()
    dialog = _opened_dialog(qtbot, page)
    assert dialog.picker is not None and not dialog.merge_button.isEnabled()

    dialog.picker.search.setText("上海恒通科技")
    results = dialog.picker.results

    def listed() -> list[str]:
        return [results.item(i).text() for i in range(results.count())]

    qtbot.waitUntil(lambda: "上海恒通科技 · 苏州" in listed(), timeout=10_000)
    results.setCurrentRow(listed().index("上海恒通科技 · 苏州"))
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=10_000)
    assert dialog.merged_id == uuid.UUID(pair["dup"]) and _cell(dialog, "name", 1) == "上海恒通科技"

    assert _merge(qtbot, dialog) == [pair["kept"]]
    _assert_merged(rep.session.client, pair["kept"], pair["dup"], {"contact": 3})


def test_the_360_view_shows_possible_duplicates_and_merges_one_into_the_customer(desk, rep, pair, opened, qtbot):
    page = Customer360Page(rep)
    desk.widgets.append(page)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.show_customer(pair["kept"])
    hint = page.duplicates_hint
    qtbot.waitUntil(lambda: hint.isVisible(), timeout=10_000)
    assert "上海恒通科技" in hint.text() and [str(i) for i, _name, _why in hint.found] == [pair["dup"]]

    dialog = hint.open_merge(pair["dup"])  # a child of the page, deleted once closed
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=10_000)
    assert dialog.kept_id == uuid.UUID(pair["kept"])
    assert _merge(qtbot, dialog) == [pair["kept"]]

    _assert_merged(rep.session.client, pair["kept"], pair["dup"], {"opportunity": 2, "service_case": 2})
    qtbot.waitUntil(lambda: not hint.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: page.sections["opportunities"].text().count("Deal 上海恒通科技") == 2, timeout=10_000)
