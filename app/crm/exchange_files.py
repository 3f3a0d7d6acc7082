"""Customers, contacts and leads in and out of spreadsheets: CSV (UTF-8 with a BOM, so Excel shows
Chinese right) and .xlsx.

An import is planned before anything is written: every row becomes the create mutation's
arguments, checked by the mutator's own pydantic model, with row-level errors (row number as the
spreadsheet shows it, column, reason) and possible duplicates (in the cache and earlier in the
file). The caller queues the planned mutations only when no row has an error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import openpyxl
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from app.core import mutations
from app.core.i18n import N_, _
from app.core.ids import new_id
from app.core.schema import metadata
from app.crm.duplicates import find_duplicates, name_core, phone_digits
from app.crm.fields import decode_tags

Entity = Literal["customer", "contact", "lead"]
Decision = Literal["import", "skip", "merge"]


@dataclass(frozen=True)
class Column:
    """A field an import can fill: its label (translated on show) and header names it answers to."""

    name: str
    label: str
    aliases: tuple[str, ...] = ()


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
CREATE = {"customer": "crm.customer.create", "contact": "crm.contact.create", "lead": "crm.lead.create"}
MERGE = "crm.customer.merge"
#: pydantic error type → the reason a user reads
_REASONS = {"missing": N_("required"), "string_too_short": N_("required"), "string_too_long": N_("too long"),
            "literal_error": N_("not an allowed value"), "decimal_parsing": N_("not a number"),
            "greater_than_equal": N_("must not be negative"), "date_from_datetime_parsing": N_("not a date")}
_SPACES = re.compile(r"[\s_\-*:：()（）]+")


def _norm(header: str) -> str:
    return _SPACES.sub(" ", header.strip().lower()).strip()


def guess_mapping(entity: Entity, headers: Sequence[str]) -> dict[int, str | None]:
    """Column index → field name (None: not imported), from headers in English or Chinese; each
    field is taken by the first column that names it."""
    taken: set[str] = set()
    mapping: dict[int, str | None] = {}
    for index, header in enumerate(headers):
        wanted = _norm(header)
        found = None
        for column in COLUMNS[entity]:
            names = {_norm(a) for a in column.aliases} | {_norm(_(column.label)), column.name}
            if column.name not in taken and wanted in names:
                found = column.name
                break
        if found:
            taken.add(found)
        mapping[index] = found
    return mapping


# --- files ---------------------------------------------------------------------------------------
@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[str]]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(path: Path) -> Sheet:
    """The first sheet of an .xlsx, or a CSV (UTF-8 with or without BOM, else GB18030), headers
    first; blank trailing cells are kept as ""."""
    if path.suffix.lower() == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            table = [[_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    while table and not any(table[-1]):
        table.pop()
    if not table:
        return Sheet([], [])
    width = max(len(r) for r in table)
    table = [r + [""] * (width - len(r)) for r in table]
    return Sheet(table[0], table[1:])


def write_sheet(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write a CSV (UTF-8 with BOM) or, for a .xlsx name, a workbook."""
    if path.suffix.lower() == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(headers))
        for row in rows:
            sheet.append([_cell(v) for v in row])
        book.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows([_cell(v) for v in row] for row in rows)


def export_table(conn: Connection, entity: Entity) -> tuple[list[str], list[list[Any]]]:
    """The live customers, contacts or leads as headers (translated labels) and rows."""
    columns = COLUMNS[entity]
    headers = [_(c.label) for c in columns]
    if entity == "contact":
        c, p = metadata.tables["contact"], metadata.tables["party"]
        query = (sa.select(p.c.name.label("customer"), *(c.c[col.name] for col in columns[1:]))
                 .join(p, p.c.id == c.c.party_id).where(c.c.archived.is_(False), p.c.archived.is_(False))
                 .order_by(p.c.name, c.c.name))
    else:
        t = metadata.tables["party" if entity == "customer" else "lead"]
        query = sa.select(*(t.c[col.name] for col in columns)).where(t.c.archived.is_(False)).order_by(t.c.name)
        if entity == "customer":
            query = query.where(t.c.is_customer.is_(True), t.c.merged_into.is_(None))
    rows = []
    for row in conn.execute(query).mappings():
        values = dict(row)
        if "tags" in values:
            values["tags"] = ", ".join(decode_tags(values["tags"]))
        rows.append([values[col.name] for col in columns])
    return headers, rows


# --- import --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    #: the row number as the spreadsheet shows it (the headers are row 1)
    row: int
    column: str
    reason: str


@dataclass
class PlannedRow:
    row: int
    values: dict[str, str]
    args: dict[str, Any] | None
    errors: list[RowError] = field(default_factory=list)
    #: what it may duplicate, as the user reads it ("客户 上海某某公司 (phone)", "row 3")
    duplicates: list[str] = field(default_factory=list)
    #: an existing customer this row may be merged into
    merge_into: uuid.UUID | None = None
    decision: Decision = "import"


@dataclass
class ImportPlan:
    entity: Entity
    rows: list[PlannedRow]

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def mutations(self) -> list[tuple[str, dict[str, Any]]]:
        """The mutations to queue, in file order, for the rows not skipped (none while any row has
        an error); a merged row is created and then merged into the existing customer."""
        if not self.ok:
            return []
        out: list[tuple[str, dict[str, Any]]] = []
        for r in self.rows:
            if r.decision == "skip" or r.args is None:
                continue
            out.append((CREATE[self.entity], r.args))
            if r.decision == "merge" and r.merge_into is not None:
                out.append((MERGE, {"id": str(r.merge_into), "merged_id": r.args["id"]}))
        return out


