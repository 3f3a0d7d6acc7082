"""An admin manages the tenant's users from the Users page: changes go to the server, come back
through sync into the table, server errors appear next to the field they name, and offline the
page says why nothing can be changed."""

from __future__ import annotations

import pytest

from app.ui.pages.users import UsersPage
from tests.ui.desk import Desk


@pytest.fixture
def admin(desk: Desk):
    boss = desk.client("boss", role="admin")
    desk.add_user(desk.tenant, "rep1", "sales_rep", "correct horse", display_name="王芳")
    assert boss.sync().ok
    return boss


def _page(qtbot, ctx) -> UsersPage:
    page = UsersPage(ctx)
    qtbot.addWidget(page)
    page.resize(900, 500)
    qtbot.waitUntil(lambda: page.model.loaded and page.model.rowCount() > 0, timeout=10_000)
    return page


def _table(qtbot, page: UsersPage) -> dict[str, list[str]]:
    """username → the row's cells as shown, once every row has arrived."""
    model = page.model
    for row in range(model.rowCount()):
        model.data(model.index(row, 0))
    qtbot.waitUntil(lambda: all(model.row_data(r) is not None for r in range(model.rowCount())), timeout=10_000)
    rows = [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]
    return {cells[0]: cells for cells in rows}


def _select(qtbot, page: UsersPage, username: str) -> None:
    _table(qtbot, page)
    [row] = [r for r in range(page.model.rowCount()) if page.model.row_data(r)["username"] == username]
    page.view.selectRow(row)
    assert page.selected_user()["username"] == username


def test_an_added_user_reaches_the_server_and_the_table_after_the_sync(qtbot, desk, admin, cluster):
    ctx = desk.context(admin, start=True)
    page = _page(qtbot, ctx)
    assert set(_table(qtbot, page)) == {"boss", "rep1"}

    dialog = page.add_user()
    qtbot.keyClicks(dialog.username, "lihua")
    dialog.display_name.setText("李华")
    dialog.role.setCurrentIndex(dialog.role.findData("clerk"))
    qtbot.keyClicks(dialog.password, "a long password")
    qtbot.keyClicks(dialog.password_again, "a long password")
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)

    on_server = desk.server_row(cluster, "app_user", username="lihua")
    assert on_server is not None
    assert (on_server["display_name"], on_server["role"], on_server["locale"]) == ("李华", "clerk", "en")
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=15_000)
    assert _table(qtbot, page)["lihua"] == ["lihua", "李华", "Warehouse clerk", "Enabled"]


def test_a_taken_username_shows_the_servers_error_at_the_field_and_keeps_the_form(qtbot, desk, admin, cluster):
    page = _page(qtbot, desk.context(admin))
    dialog = page.add_user()
    qtbot.keyClicks(dialog.username, "rep1")
    dialog.display_name.setText("另一个王芳")
    qtbot.keyClicks(dialog.password, "a long password")
    qtbot.keyClicks(dialog.password_again, "a long password")

    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(dialog.error_of("username")), timeout=10_000)

    assert dialog.isVisible()
    assert dialog.error_of("username") == "A user called rep1 exists already."
    assert (dialog.username.text(), dialog.display_name.text(), dialog.password.text()) == (
        "rep1", "另一个王芳", "a long password")
    assert desk.server_row(cluster, "app_user", username="rep1")["display_name"] == "王芳"


def test_passwords_that_differ_are_caught_before_anything_is_sent(qtbot, desk, admin, cluster):
    page = _page(qtbot, desk.context(admin))
    dialog = page.add_user()
    qtbot.keyClicks(dialog.username, "zhaolei")
    qtbot.keyClicks(dialog.password, "a long password")
    qtbot.keyClicks(dialog.password_again, "a long passwort")

    dialog.ok_button.click()

    assert dialog.error_of("password_again") == "The two passwords differ."
    assert not page.ctx.ops.busy and desk.server_row(cluster, "app_user", username="zhaolei") is None


def test_disabling_a_user_reaches_the_server_and_the_table_shows_it(qtbot, desk, admin, cluster):
    ctx = desk.context(admin, start=True)
    page = _page(qtbot, ctx)
    _select(qtbot, page, "rep1")
    assert page.toggle_button.text() == "Disable"

    page.toggle_button.click()

    qtbot.waitUntil(lambda: desk.server_row(cluster, "app_user", username="rep1")["disabled"], timeout=10_000)
    qtbot.waitUntil(lambda: _table(qtbot, page)["rep1"][3] == "Disabled", timeout=15_000)
    qtbot.waitUntil(lambda: page.toggle_button.text() == "Enable", timeout=10_000)


def test_role_and_name_changes_reach_the_server(qtbot, desk, admin, cluster):
    page = _page(qtbot, desk.context(admin))
    _select(qtbot, page, "rep1")

    dialog = page.change_role()
    dialog.role.setCurrentIndex(dialog.role.findData("manager"))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    rename = page.rename()
    assert rename.display_name.text() == "王芳"
    rename.display_name.setText("王芳芳")
    rename.ok_button.click()
    qtbot.waitUntil(lambda: not rename.isVisible(), timeout=10_000)

    on_server = desk.server_row(cluster, "app_user", username="rep1")
    assert (on_server["role"], on_server["display_name"]) == ("manager", "王芳芳")


def test_demoting_the_last_admin_is_refused_in_the_dialog(qtbot, desk, admin, cluster):
    page = _page(qtbot, desk.context(admin))
    _select(qtbot, page, "boss")
    assert not page.toggle_button.isEnabled(), "nobody disables their own account here"

    dialog = page.change_role()
    dialog.role.setCurrentIndex(dialog.role.findData("clerk"))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(dialog.error_of("role")), timeout=10_000)

    assert dialog.isVisible()
    assert dialog.error_of("role") == "The last active administrator cannot be disabled or demoted."
    assert desk.server_row(cluster, "app_user", username="boss")["role"] == "admin"


def test_offline_every_change_is_disabled_and_the_page_says_why(qtbot, desk, admin):
    page = _page(qtbot, desk.context(admin, online=False))
    page.show()
    _select(qtbot, page, "rep1")

    assert page.note.isVisible()
    assert page.note.text() == "Changing users needs a connection to the server."
    buttons = (page.add_button, page.role_button, page.rename_button, page.toggle_button)
    assert not any(b.isEnabled() for b in buttons)
    assert page.add_user() is None
    assert set(_table(qtbot, page)) == {"boss", "rep1"}, "the list itself works offline"
