"""The desktop shell as a user meets it: signing in (online, wrong password, offline unlock), the
sidebar by role, the status bar following a real server going down and up, the language switch."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.ui.errors import ErrorReporter
from app.ui.launch import Desktop
from app.ui.main_window import MainWindow
from app.ui.ops import Ops
from app.ui.session import SyncState

PASSWORD = "correct horse"
SELLING_PAGES = ["Home", "My day", "Customers", "Leads", "Pipeline", "Service cases", "Quotes & orders", "Products"]
STOCK_PAGES = ["Receive goods", "Pick & ship", "Transfer stock", "Adjust stock", "Cycle count", "Warehouses"]


@pytest.fixture
def desktop(qtbot, prefs, client, tenant, tmp_path: Path):
    """Desktops made by a test, shut down before the in-process server (`client`) goes away."""
    made: list[Desktop] = []

    def make(http_factory=None) -> Desktop:
        reporter = ErrorReporter()
        reporter.quiet = True
        d = Desktop(prefs, Ops(), tmp_path / "client", reporter, http_factory=http_factory, probe_interval=0.1)
        made.append(d)
        return d

    yield make
    for d in made:
        d.shutdown()


def _fill_and_submit(qtbot, dialog, server: str, tenant: str, user: str, password: str) -> None:
    dialog.server.setText(server)
    dialog.tenant.setText(tenant)
    dialog.username.setText(user)
    dialog.password.setText(password)
    dialog.submit()


def _sign_in(qtbot, d: Desktop, server: str, tenant: str, user: str, password: str = PASSWORD) -> MainWindow:
    dialog = d.show_login()
    qtbot.addWidget(dialog)
    _fill_and_submit(qtbot, dialog, server, tenant, user, password)
    qtbot.waitUntil(lambda: d.window is not None, timeout=20_000)
    assert d.window is not None
    return d.window


def _sidebar(window: MainWindow) -> list[str]:
    return [window.sidebar.item(i).text() for i in range(window.sidebar.count())]


def test_online_sign_in_opens_the_window_with_the_pages_of_the_role(qtbot, desktop, staff, live_server):
    d = desktop()
    window = _sign_in(qtbot, d, live_server.url, staff.slug, "admin")
    assert _sidebar(window) == [*SELLING_PAGES, *STOCK_PAGES, "Purchasing", "Users", "Settings"]
    # the directory arrives with the first sync: the display name replaces the user name
    qtbot.waitUntil(lambda: "Admin 测试" in window.user_label.text(), timeout=20_000)
    assert d.ctx.session.state is SyncState.ONLINE
    assert window.status.state_label.property("state") == "online"


@pytest.mark.parametrize(("user", "pages"), [
    ("rep", [*SELLING_PAGES, "Settings"]), ("clerk", ["Home", "Products", *STOCK_PAGES, "Settings"]),
    ("manager", [*SELLING_PAGES, *STOCK_PAGES, "Purchasing", "Settings"]),
])
def test_roles_without_admin_rights_see_no_users_page(qtbot, desktop, staff, client, user, pages):
    d = desktop(http_factory=lambda _server: client)
    window = _sign_in(qtbot, d, "http://testserver", staff.slug, user)
    assert _sidebar(window) == pages


def test_wrong_password_says_so_and_keeps_the_form(qtbot, desktop, staff, client):
    d = desktop(http_factory=lambda _server: client)
    dialog = d.show_login()
    qtbot.addWidget(dialog)
    _fill_and_submit(qtbot, dialog, "http://testserver", staff.slug, "rep", "not the password")
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=20_000)
    assert d.window is None
    assert "password" in dialog.message.text().lower()
    assert dialog.username.text() == "rep" and dialog.tenant.text() == staff.slug


def test_empty_fields_are_named_before_anything_is_sent(qtbot, desktop):
    d = desktop()
    dialog = d.show_login()
    qtbot.addWidget(dialog)
    _fill_and_submit(qtbot, dialog, "http://127.0.0.1:9", "", "rep", "x")
    assert "Company (tenant)" in dialog.message.text()
    assert not d.ops.busy


def test_offline_unlock_after_one_online_sign_in(qtbot, desktop, staff, client):
    d = desktop(http_factory=lambda _server: client)
    _sign_in(qtbot, d, "http://testserver", staff.slug, "rep")
    d.shutdown()

    dead = httpx.Client(base_url="http://127.0.0.1:9", timeout=2)  # nothing listens: offline
    d2 = desktop(http_factory=lambda _server: dead)
    dialog = d2.show_login()
    qtbot.addWidget(dialog)
    _fill_and_submit(qtbot, dialog, "http://testserver", staff.slug, "rep", "wrong")
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=20_000)
    assert "Wrong password" in dialog.message.text()
    assert d2.window is None
    dialog.password.setText(PASSWORD)
    dialog.submit()
    qtbot.waitUntil(lambda: d2.window is not None, timeout=20_000)
    assert d2.ctx.session.state is SyncState.OFFLINE
    assert "Offline" in d2.window.status.state_label.text()


def test_a_user_never_signed_in_here_cannot_unlock_offline(qtbot, desktop, staff):
    dead = httpx.Client(base_url="http://127.0.0.1:9", timeout=2)
    d = desktop(http_factory=lambda _server: dead)
    dialog = d.show_login()
    qtbot.addWidget(dialog)
    _fill_and_submit(qtbot, dialog, "http://testserver", staff.slug, "planner", PASSWORD)
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=20_000)
    assert "has not signed in on this computer" in dialog.message.text()


def test_status_bar_goes_offline_with_the_server_and_syncs_when_it_is_back(qtbot, desktop, staff, live_server):
    d = desktop()
    window = _sign_in(qtbot, d, live_server.url, staff.slug, "rep")
    session = d.ctx.session
    qtbot.waitUntil(lambda: session.state is SyncState.ONLINE and session.last_report is not None, timeout=20_000)

    live_server.stop()
    session.sync_now()
    qtbot.waitUntil(lambda: session.state is SyncState.OFFLINE, timeout=20_000)
    assert window.status.state_label.property("state") == "offline"

    # work goes on offline: the change is in the cache at once and waits to be sent
    done = []
    session.mutate("crm.customer.create", {"name": "离线客户 Offline Ltd"}).success(done.append).run()
    qtbot.waitUntil(lambda: bool(done) and session.counts.pending == 1, timeout=20_000)
    assert "1 change waiting to be sent" in window.status.pending_label.text()
    assert [r["name"] for r in session.client.rows("party")] == ["离线客户 Offline Ltd"]

    live_server.start()
    qtbot.waitUntil(lambda: session.state is SyncState.ONLINE and session.counts.pending == 0, timeout=30_000)
    assert window.status.pending_label.text() == "All changes sent"
    assert "Last sync" in window.status.last_sync_label.text()


def test_switching_to_chinese_rebuilds_the_window_in_chinese(qtbot, desktop, staff, client):
    d = desktop(http_factory=lambda _server: client)
    window = _sign_in(qtbot, d, "http://testserver", staff.slug, "admin")
    window.go_to("settings")
    window.set_language("zh_CN")
    assert _sidebar(window)[:8] == ["首页", "我的一天", "客户", "线索", "销售漏斗", "服务工单", "报价与订单", "产品"]
    assert _sidebar(window)[-3:] == ["采购", "用户", "设置"]
    assert window.current_key() == "settings"
    assert d.prefs["locale"] == "zh_CN"
    window.set_language("en")
    assert _sidebar(window) == [*SELLING_PAGES, *STOCK_PAGES, "Purchasing", "Users", "Settings"]


def test_home_of_a_rep_counts_their_customers_only(qtbot, desktop, staff, client, tmp_path):
    from app.sync import SyncClient

    other = SyncClient.open(tmp_path / "other.sqlite", "http://testserver", staff.slug, http=client)
    other.login("manager", PASSWORD)
    rep_id = next(u["id"] for u in (other.sync(), other.rows("app_user", username="rep"))[1])
    for i in range(3):
        other.mutate("crm.customer.create", {"name": f"客户{i}", "owner_id": str(rep_id), "status": "active"})
    other.mutate("crm.customer.create", {"name": "别人的客户"})
    assert other.sync().ok
    other.close()

    d = desktop(http_factory=lambda _server: client)
    window = _sign_in(qtbot, d, "http://testserver", staff.slug, "rep")
    home = window.pages["home"]
    qtbot.waitUntil(lambda: _card_value(home, "card_customers") == "3", timeout=20_000)
    assert _card_value(home, "card_active") == "3"


def _card_value(page, name: str) -> str | None:
    from PySide6.QtWidgets import QFrame, QLabel

    card = page.findChild(QFrame, name)
    if card is None:
        return None
    return card.findChild(QLabel, "value").text()


def test_a_product_opened_from_the_search_shows_on_the_products_page(qtbot, desktop, staff, client):
    import uuid

    d = desktop(http_factory=lambda _server: client)
    window = _sign_in(qtbot, d, "http://testserver", staff.slug, "clerk")
    product = str(uuid.uuid4())
    d.ctx.session.client.mutate("erp.product.create", {"id": product, "sku": "HG-9", "name": "火锅底料"})
    page = window.open_record("product", product)
    assert window.sidebar.currentItem().text() == "Products"
    qtbot.waitUntil(lambda: str(page.selected_id()) == product, timeout=20_000)
