"""A manager writes a purchase order in the editor (a box of 12 priced at twelve times the standard
cost until a price is typed), confirms it, and the server numbers it; a planner, whose computer
holds no supplier list, is told so in the editor and turns the Reorder tab's suggestion (reorder
point, safety stock, minimum quantity and multiple applied) into a draft order in one click, while
a product with no supplier is listed apart."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from app.core.i18n import set_locale
from app.core.ids import new_id
from app.core.schema import metadata
from app.sync.cache import reading
from app.ui.erp.purchasing import PurchasingPage
from app.ui.qtapp import apply_language
from tests.ui.erp.scan_world import WAIT, build, shot, synced

po, po_line = metadata.tables["purchase_order"], metadata.tables["purchase_order_line"]


@pytest.fixture
def world(desk, cluster):
    w = build(desk, cluster, with_order=False)
    ids = w.ids
    ids["GEAR"], ids["PIN"] = str(new_id()), str(new_id())
    w.boss.mutate("erp.product.create", {
        "id": ids["GEAR"], "sku": "GEAR-20", "name": "齿轮 Z20", "standard_cost": "3",
        "default_supplier_id": ids["SUP"], "lead_time_days": 7, "reorder_point": "10", "safety_stock": "5",
        "min_order_qty": "20", "order_multiple": "12"})
    w.boss.mutate("erp.product.create", {"id": ids["PIN"], "sku": "PIN-3", "name": "销钉 3mm", "reorder_point": "4"})
    synced(w.boss)
    return w


def _page(qtbot, desk, client) -> PurchasingPage:
    page = PurchasingPage(desk.context(client))
    desk.widgets.append(page)
    page.resize(1200, 720)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.ready and not page.ctx.ops.busy, timeout=WAIT)
    return page


def _orders(c) -> list[dict]:
    with reading(c.db) as conn:
        return [dict(r) for r in conn.execute(sa.select(po).order_by(po.c.id)).mappings()]


def _lines(c, order_id) -> list[dict]:
    with reading(c.db) as conn:
        return [dict(r) for r in conn.execute(sa.select(po_line).where(po_line.c.order_id == order_id)
                                              .order_by(po_line.c.position)).mappings()]


def _idle(qtbot, page) -> None:
    qtbot.waitUntil(lambda: not page.ctx.ops.busy, timeout=WAIT)


def test_a_manager_writes_a_purchase_order_in_the_editor_and_confirms_it(qtbot, desk, world, cluster):
    ids, boss = world.ids, world.boss
    page = _page(qtbot, desk, boss)
    tab = page.orders
    assert tab.table.rowCount() == 0 and not tab.confirm_button.isEnabled()

    editor = tab.open_editor(None)
    qtbot.waitUntil(lambda: editor.ready, timeout=WAIT)
    assert editor.supplier_note.isHidden(), "a manager's cache has the suppliers"
    editor.supplier.setCurrentIndex(editor.supplier.findData(ids["SUP"]))
    product = editor.lines.cellWidget(0, 0)
    product.setCurrentIndex(product.findData(ids["BOLT"]))
    unit, price = editor.lines.cellWidget(0, 2), editor.lines.cellWidget(0, 3)
    unit.setCurrentIndex(unit.findData("box"))
    assert price.text() == "14.4", "a box of 12 at the standard cost of 1.2"
    qtbot.keyClicks(editor.lines.cellWidget(0, 1), "5")
    row = editor.add_line()
    editor.lines.cellWidget(row, 0).setCurrentIndex(editor.lines.cellWidget(row, 0).findData(ids["NUT"]))
    qtbot.keyClicks(editor.lines.cellWidget(row, 1), "100")
    editor.lines.cellWidget(row, 3).clear()
    qtbot.keyClicks(editor.lines.cellWidget(row, 3), "0.35")
    shot(editor, "purchase-editor-en")
    editor.ok_button.click()
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    _idle(qtbot, page)

    (order,) = _orders(boss)
    assert order["state"] == "draft" and order["party_id"] == uuid.UUID(ids["SUP"])
    assert order["supplier_name"] == "宁波紧固件厂" and Decimal(order["amount_total"]) == Decimal("107")
    bolt, nut = _lines(boss, order["id"])
    assert (bolt["uom"], Decimal(bolt["qty"]), Decimal(bolt["uom_factor"]), Decimal(bolt["unit_price"])) == \
        ("box", 5, 12, Decimal("14.4"))
    assert (nut["uom"], Decimal(nut["qty"]), Decimal(nut["unit_price"])) == ("pcs", 100, Decimal("0.35"))

    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=WAIT)
    assert tab.table.item(0, 0).text().startswith("PO-*"), "a provisional number until the first sync"
    assert tab.table.item(0, 4).text() == "Draft" and tab.confirm_button.isEnabled()

    tab.open_selected()  # a draft opens for editing: 6 boxes instead of 5
    qtbot.waitUntil(lambda: tab.editor is not editor and tab.editor is not None and tab.editor.ready, timeout=WAIT)
    again = tab.editor
    assert again.lines.rowCount() == 2 and again.lines.cellWidget(0, 3).text() == "14.4"
    again.lines.cellWidget(0, 1).setText("6")
    again.ok_button.click()
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=WAIT)
    _idle(qtbot, page)
    assert Decimal(_orders(boss)[0]["amount_total"]) == Decimal("121.4")
    assert [Decimal(line["qty"]) for line in _lines(boss, order["id"])] == [6, 100]
    tab.confirm_button.click()
    _idle(qtbot, page)
    assert _orders(boss)[0]["state"] == "confirmed"
    qtbot.waitUntil(lambda: tab.table.item(0, 4).text() == "Confirmed", timeout=WAIT)
    assert not tab.confirm_button.isEnabled() and tab.cancel_button.isEnabled()
    assert tab.open_button.text() == "Open…", "a confirmed order is shown, not edited"

    synced(boss)
    server = desk.server_row(cluster, "purchase_order", id=str(order["id"]))
    assert server is not None and server["state"] == "confirmed" and server["number"].startswith("PO-")
    tab.reload()
    qtbot.waitUntil(lambda: tab.table.item(0, 0).text() == server["number"], timeout=WAIT)
    assert tab.table.item(0, 6).text() == "0%"
    shot(page, "purchasing-orders-en")


def test_a_planner_turns_reorder_suggestions_into_a_draft_order(qtbot, desk, world, cluster):
    ids = world.ids
    planner = desk.client("plan", "planner")
    synced(planner)
    page = _page(qtbot, desk, planner)

    editor = page.orders.open_editor(None)
    qtbot.waitUntil(lambda: editor.ready, timeout=WAIT)
    assert not editor.supplier_note.isHidden() and "Reorder" in editor.supplier_note.text()
    editor.reject()

    page.tabs.setCurrentWidget(page.reorder)
    tab = page.reorder
    assert tab.table.rowCount() == 1 and tab.table.item(0, 1).text() == "GEAR-20 齿轮 Z20"
    (gear,) = tab.suggestions
    # need 10 + 5 − 0 = 15, at least 20, in multiples of 12 → 24, in 7 days
    assert gear.qty == 24 and tab.table.item(0, 6).text() == "24"
    assert tab.unsourced.isVisibleTo(tab) and tab.unsourced.item(0, 0).text() == "PIN-3 销钉 3mm"
    shot(page, "purchasing-reorder-en")

    tab.create_button.click()
    _idle(qtbot, page)
    (order,) = _orders(planner)
    assert order["state"] == "draft" and order["party_id"] == uuid.UUID(ids["SUP"])
    (line,) = _lines(planner, order["id"])
    assert line["product_id"] == uuid.UUID(ids["GEAR"]) and Decimal(line["qty"]) == 24
    assert Decimal(line["unit_price"]) == 3 and order["expected_date"] == gear.expected_date
    qtbot.waitUntil(lambda: tab.table.rowCount() == 0, timeout=WAIT)  # the draft counts as incoming
    assert "1 draft purchase order" in tab.message.text()
    qtbot.waitUntil(lambda: page.orders.table.rowCount() == 1, timeout=WAIT)

    synced(planner)
    server = desk.server_row(cluster, "purchase_order", id=str(order["id"]))
    assert server is not None and server["supplier_name"] == "宁波紧固件厂", "the server names the supplier"


def test_the_purchasing_page_in_chinese(qtbot, desk, world):
    apply_language("zh_CN")
    set_locale("zh_CN")
    page = _page(qtbot, desk, world.boss)
    world.boss.mutate("erp.purchase.create", {
        "id": str(new_id()), "party_id": world.ids["SUP"], "warehouse_id": world.ids["WH"],
        "order_date": "2026-12-01", "lines": [{"id": str(new_id()), "product_id": world.ids["NUT"], "qty": "1200"}]})
    page.orders.reload()
    qtbot.waitUntil(lambda: page.orders.table.rowCount() == 1, timeout=WAIT)
    shot(page, "purchasing-orders-zh")
    editor = page.orders.open_editor(None)
    qtbot.waitUntil(lambda: editor.ready, timeout=WAIT)
    shot(editor, "purchase-editor-zh")
    editor.reject()
    page.tabs.setCurrentWidget(page.reorder)
    qtbot.keyClick(page.reorder.table, Qt.Key.Key_Down)
    shot(page, "purchasing-reorder-zh")
    assert page.reorder.table.rowCount() == 1
