"""Service cases: opened on a customer, assigned, worked, resolved (with a resolution), closed,
reopened. Status moves follow TRANSITIONS; the assignee may work a case on any customer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import field_validator

from app.core.i18n import N_
from app.core.mutations import mutator
from app.core.tx import Change, Tx
from app.crm.common import Args, Name, Reason, changes
from app.crm.errors import ContactElsewhere, InvalidTransition
from app.crm.ownership import require_child, require_party

Priority = Literal["low", "normal", "high", "urgent"]
Status = Literal["open", "in_progress", "waiting", "resolved", "closed"]
PRIORITIES = {"low": N_("Low"), "normal": N_("Normal"), "high": N_("High"), "urgent": N_("Urgent")}
STATUSES = {"open": N_("Open"), "in_progress": N_("In progress"), "waiting": N_("Waiting"),
            "resolved": N_("Resolved"), "closed": N_("Closed")}
OPEN_STATUSES = ("open", "in_progress", "waiting")
#: status → the statuses a case may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "waiting", "resolved", "closed"}),
    "in_progress": frozenset({"open", "waiting", "resolved", "closed"}),
    "waiting": frozenset({"open", "in_progress", "resolved", "closed"}),
    "resolved": frozenset({"closed", "open"}),
    "closed": frozenset({"open"}),
}
DOCUMENT = N_("service case")


class CaseCreate(Args):
    id: uuid.UUID
    party_id: uuid.UUID
    contact_id: uuid.UUID | None = None
    subject: Name
    description: str | None = None
    priority: Priority = "normal"
    assignee_id: uuid.UUID | None = None
    #: when the customer reported it (default: now)
    opened_at: dt.datetime | None = None


class CasePatch(Args):
    id: uuid.UUID
    subject: Change[Name] | None = None
    description: Change[str] | None = None
    priority: Change[Priority] | None = None
    contact_id: Change[uuid.UUID] | None = None


class CaseAssign(Args):
    id: uuid.UUID
    assignee_id: uuid.UUID | None


class CaseStatus(Args):
    """Work on a case: from the status the user saw to open / in progress / waiting."""

    id: uuid.UUID
    status: Change[Status]

    @field_validator("status")
    @classmethod
    def _to_a_status(cls, value: Change[str]) -> Change[str]:
        if value.new not in OPEN_STATUSES:
            raise ValueError("resolve, close and reopen have their own changes")
        return value


class CaseResolve(Args):
    id: uuid.UUID
    resolution: Reason


class CaseAction(Args):
    id: uuid.UUID


def _case(tx: Tx, case_id: uuid.UUID) -> dict[str, object]:
    return require_child(tx, "service_case", case_id, helper="assignee_id")


def _move(tx: Tx, case: dict[str, object], wanted: str, base: str | None = None) -> bool:
    """Move the status (guarded: from `base`, what the user saw); returns whether it moved."""
    current = str(case["status"])
    seen = base or current
    if current == wanted:
        return False
    if current == seen and wanted not in TRANSITIONS[current]:
        raise InvalidTransition(field="status", document=DOCUMENT, current=STATUSES[current],
                                wanted=STATUSES[wanted])
    return "status" in tx.patch("service_case", case["id"], {"status": Change[str](base=seen, new=wanted)})  # type: ignore[arg-type]


@mutator("crm.case.create", args=CaseCreate)
def open_case(tx: Tx, args: CaseCreate) -> None:
    require_party(tx, args.party_id)
    if args.contact_id is not None and tx.require("contact", args.contact_id)["party_id"] != args.party_id:
        raise ContactElsewhere(field="contact_id")
    tx.insert("service_case", {**args.model_dump(), "status": "open", "opened_at": args.opened_at or tx.now})


@mutator("crm.case.update", args=CasePatch)
def update_case(tx: Tx, args: CasePatch) -> None:
    case = _case(tx, args.id)
    new_contact = args.contact_id.new if args.contact_id is not None else None
    if new_contact is not None and tx.require("contact", new_contact)["party_id"] != case["party_id"]:
        raise ContactElsewhere(field="contact_id")
    tx.patch("service_case", args.id, changes(args))


@mutator("crm.case.assign", args=CaseAssign)
def assign_case(tx: Tx, args: CaseAssign) -> None:
    case = _case(tx, args.id)
    if args.assignee_id is not None:
        tx.require("app_user", args.assignee_id)
    if case["assignee_id"] != args.assignee_id:
        tx.set("service_case", args.id, {"assignee_id": args.assignee_id})


@mutator("crm.case.set_status", args=CaseStatus)
def set_case_status(tx: Tx, args: CaseStatus) -> None:
    _move(tx, _case(tx, args.id), str(args.status.new), str(args.status.base) if args.status.base else None)


@mutator("crm.case.resolve", args=CaseResolve)
def resolve_case(tx: Tx, args: CaseResolve) -> None:
    if _move(tx, _case(tx, args.id), "resolved"):
        tx.set("service_case", args.id, {"resolution": args.resolution, "resolved_at": tx.now})


@mutator("crm.case.close", args=CaseAction)
def close_case(tx: Tx, args: CaseAction) -> None:
    if _move(tx, _case(tx, args.id), "closed"):
        tx.set("service_case", args.id, {"closed_at": tx.now})


@mutator("crm.case.reopen", args=CaseAction)
def reopen_case(tx: Tx, args: CaseAction) -> None:
    if _move(tx, _case(tx, args.id), "open"):
        tx.set("service_case", args.id, {"resolved_at": None, "closed_at": None})
