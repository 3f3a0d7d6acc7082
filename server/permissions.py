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
_CATALOG = frozenset({"admin", "manager", "clerk", "planner"})

#: mutation name → roles that may run it; a name missing here is refused for everyone
MUTATIONS: dict[str, frozenset[str]] = {
    "crm.customer.create": _SELLING,
    "crm.customer.update": _SELLING,
    "crm.customer.archive": _SELLING,
    "crm.contact.create": _SELLING,
    "crm.contact.update": _SELLING,
    "crm.activity.log": _SELLING,
    "erp.product.create": _CATALOG,
    "erp.product.update": _CATALOG,
    "erp.location.create": _CATALOG,
    "erp.stock.move": _STOCK,
}

#: scope → roles that pull it (a clerk never pulls CRM notes)
PULL_SCOPES: dict[str, frozenset[str]] = {
    "directory": frozenset(ROLES),
    "crm": _SELLING,
    "inventory": frozenset(ROLES),
}


def may_run(role: str, mutation: str) -> bool:
    return role in MUTATIONS.get(mutation, frozenset())


def require_mutation(role: str, mutation: str) -> None:
    if not may_run(role, mutation):
        raise PermissionDenied(role=role, action=mutation)


def scopes_for(role: str) -> list[str]:
    return sorted(scope for scope, roles in PULL_SCOPES.items() if role in roles)
