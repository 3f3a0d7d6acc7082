"""Importing customers from a spreadsheet on a real cache: the preview shows each bad row's
errors and imports nothing; a clean file queues one create per row in the outbox; an export
reads back as an import."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.crm.exchange_files import read_sheet, write_sheet
from app.sync.codec import loads
from app.ui.crm.import_dialog import CHECK, DUPLICATE, ImportDialog, export_rows
from tests.ui.desk import Desk


@pytest.fixture
def rep(desk: Desk):
    return desk.context(desk.client("rep1"), online=False)


def _dialog(desk: Desk, ctx, qtbot, path: Path, entity: str = "customer") -> ImportDialog:
    dialog = ImportDialog(ctx, entity)
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


def _choose(dialog: ImportDialog, line: int, decision: str) -> None:
    choice = dialog.preview.cellWidget(line, CHECK)
    choice.setCurrentIndex(choice.findData(decision))


def test_a_customer_row_merged_into_the_cached_one_fills_its_empty_fields_and_creates_none(desk, rep, qtbot,
                                                                                          tmp_path):
    client = rep.session.client
    client.mutate("crm.customer.create", {"name": "上海恒通科技有限公司", "phone": "021-55551234"})
    path = tmp_path / "dupes.csv"
    write_sheet(path, ["名称", "电话", "城市", "邮箱"], [["上海恒通科技", "021 5555 1234", "上海", "info@ht.cn"]])
    dialog = _dialog(desk, rep, qtbot, path)
    assert "上海恒通科技有限公司" in dialog.preview.item(0, DUPLICATE).text()
    _choose(dialog, 0, "merge")
    assert "merged" in dialog.summary.text() and dialog.import_button.isEnabled()

    with qtbot.waitSignal(dialog.imported, timeout=10_000) as done:
        dialog.import_button.click()

    assert done.args == [1]
    (party,) = client.rows("party")
    assert (party["name"], party["phone"], party["city"], party["email"]) == (
        "上海恒通科技有限公司", "021-55551234", "上海", "info@ht.cn")
    assert [p["name"] for p in client.pending()] == ["crm.customer.create", "crm.customer.update"]


def test_contact_duplicates_are_flagged_and_each_is_skipped_merged_or_imported_as_chosen(desk, rep, qtbot, tmp_path):
    client = rep.session.client
    party_id = "018f0000-0000-7000-8000-000000000001"
    client.mutate("crm.customer.create", {"id": party_id, "name": "甲公司"})
    client.mutate("crm.contact.create", {"party_id": party_id, "name": "张伟", "mobile": "13800001111"})
    client.mutate("crm.contact.create", {"party_id": party_id, "name": "李娜", "email": "lina@jia.cn"})
    path = tmp_path / "contacts.xlsx"
    write_sheet(path, ["客户", "姓名", "手机", "邮箱", "职位"], [
        ["甲公司", "章伟", "", "zw@jia.cn", "经理"],          # 张伟 by pinyin: merged
        ["甲公司", "李娜娜", "", "LINA@jia.cn", ""],           # 李娜's e-mail: imported anyway
        ["甲公司", "王芳", "138-0000-1111", "", ""],           # 张伟's mobile: skipped
        ["甲公司", "赵敏", "", "", "会计"],                    # new
    ])
    dialog = _dialog(desk, rep, qtbot, path, "contact")
    assert [dialog.preview.item(n, CHECK) is None for n in range(4)] == [True, True, True, False]
    assert "张伟" in dialog.preview.item(0, DUPLICATE).text() and "李娜" in dialog.preview.item(1, DUPLICATE).text()
    _choose(dialog, 0, "merge")
    _choose(dialog, 1, "import")

    with qtbot.waitSignal(dialog.imported, timeout=10_000) as done:
        dialog.import_button.click()

    assert done.args == [3]
    contacts = {c["name"]: c for c in client.rows("contact", party_id=party_id)}
    assert sorted(contacts) == ["张伟", "李娜", "李娜娜", "赵敏"]
    assert (contacts["张伟"]["email"], contacts["张伟"]["title"], contacts["张伟"]["mobile"]) == (
        "zw@jia.cn", "经理", "13800001111")


def test_custom_fields_are_offered_in_the_mapping_checked_by_type_and_imported(desk, qtbot, tmp_path):
    manager = desk.context(desk.client("boss", "manager"), online=False)
    client = manager.session.client
    client.mutate("crm.custom_field.create", {"key": "employees", "label_zh": "员工人数", "label_en": "Employees",
                                              "type": "number"})
    client.mutate("crm.custom_field.create", {"key": "channel", "label_zh": "渠道", "label_en": "Channel",
                                              "type": "choice", "choices": ["Direct", "Partner"]})
    fields = {f["key"]: str(f["id"]) for f in client.rows("custom_field")}
    path = tmp_path / "custom.csv"
    write_sheet(path, ["Name", "员工人数", "Channel"], [["甲公司", "120", "Direct"], ["乙公司", "lots", "Reseller"]])

    dialog = _dialog(desk, manager, qtbot, path)
    combo = dialog.mapping.cellWidget(1, 1)
    assert combo.currentText() == "Employees" and combo.currentData() == f"custom.{fields['employees']}"
    assert [(e.row, e.column, e.reason) for e in dialog.plan.errors] == [
        (3, "员工人数", "not a number"), (3, "Channel", "not one of: Direct, Partner")]
    assert not dialog.import_button.isEnabled()

    write_sheet(path, ["Name", "员工人数", "Channel"], [["甲公司", "120", "Direct"], ["乙公司", "1,500", "partner"]])
    dialog = _dialog(desk, manager, qtbot, path)
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        dialog.import_button.click()

    stored = {p["name"]: loads(p["custom_values"]) for p in client.rows("party")}
    assert stored == {"甲公司": {fields["employees"]: "120", fields["channel"]: "Direct"},
                      "乙公司": {fields["employees"]: "1500", fields["channel"]: "Partner"}}

    out = tmp_path / "out.xlsx"
    export_rows(manager, None, "customer", out)
    assert manager.ops.wait(10_000)
    sheet = read_sheet(out)
    assert sheet.headers[-2:] == ["Channel", "Employees"], "custom fields in their order, then by key"
    assert sorted(r[-2:] for r in sheet.rows) == [["Direct", "120"], ["Partner", "1500"]]
