"""What the customer form needs from the cache, read in one go on the read pool: the customer as
stored, whether the signed-in user may change it, the owners to pick from, the custom fields."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.core.schema import metadata
from app.crm.fields import choices, decode_custom, decode_tags, definitions
from app.crm.ownership import MANAGING, may_edit_party
from app.sync.cache import reading

app_user = metadata.tables["app_user"]
party = metadata.tables["party"]

#: the form's plain text fields, each a party column of the same name
TEXT_FIELDS = ("code", "industry", "territory", "source", "phone", "phone2", "email", "wechat", "website",
               "province", "city", "district", "street", "postcode", "country")


@dataclass
class CustomField:
    id: str
    label_en: str
    label_zh: str
    type: str
    required: bool
    choices: list[str] = field(default_factory=list)


@dataclass
class FormData:
    """The form's starting point; `values` are the customer's fields as the form shows them."""

    owners: list[tuple[uuid.UUID, str]]
    custom_fields: list[CustomField]
    values: dict[str, Any] = field(default_factory=dict)
    editable: bool = True
    owner_name: str = ""


def _owners(conn: Connection, user_id: uuid.UUID | None, role: str | None,
            current: uuid.UUID | None) -> list[tuple[uuid.UUID, str]]:
    """Who may own a customer: every rep and manager for a manager; a rep may only take it or
    leave it (app.crm.ownership), so they see themselves and the present owner."""
    query = sa.select(app_user.c.id, app_user.c.display_name).where(
        app_user.c.archived.is_(False), app_user.c.disabled.is_(False),
        app_user.c.role.in_(("sales_rep", "manager"))).order_by(app_user.c.display_name)
    if role not in MANAGING and user_id is not None:
        query = query.where(app_user.c.id.in_([i for i in (user_id, current) if i is not None]))
    return [(r.id, r.display_name) for r in conn.execute(query)]


def values_of(row: dict[str, Any]) -> dict[str, Any]:
    """A party row as the form's values (None for empty text)."""
    values: dict[str, Any] = {k: (row[k] or None) for k in TEXT_FIELDS}
    values.update(kind=row["kind"], name=row["name"], status=row["status"], tier=row["tier"],
                  owner_id=row["owner_id"], notes=row["notes"] or None, tags=decode_tags(row["tags"]),
                  credit_limit=None if row["credit_limit"] is None else Decimal(row["credit_limit"]),
                  custom_values=decode_custom(row["custom_values"]))
    return values


def load_form_data(db: Engine, user_id: uuid.UUID | None, role: str | None,
                   party_id: uuid.UUID | None) -> FormData:
    """Everything the form shows, for a new customer (`party_id` None) or an existing one."""
    with reading(db) as conn:
        fields = [CustomField(key, d["label_en"], d["label_zh"], d["type"], bool(d["required"]), choices(d))
                  for key, d in definitions(conn).items()]
        if party_id is None:
            return FormData(_owners(conn, user_id, role, None), fields)
        row = conn.execute(sa.select(party).where(party.c.id == party_id)).mappings().one()
        owner = row["owner_id"]
        owner_name = "" if owner is None else conn.execute(
            sa.select(app_user.c.display_name).where(app_user.c.id == owner)).scalar() or ""
        editable = may_edit_party(conn, user_id, role, dict(row))
        return FormData(_owners(conn, user_id, role, owner), fields, values_of(dict(row)), editable, owner_name)
