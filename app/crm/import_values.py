"""Spreadsheet cells as a create mutation's raw arguments: status and tier words in English or
Chinese, amounts with separators and ¥, dates as 2024-01-31, 2024/1/31 or 2024年1月31日, a
contact's customer by name or code, and custom field values checked by their type (a row error
for each bad one, as the user reads it)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.i18n import _
from app.core.schema import metadata
from app.crm.exchange_files import CUSTOM, Column, Entity
from app.crm.fields import choices

#: cells the create model does not take as they are
_CONVERTED = ("customer", "tags", "credit_limit", "birthday", "status", "tier")
_STATUS_WORDS = {"prospect": ("潜在", "潜在客户"), "active": ("活跃", "正常"), "dormant": ("休眠", "沉睡"),
                 "lost": ("流失", "已流失")}


@dataclass(frozen=True)
class RowError:
    #: the row number as the spreadsheet shows it (the headers are row 1)
    row: int
    column: str
    reason: str


def raw_args(conn: Connection, entity: Entity, values: Mapping[str, str], columns: Mapping[str, Column],
             headers: Mapping[str, str], errors: list[RowError], row: int) -> dict[str, Any]:
    """One row's cells (field name → text) as the create's arguments, before the model checks
    them; what only this module can check (custom values, the contact's customer) adds to
    `errors`. A contact's unknown customer leaves party_id None."""
    raw: dict[str, Any] = {k: v for k, v in values.items() if k not in _CONVERTED and not k.startswith(CUSTOM)}
    if "tags" in values:
        raw["tags"] = [t for t in re.split(r"[|,，;；、]", values["tags"]) if t.strip()]
    if "status" in values:
        raw["status"] = _code(values["status"], _STATUS_WORDS)
    if "tier" in values:
        raw["tier"] = values["tier"].upper()
    if "credit_limit" in values:
        amount = _number(values["credit_limit"])
        raw["credit_limit"] = values["credit_limit"] if amount is None else amount  # the model says why
    if "birthday" in values:
        raw["birthday"] = parse_date(values["birthday"]) or values["birthday"]
    if entity == "customer":
        custom = {name: c.custom for name, c in columns.items() if c.custom is not None}
        raw["custom_values"] = _custom_values(custom, values, columns, headers, errors, row)
    if entity == "contact":
        raw["party_id"] = _customer_id(conn, values.get("customer", ""))
        if raw["party_id"] is None:
            reason = _("no such customer") if values.get("customer") else _("required")
            errors.append(RowError(row, headers.get("customer", _("Customer")), reason))
    return raw


def _custom_values(fields: Mapping[str, dict[str, Any]], values: Mapping[str, str], columns: Mapping[str, Column],
                   headers: Mapping[str, str], errors: list[RowError], row: int) -> dict[str, Any]:
    """Custom field id → value as stored, for the fields this row fills; a row error for each
    required field left empty and each value its type refuses."""
    out: dict[str, Any] = {}
    in_file = list(headers)  # the file's column order: errors read left to right
    for name in sorted(fields, key=lambda n: in_file.index(n) if n in in_file else len(in_file)):
        definition, text = fields[name], values.get(name, "")
        where = headers.get(name, columns[name].title)
        if not text:
            if definition["required"]:
                errors.append(RowError(row, where, _("required")))
            continue
        value, reason = custom_value(definition, text)
        if reason:
            errors.append(RowError(row, where, reason))
        else:
            out[name[len(CUSTOM):]] = value
    return out


def custom_value(definition: Mapping[str, Any], text: str) -> tuple[str | None, str]:
    """A cell as a custom field stores it, or why it cannot be: (value, "") or (None, reason)."""
    kind = definition["type"]
    if kind == "number":
        number = _number(text)
        return (str(number), "") if number is not None else (None, _("not a number"))
    if kind == "date":
        day = parse_date(text)
        return (day.isoformat(), "") if day is not None else (None, _("not a date"))
    if kind == "choice":
        allowed = choices(dict(definition))
        found = next((c for c in allowed if c.casefold() == text.casefold()), None)
        if found is None:
            return None, _("not one of: %(choices)s") % {"choices": ", ".join(allowed)}
        return found, ""
    return text, ""


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(re.sub(r"[,，¥￥\s]", "", text))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _code(value: str, words: Mapping[str, tuple[str, ...]]) -> str:
    lowered = value.strip().lower()
    for code, names in words.items():
        if lowered == code or value.strip() in names:
            return code
    return lowered


def parse_date(text: str) -> dt.date | None:
    """2024-01-31, 2024/1/31, 2024.1.31 or 2024年1月31日 (a time after it is ignored)."""
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
