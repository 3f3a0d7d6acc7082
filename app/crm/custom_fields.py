"""Tenant-defined customer fields (managers and admins define them) and each user's saved
customer-list filters (app.crm.customer_list reads their definitions)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from app.core.i18n import N_
from app.core.mutations import mutator
from app.core.tx import Change, Tx
from app.crm.common import Archive, Args, Word, changes
from app.crm.customer_list import CustomerFilter
from app.crm.errors import NotYourFilter

FieldType = Literal["text", "number", "date", "choice"]
FIELD_TYPES = {"text": N_("Text"), "number": N_("Number"), "date": N_("Date"), "choice": N_("Choice")}
Key = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Position = Annotated[int, Field(ge=0, le=10_000)]


class CustomFieldCreate(Args):
    id: uuid.UUID
    key: Key
    label_zh: Label
    label_en: Label
    type: FieldType
    choices: list[Word] = Field(default_factory=list)
    position: Position = 0
    required: bool = False

    @model_validator(mode="after")
    def _choices_for_a_choice(self) -> CustomFieldCreate:
        if (self.type == "choice") != bool(self.choices):
            raise ValueError("a choice field needs choices, and only a choice field has them")
        return self


class CustomFieldPatch(Args):
    """The key and type stay: stored values are keyed by id and checked by type."""

    id: uuid.UUID
    label_zh: Change[Label] | None = None
    label_en: Change[Label] | None = None
    choices: Change[list[Word]] | None = None
    position: Change[Position] | None = None
    required: Change[bool] | None = None


@mutator("crm.custom_field.create", args=CustomFieldCreate)
def create_custom_field(tx: Tx, args: CustomFieldCreate) -> None:
    tx.insert("custom_field", {**args.model_dump(), "choices": json.dumps(args.choices, ensure_ascii=False)
                               if args.choices else None})


@mutator("crm.custom_field.update", args=CustomFieldPatch)
def update_custom_field(tx: Tx, args: CustomFieldPatch) -> None:
    patch: dict[str, Change[Any]] = changes(args, skip=("choices",))
    if args.choices is not None:
        def text(v: list[str] | None) -> str | None:
            return json.dumps(v, ensure_ascii=False) if v else None
        patch["choices"] = Change[Any](base=text(args.choices.base), new=text(args.choices.new))
    tx.patch("custom_field", args.id, patch)


@mutator("crm.custom_field.archive", args=Archive)
def archive_custom_field(tx: Tx, args: Archive) -> None:
    tx.archive("custom_field", args.id, args.archived)


# --- saved filters -------------------------------------------------------------------------------
class SavedFilterCreate(Args):
    id: uuid.UUID
    name: Label
    #: a CustomerFilter as JSON (app.crm.customer_list.CustomerFilter.model_dump(mode="json"))
    definition: dict[str, Any]
    position: Position = 0


class SavedFilterPatch(Args):
    id: uuid.UUID
    name: Change[Label] | None = None
    definition: Change[dict[str, Any]] | None = None
    position: Change[Position] | None = None


def _definition(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return CustomerFilter.model_validate(value).model_dump_json(exclude_defaults=True)


def _mine(tx: Tx, filter_id: uuid.UUID) -> None:
    if tx.user_id is not None and tx.require("saved_filter", filter_id)["user_id"] != tx.user_id:
        raise NotYourFilter()


@mutator("crm.saved_filter.create", args=SavedFilterCreate)
def save_filter(tx: Tx, args: SavedFilterCreate) -> None:
    tx.insert("saved_filter", {"id": args.id, "user_id": tx.user_id, "name": args.name,
                               "definition": _definition(args.definition), "position": args.position})


@mutator("crm.saved_filter.update", args=SavedFilterPatch)
def update_saved_filter(tx: Tx, args: SavedFilterPatch) -> None:
    _mine(tx, args.id)
    patch: dict[str, Change[Any]] = changes(args, skip=("definition",))
    if args.definition is not None:
        patch["definition"] = Change[Any](base=_definition(args.definition.base), new=_definition(args.definition.new))
    tx.patch("saved_filter", args.id, patch)


@mutator("crm.saved_filter.archive", args=Archive)
def archive_saved_filter(tx: Tx, args: Archive) -> None:
    _mine(tx, args.id)
    tx.archive("saved_filter", args.id, args.archived)
