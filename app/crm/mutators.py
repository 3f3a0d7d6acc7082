"""CRM writes as sync mutators: customers, contacts, activities (the CRM issue extends them)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.mutations import mutator
from app.core.pinyin import pinyin_keys
from app.core.tx import Change, Tx

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomerCreate(_Args):
    id: uuid.UUID
    name: Name
    kind: Literal["company", "person"] = "company"
    status: Literal["prospect", "active", "dormant", "lost"] = "prospect"
    tier: Literal["A", "B", "C", "D"] | None = None
    owner_id: uuid.UUID | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    email: Short | None = None
    city: Annotated[str, StringConstraints(max_length=80)] | None = None
    credit_limit: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)] | None = None
    notes: str | None = None


class CustomerPatch(_Args):
    id: uuid.UUID
    name: Change[Name] | None = None
    status: Change[Literal["prospect", "active", "dormant", "lost"]] | None = None
    tier: Change[Literal["A", "B", "C", "D"]] | None = None
    owner_id: Change[uuid.UUID] | None = None
    phone: Change[Annotated[str, StringConstraints(max_length=40)]] | None = None
    email: Change[Short] | None = None
    city: Change[Annotated[str, StringConstraints(max_length=80)]] | None = None
    credit_limit: Change[Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]] | None = None
    notes: Change[str] | None = None


class Archive(_Args):
    id: uuid.UUID
    archived: bool = True


class ContactCreate(_Args):
    id: uuid.UUID
    party_id: uuid.UUID
    name: Name
    title: Short | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    email: Short | None = None
    birthday: dt.date | None = None
    birthday_lunar: bool = False
    notes: str | None = None


class ContactPatch(_Args):
    id: uuid.UUID
    name: Change[Name] | None = None
    title: Change[Short] | None = None
    phone: Change[Annotated[str, StringConstraints(max_length=40)]] | None = None
    email: Change[Short] | None = None
    birthday: Change[dt.date] | None = None
    notes: Change[str] | None = None


class ActivityLog(_Args):
    id: uuid.UUID
    party_id: uuid.UUID
    contact_id: uuid.UUID | None = None
    kind: Literal["call", "meeting", "visit", "task", "note"]
    subject: Name
    body: str | None = None
    occurred_at: dt.datetime


def _changes(args: BaseModel) -> dict[str, Change[Any]]:
    return {k: v for k, v in args if k != "id" and v is not None}


def _party_search_keys(applied: dict[str, Any]) -> dict[str, str]:
    if "name" not in applied:
        return {}
    full, initials = pinyin_keys(applied["name"])
    return {"name_pinyin": full, "name_initials": initials}


def _pinyin_of_name(applied: dict[str, Any]) -> dict[str, str]:
    return {"name_pinyin": pinyin_keys(applied["name"])[0]} if "name" in applied else {}


@mutator("crm.customer.create", args=CustomerCreate)
def create_customer(tx: Tx, args: CustomerCreate) -> None:
    full, initials = pinyin_keys(args.name)
    tx.insert("party", {**args.model_dump(), "name_pinyin": full, "name_initials": initials,
                        "is_customer": True})


@mutator("crm.customer.update", args=CustomerPatch)
def update_customer(tx: Tx, args: CustomerPatch) -> None:
    tx.patch("party", args.id, _changes(args), derived=_party_search_keys)


@mutator("crm.customer.archive", args=Archive)
def archive_customer(tx: Tx, args: Archive) -> None:
    tx.archive("party", args.id, args.archived)


@mutator("crm.contact.create", args=ContactCreate)
def create_contact(tx: Tx, args: ContactCreate) -> None:
    tx.require("party", args.party_id)
    tx.insert("contact", {**args.model_dump(), "name_pinyin": pinyin_keys(args.name)[0]})


@mutator("crm.contact.update", args=ContactPatch)
def update_contact(tx: Tx, args: ContactPatch) -> None:
    tx.patch("contact", args.id, _changes(args), derived=_pinyin_of_name)


@mutator("crm.activity.log", args=ActivityLog)
def log_activity(tx: Tx, args: ActivityLog) -> None:
    tx.require("party", args.party_id)
    tx.insert("activity", {**args.model_dump(), "user_id": tx.user_id})
