"""Leads: captured, qualified or disqualified (with a reason), and converted in one step into a
customer (new, or an existing one found by duplicate detection), a contact and an opportunity."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from app.core.i18n import N_
from app.core.mutations import mutator
from app.core.pinyin import pinyin_keys
from app.core.tx import Change, Tx
from app.crm.common import Amount, Archive, Args, Name, Phone, Reason, Short, Word, changes, name_keys
from app.crm.errors import InvalidTransition
from app.crm.opportunities import OpportunityCreate, insert_opportunity
from app.crm.ownership import check_owner_choice, require_lead, require_party

Status = Literal["new", "qualified", "disqualified", "converted"]
STATUSES = {"new": N_("New"), "qualified": N_("Qualified"), "disqualified": N_("Disqualified"),
            "converted": N_("Converted")}
#: status → the statuses a lead may move to (a converted lead is done)
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"qualified", "disqualified", "converted"}),
    "qualified": frozenset({"new", "disqualified", "converted"}),
    "disqualified": frozenset({"new", "qualified"}),
    "converted": frozenset(),
}
DOCUMENT = N_("lead")


class LeadCreate(Args):
    id: uuid.UUID
    name: Name
    company: Short | None = None
    title: Short | None = None
    phone: Phone | None = None
    email: Short | None = None
    wechat: Word | None = None
    city: Word | None = None
    source: Word | None = None
    owner_id: uuid.UUID | None = None
    notes: str | None = None


class LeadPatch(Args):
    id: uuid.UUID
    name: Change[Name] | None = None
    company: Change[Short] | None = None
    title: Change[Short] | None = None
    phone: Change[Phone] | None = None
    email: Change[Short] | None = None
    wechat: Change[Word] | None = None
    city: Change[Word] | None = None
    source: Change[Word] | None = None
    owner_id: Change[uuid.UUID] | None = None
    notes: Change[str] | None = None


class LeadAction(Args):
    id: uuid.UUID


class LeadDisqualify(Args):
    id: uuid.UUID
    reason: Reason


class LeadConvert(Args):
    """Ids of what the conversion makes come from the caller (made where the record is born)."""

    id: uuid.UUID
    #: the customer: a new one with this id, or (link_existing) the existing one with this id
    party_id: uuid.UUID
    link_existing: bool = False
    #: the new customer's name (default: the lead's company, else the lead's name)
    customer_name: Name | None = None
    contact_id: uuid.UUID
    #: no opportunity when None
    opportunity_id: uuid.UUID | None = None
    opportunity_name: Name | None = None
    amount: Amount = Decimal(0)
    expected_close: dt.date | None = None


def _move(tx: Tx, lead: dict[str, object], wanted: str, again_ok: bool = True) -> None:
    current = str(lead["status"])
    if wanted == current and again_ok:
        return
    if wanted not in TRANSITIONS[current]:
        raise InvalidTransition(field="status", document=DOCUMENT, current=STATUSES[current], wanted=STATUSES[wanted])
    tx.set("lead", lead["id"], {"status": wanted})  # type: ignore[arg-type]


@mutator("crm.lead.create", args=LeadCreate)
def create_lead(tx: Tx, args: LeadCreate) -> None:
    check_owner_choice(tx, args.owner_id)
    full, initials = pinyin_keys(args.name)
    tx.insert("lead", {**args.model_dump(), "owner_id": args.owner_id or tx.user_id, "status": "new",
                       "name_pinyin": full, "name_initials": initials})


@mutator("crm.lead.update", args=LeadPatch)
def update_lead(tx: Tx, args: LeadPatch) -> None:
    lead = require_lead(tx, args.id)
    if args.owner_id is not None:
        check_owner_choice(tx, args.owner_id.new, lead["owner_id"])
    tx.patch("lead", args.id, changes(args), derived=name_keys)


@mutator("crm.lead.qualify", args=LeadAction)
def qualify_lead(tx: Tx, args: LeadAction) -> None:
    _move(tx, require_lead(tx, args.id), "qualified")


@mutator("crm.lead.reopen", args=LeadAction)
def reopen_lead(tx: Tx, args: LeadAction) -> None:
    lead = require_lead(tx, args.id)
    _move(tx, lead, "new")
    if lead["status"] == "disqualified":
        tx.set("lead", args.id, {"disqualify_reason": None})


@mutator("crm.lead.disqualify", args=LeadDisqualify)
def disqualify_lead(tx: Tx, args: LeadDisqualify) -> None:
    lead = require_lead(tx, args.id)
    _move(tx, lead, "disqualified")
    tx.set("lead", args.id, {"disqualify_reason": args.reason})


@mutator("crm.lead.archive", args=Archive)
def archive_lead(tx: Tx, args: Archive) -> None:
    require_lead(tx, args.id)
    tx.archive("lead", args.id, args.archived)


@mutator("crm.lead.convert", args=LeadConvert)
def convert_lead(tx: Tx, args: LeadConvert) -> None:
    """One step: the customer (new or linked), a contact from the lead, an opportunity, and the
    lead marked converted with links to all three."""
    lead = require_lead(tx, args.id)
    _move(tx, lead, "converted", again_ok=False)
    if args.link_existing:
        require_party(tx, args.party_id)
    else:
        name = args.customer_name or lead["company"] or lead["name"]
        full, initials = pinyin_keys(name)
        tx.insert("party", {
            "id": args.party_id, "name": name, "name_pinyin": full, "name_initials": initials,
            "kind": "company" if lead["company"] else "person", "is_customer": True, "status": "prospect",
            "owner_id": lead["owner_id"], "phone": lead["phone"], "email": lead["email"],
            "wechat": lead["wechat"], "city": lead["city"], "source": lead["source"],
        })
    full, initials = pinyin_keys(lead["name"])
    tx.insert("contact", {
        "id": args.contact_id, "party_id": args.party_id, "name": lead["name"], "name_pinyin": full,
        "name_initials": initials, "title": lead["title"], "phone": lead["phone"], "email": lead["email"],
        "wechat": lead["wechat"], "notes": lead["notes"],
    })
    if args.opportunity_id is not None:
        insert_opportunity(tx, OpportunityCreate(
            id=args.opportunity_id, party_id=args.party_id, contact_id=args.contact_id, lead_id=args.id,
            name=args.opportunity_name or lead["company"] or lead["name"], stage="qualified",
            amount=args.amount, expected_close=args.expected_close, owner_id=lead["owner_id"] or tx.user_id,
        ))
    tx.set("lead", args.id, {"converted_party_id": args.party_id, "converted_contact_id": args.contact_id,
                             "converted_opportunity_id": args.opportunity_id, "converted_at": tx.now})
