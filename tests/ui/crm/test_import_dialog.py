"""Importing customers from a spreadsheet on a real cache: the preview shows each bad row's
errors and imports nothing; a clean file queues one create per row in the outbox; an export
reads back as an import."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.crm.exchange_files import read_sheet, write_sheet
from app.ui.crm.import_dialog import ImportDialog, export_rows
from tests.ui.desk import Desk


@pytest.fixture
def rep(desk: Desk):
    return desk.context(desk.client("rep1"), online=False)


def _dialog(desk: Desk, ctx, qtbot, path: Path) -> ImportDialog:
    dialog = ImportDialog(ctx, "customer")
    desk.widgets.append(dialog)
    qtbot.addWidget(dialog)
    dialog.load_file(path)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10_000)
    return dialog


def test_preview_shows_the_bad_rows_errors_and_import_stays_disabled(desk, rep, qtbot, tmp_path):
    path = tmp_path / "customers.csv"
    write_sheet(path, ["客户名称", "电话", "信用额度"], [["甲公司", "13800001111", "1000"], ["", "13800002222", ""]])

    dialog = _dialog(desk, rep, qtbot, path)

    assert [(e.row, e.column) for e in dialog.plan.errors] == [(3, "客户名称")]
    assert dialog.preview.item(1, 0).text() == "3" and "客户名称" in dialog.preview.item(1, 1).text()
    assert not dialog.import_button.isEnabled()
    assert "error" in dialog.summary.text()
    assert rep.session.client.pending() == []


def test_a_clean_file_imports_every_customer_into_the_outbox_in_one_go(desk, rep, qtbot, tmp_path):
    path = tmp_path / "customers.xlsx"
    rows = [[f"导入测试公司{n}", f"1380000{n:04d}", "上海"] for n in range(12)]
    write_sheet(path, ["Name", "Phone", "City"], rows)
    dialog = _dialog(desk, rep, qtbot, path)
    assert dialog.plan.ok and dialog.import_button.isEnabled()

    with qtbot.waitSignal(dialog.imported, timeout=10_000) as done:
        dialog.import_button.click()

    assert done.args == [12]
    pending = rep.session.client.pending()
    assert [p["name"] for p in pending] == ["crm.customer.create"] * 12
    assert {p["args"]["name"] for p in pending} == {r[0] for r in rows}
    assert {r["city"] for r in rep.session.client.rows("party")} == {"上海"}


def test_a_duplicate_of_a_cached_customer_is_skipped_unless_imported_anyway(desk, rep, qtbot, tmp_path):
    rep.session.client.mutate("crm.customer.create", {"name": "上海恒通科技有限公司", "phone": "021-55551234"})
    path = tmp_path / "dupes.csv"
    write_sheet(path, ["名称", "电话"], [["上海恒通科技", "021 5555 1234"], ["新公司", ""]])
    dialog = _dialog(desk, rep, qtbot, path)
    choice = dialog.preview.cellWidget(0, 1)
    assert choice.currentData() == "skip" and choice.findData("merge") >= 0

    with qtbot.waitSignal(dialog.imported, timeout=10_000) as done:
        dialog.import_button.click()

    assert done.args == [1]
    assert sorted(r["name"] for r in rep.session.client.rows("party")) == ["上海恒通科技有限公司", "新公司"]


def test_an_export_of_the_cache_reads_back_with_the_same_names(desk, rep, qtbot, tmp_path):
    for name in ("甲公司", "Acme Ltd"):
        rep.session.client.mutate("crm.customer.create", {"name": name, "city": "深圳"})
    path = tmp_path / "out.csv"
    op = export_rows(rep, None, "customer", path)
    assert rep.ops.wait(10_000) and path.exists()
    assert op is not None
    sheet = read_sheet(path)
    assert sorted(r[0] for r in sheet.rows) == ["Acme Ltd", "甲公司"]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
