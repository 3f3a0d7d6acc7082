"""An import of customers, contacts or leads, planned before anything is written.

Every row becomes the create mutation's arguments, checked by the mutator's own pydantic model
and, for customers, against the tenant's custom fields, with row-level errors (row number as the
spreadsheet shows it, column, reason). Possible duplicates (in the cache and earlier in the file)
are flagged and skipped unless the user chooses to import them anyway or to merge them into the
existing customer or contact: a merge fills that record's empty fields from the row through its
update mutation, and creates nothing. The caller queues the planned mutations, all in one cache
transaction, only when no row has an error.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from app.core import mutations
from app.core.i18n import N_, _
from app.core.ids import new_id
from app.core.pinyin import pinyin_keys
from app.core.schema import metadata
from app.crm.duplicates import Duplicate, contact_duplicates, find_duplicates, name_core, phone_digits
from app.crm.exchange_files import CUSTOM, Column, Entity, Sheet, columns_for
from app.crm.fields import decode_custom, decode_tags
from app.crm.import_values import RowError, raw_args
from app.crm.ownership import may_edit_party

Decision = Literal["import", "skip", "merge"]
CREATE = {"customer": "crm.customer.create", "contact": "crm.contact.create", "lead": "crm.lead.create"}
#: the mutation a merge into an existing record runs (leads are not merged on import)
UPDATE = {"customer": "crm.customer.update", "contact": "crm.contact.update"}
#: create arguments a merge never copies onto the existing record
_NOT_FILLED = {"customer": frozenset({"id", "name", "kind", "status", "owner_id", "tags", "custom_values"}),
               "contact": frozenset({"id", "party_id", "name", "birthday_lunar"})}
#: pydantic error type → the reason a user reads
_REASONS = {"missing": N_("required"), "string_too_short": N_("required"), "string_too_long": N_("too long"),
            "literal_error": N_("not an allowed value"), "decimal_parsing": N_("not a number"),
            "greater_than_equal": N_("must not be negative"), "date_from_datetime_parsing": N_("not a date")}
_KINDS = {"customer": N_("customer"), "contact": N_("contact"), "lead": N_("lead")}
_WHY = {"phone": N_("same phone"), "email": N_("same e-mail"), "name": N_("similar name")}


@dataclass
class PlannedRow:
    row: int
    values: dict[str, str]
    args: dict[str, Any] | None
    errors: list[RowError] = field(default_factory=list)
    #: what it may duplicate, as the user reads it ("客户 上海某某公司 (phone)", "row 3")
    duplicates: list[str] = field(default_factory=list)
    #: the existing customer or contact this row may be merged into, and its name
    merge_into: uuid.UUID | None = None
    merge_name: str = ""
    #: that record as the plan read it: a merge fills the fields empty here
    existing: dict[str, Any] | None = None
    decision: Decision = "import"


@dataclass
class ImportPlan:
    entity: Entity
    rows: list[PlannedRow]

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def count(self, decision: Decision) -> int:
        """How many rows are to be imported, merged or skipped."""
        return sum(1 for r in self.rows if r.decision == decision)

    def mutations(self) -> list[tuple[str, dict[str, Any]]]:
        """The mutations to queue, in file order, for the rows not skipped (none while any row has
        an error): a create per imported row, an update per merged row that fills something."""
        if not self.ok:
            return []
        out: list[tuple[str, dict[str, Any]]] = []
        filled: dict[uuid.UUID, set[str]] = {}
        for r in self.rows:
            if r.decision == "skip" or r.args is None:
                continue
            if r.decision == "merge" and r.merge_into is not None and r.existing is not None:
                patch = merge_patch(self.entity, r.existing, r.args, filled.setdefault(r.merge_into, set()))
                if patch is not None:
                    out.append((UPDATE[self.entity], patch))
            else:
                out.append((CREATE[self.entity], r.args))
        return out


def merge_patch(entity: Entity, existing: Mapping[str, Any], args: Mapping[str, Any],
                filled: set[str]) -> dict[str, Any] | None:
    """The update mutation's arguments that fill the existing record's empty fields from a row's
    create arguments (never its name, owner or status; a customer's tags and custom values only
    where it has none); `filled` holds the fields an earlier row of the file filled, and grows."""
    patch: dict[str, Any] = {}
    for name, new in args.items():
        if name in _NOT_FILLED[entity] or name in filled or existing.get(name) not in (None, ""):
            continue
        patch[name] = {"base": existing.get(name), "new": new}
        filled.add(name)
    if entity == "customer":
        if args.get("tags") and not decode_tags(existing.get("tags")) and "tags" not in filled:
            patch["tags"] = {"base": [], "new": args["tags"]}
            filled.add("tags")
        stored = decode_custom(existing.get("custom_values"))
        custom = {k: {"base": None, "new": v} for k, v in (args.get("custom_values") or {}).items()
                  if stored.get(k) in (None, "") and CUSTOM + k not in filled}
        if custom:
            patch["custom_values"] = custom
            filled.update(CUSTOM + k for k in custom)
    return {"id": str(existing["id"]), **patch} if patch else None


def plan_import(conn: Connection, entity: Entity, sheet: Sheet, mapping: Mapping[int, str | None],
                owner_id: uuid.UUID | None, make_id: Callable[[], uuid.UUID] = new_id, *,
                role: str | None = None) -> ImportPlan:
    """Every non-blank row checked as its create mutation's arguments; duplicates flagged (and
    set to "skip") against the cache and the rows above them. `owner_id` is the importing user
    (owner of new customers and leads; None: a system import that may change anything), `role`
    theirs: a row may merge only into a record they may change."""
    columns = {c.name: c for c in columns_for(conn, entity)}
    headers = {name: sheet.headers[i] for i, name in mapping.items() if name}
    model = mutations.get(CREATE[entity], mutations.latest_version(CREATE[entity])).args

    def may_edit(party: dict[str, Any]) -> bool:
        return owner_id is None or may_edit_party(conn, owner_id, role, party)

    seen: dict[str, int] = {}
    rows: list[PlannedRow] = []
    for offset, cells in enumerate(sheet.rows):
        if not any(cells):
            continue
        number = offset + 2
        values = {name: cells[i].strip() for i, name in mapping.items() if name and i < len(cells) and cells[i].strip()}
        planned = PlannedRow(number, values, None)
        raw = raw_args(conn, entity, values, columns, headers, planned.errors, number)
        raw["id"] = make_id()
        if entity in ("customer", "lead") and owner_id is not None:
            raw["owner_id"] = owner_id
        party_id = raw.get("party_id")
        if entity == "contact" and party_id is not None:
            _check_customer(conn, party_id, may_edit, planned, headers)
        elif entity == "contact":
            raw["party_id"] = uuid.UUID(int=0)  # the row has its error; the model checks the rest
        try:
            planned.args = model.model_validate(raw).model_dump(mode="json", exclude_defaults=True)
            planned.args["id"] = str(raw["id"])
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                planned.errors.append(RowError(number, headers.get(name, _label(columns, name)),
                                               _(_REASONS.get(error["type"], N_("invalid value")))))
        _flag_duplicates(conn, entity, planned, seen, party_id, may_edit)
        rows.append(planned)
    return ImportPlan(entity, rows)


def _label(columns: Mapping[str, Column], name: str) -> str:
    return columns[name].title if name in columns else name


def _check_customer(conn: Connection, party_id: uuid.UUID, may_edit: Callable[[dict[str, Any]], bool],
                    planned: PlannedRow, headers: Mapping[str, str]) -> None:
    party = metadata.tables["party"]
    row = conn.execute(sa.select(party.c.id, party.c.owner_id).where(party.c.id == party_id)).mappings().one()
    if not may_edit(dict(row)):
        planned.errors.append(RowError(planned.row, headers.get("customer", _("Customer")),
                                       _("you may not change this customer")))


def _keys(name: str, phones: tuple[str, ...], email: str) -> list[str]:
    """What makes two rows of one file the same record: the name (as pinyin, so 章伟 = 张伟), a
    phone or mobile, the e-mail."""
    keys = [f"name:{pinyin_keys(name_core(name))[0]}"] if name_core(name) else []
    keys += [f"phone:{d}" for d in dict.fromkeys(phone_digits(p) for p in phones) if len(d) >= 7]
    return keys + ([f"email:{email.lower()}"] if email else [])


def _flag_duplicates(conn: Connection, entity: Entity, planned: PlannedRow, seen: dict[str, int],
                     party_id: uuid.UUID | None, may_edit: Callable[[dict[str, Any]], bool]) -> None:
    values = planned.values
    name, email = values.get("name", ""), values.get("email", "")
    phones = tuple(p for p in (values.get("phone"), values.get("mobile")) if p)
    keys = _keys(name, phones, email)
    if entity == "contact":  # a contact repeats only within one customer
        keys = [f"{party_id or values.get('customer', '')}/{k}" for k in keys]
    for key in keys:
        if key in seen:
            planned.duplicates.append(_("same as row %(row)s") % {"row": seen[key]})
            break
    for key in keys:
        seen.setdefault(key, planned.row)
    found: list[Duplicate]
    if entity == "contact":
        found = [] if party_id is None else contact_duplicates(conn, party_id, name=name or None, phones=phones,
                                                               email=email or None)
    else:
        found = find_duplicates(conn, name=name or None, phone=values.get("phone"), email=email or None, limit=5)
    for dup in found:
        planned.duplicates.append(_("%(kind)s %(name)s (%(why)s)") % {
            "kind": _(_KINDS[dup.kind]), "name": dup.name, "why": _(_WHY[dup.reason])})
        if planned.merge_into is None and dup.kind == entity and entity in UPDATE:
            table = metadata.tables["party" if entity == "customer" else "contact"]
            existing = dict(conn.execute(sa.select(table).where(table.c.id == dup.id)).mappings().one())
            if entity == "contact" or may_edit(existing):
                planned.merge_into, planned.merge_name, planned.existing = dup.id, dup.name, existing
    if planned.duplicates:
        planned.decision = "skip"
