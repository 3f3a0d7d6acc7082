"""Spreadsheets in and out: header guesses in English and Chinese, CSV with a BOM and .xlsx
round trips, an import that is all or nothing, and duplicates flagged before anything is written."""

from __future__ import annotations

from pathlib import Path

from app.crm.exchange_files import Sheet, export_table, guess_mapping, read_sheet, write_sheet
from app.crm.import_plan import plan_import


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
    sheet = Sheet(["名称", "电话", "城市"], [["上海恒通科技", "13900000000", "上海"],
                                       ["杭州新客户", "0571-8888 1234", ""],
                                       ["杭州新客户有限公司", "057188881234", ""]])
    with crm.engine.connect() as conn:
        plan = plan_import(conn, "customer", sheet, guess_mapping("customer", sheet.headers), crm.users["rep1"])

    first, second, third = plan.rows
    assert first.duplicates and first.merge_into == existing and first.decision == "skip"
    assert first.merge_name == "上海恒通科技有限公司"
    assert second.duplicates == [] and second.decision == "import"
    assert "3" in third.duplicates[0] and third.decision == "skip", "the row above it, as the sheet numbers it"
    assert third.merge_into is None, "nothing in the cache to merge a row of the same file into"
    assert [n for n, _ in plan.mutations()] == ["crm.customer.create"]

    first.decision = "merge"
    queued = plan.mutations()
    assert [n for n, _ in queued] == ["crm.customer.update", "crm.customer.create"]
    assert queued[0][1] == {"id": str(existing), "city": {"base": None, "new": "上海"}}, \
        "only the empty field is filled: its name and phone stay"
    for name, args in queued:
        crm.run("rep1", name, **args)
    kept = crm.get("party", existing)
    assert (kept["name"], kept["phone"], kept["city"]) == ("上海恒通科技有限公司", "021-55551234", "上海")
    assert len(crm.rows("party")) == 2, "a merged row creates no customer"


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


def _plan(crm, entity, sheet, who="rep1", columns=None):
    from app.crm.exchange_files import columns_for

    with crm.engine.connect() as conn:
        mapping = guess_mapping(entity, sheet.headers, columns or columns_for(conn, entity))
        return plan_import(conn, entity, sheet, mapping, crm.users[who], role=crm.role(conn, crm.users[who]))


def test_contacts_repeating_a_phone_mobile_email_or_name_of_the_same_customer_are_flagged(crm):
    shop = crm.run("rep1", "crm.customer.create", name="甲公司")
    other = crm.run("rep1", "crm.customer.create", name="乙公司")
    zhang = crm.run("rep1", "crm.contact.create", party_id=shop, name="张伟", mobile="138 0000 1111",
                    email="zw@jia.cn")
    sheet = Sheet(["客户", "姓名", "电话", "邮箱"], [
        ["甲公司", "章伟", "", ""],                      # 2: the same pinyin
        ["甲公司", "王芳", "+86 13800001111", ""],       # 3: her phone is 张伟's mobile
        ["甲公司", "赵敏", "", "ZW@jia.cn"],             # 4: his e-mail
        ["乙公司", "张伟", "13800001111", "zw@jia.cn"],  # 5: another customer's contact: no duplicate
        ["甲公司", "新人", "13911112222", ""],           # 6
        ["甲公司", "新人二", "139-1111-2222", ""],       # 7: row 6's phone
        ["乙公司", "新人", "", ""],                      # 8: row 6's name, at another customer
    ])
    plan = _plan(crm, "contact", sheet)

    assert plan.ok
    flagged = {r.row: r for r in plan.rows if r.duplicates}
    assert sorted(flagged) == [2, 3, 4, 7]
    assert [flagged[n].merge_into for n in (2, 3, 4)] == [zhang] * 3
    assert "张伟" in flagged[3].duplicates[0] and flagged[3].decision == "skip"
    assert flagged[7].merge_into is None and "6" in flagged[7].duplicates[0]
    assert plan.count("import") == 3 and plan.count("skip") == 4
    assert crm.get("party", other)["name"] == "乙公司"


def test_a_contact_merged_into_the_existing_one_fills_only_its_empty_fields(crm):
    shop = crm.run("rep1", "crm.customer.create", name="甲公司")
    zhang = crm.run("rep1", "crm.contact.create", party_id=shop, name="张伟", mobile="13800001111")
    sheet = Sheet(["客户", "姓名", "手机", "职位", "生日"],
                  [["甲公司", "张伟", "13900009999", "采购经理", "1980-02-03"]])
    plan = _plan(crm, "contact", sheet)
    (row,) = plan.rows
    assert row.merge_into == zhang and row.merge_name == "张伟"

    row.decision = "merge"
    (mutation,) = plan.mutations()
    assert mutation == ("crm.contact.update", {"id": str(zhang), "title": {"base": None, "new": "采购经理"},
                                               "birthday": {"base": None, "new": "1980-02-03"}})
    crm.run("rep1", *mutation[:1], **mutation[1])
    (contact,) = crm.rows("contact")
    assert (contact["mobile"], contact["title"], str(contact["birthday"])) == ("13800001111", "采购经理", "1980-02-03")


