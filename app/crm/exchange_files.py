"""Customers, contacts and leads in and out of spreadsheets (CSV and .xlsx, read and written by
app.core.sheets): the columns an import can fill, guessed from the headers, and the export of the
cache. A customer sheet also carries the tenant's custom fields, each a column
named by its label in the user's language. Planning an import is app.crm.import_plan's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core import sheets
from app.core.i18n import N_, _, current_locale
from app.core.schema import metadata
from app.core.sheets import Sheet, read_sheet, write_sheet
from app.crm.fields import decode_custom, decode_tags, definitions

__all__ = ["COLUMNS", "CUSTOM", "Column", "Entity", "Sheet", "columns_for", "custom_columns", "export_table",
           "guess_mapping", "read_sheet", "write_sheet"]

Entity = Literal["customer", "contact", "lead"]


#: a mapping target naming a custom field: this prefix and the field's id
CUSTOM = "custom."


@dataclass(frozen=True)
class Column:
    """A field an import can fill: its label (a msgid, translated on show) and header names it
    answers to; a custom field's column carries its definition and a label in the user's language."""

    name: str
    label: str
    aliases: tuple[str, ...] = ()
    custom: dict[str, Any] | None = field(default=None, hash=False, compare=False)

    @property
    def title(self) -> str:
        """The label as the user reads it."""
        return self.label if self.custom is not None else _(self.label)


_NAME = Column("name", N_("Name"), ("name", "名称", "名字", "姓名"))
_PHONE = Column("phone", N_("Phone"), ("phone", "tel", "telephone", "电话", "联系电话", "固话"))
_EMAIL = Column("email", N_("E-mail"), ("email", "e-mail", "mail", "邮箱", "电子邮件", "电子邮箱"))
_CITY = Column("city", N_("City"), ("city", "城市", "所在城市"))
_WECHAT = Column("wechat", N_("WeChat"), ("wechat", "weixin", "微信", "微信号"))
_TITLE = Column("title", N_("Job title"), ("title", "job title", "position", "职位", "职务", "头衔"))
_SOURCE = Column("source", N_("Source"), ("source", "来源", "线索来源", "客户来源"))
_NOTES = Column("notes", N_("Notes"), ("notes", "note", "remarks", "备注", "说明"))

COLUMNS: dict[str, tuple[Column, ...]] = {
    "customer": (
        Column("name", N_("Name"), ("name", "customer", "customer name", "company", "company name", "名称",
                                    "客户名称", "客户", "公司", "公司名称", "单位名称")),
        Column("code", N_("Code"), ("code", "customer code", "编号", "客户编号", "编码", "客户编码")),
        _PHONE, _EMAIL, _CITY,
        Column("province", N_("Province"), ("province", "state", "省份", "省")),
        Column("street", N_("Address"), ("address", "street", "地址", "详细地址", "街道")),
        Column("website", N_("Website"), ("website", "web", "url", "网站", "网址")),
        _WECHAT,
        Column("industry", N_("Industry"), ("industry", "行业", "所属行业")),
        _SOURCE,
        Column("tier", N_("Tier"), ("tier", "grade", "level", "等级", "客户等级")),
        Column("status", N_("Status"), ("status", "状态", "客户状态")),
        Column("credit_limit", N_("Credit limit"), ("credit limit", "credit", "信用额度", "授信额度")),
        Column("tags", N_("Tags"), ("tags", "tag", "标签")),
        _NOTES,
    ),
    "contact": (
        Column("customer", N_("Customer"), ("customer", "company", "customer name", "客户", "客户名称", "公司",
                                            "公司名称", "单位")),
        Column("name", N_("Name"), ("name", "contact", "contact name", "姓名", "联系人", "名字", "名称")),
        _TITLE, _PHONE,
        Column("mobile", N_("Mobile"), ("mobile", "cell", "手机", "手机号", "手机号码")),
        _EMAIL, _WECHAT,
        Column("birthday", N_("Birthday"), ("birthday", "date of birth", "生日", "出生日期")),
        _NOTES,
    ),
    "lead": (
        _NAME,
        Column("company", N_("Company"), ("company", "company name", "公司", "公司名称", "单位")),
        _TITLE, _PHONE, _EMAIL, _WECHAT, _CITY, _SOURCE, _NOTES,
    ),
}
def custom_columns(conn: Connection) -> tuple[Column, ...]:
    """A column for each live custom field, labelled in the user's language, answering to both
    labels and its key."""
    chinese = current_locale().startswith("zh")
    return tuple(Column(CUSTOM + key, d["label_zh"] if chinese else d["label_en"],
                        (d["label_zh"], d["label_en"], d["key"]), custom=d)
                 for key, d in definitions(conn).items())


def columns_for(conn: Connection, entity: Entity) -> tuple[Column, ...]:
    """What an import of `entity` can fill: the fixed columns, then (customers) the custom fields."""
    return COLUMNS[entity] + (custom_columns(conn) if entity == "customer" else ())


def guess_mapping(entity: Entity, headers: Sequence[str],
                  columns: Sequence[Column] | None = None) -> dict[int, str | None]:
    """Column index → field name (None: not imported), from headers in English or Chinese; each
    field is taken by the first column that names it. `columns` defaults to the fixed ones."""
    return sheets.guess_mapping(headers, COLUMNS[entity] if columns is None else columns)


def export_table(conn: Connection, entity: Entity) -> tuple[list[str], list[list[Any]]]:
    """The live customers, contacts or leads as headers (translated labels) and rows; customers
    with a column for each custom field."""
    columns = COLUMNS[entity]
    custom = custom_columns(conn) if entity == "customer" else ()
    headers = [c.title for c in (*columns, *custom)]
    if entity == "contact":
        c, p = metadata.tables["contact"], metadata.tables["party"]
        query = (sa.select(p.c.name.label("customer"), *(c.c[col.name] for col in columns[1:]))
                 .join(p, p.c.id == c.c.party_id).where(c.c.archived.is_(False), p.c.archived.is_(False))
                 .order_by(p.c.name, c.c.name))
    else:
        t = metadata.tables["party" if entity == "customer" else "lead"]
        query = sa.select(*(t.c[col.name] for col in columns)).where(t.c.archived.is_(False)).order_by(t.c.name)
        if entity == "customer":
            query = query.add_columns(t.c.custom_values).where(t.c.is_customer.is_(True), t.c.merged_into.is_(None))
    rows = []
    for row in conn.execute(query).mappings():
        values = dict(row)
        if "tags" in values:
            values["tags"] = ", ".join(decode_tags(values["tags"]))
        stored = decode_custom(values.get("custom_values"))
        rows.append([values[col.name] for col in columns] + [stored.get(col.name[len(CUSTOM):]) for col in custom])
    return headers, rows


