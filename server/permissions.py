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