def plan_import(conn: Connection, entity: Entity, sheet: Sheet, mapping: Mapping[int, str | None],
                owner_id: uuid.UUID | None, make_id: Callable[[], uuid.UUID] = new_id) -> ImportPlan:
    """Every non-blank row checked as its create mutation's arguments; duplicates flagged (and
    set to "skip") against the cache and the rows above them."""
    headers = {name: sheet.headers[i] for i, name in mapping.items() if name}
    model = mutations.get(CREATE[entity], mutations.latest_version(CREATE[entity])).args
    seen: dict[str, int] = {}
    rows: list[PlannedRow] = []
    for offset, cells in enumerate(sheet.rows):
        if not any(cells):
            continue
        number = offset + 2
        values = {name: cells[i].strip() for i, name in mapping.items() if name and i < len(cells) and cells[i].strip()}
        planned = PlannedRow(number, values, None)
        raw = _raw_args(conn, entity, values, owner_id, make_id, planned, headers)
        try:
            planned.args = model.model_validate(raw).model_dump(mode="json", exclude_defaults=True)
            planned.args["id"] = str(raw["id"])
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                planned.errors.append(RowError(number, headers.get(name, _label(entity, name)),
                                               _(_REASONS.get(error["type"], N_("invalid value")))))
        _flag_duplicates(conn, entity, planned, seen)
        rows.append(planned)
    return ImportPlan(entity, rows)


def _label(entity: Entity, name: str) -> str:
    return next((_(c.label) for c in COLUMNS[entity] if c.name == name), name)


def _raw_args(conn: Connection, entity: Entity, values: dict[str, str], owner_id: uuid.UUID | None,
              make_id: Callable[[], uuid.UUID], planned: PlannedRow, headers: Mapping[str, str]) -> dict[str, Any]:
    raw: dict[str, Any] = {k: v for k, v in values.items() if k not in ("customer", "tags", "credit_limit",
                                                                        "birthday", "status", "tier")}
    raw["id"] = make_id()
    if entity in ("customer", "lead") and owner_id is not None:
        raw["owner_id"] = owner_id
    if "tags" in values:
        raw["tags"] = [t for t in re.split(r"[|,，;；、]", values["tags"]) if t.strip()]
    if "status" in values:
        raw["status"] = _code(values["status"], {"prospect": ("潜在", "潜在客户"), "active": ("活跃", "正常"),
                                                 "dormant": ("休眠", "沉睡"), "lost": ("流失", "已流失")})
    if "tier" in values:
        raw["tier"] = values["tier"].upper()
    if "credit_limit" in values:
        try:
            raw["credit_limit"] = Decimal(values["credit_limit"].replace(",", "").replace("¥", "").strip())
        except InvalidOperation:
            raw["credit_limit"] = values["credit_limit"]  # the model says why
    if "birthday" in values:
        raw["birthday"] = _date(values["birthday"]) or values["birthday"]
    if entity == "contact":
        party_id = _customer_id(conn, values.get("customer", ""))
        if party_id is None:
            reason = _("no such customer") if values.get("customer") else _("required")
            planned.errors.append(RowError(planned.row, headers.get("customer", _("Customer")), reason))
        raw["party_id"] = party_id or uuid.UUID(int=0)
    return raw


def _code(value: str, words: Mapping[str, tuple[str, ...]]) -> str:
    lowered = value.strip().lower()
    for code, names in words.items():
        if lowered == code or value.strip() in names:
            return code
    return lowered


def _date(text: str) -> dt.date | None:
    found = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(\s+.*)?", text)
    if not found:
        return None
    try:
        return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def _customer_id(conn: Connection, name_or_code: str) -> uuid.UUID | None:
    if not name_or_code:
        return None
    p = metadata.tables["party"]
    found = conn.execute(sa.select(p.c.id).where(
        p.c.archived.is_(False), p.c.merged_into.is_(None),
        sa.or_(p.c.name == name_or_code, p.c.code == name_or_code)).order_by(p.c.id).limit(1)).scalar()
    return found


_KINDS = {"customer": N_("customer"), "contact": N_("contact"), "lead": N_("lead")}
_WHY = {"phone": N_("same phone"), "email": N_("same e-mail"), "name": N_("similar name")}


def _flag_duplicates(conn: Connection, entity: Entity, planned: PlannedRow, seen: dict[str, int]) -> None:
    values = planned.values
    name = values.get("name", "")
    keys = [f"name:{name_core(name)}" if name else "", f"phone:{phone_digits(values.get('phone'))}"
            if len(phone_digits(values.get("phone"))) >= 7 else "", f"email:{values.get('email', '').lower()}"
            if values.get("email") else ""]
    if entity == "contact":  # a contact repeats only within one customer
        keys = [f"{values.get('customer', '')}/{k}" if k else "" for k in keys]
    for key in filter(None, keys):
        if key in seen:
            planned.duplicates.append(_("same as row %(row)s") % {"row": seen[key]})
            break
    for key in filter(None, keys):
        seen.setdefault(key, planned.row)
    for dup in find_duplicates(conn, name=name or None, phone=values.get("phone"), email=values.get("email"),
                               limit=5):
        if entity == "contact" and dup.kind != "contact":
            continue
        planned.duplicates.append(_("%(kind)s %(name)s (%(why)s)") % {
            "kind": _(_KINDS[dup.kind]), "name": dup.name, "why": _(_WHY[dup.reason])})
        if entity == "customer" and dup.kind == "customer" and planned.merge_into is None:
            planned.merge_into = dup.id
    if planned.duplicates:
        planned.decision = "skip"