def test_two_rows_merged_into_one_customer_fill_each_field_once(crm):
    existing = crm.run("rep1", "crm.customer.create", name="上海恒通科技有限公司", phone="021-55551234")
    sheet = Sheet(["名称", "电话", "城市", "邮箱"], [["上海恒通科技", "", "上海", ""],
                                             ["上海恒通科技有限公司", "", "苏州", "sales@ht.cn"]])
    plan = _plan(crm, "customer", sheet)
    for row in plan.rows:
        assert row.merge_into == existing
        row.decision = "merge"

    first, second = (args for _name, args in plan.mutations())
    assert first == {"id": str(existing), "city": {"base": None, "new": "上海"}}
    assert second == {"id": str(existing), "email": {"base": None, "new": "sales@ht.cn"}}


def test_merge_is_offered_only_into_a_customer_the_importer_may_change(crm):
    theirs = crm.run("rep2", "crm.customer.create", name="北京远航科技", phone="010-88887777",
                     owner_id=crm.users["rep2"])
    sheet = Sheet(["名称", "电话"], [["北京远航科技", "010-88887777"]])

    (row,) = _plan(crm, "customer", sheet).rows
    assert row.duplicates and row.decision == "skip" and row.merge_into is None
    (row,) = _plan(crm, "customer", sheet, who="boss").rows
    assert row.merge_into == theirs, "a manager may change every customer"

    contacts = Sheet(["客户", "姓名"], [["北京远航科技", "李娜"]])
    plan = _plan(crm, "contact", contacts)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "客户")], "rep1 may not add a contact to rep2's customer"


def _custom_fields(crm) -> dict[str, str]:
    ids = {
        "employees": crm.run("boss", "crm.custom_field.create", key="employees", label_zh="员工人数",
                             label_en="Employees", type="number", position=1),
        "founded": crm.run("boss", "crm.custom_field.create", key="founded", label_zh="成立日期",
                           label_en="Founded", type="date", position=2),
        "channel": crm.run("boss", "crm.custom_field.create", key="channel", label_zh="渠道", label_en="Channel",
                           type="choice", choices=["Direct", "Partner"], position=3),
        "region": crm.run("boss", "crm.custom_field.create", key="region", label_zh="大区", label_en="Region",
                          type="text", required=True, position=4),
    }
    return {k: str(v) for k, v in ids.items()}


def test_custom_fields_are_import_targets_checked_by_type_with_row_errors(crm):
    ids = _custom_fields(crm)
    sheet = Sheet(["名称", "员工人数", "Founded", "channel", "大区"], [
        ["甲公司", "1,200", "2010年3月1日", "partner", "华东"],
        ["乙公司", "很多", "明天", "Reseller", ""],
    ])
    from app.crm.exchange_files import columns_for

    with crm.engine.connect() as conn:
        columns = columns_for(conn, "customer")
    assert guess_mapping("customer", sheet.headers, columns) == {
        0: "name", 1: f"custom.{ids['employees']}", 2: f"custom.{ids['founded']}", 3: f"custom.{ids['channel']}",
        4: f"custom.{ids['region']}"}
    plan = _plan(crm, "customer", sheet, columns=columns)

    assert not plan.ok
    assert [(e.row, e.column) for e in plan.errors] == [(3, "员工人数"), (3, "Founded"), (3, "channel"), (3, "大区")]
    reasons = [e.reason for e in plan.errors]
    assert reasons[3] == "必填" or reasons[3] == "required"
    assert "Direct" in reasons[2] and "Partner" in reasons[2], "a wrong choice names the allowed ones"
    good = plan.rows[0].args
    assert good is not None and good["custom_values"] == {
        ids["employees"]: "1200", ids["founded"]: "2010-03-01", ids["channel"]: "Partner", ids["region"]: "华东"}
    crm.run("rep1", "crm.customer.create", **good)
    assert crm.rows("party")[0]["custom_values"] is not None


def test_a_required_custom_field_left_out_of_the_mapping_is_an_error_on_every_row(crm):
    _custom_fields(crm)
    sheet = Sheet(["名称"], [["甲公司"], ["乙公司"]])
    plan = _plan(crm, "customer", sheet)
    assert [e.row for e in plan.errors] == [2, 3]
    assert {e.column for e in plan.errors} in ({"大区"}, {"Region"})


def test_exports_carry_custom_field_columns_that_read_back_as_them(crm):
    from app.core import i18n
    from app.crm.exchange_files import columns_for

    ids = _custom_fields(crm)
    crm.run("rep1", "crm.customer.create", name="甲公司", custom_values={
        ids["employees"]: "35", ids["channel"]: "Direct", ids["region"]: "华南"})
    before = i18n.current_locale()
    try:
        for locale, labels in (("en", ["Employees", "Founded", "Channel", "Region"]),
                               ("zh_CN", ["员工人数", "成立日期", "渠道", "大区"])):
            i18n.set_locale(locale)
            with crm.engine.connect() as conn:
                headers, rows = export_table(conn, "customer")
                columns = columns_for(conn, "customer")
            assert headers[-4:] == labels
            assert rows[0][-4:] == ["35", None, "Direct", "华南"]
            mapped = guess_mapping("customer", headers, columns)
            assert [mapped[i] for i in range(len(headers) - 4, len(headers))] == [f"custom.{ids[k]}" for k in
                                                                                   ("employees", "founded",
                                                                                    "channel", "region")]
    finally:
        i18n.set_locale(before)
