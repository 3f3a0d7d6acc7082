"""Tags and custom field values of a customer: how they are stored and checked."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.i18n import N_
from app.core.schema import metadata
from app.crm.errors import CustomValueInvalid, UnknownCustomField

custom_field = metadata.tables["custom_field"]
_TAG_SEPARATORS = ("|", ",", "，", ";", "；")


def encode_tags(tags: list[str] | tuple[str, ...]) -> str:
    """Tags as stored: "|vip|上海|" (trimmed, no separators inside, each once, case kept), or ""."""
    seen: dict[str, str] = {}
    for tag in tags:
        for sep in _TAG_SEPARATORS:
            tag = tag.replace(sep, " ")
        tag = " ".join(tag.split())
        if tag and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return f"|{'|'.join(seen.values())}|" if seen else ""


def decode_tags(stored: str | None) -> list[str]:
    return [t for t in (stored or "").split("|") if t]


def tag_pattern(tag: str) -> str:
    """A LIKE pattern that finds one tag in the stored column."""
    return "%" + encode_tags([tag]).replace("%", "").replace("_", "") + "%"


def decode_custom(stored: str | None) -> dict[str, Any]:
    return json.loads(stored) if stored else {}


def encode_custom(values: dict[str, Any]) -> str | None:
    kept = {k: v for k, v in values.items() if v not in (None, "")}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True) if kept else None


def definitions(conn: Connection) -> dict[str, dict[str, Any]]:
    """Live custom field definitions by id (text), in position order."""
    rows = conn.execute(sa.select(custom_field).where(custom_field.c.archived.is_(False))
                        .order_by(custom_field.c.position, custom_field.c.key)).mappings()
    return {str(r["id"]): dict(r) for r in rows}


def check_custom(conn: Connection, values: dict[str, Any], creating: bool) -> dict[str, Any]:
    """Values keyed by field id, checked against their definitions; returns them as stored
    (numbers as strings, dates ISO). A create must fill every required field."""
    fields = definitions(conn)
    out: dict[str, Any] = {}
    for key, value in values.items():
        field = fields.get(str(key))
        if field is None:
            raise UnknownCustomField(field="custom_values", key=str(key))
        out[str(key)] = None if value in (None, "") else _checked(field, value)
    if creating:
        for key, field in fields.items():
            if field["required"] and out.get(key) is None:
                raise CustomValueInvalid(field=f"custom_values.{key}", label=_label(field),
                                         reason=N_("required"))
    return out


def _checked(field: dict[str, Any], value: Any) -> Any:
    kind = field["type"]
    try:
        if kind == "number":
            number = Decimal(str(value))
            if not number.is_finite():
                raise InvalidOperation
            return str(number)
        if kind == "date":
            return (value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))).isoformat()
        if kind == "choice":
            if str(value) not in choices(field):
                raise ValueError(value)
            return str(value)
        return str(value)
    except (InvalidOperation, ValueError, TypeError):
        raise CustomValueInvalid(field=f"custom_values.{field['id']}", label=_label(field),
                                 reason=str(value)) from None


def choices(field: dict[str, Any]) -> list[str]:
    return list(json.loads(field["choices"])) if field.get("choices") else []



def _label(field: dict[str, Any]) -> str:
    return f"{field['label_zh']} / {field['label_en']}" if field["label_zh"] != field["label_en"] else field["label_en"]
