"""What the conflict inbox shows, read from the cache on a worker: each conflict and rejected
change with its record's name, a translated field label or action phrase, and values formatted
for the user's locale (money through app.core.fmt). No widgets here."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core import fmt
from app.core.i18n import N_, _
from app.core.schema import Money, Quantity, UtcDateTime, metadata
from app.sync import SyncClient
from app.sync.cache import reading

#: a record kind as the user says it
TABLE_LABELS = {
    "party": N_("Customer"), "contact": N_("Contact"), "activity": N_("Activity"), "product": N_("Product"),
    "location": N_("Location"), "stock_move": N_("Stock move"), "app_user": N_("User"),
}
FIELD_LABELS = {
    "name": N_("Name"), "status": N_("Status"), "tier": N_("Tier"), "owner_id": N_("Owner"), "phone": N_("Phone"),
    "email": N_("Email"), "city": N_("City"), "credit_limit": N_("Credit limit"), "notes": N_("Notes"),
    "title": N_("Title"), "birthday": N_("Birthday"), "uom": N_("Unit"), "list_price": N_("List price"),
    "archived": N_("Archived"), "deleted": N_("Deleted"),
}
#: stored codes of choice fields, by field
CHOICES = {
    "status": {"prospect": N_("Prospect"), "active": N_("Active"), "dormant": N_("Dormant"), "lost": N_("Lost")},
}
#: what a queued mutation tried to do, by name
ACTIONS = {
    "crm.customer.create": N_("Create customer"),
    "crm.customer.update": N_("Update customer"),
    "crm.customer.archive": N_("Archive customer"),
    "crm.contact.create": N_("Add contact"),
    "crm.contact.update": N_("Update contact"),
    "crm.activity.log": N_("Log activity"),
    "erp.product.create": N_("Create product"),
    "erp.product.update": N_("Update product"),
    "erp.location.create": N_("Create location"),
    "erp.stock.move": N_("Move stock"),
}
#: the table a mutation family writes (for the record's name)
_MUTATION_TABLES = {
    "crm.customer": "party", "crm.contact": "contact", "crm.activity": "activity",
    "erp.product": "product", "erp.location": "location", "erp.stock": "stock_move",
}
#: columns that name a record, best first
_NAME_COLUMNS = ("name", "display_name", "username", "subject", "sku", "code", "reference")
EMPTY = "—"

Editor = Literal["number", "choice", "text", "none"]


@dataclass(frozen=True)
class ConflictItem:
    id: int
    table: str
    row_id: str
    field: str
    kind: str
    record: str
    field_label: str
    base: str
    mine: str
    theirs: str
    #: the raw values, for the editor
    mine_value: Any
    theirs_value: Any
    #: how the user may type a value of their own ("none": keep theirs or re-apply mine only)
    editor: Editor
    #: whether "re-apply mine" can change anything (a deleted record cannot come back)
    reapplicable: bool

    @property
    def summary(self) -> str:
        if self.field == "deleted":
            return _("%(kind)s %(record)s was deleted on the server while you changed it here.") % {
                "kind": self.kind, "record": self.record}
        if self.field == "archived":
            return _("%(kind)s %(record)s was archived on the server while you changed it here.") % {
                "kind": self.kind, "record": self.record}
        return _("%(kind)s %(record)s, %(field)s: you changed %(base)s to %(mine)s, and meanwhile the server "
                 "got %(theirs)s.") % {"kind": self.kind, "record": self.record, "field": self.field_label,
                                       "base": self.base, "mine": self.mine, "theirs": self.theirs}


@dataclass(frozen=True)
class RejectedItem:
    id: int
    action: str
    record: str
    reason: str
    when: str


def load_inbox(client: SyncClient) -> tuple[list[ConflictItem], list[RejectedItem]]:
    """The open conflicts and the rejected changes not yet dismissed, ready to show (worker)."""
    conflicts, rejected = client.conflicts(), client.rejected()
    with reading(client.db) as conn:
        return ([_conflict(conn, c) for c in conflicts], [_rejected(conn, r) for r in rejected])


def _conflict(conn: Connection, c: dict[str, Any]) -> ConflictItem:
    table, field = c["tbl"], c["field"]
    return ConflictItem(
        id=c["id"], table=table, row_id=c["row_id"], field=field,
        kind=_(TABLE_LABELS.get(table, table)),
        record=record_name(conn, table, c["row_id"]) or _short(c["row_id"]),
        field_label=field_label(field),
        base=show_value(table, field, c["base"]),
        mine=show_value(table, field, c["mine"], side="mine"),
        theirs=show_value(table, field, c["theirs"], side="theirs"),
        mine_value=c["mine"], theirs_value=c["theirs"],
        editor=editor_for(table, field), reapplicable=field != "deleted",
    )


def _rejected(conn: Connection, r: dict[str, Any]) -> RejectedItem:
    args = r["args"] if isinstance(r["args"], dict) else {}
    return RejectedItem(
        id=r["id"], action=action_label(r["name"], args), record=_rejected_record(conn, r["name"], args),
        reason=r["message"] or r["code"], when=_when(r["created_at"]),
    )


# --- labels and values ------------------------------------------------------------------------------
def field_label(field: str) -> str:
    label = FIELD_LABELS.get(field)
    return _(label) if label else field


def action_label(name: str, args: dict[str, Any]) -> str:
    if name == "crm.customer.archive" and args.get("archived") is False:
        return _("Restore customer")
    phrase = ACTIONS.get(name)
    return _(phrase) if phrase else _("Change (%(name)s)") % {"name": name}


def _column(table: str, field: str) -> sa.Column[Any] | None:
    t = metadata.tables.get(table)
    return t.c[field] if t is not None and field in t.c else None


def editor_for(table: str, field: str) -> Editor:
    column = _column(table, field)
    if field in ("archived", "deleted") or column is None:
        return "none"
    if field in CHOICES:
        return "choice"
    if isinstance(column.type, Money | Quantity):
        return "number"
    if isinstance(column.type, sa.String | sa.Text):
        return "text"
    return "none"


def show_value(table: str, field: str, value: Any, side: str = "") -> str:
    """A conflict value as the user reads it (the stored JSON value of `table.field`)."""
    if field == "deleted":
        return _("Deleted") if side == "theirs" else _("Changed here")
    if field == "archived":
        return _("Archived") if value else _("Not archived")
    if value is None or value == "":
        return EMPTY
    if field in CHOICES:
        label = CHOICES[field].get(str(value))
        return _(label) if label else str(value)
    column = _column(table, field)
    kind = column.type if column is not None else None
    try:
        if isinstance(kind, Money):
            return fmt.money(Decimal(str(value)))
        if isinstance(kind, Quantity):
            return fmt.number(Decimal(str(value)))
        if isinstance(kind, UtcDateTime):
            return fmt.datetime(dt.datetime.fromisoformat(str(value)), style="short")
        if isinstance(kind, sa.Date):
            return fmt.date(dt.date.fromisoformat(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def edit_text(item: ConflictItem) -> str:
    """The editor's starting text: my value, as a person types it (no currency sign)."""
    value = item.mine_value
    if value is None:
        return ""
    if item.editor == "number":
        places = decimal_places(item.table, item.field)
        try:
            return fmt.number(Decimal(str(value)), places=2 if places == 2 else None)
        except InvalidOperation:
            return str(value)
    return str(value)


