"""The role permission matrix: the one place that says which role may do what.

Actions are named like mutations (``admin.users.write``); the sync issue adds mutation names and
pull scopes to the same matrix.
"""

from __future__ import annotations

from app.core.errors import PermissionDenied
from app.core.schema import ROLES

ADMIN_USERS_READ = "admin.users.read"
ADMIN_USERS_WRITE = "admin.users.write"
ADMIN_TENANT = "admin.tenant"

ACTIONS = (ADMIN_USERS_READ, ADMIN_USERS_WRITE, ADMIN_TENANT)

#: role → actions it may perform. Managers see the team but do not administer accounts.
MATRIX: dict[str, frozenset[str]] = {
    "admin": frozenset(ACTIONS),
    "manager": frozenset({ADMIN_USERS_READ}),
    "sales_rep": frozenset(),
    "clerk": frozenset(),
    "planner": frozenset(),
}

assert set(MATRIX) == set(ROLES), "every role needs a row in the matrix"


def allowed(role: str, action: str) -> bool:
    return action in MATRIX.get(role, frozenset())


def require(role: str, action: str) -> None:
    if not allowed(role, action):
        raise PermissionDenied(role=role, action=action)


# --- sync: which mutations a role may push, which scopes it may pull -------------------------------
_SELLING = frozenset({"admin", "manager", "sales_rep"})
_STOCK = frozenset({"admin", "manager", "clerk"})
_MANAGING = frozenset({"admin", "manager"})
_CATALOG = frozenset({"admin", "manager", "clerk", "planner"})
_BUYING = frozenset({"admin", "manager", "planner"})

#: mutation name → roles that may run it; a name missing here is refused for everyone
MUTATIONS: dict[str, frozenset[str]] = {
    # CRM: who may change WHICH customer is decided by app.crm.ownership inside each mutator
    **{f"crm.customer.{verb}": _SELLING for verb in ("create", "update", "archive", "share", "unshare", "merge")},
    **{f"crm.contact.{verb}": _SELLING for verb in ("create", "update", "archive")},
    **{f"crm.contact.family.{verb}": _SELLING for verb in ("create", "update", "remove")},
    "crm.activity.log": _SELLING,
    **{f"crm.task.{verb}": _SELLING for verb in ("create", "complete", "reschedule", "update")},
    "crm.visit.check_out": _SELLING,
    **{f"crm.lead.{verb}": _SELLING
       for verb in ("create", "update", "qualify", "disqualify", "reopen", "convert", "archive")},
    **{f"crm.opportunity.{verb}": _SELLING for verb in ("create", "update", "move_stage", "archive")},
    **{f"crm.case.{verb}": _SELLING
       for verb in ("create", "update", "assign", "set_status", "resolve", "close", "reopen")},
    **{f"crm.custom_field.{verb}": _MANAGING for verb in ("create", "update", "archive")},
    **{f"crm.saved_filter.{verb}": _SELLING for verb in ("create", "update", "archive")},
    **{f"erp.product.{verb}": _CATALOG for verb in ("create", "update", "archive", "unit.set", "barcode.add",
                                                    "barcode.remove")},
    "erp.category.create": _CATALOG,
    "erp.warehouse.create": _MANAGING,
    **{f"erp.location.{verb}": _CATALOG for verb in ("create", "update")},
    "erp.stock.move": _STOCK,
    **{f"erp.order.{verb}": _SELLING for verb in ("create", "update", "send", "confirm", "cancel")},
    "erp.delivery.ship": _STOCK,
    **{f"erp.purchase.{verb}": _BUYING for verb in ("create", "update", "confirm", "cancel")},
    "erp.receipt.post": _STOCK,
    **{f"erp.count.{verb}": _STOCK for verb in ("create", "add_line", "record", "review", "post", "cancel")},
}

#: scope → roles that pull it (a clerk never pulls CRM notes)
PULL_SCOPES: dict[str, frozenset[str]] = {
    "directory": frozenset(ROLES),
    "crm": _SELLING,
    "inventory": frozenset(ROLES),
    # orders with prices and the customer's terms: sellers, and planners for demand
    "sales": _SELLING | {"planner"},
    # what the warehouse ships: the clerk sees the ship-to, never the CRM
    "shipping": _SELLING | {"clerk"},
    # what is coming in and when (available-to-promise on a rep's order needs it)
    "purchasing": frozenset(ROLES),
}


def may_run(role: str, mutation: str) -> bool:
    return role in MUTATIONS.get(mutation, frozenset())


def require_mutation(role: str, mutation: str) -> None:
    if not may_run(role, mutation):
        raise PermissionDenied(role=role, action=mutation)


def scopes_for(role: str) -> list[str]:
    return sorted(scope for scope, roles in PULL_SCOPES.items() if role in roles)
