"""Opportunities: the pipeline from lead-in to won or lost.

Moving the stage follows TRANSITIONS (won and lost need a reason; a lost deal can be revived, a
won one reopened into negotiation). The probability follows the stage unless a person set it.
The stage is a guarded field: a deal moved on two laptops from the same starting stage reaches
the conflict inbox instead of flipping silently.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import StringConstraints, field_validator

from app.core.i18n import N_
from app.core.mutations import mutator
from app.core.tx import Change, Tx
from app.crm.common import Amount, Archive, Args, Name, Percent, Reason, changes
from app.crm.errors import ContactElsewhere, InvalidTransition, ReasonRequired
from app.crm.ownership import check_owner_choice, require_child, require_party

Stage = Literal["lead_in", "qualified", "proposal", "negotiation", "won", "lost"]
OpenStage = Literal["lead_in", "qualified", "proposal", "negotiation"]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
#: stage → (label, default probability %), in pipeline order
STAGES: dict[str, tuple[str, int]] = {
    "lead_in": (N_("Lead-in"), 10),
    "qualified": (N_("Qualified"), 20),
    "proposal": (N_("Proposal"), 50),
    "negotiation": (N_("Negotiation"), 75),
    "won": (N_("Closed won"), 100),
    "lost": (N_("Closed lost"), 0),
}
OPEN_STAGES = ("lead_in", "qualified", "proposal", "negotiation")
CLOSED_STAGES = ("won", "lost")
#: stage → the stages it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    **{s: frozenset(OPEN_STAGES + CLOSED_STAGES) - {s} for s in OPEN_STAGES},
    "won": frozenset({"negotiation"}),
    "lost": frozenset({"lead_in", "qualified", "proposal", "negotiation"}),
}
DOCUMENT = N_("opportunity")


def stage_label(stage: str) -> str:
    return STAGES[stage][0]


class OpportunityCreate(Args):
    id: uuid.UUID
    party_id: uuid.UUID
    contact_id: uuid.UUID | None = None
    lead_id: uuid.UUID | None = None
    name: Name
    stage: OpenStage = "lead_in"
    amount: Amount = Decimal(0)
    currency: Currency = "CNY"
    #: set by a person: it stays when the stage moves
    probability: Percent | None = None
    expected_close: dt.date | None = None
    owner_id: uuid.UUID | None = None
    notes: str | None = None


class OpportunityPatch(Args):
    id: uuid.UUID
    name: Change[Name] | None = None
    contact_id: Change[uuid.UUID] | None = None
    amount: Change[Amount] | None = None
    currency: Change[Currency] | None = None
    probability: Change[Percent] | None = None
    expected_close: Change[dt.date] | None = None
    owner_id: Change[uuid.UUID] | None = None
    notes: Change[str] | None = None


class StageMove(Args):
    id: uuid.UUID
    #: from the stage the user saw to the one they chose
    stage: Change[Stage]
    reason: Reason | None = None
    #: a probability the user typed with the move (else the stage's default, unless fixed)
    probability: Percent | None = None

    @field_validator("stage")
    @classmethod
    def _to_a_stage(cls, value: Change[Stage]) -> Change[Stage]:
        if value.new is None:
            raise ValueError("a stage is needed")
        return value


def insert_opportunity(tx: Tx, args: OpportunityCreate) -> None:
    """Write a new opportunity (also used by lead conversion)."""
    if args.contact_id is not None and tx.require("contact", args.contact_id)["party_id"] != args.party_id:
        raise ContactElsewhere(field="contact_id")
    check_owner_choice(tx, args.owner_id)
    fixed = args.probability is not None
    tx.insert("opportunity", {
        **args.model_dump(), "owner_id": args.owner_id or tx.user_id,
        "probability": args.probability if fixed else STAGES[args.stage][1], "probability_fixed": fixed,
    })


@mutator("crm.opportunity.create", args=OpportunityCreate)
def create_opportunity(tx: Tx, args: OpportunityCreate) -> None:
    require_party(tx, args.party_id)
    insert_opportunity(tx, args)


@mutator("crm.opportunity.update", args=OpportunityPatch)
def update_opportunity(tx: Tx, args: OpportunityPatch) -> None:
    row = require_child(tx, "opportunity", args.id, helper="owner_id")
    if args.owner_id is not None:
        check_owner_choice(tx, args.owner_id.new, row["owner_id"])
    new_contact = args.contact_id.new if args.contact_id is not None else None
    if new_contact is not None and tx.require("contact", new_contact)["party_id"] != row["party_id"]:
        raise ContactElsewhere(field="contact_id")
    applied = tx.patch("opportunity", args.id, changes(args))
    if "probability" in applied:
        tx.set("opportunity", args.id, {"probability_fixed": True})


@mutator("crm.opportunity.move_stage", args=StageMove)
def move_stage(tx: Tx, args: StageMove) -> None:
    row = require_child(tx, "opportunity", args.id, helper="owner_id")
    wanted = str(args.stage.new)
    if row["stage"] == args.stage.base and wanted not in TRANSITIONS[row["stage"]] and wanted != row["stage"]:
        raise InvalidTransition(field="stage", document=DOCUMENT, current=stage_label(row["stage"]),
                                wanted=stage_label(wanted))
    if wanted in CLOSED_STAGES and not args.reason:
        raise ReasonRequired(field="reason", document=DOCUMENT, wanted=stage_label(wanted))
    if "stage" not in tx.patch("opportunity", args.id, {"stage": args.stage}):
        return  # already there, or a clash now in the conflict inbox
    values: dict[str, object]
    if wanted in CLOSED_STAGES:
        values = {"closed_at": tx.now, "close_reason": args.reason, "probability": STAGES[wanted][1]}
    else:
        values = {"closed_at": None, "close_reason": None}
        if args.probability is not None:
            values.update(probability=args.probability, probability_fixed=True)
        elif not row["probability_fixed"]:
            values["probability"] = STAGES[wanted][1]
    tx.set("opportunity", args.id, values)


@mutator("crm.opportunity.archive", args=Archive)
def archive_opportunity(tx: Tx, args: Archive) -> None:
    require_child(tx, "opportunity", args.id, helper="owner_id")
    tx.archive("opportunity", args.id, args.archived)