def decimal_places(table: str, field: str) -> int:
    """How many decimals a number field keeps (2 for money, 4 for prices and quantities)."""
    column = _column(table, field)
    return 2 if column is not None and isinstance(column.type, Money) else 4


def _short(row_id: str) -> str:
    return str(row_id)[:8]


def _when(created_at: str | None) -> str:
    if not created_at:
        return ""
    try:
        return fmt.datetime(dt.datetime.fromisoformat(created_at), style="short")
    except ValueError:
        return created_at


# --- record names -------------------------------------------------------------------------------------
def record_name(conn: Connection, table: str, row_id: object) -> str | None:
    """The name the user knows a record by, from the cache (None if the cache lacks it)."""
    t = metadata.tables.get(table)
    if t is None or row_id is None:
        return None
    column = next((t.c[n] for n in _NAME_COLUMNS if n in t.c), None)
    if column is None:
        return None
    try:
        key = uuid.UUID(str(row_id))
    except ValueError:
        return None
    value = conn.execute(sa.select(column).where(t.c.id == key)).scalar()
    return None if value is None else str(value)


def _rejected_record(conn: Connection, name: str, args: dict[str, Any]) -> str:
    table = _MUTATION_TABLES.get(name.rsplit(".", 1)[0], "")
    found = record_name(conn, table, args.get("id")) if table else None
    if found:
        return found
    for key in ("name", "subject", "sku", "code", "reference"):
        value = args.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, dict) and value.get("new"):  # a patch: {"base": …, "new": …}
            return str(value["new"])
    for key, parent in (("party_id", "party"), ("product_id", "product")):
        found = record_name(conn, parent, args.get(key))
        if found:
            return found
    return EMPTY
