"""Spreadsheets in and out: header guesses in English and Chinese, CSV with a BOM and .xlsx
round trips, an import that is all or nothing, and duplicates flagged before anything is written."""

from __future__ import annotations

from pathlib import Path

from app.crm.exchange_files import Sheet, export_table, guess_mapping, plan_import, read_sheet, write_sheet


def test_headers_in_chinese_or_english_map_to_customer_fields_and_unknown_ones_are_left_out():
    mapping = guess_mapping("customer", ["客户名称", "电话", "E-Mail", "城市", "备注 ", "微信号", "随便"])
    assert mapping == {0: "name", 1: "phone", 2: "email", 3: "city", 4: "notes", 5: "wechat", 6: None}
    assert guess_mapping("customer", ["Name", "Phone", "name"]) == {0: "name", 1: "phone", 2: None}
    assert guess_mapping("contact", ["公司", "姓名", "手机", "生日"]) == {0: "customer", 1: "name", 2: "mobile",
                                                                       3: "birthday"}


def test_csv_is_written_with_a_bom_and_reads_back_the_same_chinese(tmp_path: Path):
    path = tmp_path / "客户.csv"
    rows = [["上海恒通科技有限公司", "021-55551234", "上海"], ["Acme, Inc", "", "深圳"]]
    write_sheet(path, ["名称", "电话", "城市"], rows)

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_sheet(path) == Sheet(["名称", "电话", "城市"], rows)


def test_a_gb18030_csv_from_an_old_excel_still_reads(tmp_path: Path):
    path = tmp_path / "old.csv"
    path.write_bytes("名称;电话\n北京华夏贸易;010-12345678\n".encode("gb18030"))
    assert read_sheet(path) == Sheet(["名称", "电话"], [["北京华夏贸易", "010-12345678"]])


def test_xlsx_round_trip_keeps_text_and_turns_numbers_and_dates_into_text(tmp_path: Path):
    import datetime as dt
    from decimal import Decimal

    path = tmp_path / "contacts.xlsx"
    rows = [["张伟", dt.date(1980, 2, 29), Decimal("5000.00")], ["李娜", None, None]]
    write_sheet(path, ["姓名", "生日", "额度"], rows)
    assert read_sheet(path) == Sheet(["姓名", "生日", "额度"], [["张伟", "1980-02-29", "5000.00"], ["李娜", "", ""]])


def test_one_bad_row_blocks_the_whole_import_and_names_its_row_and_column(crm):
    sheet = Sheet(["名称", "邮箱", "信用额度"], [["甲公司", "a@x.cn", "1000"], ["", "b@x.cn", ""],
                                           ["丙公司", "c@x.cn", "很多"]])
    with crm.engine.connect() as conn:
        plan = plan_import(conn, "customer", sheet, guess_mapping("customer", sheet.headers), crm.users["rep1"])

    assert not plan.ok and plan.mutations() == []
    assert [(e.row, e.column) for e in plan.errors] == [(3, "名称"), (4, "信用额度")]
    assert plan.rows[0].errors == [] and plan.rows[0].args is not None


def test_a_clean_file_plans_one_create_per_row_owned_by_the_importing_rep(crm):
    sheet = Sheet(["Name", "Phone", "Tags", "Status"], [["甲公司", "13800001111", "vip, 华东", "活跃"],
                                                     ["乙公司", "", "", "prospect"], ["", "", "", ""]])
    with crm.engine.connect() as conn:
        plan = plan_import(conn, "customer", sheet, guess_mapping("customer", sheet.headers), crm.users["rep1"])
    queued = plan.mutations()
    assert plan.ok and [name for name, _ in queued] == ["crm.customer.create"] * 2
    first = queued[0][1]
    assert first["tags"] == ["vip", "华东"] and first["status"] == "active"
    assert first["owner_id"] == str(crm.users["rep1"])
    for name, args in queued:
        crm.run("rep1", name, **args)
    assert {r["name"] for r in crm.rows("party")} == {"甲公司", "乙公司"}


def test_duplicates_in_the_cache_and_in_the_file_are_flagged_and_skipped_unless_chosen(crm):
    existing = crm.run("rep1", "crm.customer.create", name="上海恒通科技有限公司", phone="021-55551234")
    sheet = Sheet(["名称", "电话"], [["上海恒通科技", "13900000000"], ["杭州新客户", "0571-8888 1234"],
                                 ["杭州新客户有限公司", "057188881234"]])
    with crm.engine.connect() as conn:
        plan = plan_import(conn, "customer", sheet, guess_mapping("customer", sheet.headers), crm.users["rep1"])

    first, second, third = plan.rows
    assert first.duplicates and first.merge_into == existing and first.decision == "skip"
    assert second.duplicates == [] and second.decision == "import"
    assert "3" in third.duplicates[0] and third.decision == "skip", "the row above it, as the sheet numbers it"
    assert [n for n, _ in plan.mutations()] == ["crm.customer.create"]

    first.decision = "merge"
    names = [n for n, _ in plan.mutations()]
    assert names == ["crm.customer.create", "crm.customer.merge", "crm.customer.create"]


def test_contacts_need_a_known_customer_and_exports_list_them_with_it(crm):
    party = crm.run("rep1", "crm.customer.create", name="甲公司")
    sheet = Sheet(["客户", "姓名", "生日"], [["甲公司", "张伟", "1980年2月3日"], ["没有这家", "李娜", ""]])
    with crm.engine.connect() as conn:
        plan = plan_import(conn, "contact", sheet, guess_mapping("contact", sheet.headers), None)
    assert [(e.row, e.column) for e in plan.errors] == [(3, "客户")]
    assert plan.rows[0].args is not None and plan.rows[0].args["birthday"] == "1980-02-03"
    crm.run("rep1", "crm.contact.create", **plan.rows[0].args)

    with crm.engine.connect() as conn:
        headers, rows = export_table(conn, "contact")
    assert list(guess_mapping("contact", headers).values())[:2] == ["customer", "name"], "exports read back"
    assert rows[0][:2] == ["甲公司", "张伟"]
    assert crm.rows("contact")[0]["party_id"] == party
