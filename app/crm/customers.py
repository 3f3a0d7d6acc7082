"""Customers (the party master shared with ERP): create, edit, archive, share with a colleague.

A customer without an owner is in the team's pool (公海): the new-customer form sets the signed-in
rep as owner; app.crm.ownership says who may change what.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field

from app.core.i18n import N_
from app.core.mutations import mutator
from app.core.pinyin import pinyin_keys
from app.core.tx import Change, Tx
from app.crm.common import Amount, Archive, Args, Name, Phone, Short, Word, changes, name_keys
from app.crm.fields import check_custom, decode_custom, encode_custom, encode_tags
from app.crm.ownership import check_owner_choice, require_party

Status = Literal["prospect", "active", "dormant", "lost"]
Tier = Literal["A", "B", "C", "D"]
#: customer status → label
STATUSES = {"prospect": N_("Prospect"), "active": N_("Active"), "dormant": N_("Dormant"), "lost": N_("Lost")}
#: a share row's id is made from the pair, so sharing twice is one row (and stays deterministic)
SHARE_NS = uuid.UUID("5d7f6c1e-3a55-4f0e-9a57-1c2bd0a9e001")
#: soft text fields a create and a patch both take
_TEXT = ("code", "phone", "phone2", "email", "website", "wechat", "industry", "territory", "source",
         "country", "province", "city", "district", "street", "postcode", "notes")


class CustomerCreate(Args):
    id: uuid.UUID
    name: Name
    kind: Literal["company", "person"] = "company"
    status: Status = "prospect"
    tier: Tier | None = None
    owner_id: uuid.UUID | None = None
    credit_limit: Amount | None = None
    code: Word | None = None
    phone: Phone | None = None
    phone2: Phone | None = None
    email: Short | None = None
    website: Short | None = None
    wechat: Word | None = None
    industry: Word | None = None
    territory: Word | None = None
    source: Word | None = None
    country: Word | None = None
    province: Word | None = None
    city: Word | None = None
    district: Word | None = None
    street: Short | None = None
    postcode: Word | None = None
    notes: str | None = None
    tags: list[Word] = Field(default_factory=list)
    #: custom field id → value
    custom_values: dict[str, Any] = Field(default_factory=dict)


class CustomerPatch(Args):
    id: uuid.UUID
    name: Change[Name] | None = None
    kind: Change[Literal["company", "person"]] | None = None
    status: Change[Status] | None = None
    tier: Change[Tier] | None = None
    owner_id: Change[uuid.UUID] | None = None
    credit_limit: Change[Amount] | None = None
    code: Change[Word] | None = None
    phone: Change[Phone] | None = None
    phone2: Change[Phone] | None = None
    email: Change[Short] | None = None
    website: Change[Short] | None = None
    wechat: Change[Word] | None = None
    industry: Change[Word] | None = None
    territory: Change[Word] | None = None
    source: Change[Word] | None = None
    country: Change[Word] | None = None
    province: Change[Word] | None = None
    city: Change[Word] | None = None
    district: Change[Word] | None = None
    street: Change[Short] | None = None
    postcode: Change[Word] | None = None
    notes: Change[str] | None = None
    tags: Change[list[Word]] | None = None
    #: custom field id → change (each field merges on its own)
    custom_values: dict[str, Change[Any]] | None = None


class Share(Args):
    party_id: uuid.UUID
    user_id: uuid.UUID


def share_id(party_id: uuid.UUID, user_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(SHARE_NS, f"{party_id}:{user_id}")


@mutator("crm.customer.create", args=CustomerCreate)
def create_customer(tx: Tx, args: CustomerCreate) -> None:
    check_owner_choice(tx, args.owner_id)
    full, initials = pinyin_keys(args.name)
    values = args.model_dump(exclude={"tags", "custom_values"})
    tx.insert("party", {**values, "name_pinyin": full, "name_initials": initials, "is_customer": True,
                        "tags": encode_tags(args.tags),
                        "custom_values": encode_custom(check_custom(tx.conn, args.custom_values, creating=True))})


@mutator("crm.customer.update", args=CustomerPatch)
def update_customer(tx: Tx, args: CustomerPatch) -> None:
    current = require_party(tx, args.id)
    if args.owner_id is not None:
        check_owner_choice(tx, args.owner_id.new, current["owner_id"])
    patch: dict[str, Change[Any]] = changes(args, skip=("tags", "custom_values"))
    if args.tags is not None:
        patch["tags"] = Change[str](base=encode_tags(args.tags.base or []), new=encode_tags(args.tags.new or []))
    tx.patch("party", args.id, patch, derived=name_keys)
    if args.custom_values:
        _patch_custom(tx, current, args.custom_values)


def _patch_custom(tx: Tx, current: dict[str, Any], wanted: dict[str, Change[Any]]) -> None:
    """Each custom field merges on its own: another user's edit of another field survives."""
    checked = check_custom(tx.conn, {k: c.new for k, c in wanted.items()}, creating=False)
    now = decode_custom(tx.require("party", current["id"])["custom_values"])
    merged = {**now, **checked}  # soft: the later write wins, like a phone number
    stored = encode_custom(merged)
    if stored != encode_custom(now):
        tx.set("party", current["id"], {"custom_values": stored})


@mutator("crm.customer.archive", args=Archive)
def archive_customer(tx: Tx, args: Archive) -> None:
    require_party(tx, args.id)
    tx.archive("party", args.id, args.archived)


@mutator("crm.customer.share", args=Share)
def share_customer(tx: Tx, args: Share) -> None:
    """Let another rep change this customer too (the owner, a sharer or a manager may share)."""
    require_party(tx, args.party_id)
    tx.require("app_user", args.user_id)
    row_id = share_id(args.party_id, args.user_id)
    if tx.get("party_share", row_id) is None:
        tx.insert("party_share", {"id": row_id, "party_id": args.party_id, "user_id": args.user_id})
    else:
        tx.archive("party_share", row_id, False)


@mutator("crm.customer.unshare", args=Share)
def unshare_customer(tx: Tx, args: Share) -> None:
    require_party(tx, args.party_id)
    if tx.get("party_share", share_id(args.party_id, args.user_id)) is not None:
        tx.archive("party_share", share_id(args.party_id, args.user_id), True)

