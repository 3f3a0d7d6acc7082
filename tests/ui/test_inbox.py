"""The conflict inbox, over a real guarded-field clash and a real rejection from the server: the
user sees mine and theirs, and each choice ends as the server's value after a sync."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.core import fmt
from app.core.tx import Change
from app.sync import SyncClient
from app.ui.inbox import InboxDialog
from tests.ui.desk import Desk


def _set_credit(c: SyncClient, customer_id, value: str) -> None:
    base = c.get("party", customer_id)["credit_limit"]
    c.mutate("crm.customer.update",
             {"id": str(customer_id), "credit_limit": Change(base=base, new=value).model_dump(mode="json")})


@pytest.fixture
def clash(desk: Desk):
    """Two reps raise one customer's credit limit offline (2,000 and 3,000); the second to sync
    gets the conflict. Returns (the other rep, the rep with the conflict, the customer id)."""
    a, b = desk.client("rep1"), desk.client("rep2")
    a.mutate("crm.customer.create", {"name": "北京燕山", "credit_limit": "1000.00"})
    a.sync()
    b.sync()
    customer = a.rows("party")[0]["id"]
    _set_credit(a, customer, "2000.00")
    _set_credit(b, customer, "3000.00")
    a.sync()
    assert b.sync().conflicts == 1
    return a, b, customer


def _open(qtbot, ctx) -> InboxDialog:
    dialog = InboxDialog(ctx)
    qtbot.addWidget(dialog)
    qtbot.waitSignal(dialog.loaded, timeout=10_000).wait()
    return dialog


def _settled(qtbot, dialog: InboxDialog, ctx) -> None:
    """Wait for the action, the re-read of the lists and the new counts."""
    qtbot.waitUntil(lambda: not ctx.ops.busy and not dialog.conflicts, timeout=10_000)


def _cells(table, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def test_a_clash_shows_the_record_the_field_and_mine_beside_theirs(qtbot, desk, clash):
    _a, b, _customer = clash
    ctx = desk.context(b)

    dialog = _open(qtbot, ctx)

    assert _cells(dialog.conflict_table, 0) == [
        "北京燕山", "Credit limit", fmt.money(Decimal("3000")), fmt.money(Decimal("2000"))]
    assert dialog.pages.currentWidget() is dialog.tabs
    assert dialog.tabs.tabText(0) == "Conflicts (1)"
    assert fmt.money(Decimal("1000")) in dialog.conflict_detail.text()
    assert dialog.keep_theirs_button.isEnabled() and dialog.reapply_button.isEnabled()


def test_keep_theirs_leaves_the_server_value_and_empties_the_inbox(qtbot, desk, clash, cluster):
    _a, b, customer = clash
    ctx = desk.context(b)
    dialog = _open(qtbot, ctx)

    qtbot.mouseClick(dialog.keep_theirs_button, Qt.MouseButton.LeftButton)
    _settled(qtbot, dialog, ctx)
    assert b.sync().ok

    assert b.pending() == [] and b.conflicts() == []
    assert desk.server_row(cluster, "party", id=customer)["credit_limit"] == Decimal("2000.00")
    qtbot.waitUntil(lambda: ctx.session.counts.inbox == 0, timeout=10_000)
    assert dialog.pages.currentWidget() is dialog.empty
    assert dialog.empty.text() == "Nothing to settle: every change reached the server."


def test_reapply_mine_sends_my_value_to_the_server(qtbot, desk, clash, cluster):
    a, b, customer = clash
    ctx = desk.context(b)
    dialog = _open(qtbot, ctx)

    dialog.reapply_button.click()
    _settled(qtbot, dialog, ctx)
    assert b.sync().ok and a.sync().ok

    assert desk.server_row(cluster, "party", id=customer)["credit_limit"] == Decimal("3000.00")
    assert a.get("party", customer)["credit_limit"] == Decimal("3000.00")


def test_edit_starts_from_mine_and_sends_the_typed_value(qtbot, desk, clash, cluster):
    _a, b, customer = clash
    ctx = desk.context(b)
    dialog = _open(qtbot, ctx)

    editor = dialog.edit_selected()
    assert editor is not None and editor.input.text() == "3,000.00"
    editor.input.setText("12abc")
    editor.accept()
    assert editor.isVisible() and "number" in editor.problem.text(), "a typo is caught in the editor"
    editor.input.clear()
    qtbot.keyClicks(editor.input, "2,500.50")
    editor.accept()
    _settled(qtbot, dialog, ctx)
    assert b.sync().ok

    assert desk.server_row(cluster, "party", id=customer)["credit_limit"] == Decimal("2500.50")
    assert b.get("party", customer)["credit_limit"] == Decimal("2500.50")


def test_a_rejected_change_shows_the_servers_reason_and_dismiss_removes_it(qtbot, desk, cluster):
    rep = desk.client("rep1")  # a sales rep may not create products: the server refuses it
    rep.mutate("erp.product.create", {"sku": "TEA-01", "name": "龙井茶"})
    assert rep.sync().rejected == 1
    [refused] = rep.rejected()
    ctx = desk.context(rep)

    dialog = _open(qtbot, ctx)

    assert dialog.tabs.currentIndex() == 1, "the tab with something in it is in front"
    action, record, reason, _when = _cells(dialog.rejected_table, 0)
    assert (action, record) == ("Create product", "龙井茶")
    assert reason == refused["message"] and "erp.product.create" in reason
    assert desk.server_row(cluster, "product", sku="TEA-01") is None

    dialog.dismiss_button.click()
    qtbot.waitUntil(lambda: not ctx.ops.busy and not dialog.rejected, timeout=10_000)

    assert rep.rejected() == []
    assert dialog.pages.currentWidget() is dialog.empty
