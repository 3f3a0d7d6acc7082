"""Activities: calls, meetings, visits (with a check-in) and notes are logged once; tasks are
created, rescheduled and completed.

Which fields change after logging: only a task's (subject, body, due and reminder times, done,
done_at, outcome) and a visit's check-out (checked_out_at, duration, outcome). `done` and
`due_at` are guarded (app.core.schema): a task completed on one laptop while rescheduled on
another reaches the conflict inbox, and rescheduling a task the server knows is done is refused
with a reason, never lost silently.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from app.core.i18n import N_
from app.core.mutations import mutator
from app.core.tx import Change, Tx
from app.crm.common import Args, Name, Short
from app.crm.errors import ContactElsewhere, NotATask, NotAVisit, TaskDone
from app.crm.ownership import check_owner_choice, require_child, require_party

Kind = Literal["call", "meeting", "visit", "task", "note"]
KINDS = {"call": N_("Call"), "meeting": N_("Meeting"), "visit": N_("Visit"), "task": N_("Task"), "note": N_("Note")}
Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=10, decimal_places=6)]
Minutes = Annotated[int, Field(ge=0, le=24 * 60 * 7)]


class ActivityLog(Args):
    id: uuid.UUID
    party_id: uuid.UUID
    contact_id: uuid.UUID | None = None
    kind: Kind
    subject: Name
    body: str | None = None
    occurred_at: dt.datetime
    duration_minutes: Minutes | None = None
    outcome: str | None = None
    # a visit's check-in (coordinates typed or taken from the OS; both or neither)
    place: Short | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    checked_in_at: dt.datetime | None = None
    checked_out_at: dt.datetime | None = None
    # a task logged this way (prefer crm.task.create)
    due_at: dt.datetime | None = None
    remind_at: dt.datetime | None = None

    @model_validator(mode="after")
    def _coordinates_in_pairs(self) -> ActivityLog:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        return self


class TaskCreate(Args):
    id: uuid.UUID
    party_id: uuid.UUID
    contact_id: uuid.UUID | None = None
    subject: Name
    body: str | None = None
    due_at: dt.datetime
    remind_at: dt.datetime | None = None
    #: who does it (default: the creator)
    assignee_id: uuid.UUID | None = None


class TaskComplete(Args):
    id: uuid.UUID
    outcome: str | None = None


class TaskReschedule(Args):
    id: uuid.UUID
    due_at: Change[dt.datetime]
    remind_at: Change[dt.datetime] | None = None


class TaskEdit(Args):
    id: uuid.UUID
    subject: Change[Name] | None = None
    body: Change[str] | None = None


class VisitCheckOut(Args):
    id: uuid.UUID
    checked_out_at: dt.datetime
    outcome: str | None = None


def _check_contact(tx: Tx, party_id: uuid.UUID, contact_id: uuid.UUID | None) -> None:
    if contact_id is not None and tx.require("contact", contact_id)["party_id"] != party_id:
        raise ContactElsewhere(field="contact_id")


@mutator("crm.activity.log", args=ActivityLog)
def log_activity(tx: Tx, args: ActivityLog) -> None:
    require_party(tx, args.party_id)
    _check_contact(tx, args.party_id, args.contact_id)
    tx.insert("activity", {**args.model_dump(), "user_id": tx.user_id})


@mutator("crm.task.create", args=TaskCreate)
def create_task(tx: Tx, args: TaskCreate) -> None:
    require_party(tx, args.party_id)
    _check_contact(tx, args.party_id, args.contact_id)
    check_owner_choice(tx, args.assignee_id)
    values = args.model_dump(exclude={"assignee_id"})
    tx.insert("activity", {**values, "kind": "task", "occurred_at": args.due_at,
                           "user_id": args.assignee_id or tx.user_id})


def _task(tx: Tx, task_id: uuid.UUID) -> dict[str, object]:
    row = require_child(tx, "activity", task_id, helper="user_id")
    if row["kind"] != "task":
        raise NotATask()
    return row


@mutator("crm.task.complete", args=TaskComplete)
def complete_task(tx: Tx, args: TaskComplete) -> None:
    """Done once: completing a task someone completed already changes nothing."""
    task = _task(tx, args.id)
    if tx.patch("activity", args.id, {"done": Change[bool](base=False, new=True)}) and not task["done"]:
        tx.set("activity", args.id, {"done_at": tx.now, "outcome": args.outcome or task["outcome"]})


@mutator("crm.task.reschedule", args=TaskReschedule)
def reschedule_task(tx: Tx, args: TaskReschedule) -> None:
    task = _task(tx, args.id)
    if task["done"]:
        raise TaskDone()
    patch: dict[str, Change[dt.datetime]] = {"due_at": args.due_at}
    if args.remind_at is not None:
        patch["remind_at"] = args.remind_at
    applied = tx.patch("activity", args.id, patch)
    if "due_at" in applied:
        tx.set("activity", args.id, {"occurred_at": applied["due_at"]})


@mutator("crm.task.update", args=TaskEdit)
def edit_task(tx: Tx, args: TaskEdit) -> None:
    _task(tx, args.id)
    tx.patch("activity", args.id, {k: v for k, v in (("subject", args.subject), ("body", args.body)) if v})


@mutator("crm.visit.check_out", args=VisitCheckOut)
def check_out_visit(tx: Tx, args: VisitCheckOut) -> None:
    visit = require_child(tx, "activity", args.id, helper="user_id")
    if visit["kind"] != "visit":
        raise NotAVisit()
    start = visit["checked_in_at"] or visit["occurred_at"]
    minutes = max(0, int((args.checked_out_at - start).total_seconds() // 60))
    tx.set("activity", args.id, {"checked_out_at": args.checked_out_at, "duration_minutes": minutes,
                                 "outcome": args.outcome if args.outcome is not None else visit["outcome"]})
