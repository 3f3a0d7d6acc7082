"""Products in and out of spreadsheets: an export reads back as an import (CSV and .xlsx), bad
cells are row errors that block the whole import, and a SKU or barcode already in the cache or
earlier in the file is flagged, skipped or used to fill the existing product's empty fields."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from app.core.i18n import _
from app.core.sheets import Sheet, guess_mapping, read_sheet, write_sheet
from app.erp.product_exchange import COLUMNS, export_products, parse_number, plan_products

HEADERS = ["编码", "品名", "分类", "类型", "单位", "售价", "成本", "条码", "供应商", "交期", "起订量", "订货倍数",
           "再订货点", "安全库存", "ABC", "备注"]


def _plan(erp, sheet: Sheet):
    return erp.read(plan_products, sheet, guess_mapping(sheet.headers, COLUMNS))


def _apply(erp, plan) -> None:
    for name, args in plan.mutations():
        erp.run("boss", name, **args)


def test_chinese_headers_map_to_every_product_field():
    assert guess_mapping(HEADERS, COLUMNS) == dict(enumerate(c.name for c in COLUMNS))


def test_prices_with_separators_and_yuan_signs_are_numbers():
    assert parse_number("1,200") == Decimal("1200")
    assert parse_number("¥ 3,456.50") == Decimal("3456.50") and parse_number("￥12") == Decimal("12")
    assert parse_number("很多") is None and parse_number("") is None


def test_a_clean_file_creates_products_with_category_supplier_and_barcodes(erp):
    erp.run("boss", "erp.category.create", code="FAST", name="紧固件")
    sheet = Sheet(HEADERS, [
        ["W-300", "平垫圈 M8", "紧固件", "消耗品", "pcs", "1,200", "¥0.05", "6900000000011, 6900000000028",
         "宁波紧固件厂", "14", "1,000", "500", "2000", "800", "c", "镀锌"],
        ["S-01", "安装服务", "FAST", "service", "h", "¥80", "", "", "", "", "", "", "", "", "", ""],
    ])
    plan = _plan(erp, sheet)
    assert plan.ok, plan.errors
    _apply(erp, plan)

    washer = erp.rows("product", sku="W-300")[0]
    assert washer["name"] == "平垫圈 M8" and washer["kind"] == "consumable" and washer["abc_class"] == "C"
    assert washer["list_price"] == Decimal("1200") and washer["standard_cost"] == Decimal("0.05")
    assert washer["default_supplier_id"] == erp.ids["SUP"] and washer["lead_time_days"] == 14
    assert washer["min_order_qty"] == Decimal("1000") and washer["notes"] == "镀锌"
    assert {b["barcode"] for b in erp.rows("product_barcode", product_id=washer["id"])} == {"6900000000011",
                                                                                           "6900000000028"}
    service = erp.rows("product", sku="S-01")[0]
    assert service["kind"] == "service" and service["category_id"] == washer["category_id"] is not None


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_reads_back_as_an_import_with_the_same_values(erp, tmp_path: Path, suffix: str):
    headers, rows = erp.read(export_products)
    path = tmp_path / f"products{suffix}"
    write_sheet(path, headers, rows)
    sheet = read_sheet(path)
    assert sheet.headers == [c.title for c in COLUMNS] and [r[0] for r in sheet.rows] == ["B-100", "N-200"]
    bolt = dict(zip([c.name for c in COLUMNS], sheet.rows[0], strict=True))
    assert bolt["barcodes"] == "6901234567892" and bolt["supplier"] == "宁波紧固件厂"
    assert bolt["list_price"] == "2.5" and bolt["lead_time_days"] == "7" and bolt["abc_class"] == "A"

    for product in erp.rows("product"):  # import them into an empty catalogue: the same products come back
        erp.run("boss", "erp.product.archive", id=product["id"])
    sheet.rows = [[f"X{cells[0]}", *cells[1:7], "", *cells[8:]] for cells in sheet.rows]
    plan = _plan(erp, sheet)
    assert plan.ok and plan.count("import") == 2, plan.errors
    _apply(erp, plan)
    copy = erp.rows("product", sku="XB-100")[0]
    assert copy["name"] == "六角螺栓 M8" and copy["list_price"] == Decimal("2.5")
    assert copy["default_supplier_id"] == erp.ids["SUP"] and copy["safety_stock"] == Decimal("50")


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_imported(erp):
    sheet = Sheet(["SKU", "Name", "Kind", "List price", "ABC class", "Category", "Lead time"], [
        ["OK-1", "好的", "stocked", "10", "A", "", ""],
        ["", "没有编码", "", "", "", "", ""],
        ["BAD-2", "", "gadget", "很多", "D", "无此分类", "1.5"],
        ["NEG-3", "负价", "", "-1", "", "", ""],
    ])
    plan = _plan(erp, sheet)

    assert not plan.ok and plan.mutations() == []
    found = {(e.row, e.column) for e in plan.errors}
    assert found == {(3, "SKU"), (4, "Name"), (4, "Kind"), (4, "List price"), (4, "ABC class"), (4, "Category"),
                     (4, "Lead time"), (5, "List price")}
    assert plan.rows[0].errors == [] and plan.rows[0].args is not None
    assert len(erp.rows("product")) == 2


def test_duplicates_by_sku_or_barcode_in_the_cache_and_in_the_file_are_flagged_and_skipped(erp):
    sheet = Sheet(["SKU", "Name", "Barcode"], [
        ["b-100", "螺栓（重复编码）", ""],
        ["Z-1", "同条码", "6901234567892"],
        ["Z-2", "新品", "6900000000035"],
        ["Z-2", "文件内重复编码", ""],
        ["Z-3", "文件内重复条码", "6900000000035"],
    ])
    plan = _plan(erp, sheet)

    assert plan.ok
    assert [r.decision for r in plan.rows] == ["skip", "skip", "import", "skip", "skip"]
    assert plan.rows[0].merge_into == erp.ids["BOLT"] and "B-100" in plan.rows[0].duplicates[0]
    assert plan.rows[1].merge_into == erp.ids["BOLT"] and "6901234567892" in plan.rows[1].duplicates[0]
    same_as_4 = _("same as row %(row)s") % {"row": 4}
    assert plan.rows[3].duplicates == [same_as_4] and plan.rows[3].merge_into is None
    assert plan.rows[4].duplicates == [same_as_4]
    assert [name for name, _args in plan.mutations()] == ["erp.product.create"]


def test_updating_a_duplicate_fills_only_the_existing_products_empty_fields(erp):
    sheet = Sheet(["SKU", "Name", "List price", "Standard cost", "Category", "Notes", "Barcode", "Lead time"], [
        ["N-200", "螺母（新名）", "9.9", "0.5", "", "不锈钢", "6900000000042", "10"],
        ["Q-9", "同条码第二行", "", "", "", "第二行备注", "6900000000042", ""],
    ])
    plan = _plan(erp, sheet)
    assert [r.decision for r in plan.rows] == ["skip", "skip"]
    for row in plan.rows:
        row.decision = "merge"
    assert plan.rows[1].merge_into is None, "a code only a row above has is no product to update yet"
    plan.rows[1].decision = "skip"
    _apply(erp, plan)

    nut = erp.get("product", erp.ids["NUT"])
    assert nut["name"] == "螺母 M8" and nut["list_price"] == Decimal("0.8"), "what it has stays"
    assert nut["notes"] == "不锈钢" and nut["lead_time_days"] == 10
    assert [b["barcode"] for b in erp.rows("product_barcode", product_id=nut["id"])] == ["6900000000042"]
    assert len(erp.rows("product")) == 2
