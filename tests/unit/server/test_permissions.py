"""The role permission matrix as a unit: who may administer, run which mutation, pull which scope."""

from __future__ import annotations

import pytest

import app.mutators  # noqa: F401  (registers every domain's mutators)
from app.core import mutations
from app.core.errors import PermissionDenied
from app.core.schema import ROLES
from server import permissions

NON_ADMIN_ROLES = ("sales_rep", "clerk", "planner")


def test_every_role_has_a_row_and_the_matrix_knows_no_other_role():
    assert set(permissions.MATRIX) == set(ROLES)
    assert set(ROLES) == {"admin", "manager", "sales_rep", "clerk", "planner"}


def test_admin_may_do_every_admin_action():
    for action in permissions.ACTIONS:
        assert permissions.allowed("admin", action), action
        permissions.require("admin", action)


def test_manager_may_read_users_and_nothing_else_of_administration():
    assert permissions.MATRIX["manager"] == {permissions.ADMIN_USERS_READ}
    assert permissions.allowed("manager", permissions.ADMIN_USERS_READ)
    assert not permissions.allowed("manager", permissions.ADMIN_USERS_WRITE)
    assert not permissions.allowed("manager", permissions.ADMIN_TENANT)


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_reps_clerks_and_planners_may_do_no_administration(role):
    assert permissions.MATRIX[role] == frozenset()
    for action in permissions.ACTIONS:
        assert not permissions.allowed(role, action)
        with pytest.raises(PermissionDenied):
            permissions.require(role, action)


def test_refusal_names_the_role_and_the_action_in_its_message():
    with pytest.raises(PermissionDenied) as refused:
        permissions.require("clerk", permissions.ADMIN_USERS_WRITE)
    body = refused.value.to_body("en")
    assert refused.value.status == 403
    assert body == {"code": "auth.forbidden", "message": "Your role (clerk) may not do this: admin.users.write."}
    assert refused.value.to_body("zh_CN")["message"] == "您的角色（clerk）无权执行此操作：admin.users.write。"


def test_an_unknown_role_or_action_is_refused():
    assert not permissions.allowed("superuser", permissions.ADMIN_USERS_READ)
    assert not permissions.allowed("admin", "admin.everything")
    assert not permissions.may_run("superuser", "crm.customer.create")
    assert permissions.scopes_for("superuser") == []


def test_every_registered_mutation_has_an_entry_in_the_matrix():
    registered = set(mutations.names())
    assert registered, "no mutators registered"
    assert registered <= set(permissions.MUTATIONS)


def test_the_matrix_names_no_mutation_that_is_not_registered():
    assert set(permissions.MUTATIONS) <= set(mutations.names())


def test_every_mutation_entry_names_only_real_roles_and_admin_may_run_every_one():
    for name, roles in permissions.MUTATIONS.items():
        assert roles <= set(ROLES), name
        assert permissions.may_run("admin", name), name


def test_unregistered_mutation_is_refused_for_everyone():
    for role in ROLES:
        assert not permissions.may_run(role, "crm.customer.obliterate")
        with pytest.raises(PermissionDenied):
            permissions.require_mutation(role, "crm.customer.obliterate")


def test_sales_reps_sell_but_do_not_move_stock_or_change_the_catalog():
    assert permissions.may_run("sales_rep", "crm.customer.create")
    assert permissions.may_run("sales_rep", "crm.activity.log")
    assert not permissions.may_run("sales_rep", "erp.stock.move")
    assert not permissions.may_run("sales_rep", "erp.product.create")


def test_clerks_move_stock_and_keep_the_catalog_but_never_touch_crm():
    assert permissions.may_run("clerk", "erp.stock.move")
    assert permissions.may_run("clerk", "erp.product.update")
    crm = [n for n in permissions.MUTATIONS if n.startswith("crm.")]
    assert crm
    assert not any(permissions.may_run("clerk", n) for n in crm)


def test_planners_keep_the_catalog_but_neither_sell_nor_move_stock():
    assert permissions.may_run("planner", "erp.product.create")
    assert permissions.may_run("planner", "erp.location.create")
    assert not permissions.may_run("planner", "erp.stock.move")
    assert not permissions.may_run("planner", "crm.customer.update")


def test_managers_may_run_every_mutation():
    assert all(permissions.may_run("manager", n) for n in permissions.MUTATIONS)


@pytest.mark.parametrize(
    ("role", "scopes"),
    [
        ("admin", ["crm", "directory", "inventory", "purchasing", "sales", "shipping"]),
        ("manager", ["crm", "directory", "inventory", "purchasing", "sales", "shipping"]),
        ("sales_rep", ["crm", "directory", "inventory", "purchasing", "sales", "shipping"]),
        # the clerk ships and receives, and never pulls the CRM or the orders' prices
        ("clerk", ["directory", "inventory", "purchasing", "shipping"]),
        ("planner", ["directory", "inventory", "purchasing", "sales"]),
    ],
)
def test_scopes_per_role(role, scopes):
    assert permissions.scopes_for(role) == scopes


def test_every_role_pulls_at_least_the_directory():
    for role in ROLES:
        assert "directory" in permissions.scopes_for(role)
