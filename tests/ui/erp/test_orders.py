"""A sales rep's quote to order on the road, told through the screens: with the server out of
reach the rep writes a quote for a customer with two lines (one in boxes of 12), sees what each
line can promise "as of last sync", saves, sends and confirms it (the delivery appears in the
cache, counted in stock units); the confirmed order refuses edits; the orders list shows its
provisional number, and the server's SO number once the rep's desktop has synced. Both desktops
talk to a real server on loopback."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from app.core.errors import DomainError
from app.core.ids import new_id
from app.core.schema import metadata
from app.erp.sales import delivery_id_for
from app.sync import SyncClient
from app.sync.cache import reading
from app.ui.context import AppContext
from app.ui.crm.view360 import Customer360Page
from app.ui.erp.order_editor import OrderEditor
from app.ui.erp.order_lines import AVAILABLE, PRICE, QTY
from app.ui.erp.orders import ChooseCustomerDialog, OrdersPage
from app.ui.ops import Ops
from app.ui.prefs import Prefs
from app.ui.qtapp import apply_language
from app.ui.session import Session, SyncState
from tests.ui.desk import PASSWORD, Desk

WAIT = 20_000
#: the barcode on a box of 12 bolts
BOLT_BOX = "16901234567899"
delivery_line = metadata.tables["delivery_line"]


def _seed(desk: Desk) -> dict[str, str]:
    """A warehouse with one bin; bolts (2.50 each, also by the box of 12) and nuts (1.20); 100
    bolts and 10 nuts on hand."""
    boss = desk.client("boss", "manager")
    ids = {name: str(new_id()) for name in ("WH", "A-01", "SUP", "BOLT", "NUT", "SHOP", "LI")}
    boss.mutate("erp.warehouse.create", {"id": ids["WH"], "code": "SH", "name": "上海仓"})
    boss.mutate("erp.location.create", {"id": ids["A-01"], "code": "A-01", "name": "货位 A-01",
                                        "warehouse_id": ids["WH"]})
    boss.mutate("erp.location.create", {"id": ids["SUP"], "code": "SUPPLIER", "name": "Suppliers",
                                        "kind": "supplier"})
    for key, sku, name, price in (("BOLT", "B-100", "六角螺栓 M8", "2.5000"), ("NUT", "N-200", "螺母 M8", "1.2000")):
        boss.mutate("erp.product.create", {"id": ids[key], "sku": sku, "name": name, "uom": "pcs",
                                           "list_price": price})
    boss.mutate("erp.product.unit.set", {"product_id": ids["BOLT"], "uom": "box", "factor": "12"})
    boss.mutate("erp.product.barcode.add", {"product_id": ids["BOLT"], "barcode": BOLT_BOX, "uom": "box"})
    now = dt.datetime.now(dt.UTC).isoformat()
    for product, qty in (("BOLT", "100"), ("NUT", "10")):
        boss.mutate("erp.stock.move", {"id": str(new_id()), "product_id": ids[product], "qty": qty,
                                       "from_location_id": ids["SUP"], "to_location_id": ids["A-01"],
                                       "kind": "receipt", "moved_at": now, "unit_cost": "1.0000"})
    assert boss.sync().ok and boss.rejected() == []
    return ids


def _desktop_cache(desk: Desk, server_url: str, username: str, name: str) -> SyncClient:
    """The rep's own cache on her laptop, signed in against the server on loopback."""
    desk.add_user(desk.tenant, username, "sales_rep", PASSWORD, display_name=name)
    client = SyncClient.open(desk.tmp_path / f"{username}-laptop.sqlite", server_url, desk.tenant.slug)
    client.retry_delays = (0.0, 0.0)
    client.login(username, PASSWORD)
    desk.clients.append(client)
    return client


