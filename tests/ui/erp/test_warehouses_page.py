"""The Warehouses page: a manager adds a warehouse and a bin and renames it; a clerk sees what each
bin holds and may add bins but not warehouses."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import Qt

from app.ui.erp.warehouses import WarehousesPage

WAIT = 20_000


def _page(qtbot, desk, client) -> WarehousesPage:
    page = WarehousesPage(desk.context(client))
    qtbot.addWidget(page)
    desk.widgets.append(page)
    page.show()
    return page


def _select(page: WarehousesPage, code: str) -> None:
    for i in range(page.tree.topLevelItemCount()):
        top = page.tree.topLevelItem(i)
        for item in [top, *(top.child(j) for j in range(top.childCount()))]:
            if item.text(0) == code:
                page.tree.setCurrentItem(item)
                return
    raise AssertionError(f"{code} is not listed")


def test_a_manager_adds_a_warehouse_and_a_bin_and_renames_the_bin(qtbot, desk):
    boss = desk.client("boss", "manager")
    page = _page(qtbot, desk, boss)
    qtbot.waitUntil(lambda: page.empty.isVisibleTo(page), timeout=WAIT)
    dialog = page.add_warehouse()
    dialog.submit()
    assert dialog.error_of("code") and dialog.error_of("name"), "both are required"
    dialog.code.setText("SH")
    dialog.name.setText("上海总仓")
    dialog.submit()
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() == 1, timeout=WAIT)
    _select(page, "SH")
    dialog = page.add_bin()
    assert dialog.code.text() == "SH-"
    dialog.code.setText("SH-A01")
    dialog.name.setText("A 区 01")
    dialog.submit()
    qtbot.waitUntil(lambda: page.tree.topLevelItem(0).childCount() == 1, timeout=WAIT)
    _select(page, "SH-A01")
    dialog = page.rename_bin()
    dialog.name.setText("A 区 01 号货架")
    dialog.submit()
    qtbot.waitUntil(lambda: page.tree.topLevelItem(0).child(0).text(1) == "A 区 01 号货架", timeout=WAIT)
    [bin_] = boss.rows("location", code="SH-A01")
    [house] = boss.rows("warehouse", code="SH")
    assert bin_["warehouse_id"] == house["id"] and bin_["kind"] == "internal"
    assert boss.sync().ok


def test_a_clerk_sees_what_each_bin_holds_and_cannot_add_a_warehouse(qtbot, desk):
    boss = desk.client("boss", "manager")
    house = str(uuid.uuid4())
    boss.mutate("erp.warehouse.create", {"id": house, "code": "SZ", "name": "深圳仓"})
    bin_, supplier, product = (str(uuid.uuid4()) for _ in range(3))
    boss.mutate("erp.location.create", {"id": bin_, "code": "SZ-01", "name": "一号", "warehouse_id": house})
    boss.mutate("erp.location.create", {"id": supplier, "code": "VENDOR", "name": "供应商", "kind": "supplier"})
    boss.mutate("erp.product.create", {"id": product, "sku": "B-1", "name": "螺栓"})
    boss.mutate("erp.stock.move", {"id": str(uuid.uuid4()), "product_id": product, "qty": "12.5",
                                   "from_location_id": supplier, "to_location_id": bin_, "kind": "receipt",
                                   "moved_at": dt.datetime(2026, 6, 1, tzinfo=dt.UTC).isoformat()})
    assert boss.sync().ok
    clerk = desk.client("clerk", "clerk")
    assert clerk.sync().ok
    page = _page(qtbot, desk, clerk)
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() == 1, timeout=WAIT)
    row = page.tree.topLevelItem(0).child(0)
    assert (row.text(0), row.text(3), row.text(4)) == ("SZ-01", "1", "12.5")
    assert not page.new_house.isVisibleTo(page) and page.new_bin.isVisibleTo(page)
    page.tree.setCurrentItem(row)
    assert page.rename.isEnabled()
    assert page.tree.topLevelItem(0).data(0, Qt.ItemDataRole.UserRole)[1] is None
