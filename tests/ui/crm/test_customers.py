"""A sales rep works the Customers page: finds customers by typing (name, pinyin, initials), by a
saved filter, sorts them, creates one through the form (warned of duplicates first), and sees
other reps' customers read-only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from app.sync.codec import loads
from app.ui.crm.customer_form import CustomerFormDialog
from app.ui.crm.customers import CustomersPage
from tests.ui.desk import Desk


@pytest.fixture
def rep(desk: Desk):
    """rep1's cache: two customers of theirs and one of rep2's, synced."""
    other = desk.client("rep2")
    other.mutate("crm.customer.create", {"name": "北京远航科技有限公司", "code": "C-003", "city": "北京",
                                         "owner_id": str(other.user_id()), "phone": "010-8888 7777"})
    assert other.sync().ok
    me = desk.client("rep1")
    mine = str(me.user_id())
    me.mutate("crm.customer.create", {"name": "张伟贸易有限公司", "code": "C-002", "city": "上海", "tier": "A",
                                      "owner_id": mine, "phone": "138 0000 1111"})
    me.mutate("crm.customer.create", {"name": "Acme Trading", "code": "C-001", "city": "Hangzhou",
                                      "owner_id": mine, "email": "buy@acme.example"})
    assert me.sync().ok
    return me


def _page(qtbot, ctx) -> CustomersPage:
    page = CustomersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 500)
    qtbot.waitUntil(lambda: page.model.loaded and page.model.rowCount() > 0 and bool(page.filters), timeout=10_000)
    return page


def _names(qtbot, page: CustomersPage) -> list[str]:
    """The names in the list, in its order, once every row arrived."""
    model = page.model

    def arrived() -> bool:
        for row in range(model.rowCount()):
            model.data(model.index(row, 0))  # as a view asks: fetches the rows not cached yet
        return all(model.row_data(r) is not None for r in range(model.rowCount()))

    qtbot.waitUntil(arrived, timeout=10_000)
    return [model.row_data(r)["name"] for r in range(model.rowCount())]


def _wait_for_count(qtbot, page: CustomersPage, n: int) -> None:
    qtbot.waitUntil(lambda: page.model.rowCount() == n and not page.debounce.isActive(), timeout=10_000)
    ctx = page.ctx
    ctx.ops.wait()
    qtbot.wait(20)


def _outbox(client) -> list[tuple[str, dict]]:
    with client.db.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, args FROM outbox ORDER BY id")).all()
    return [(name, loads(args)) for name, args in rows]


def _form(qtbot, dialog: CustomerFormDialog) -> CustomerFormDialog:
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=10_000)
    return dialog


def test_typing_filters_the_list_by_name_pinyin_and_initials(qtbot, desk, rep):
    page = _page(qtbot, desk.context(rep))
    assert len(_names(qtbot, page)) == 3
    assert page.count.text() == "3 customers"

    qtbot.keyClicks(page.search, "zhangwei")
    _wait_for_count(qtbot, page, 1)
    assert _names(qtbot, page) == ["张伟贸易有限公司"]
    assert page.count.text() == "1 customer"

    page.search.clear()
    qtbot.keyClicks(page.search, "bjyh")  # 北京远航: initials
    _wait_for_count(qtbot, page, 1)
    assert _names(qtbot, page) == ["北京远航科技有限公司"]

    page.search.setText("远航")
    _wait_for_count(qtbot, page, 1)
    assert _names(qtbot, page) == ["北京远航科技有限公司"]

    page.search.setText("acme")
    _wait_for_count(qtbot, page, 1)
    assert _names(qtbot, page) == ["Acme Trading"]


def test_my_customers_shows_only_the_reps_own(qtbot, desk, rep):
    page = _page(qtbot, desk.context(rep))
    page.choose_filter("mine")
    _wait_for_count(qtbot, page, 2)
    assert sorted(_names(qtbot, page)) == ["Acme Trading", "张伟贸易有限公司"]

    page.choose_filter("tier_a_shanghai")
    _wait_for_count(qtbot, page, 1)
    assert _names(qtbot, page) == ["张伟贸易有限公司"]


def test_a_saved_filter_appears_in_the_picker_and_is_queued(qtbot, desk, rep):
    page = _page(qtbot, desk.context(rep))
    page.search.setText("acme")
    _wait_for_count(qtbot, page, 1)
    page.save_current_filter("Acme only")
    qtbot.waitUntil(lambda: page.filter_picker.findText("Acme only") >= 0, timeout=10_000)
    name, args = _outbox(rep)[-1]
    assert name == "crm.saved_filter.create" and args["definition"]["text"] == "acme"


def test_clicking_a_header_sorts_in_sql(qtbot, desk, rep):
    page = _page(qtbot, desk.context(rep))
    page.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # code
    qtbot.waitUntil(lambda: _names(qtbot, page)[0] == "北京远航科技有限公司", timeout=10_000)
    assert _names(qtbot, page) == ["北京远航科技有限公司", "张伟贸易有限公司", "Acme Trading"]
    page.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: _names(qtbot, page)[0] == "Acme Trading", timeout=10_000)
    assert _names(qtbot, page) == ["Acme Trading", "张伟贸易有限公司", "北京远航科技有限公司"]


def test_the_customer_model_passes_the_model_tester(qtbot, qtmodeltester, desk, rep):
    page = _page(qtbot, desk.context(rep))
    _names(qtbot, page)
    qtmodeltester.check(page.model)


def test_enter_opens_the_360_view_of_the_selected_customer(qtbot, desk, rep):
    ctx = desk.context(rep)
    opened: list[str] = []
    ctx.actions["open_customer"] = opened.append
    page = _page(qtbot, ctx)
    page.search.setText("acme")
    _wait_for_count(qtbot, page, 1)
    page.view.selectRow(0)
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert opened == [str(page.model.id_at(0))]


def test_a_customer_created_in_the_form_is_listed_and_queued(qtbot, desk, rep):
    page = _page(qtbot, desk.context(rep))
    dialog = _form(qtbot, page.new_customer())
    assert dialog.value("owner_id") == rep.user_id()  # a rep's new customer is theirs
    dialog.widgets["name"].setText("Globex 环球")
    dialog.widgets["city"].setText("苏州")
    dialog.widgets["credit_limit"].setText("12,345.50")
    dialog.widgets["tags"].setText("vip, 展会")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.submit()
    qtbot.waitUntil(lambda: "Globex 环球" in _names(qtbot, page), timeout=10_000)
    name, args = _outbox(rep)[-1]
    assert name == "crm.customer.create"
    assert args["name"] == "Globex 环球" and args["credit_limit"] == "12345.50" and args["tags"] == ["vip", "展会"]
    assert args["owner_id"] == str(rep.user_id())


def test_a_bad_value_is_shown_at_its_field_and_the_form_is_kept(qtbot, desk, rep):
    page = _page(qtbot, desk.context(rep))
    dialog = _form(qtbot, page.new_customer())
    dialog.show()
    dialog.widgets["name"].setText("Initech")
    dialog.widgets["credit_limit"].setText("a lot")
    dialog.submit()
    assert "number" in dialog.error_of("credit_limit")
    dialog.widgets["credit_limit"].setText("-5")
    dialog.submit()
    assert dialog.error_of("credit_limit")
    assert dialog.isVisible() and dialog.widgets["name"].text() == "Initech"
    assert all(name != "crm.customer.create" or args["name"] != "Initech" for name, args in _outbox(rep))


def test_a_possible_duplicate_is_shown_before_creating(qtbot, desk, rep):
    ctx = desk.context(rep)
    opened: list[str] = []
    ctx.actions["open_customer"] = opened.append
    page = _page(qtbot, ctx)
    before = len(_outbox(rep))
    dialog = _form(qtbot, page.new_customer())
    dialog.widgets["name"].setText("张伟商贸")
    dialog.widgets["phone"].setText("+86 138-0000-1111")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.duplicates_shown), timeout=10_000)
    assert "张伟贸易有限公司" in dialog.duplicates_shown[0] and "same phone" in dialog.duplicates_shown[0]
    assert len(_outbox(rep)) == before

    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.create_anyway()
    assert _outbox(rep)[-1][1]["name"] == "张伟商贸"

    again = _form(qtbot, page.new_customer())
    again.widgets["name"].setText("Acme Trading Co., Ltd.")
    again.submit()
    qtbot.waitUntil(lambda: bool(again.duplicates_shown), timeout=10_000)
    again.open_duplicate()
    assert len(opened) == 1 and len(_outbox(rep)) == before + 1


def test_an_edit_sends_only_the_changed_fields(qtbot, desk, rep):
    page = _page(qtbot, desk.context(rep))
    page.search.setText("acme")
    _wait_for_count(qtbot, page, 1)
    page.view.selectRow(0)
    dialog = _form(qtbot, page.edit_customer())
    assert not dialog.read_only and dialog.widgets["email"].text() == "buy@acme.example"
    dialog.widgets["phone"].setText("0571-8888 0000")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.submit()
    name, args = _outbox(rep)[-1]
    assert name == "crm.customer.update"
    sent = {k: v for k, v in args.items() if k != "id" and v is not None}
    assert sent == {"phone": {"base": None, "new": "0571-8888 0000"}}


def test_a_rep_sees_another_reps_customer_read_only(qtbot, desk, rep):
    page = _page(qtbot, desk.context(rep))
    page.search.setText("远航")
    _wait_for_count(qtbot, page, 1)
    page.view.selectRow(0)
    dialog = _form(qtbot, page.edit_customer())
    assert dialog.read_only
    assert "rep2" in dialog.note.text() and not dialog.note.isHidden()
    assert dialog.save_button.isHidden() and dialog.widgets["name"].isReadOnly()
    before = len(_outbox(rep))
    dialog.submit()
    assert len(_outbox(rep)) == before


def test_the_tenants_custom_fields_are_in_the_form_and_required_ones_enforced(qtbot, desk, rep):
    boss = desk.client("boss", role="manager")
    boss.mutate("crm.custom_field.create", {"key": "channel", "label_zh": "渠道", "label_en": "Channel",
                                            "type": "choice", "choices": ["direct", "partner"], "required": True})
    boss.mutate("crm.custom_field.create", {"key": "staff", "label_zh": "员工数", "label_en": "Staff",
                                            "type": "number", "position": 1})
    assert boss.sync().ok and rep.sync().ok
    page = _page(qtbot, desk.context(rep))
    dialog = _form(qtbot, page.new_customer())
    [channel] = [k for k in dialog.widgets if k.startswith("custom_values.") and dialog._field(k).type == "choice"]
    [staff] = [k for k in dialog.widgets if k.startswith("custom_values.") and dialog._field(k).type == "number"]
    dialog.widgets["name"].setText("Hooli")
    dialog.widgets[staff].setText("1,200")
    dialog.submit()
    assert dialog.error_of(channel) == "This field is required."
    dialog.set_value(channel, "partner")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.submit()
    args = _outbox(rep)[-1][1]
    assert args["custom_values"] == {channel.split(".", 1)[1]: "partner", staff.split(".", 1)[1]: "1200"}