def _show(qtbot, desk: Desk, widget, size=(1180, 720)):
    qtbot.addWidget(widget)
    desk.widgets.append(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _shot(widget, name: str) -> None:
    folder = os.environ.get("YITI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def _add(qtbot, editor: OrderEditor, typed: str) -> int:
    """Type (or scan) a product into the finder and Enter: a new line; its row."""
    rows = editor.lines.rowCount()
    editor.finder.field.setFocus()
    qtbot.keyClicks(editor.finder.field, typed)
    qtbot.keyClick(editor.finder.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.lines.rowCount() == rows + 1, timeout=WAIT)
    return rows


def _type_into_cell(qtbot, editor: OrderEditor, row: int, column: int, text: str) -> None:
    """Type over a cell by keyboard, as a rep does: the cell is current, keys start the editor,
    Enter commits."""
    lines = editor.lines
    lines.setFocus()
    lines.setCurrentCell(row, column)
    qtbot.keyClicks(lines, text)
    focus = QApplication.focusWidget() or lines
    qtbot.keyClick(focus, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lines.item(row, column).text() == text, timeout=WAIT)


def _cell(editor: OrderEditor, row: int, column: int) -> str:
    return editor.lines.item(row, column).text()


def _shots_in_chinese(qtbot, desk: Desk, ctx, order_id: uuid.UUID) -> None:
    """The editor and the list again, built in Chinese, for the record."""
    apply_language("zh_CN")
    try:
        editor = _show(qtbot, desk, OrderEditor(ctx, order_id=order_id))
        qtbot.waitUntil(lambda: editor.state == "confirmed" and editor.promised, timeout=WAIT)
        _shot(editor, "order_editor_zh_CN")
        page = _show(qtbot, desk, OrdersPage(ctx))
        page.choose_filter("all")
        qtbot.waitUntil(lambda: page.model.label_of(order_id) is not None, timeout=WAIT)
        _shot(page, "orders_zh_CN")
        editor.close()
        page.close()
    finally:
        apply_language("en")


def _wait_state(qtbot, editor: OrderEditor, state: str) -> None:
    qtbot.waitUntil(lambda: editor.state == state and not editor.busy, timeout=WAIT)


def test_a_rep_offline_quotes_sends_and_confirms_and_the_list_gets_the_server_number(qtbot, desk, live_server,
                                                                                   cluster):
    ids = _seed(desk)
    rep = _desktop_cache(desk, live_server.url, "wangfang", "王芳")
    rep.mutate("crm.customer.create", {"id": ids["SHOP"], "name": "上海华联超市", "city": "上海",
                                       "street": "南京东路 100 号"})
    rep.mutate("crm.contact.create", {"id": ids["LI"], "party_id": ids["SHOP"], "name": "李娜", "title": "采购经理"})
    # --- in the office: the desktop syncs the customer and the catalogue ---------------------------
    ctx = desk.context(rep, start=True)
    session = ctx.session
    qtbot.waitUntil(lambda: session.last_synced is not None and session.counts.pending == 0, timeout=WAIT)

    # --- on the road: the server is out of reach ----------------------------------------------------
    live_server.stop()
    session.sync_now()
    qtbot.waitUntil(lambda: session.state is SyncState.OFFLINE, timeout=WAIT)

    editor = _show(qtbot, desk, OrderEditor(ctx, party_id=ids["SHOP"]))
    qtbot.waitUntil(lambda: editor.data is not None, timeout=WAIT)
    assert editor.header.customer.text() == "上海华联超市"
    assert editor.header.contact.findData(ids["LI"]) > 0 and editor.header.warehouse.currentData() == ids["WH"]
    assert "南京东路" in editor.header.delivery_address.text()
    assert editor.label.startswith("SO-*") and editor.state is None
    assert not editor.buttons["cancel"].isEnabled() and editor.buttons["save"].isEnabled()
    editor.header.contact.setCurrentIndex(editor.header.contact.findData(ids["LI"]))
    editor.header.requested_date.setDate(QDate.currentDate().addDays(3))

    bolt = _add(qtbot, editor, BOLT_BOX)  # a scanned box: the line is in boxes
    assert editor.lines.unit_of(bolt) == "box" and _cell(editor, bolt, PRICE) == "30.00"  # list price × 12
    editor.lines.set_unit(bolt, "pcs")
    assert _cell(editor, bolt, PRICE) == "2.50"  # an untouched price follows the unit
    editor.lines.set_unit(bolt, "box")
    _type_into_cell(qtbot, editor, bolt, QTY, "2")
    nut = _add(qtbot, editor, "N-200")
    _type_into_cell(qtbot, editor, nut, QTY, "5")
    qtbot.waitUntil(lambda: editor.promised and _cell(editor, nut, AVAILABLE) != "…", timeout=WAIT)
    assert _cell(editor, bolt, AVAILABLE) == "100 pcs" and _cell(editor, nut, AVAILABLE) == "10 pcs"
    assert editor.freshness.text().startswith("Availability as of last sync")
    assert editor.total.text() == "Total CN¥66.00"
    _shot(editor, "order_editor_en")

    # a wrong quantity is shown at its line, and nothing typed is lost
    editor.lines.item(nut, QTY).setText("0")
    editor.buttons["save"].click()
    assert editor.lines_error.text() == "Line 2: Type a quantity above zero." and editor.state is None
    assert editor.lines.rowCount() == 2 and editor.lines.unit_of(bolt) == "box"
    editor.lines.item(nut, QTY).setText("5")
    editor.lines.set_unit(nut, "pcs")

    editor.buttons["save"].click()
    _wait_state(qtbot, editor, "draft")
    order_id = editor.order_id
    assert order_id == editor.new_id
    saved = rep.get("sales_order", order_id)
    assert saved is not None and saved["amount_total"] == Decimal("66.00") and saved["number"] is None
    assert str(saved["contact_id"]) == ids["LI"]
    assert editor.title.text() == f"Quotation {editor.label}" and editor.label.startswith("SO-*")

    editor.buttons["send"].click()
    _wait_state(qtbot, editor, "sent")
    editor.buttons["confirm"].click()
    _wait_state(qtbot, editor, "confirmed")
    delivery = rep.get("delivery", delivery_id_for(order_id))
    assert delivery is not None and delivery["state"] == "ready" and str(delivery["warehouse_id"]) == ids["WH"]
    with reading(rep.db) as conn:
        shipped = {str(r.product_id): r.qty for r in conn.execute(
            sa.select(delivery_line).where(delivery_line.c.delivery_id == delivery["id"]))}
    assert shipped == {ids["BOLT"]: Decimal(24), ids["NUT"]: Decimal(5)}  # 2 boxes = 24 pcs
    qtbot.waitUntil(lambda: editor.promised and _cell(editor, 0, AVAILABLE) == "76 pcs", timeout=WAIT)

    # a confirmed order refuses edits: on screen, and in the cache if asked anyway
    assert not editor.buttons["save"].isEnabled() and not editor.finder.isEnabled()
    assert not editor.buttons["confirm"].isEnabled() and editor.buttons["cancel"].isEnabled()
    assert editor.lines.editTriggers() == editor.lines.EditTrigger.NoEditTriggers
    refused: list[BaseException] = []
    session.mutate("erp.order.update", {"id": str(order_id), "notes": {"base": None, "new": "rush"}}) \
        .failure(refused.append).run()
    qtbot.waitUntil(lambda: bool(refused), timeout=WAIT)
    assert isinstance(refused[0], DomainError) and refused[0].code == "erp.invalid_transition"

    # --- the list: the provisional number, then the server's once synced --------------------------
    page = _show(qtbot, desk, OrdersPage(ctx))
    assert page.mine.isChecked()
    page.choose_filter("open")
    provisional = editor.label
    qtbot.waitUntil(lambda: page.model.label_of(order_id) == provisional, timeout=WAIT)
    _shot(page, "orders_en")
    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index(page.model.row_of(order_id), 0))
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(page.editors) and page.editors[-1].state == "confirmed", timeout=WAIT)
    assert page.editors[-1].order_id == order_id

    _shots_in_chinese(qtbot, desk, ctx, order_id)

    live_server.start()
    session.sync_now()
    qtbot.waitUntil(lambda: session.state is SyncState.ONLINE and session.counts.pending == 0, timeout=WAIT)
    assert rep.rejected() == []
    number = desk.server_row(cluster, "sales_order", id=str(order_id))["number"]
    assert number.startswith(f"SO-{dt.date.today().year}-")
    qtbot.waitUntil(lambda: page.model.label_of(order_id) == number, timeout=WAIT)
    qtbot.waitUntil(lambda: editor.label == number, timeout=WAIT)
    assert editor.freshness.text() == ""



NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def laptop(tmp_path: Path) -> Iterator[AppContext]:
    """A rep's cache with nothing listening at the server address (offline from the start)."""
    http = httpx.Client(base_url=NOWHERE)
    client = SyncClient.open(tmp_path / "laptop.sqlite", NOWHERE, "acme", http=http)
    ops = Ops()
    session = Session(client, ops, online=False)
    yield AppContext(session, ops, Prefs(tmp_path / "prefs.json"))
    ops.wait()
    QApplication.processEvents()
    ops.wait()
    session.close()
    http.close()


def _catalogue(c: SyncClient) -> dict[str, str]:
    ids = {name: str(new_id()) for name in ("SHOP", "BOLT")}
    c.mutate("crm.customer.create", {"id": ids["SHOP"], "name": "杭州联华华商", "city": "杭州"})
    c.mutate("erp.product.create", {"id": ids["BOLT"], "sku": "B-100", "name": "六角螺栓 M8", "uom": "pcs",
                                    "list_price": "2.5000"})
    return ids


def test_new_quote_from_the_360_view_and_from_the_list_and_an_error_at_its_field(qtbot, laptop, tmp_path):
    ids = _catalogue(laptop.session.client)
    view = Customer360Page(laptop)
    qtbot.addWidget(view)
    view.show_customer(ids["SHOP"])
    qtbot.waitUntil(lambda: view.loaded is not None and view.quick_actions["new_quote"].isEnabled())
    editor = view.open_action("quote")
    assert isinstance(editor, OrderEditor)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.data is not None)
    assert editor.header.customer.text() == "杭州联华华商" and editor.header.warehouse.count() == 0
    editor.close()

    page = OrdersPage(laptop)
    qtbot.addWidget(page)
    page.show()
    chooser = page.new_quote()
    assert isinstance(chooser, ChooseCustomerDialog)
    chooser.submit()
    assert chooser.error_of("party_id") == "Choose the customer." and chooser.isVisible()
    qtbot.keyClicks(chooser.customer.search, "hangzhou")
    qtbot.waitUntil(lambda: chooser.customer.party_id() == ids["SHOP"])
    chooser.submit()
    qtbot.waitUntil(lambda: bool(page.editors))
    editor = page.editors[-1]
    qtbot.waitUntil(lambda: editor.data is not None)
    assert editor.party_id == uuid.UUID(ids["SHOP"])

    # no warehouse yet: saving works, confirming says so under the warehouse field, nothing is lost
    editor.buttons["save"].click()
    assert editor.lines_error.text() == "Add at least one line."
    _add(qtbot, editor, "liujiao")  # the pinyin of 六角螺栓
    _type_into_cell(qtbot, editor, 0, QTY, "3")
    editor.buttons["confirm"].click()
    qtbot.waitUntil(lambda: editor.header.errors["warehouse_id"].text() != "" and not editor.busy)
    assert "no warehouse" in editor.header.errors["warehouse_id"].text()
    qtbot.waitUntil(lambda: editor.state == "draft")  # saved first, then refused
    assert _cell(editor, 0, QTY) == "3" and "no warehouse" in editor.header.errors["warehouse_id"].text()
    assert laptop.session.client.get("sales_order", editor.order_id)["state"] == "draft"

    # the rep gives up on it: cancelled with a reason, and nothing can be done with it any more
    dialog = editor.ask_cancel()
    assert dialog is not None and not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.reason, "customer chose another supplier")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: editor.state == "cancelled" and not editor.busy)
    cancelled = laptop.session.client.get("sales_order", editor.order_id)
    assert cancelled["cancel_reason"] == "customer chose another supplier"
    assert not any(b.isEnabled() for b in editor.buttons.values())
