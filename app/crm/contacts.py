"""Contacts of a customer and their family members (birthdays, solar or lunar)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from app.core.i18n import N_
from app.core.mutations import mutator
from app.core.pinyin import pinyin_keys
from app.core.tx import Change, Tx
from app.crm.common import Archive, Args, Name, Phone, Short, Word, changes, name_keys
from app.crm.ownership import require_child, require_party

BuyingRole = Literal["decision_maker", "influencer", "user", "gatekeeper", "other"]
Channel = Literal["phone", "wechat", "email", "visit"]
Relation = Literal["spouse", "child", "parent", "other"]
BUYING_ROLES = {"decision_maker": N_("Decision maker"), "influencer": N_("Influencer"), "user": N_("End user"),
                "gatekeeper": N_("Gatekeeper"), "other": N_("Other")}
CHANNELS = {"phone": N_("Phone"), "wechat": N_("WeChat"), "email": N_("E-mail"), "visit": N_("Visit")}
RELATIONS = {"spouse": N_("Spouse"), "child": N_("Child"), "parent": N_("Parent"), "other": N_("Other")}


class ContactCreate(Args):
    id: uuid.UUID
    party_id: uuid.UUID
    name: Name
    title: Short | None = None
    phone: Phone | None = None
    mobile: Phone | None = None
    email: Short | None = None
    wechat: Word | None = None
    #: a lunar birthday: month and day of the lunar calendar, the year of birth
    birthday: dt.date | None = None
    birthday_lunar: bool = False
    buying_role: BuyingRole | None = None
    interests: str | None = None
    preferred_channel: Channel | None = None
    notes: str | None = None


class ContactPatch(Args):
    id: uuid.UUID
    name: Change[Name] | None = None
    title: Change[Short] | None = None
    phone: Change[Phone] | None = None
    mobile: Change[Phone] | None = None
    email: Change[Short] | None = None
    wechat: Change[Word] | None = None
    birthday: Change[dt.date] | None = None
    birthday_lunar: Change[bool] | None = None
    buying_role: Change[BuyingRole] | None = None
    interests: Change[str] | None = None
    preferred_channel: Change[Channel] | None = None
    notes: Change[str] | None = None


class FamilyCreate(Args):
    id: uuid.UUID
    contact_id: uuid.UUID
    relation: Relation
    name: Name
    birthday: dt.date | None = None
    birthday_lunar: bool = False
    notes: str | None = None


class FamilyPatch(Args):
    id: uuid.UUID
    relation: Change[Relation] | None = None
    name: Change[Name] | None = None
    birthday: Change[dt.date] | None = None
    birthday_lunar: Change[bool] | None = None
    notes: Change[str] | None = None


@mutator("crm.contact.create", args=ContactCreate)
def create_contact(tx: Tx, args: ContactCreate) -> None:
    require_party(tx, args.party_id)
    full, initials = pinyin_keys(args.name)
    tx.insert("contact", {**args.model_dump(), "name_pinyin": full, "name_initials": initials})


@mutator("crm.contact.update", args=ContactPatch)
def update_contact(tx: Tx, args: ContactPatch) -> None:
    require_child(tx, "contact", args.id)
    tx.patch("contact", args.id, changes(args), derived=name_keys)


@mutator("crm.contact.archive", args=Archive)
def archive_contact(tx: Tx, args: Archive) -> None:
    require_child(tx, "contact", args.id)
    tx.archive("contact", args.id, args.archived)


def _family_contact(tx: Tx, contact_id: uuid.UUID) -> None:
    require_child(tx, "contact", contact_id)


@mutator("crm.contact.family.create", args=FamilyCreate)
def add_family_member(tx: Tx, args: FamilyCreate) -> None:
    _family_contact(tx, args.contact_id)
    tx.insert("contact_family", args.model_dump())


@mutator("crm.contact.family.update", args=FamilyPatch)
def update_family_member(tx: Tx, args: FamilyPatch) -> None:
    _family_contact(tx, tx.require("contact_family", args.id)["contact_id"])
    tx.patch("contact_family", args.id, changes(args))


@mutator("crm.contact.family.remove", args=Archive)
def remove_family_member(tx: Tx, args: Archive) -> None:
    _family_contact(tx, tx.require("contact_family", args.id)["contact_id"])
    tx.archive("contact_family", args.id, args.archived)
