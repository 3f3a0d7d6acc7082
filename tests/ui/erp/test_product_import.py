"""Importing products from a spreadsheet on a real cache: a clean file queues its creates in one
go and lands in the cache, a duplicate SKU can update the existing product's empty fields, a bad
row blocks everything, and an export reads back; only catalogue roles see the buttons."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from app.core.ids import new_id
from app.core.sheets import read_sheet, write_sheet
from app.ui.crm.import_dialog import CHECK
from app.ui.erp.product_import import ProductImportDialog, export_product_file
from app.ui.erp.products import ProductsPage
from tests.ui.desk import Desk

WAIT = 10_000


@pytest.fixture
def boss(desk: Desk):
    client = desk.client("boss", "manager")
    client.mutate("erp.product.create", {"id": str(new_id()), "sku": "B-100", "name": "六角螺栓 M8",
                                         "list_price": "2.5", "barcodes": ["6901234567892"]})
    return desk.context(client, online=False)


def _shot(widget: QWidget, name: str) -> None:
    """A screenshot for the record, where the run asks for them (YITI_SHOTS)."""
    folder = os.environ.get("YITI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def _dialog(desk: Desk, ctx, qtbot, path: Path) -> ProductImportDialog:
    dialog = ProductImportDialog(ctx)
    desk.widgets.append(dialog)
    qtbot.addWidget(dialog)
    dialog.load_file(path)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=WAIT)
    return dialog


def _products(ctx) -> dict[str, dict]:
    return {r["sku"]: r for r in ctx.session.client.rows("product")}


def test_a_file_imports_new_products_and_updates_the_chosen_duplicate(desk, boss, qtbot, tmp_path):
    path = tmp_path / "products.xlsx"
    write_sheet(path, ["编码", "品名", "售价", "条码", "备注"], [
        ["W-300", "平垫圈 M8", "¥1,200", "6900000000011,6900000000028", ""],
        ["b-100", "螺栓（表格里的名字）", "9", "", "镀锌"],
        ["S-01", "安装服务", "80", "", "按小时"],
    ])
    dialog = _dialog(desk, boss, qtbot, path)
    assert dialog.plan.ok and dialog.plan.count("skip") == 1
    choice = dialog.preview.cellWidget(1, CHECK)
    assert choice.currentData() == "skip"
    _shot(dialog, "product-import-preview")
    choice.setCurrentIndex(choice.findData("merge"))

    with qtbot.waitSignal(dialog.imported, timeout=WAIT) as done:
        dialog.import_button.click()

    assert done.args == [3]
    pending = [p["name"] for p in boss.session.client.pending()]
    assert pending[1:] == ["erp.product.create", "erp.product.update", "erp.product.create"]
    products = _products(boss)
    assert products["W-300"]["list_price"] == Decimal("1200") and products["S-01"]["notes"] == "按小时"
    bolt = products["B-100"]
    assert bolt["name"] == "六角螺栓 M8" and bolt["list_price"] == Decimal("2.5") and bolt["notes"] == "镀锌"
    assert {r["barcode"] for r in boss.session.client.rows("product_barcode")} == {
        "6901234567892", "6900000000011", "6900000000028"}


def test_a_bad_row_blocks_the_import_and_nothing_reaches_the_cache(desk, boss, qtbot, tmp_path):
    path = tmp_path / "bad.csv"
    write_sheet(path, ["SKU", "Name", "ABC class"], [["OK-1", "好的", "A"], ["BAD-2", "", "Z"]])
    dialog = _dialog(desk, boss, qtbot, path)

    assert {(e.row, e.column) for e in dialog.plan.errors} == {(3, "Name"), (3, "ABC class")}
    assert "Name" in dialog.preview.item(1, CHECK).text()
    assert not dialog.import_button.isEnabled()
    assert set(_products(boss)) == {"B-100"} and len(boss.session.client.pending()) == 1


def test_an_export_of_the_cache_reads_back(desk, boss, qtbot, tmp_path):
    path = tmp_path / "out.csv"
    assert export_product_file(boss, None, path) is not None
    assert boss.ops.wait(WAIT) and path.exists()
    sheet = read_sheet(path)
    assert [r[:2] for r in sheet.rows] == [["B-100", "六角螺栓 M8"]] and "6901234567892" in sheet.rows[0]


def test_only_catalogue_roles_see_the_import_and_export_buttons(desk, boss, qtbot):
    rep = desk.context(desk.client("rep", "sales_rep"), online=False)
    pages = {}
    for name, ctx in (("boss", boss), ("rep", rep)):
        pages[name] = ProductsPage(ctx)
        desk.widgets.append(pages[name])
        qtbot.addWidget(pages[name])
    assert not pages["boss"].import_button.isHidden() and not pages["boss"].export_button.isHidden()
    assert pages["rep"].import_button.isHidden() and pages["rep"].export_button.isHidden()
