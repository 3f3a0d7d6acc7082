"""Who may change which CRM record: the one rule both sides run (DESIGN §4, issue "CRM").

* Managers and admins change every record; a system job (no user) too.
* A sales rep changes the customers they own, those shared with them (``party_share``) and
  unowned ones (the team's pool, 公海: anyone may work them and claim them). Every other customer
  is read-only to them.
* Child records (contacts and their family, activities, opportunities, cases) follow their
  customer: as in Odoo, logging a call or visit needs the right to change the customer, not
  just to read it. Two exceptions a real team needs: the person a task is assigned to may
  complete it, and the assignee of a service case may work it.
* Leads have no customer yet: their owner (or anyone, for an unowned lead) changes them.
* Giving a record to another rep is a manager's act; a rep may only claim or release.

The client runs this at once (a refused edit never enters the outbox) and the server runs it
again on push, so a forged mutation is recorded as rejected with its reason.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.core.i18n import N_
from app.core.schema import metadata
from app.core.tx import Tx
from app.crm.errors import NotYours, OwnerNotAllowed

MANAGING = frozenset({"admin", "manager"})
party_share = metadata.tables["party_share"]
app_user = metadata.tables["app_user"]


def role_of(tx: Tx) -> str | None:
    """The writer's role: the Tx's, else the directory's (a cache signed in before roles travelled)."""
    if tx.role is not None or tx.user_id is None:
        return tx.role
    user = tx.get("app_user", tx.user_id)
    return None if user is None else str(user["role"])


def may_edit_party(conn: Connection, user_id: uuid.UUID | None, role: str | None, party: dict[str, Any]) -> bool:
    """Whether this user may change this customer (and its contacts, activities, deals, cases)."""
    if user_id is None or role in MANAGING:
        return True
    owner = party["owner_id"]
    if owner is None or owner == user_id:
        return True
    shared = conn.execute(
        sa.select(party_share.c.id).where(
            party_share.c.party_id == party["id"], party_share.c.user_id == user_id,
            party_share.c.archived.is_(False)).limit(1)
    ).first()
    return shared is not None


def _owner_name(tx: Tx, owner_id: uuid.UUID | None) -> str:
    user = tx.get("app_user", owner_id) if owner_id is not None else None
    return str(user["display_name"]) if user else N_("another sales rep")


def require_party(tx: Tx, party_id: uuid.UUID) -> dict[str, Any]:
    """The customer row, if this Tx's user may change it; raises NotYours otherwise."""
    party = tx.require("party", party_id)
    if not may_edit_party(tx.conn, tx.user_id, role_of(tx), party):
        raise NotYours(record=party["name"], owner=_owner_name(tx, party["owner_id"]))
    return party


def require_child(tx: Tx, table: str, row_id: uuid.UUID, helper: str | None = None) -> dict[str, Any]:
    """A child row (contact, activity, opportunity, case) whose customer this user may change, or
    whose `helper` column (a task's user_id, a case's assignee_id) names this user."""
    row = tx.require(table, row_id)
    if helper is not None and tx.user_id is not None and row[helper] == tx.user_id:
        return row
    require_party(tx, row["party_id"])
    return row


def require_lead(tx: Tx, lead_id: uuid.UUID) -> dict[str, Any]:
    lead = tx.require("lead", lead_id)
    owner = lead["owner_id"]
    if tx.user_id is None or role_of(tx) in MANAGING or owner is None or owner == tx.user_id:
        return lead
    raise NotYours(record=lead["name"], owner=_owner_name(tx, owner))


def check_owner_choice(tx: Tx, new_owner: uuid.UUID | None, current: uuid.UUID | None = None) -> None:
    """A rep may claim a record (themselves as owner) or release it (no owner); handing it to
    someone else is a manager's act."""
    if tx.user_id is None or role_of(tx) in MANAGING or new_owner in (None, tx.user_id, current):
        return
    raise OwnerNotAllowed()
