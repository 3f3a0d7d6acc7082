"""The admin API for users and the roles that may use it, over HTTP against a real tenant
database; the last-admin rule also under two concurrent transactions."""

from __future__ import annotations

import threading
import time

import pytest

from app.core.errors import LastAdmin
from server import users
from tests.conftest import bearer

EN = {"Accept-Language": "en"}
NOBODY = "0190a000-0000-7000-8000-000000000000"


@pytest.fixture
def as_role(tenant, add_user, login):
    """as_role(role) → auth headers of a fresh user with that role."""

    def make(role: str, username: str | None = None) -> dict[str, str]:
        username = username or f"{role}1"
        add_user(tenant, username, role)
        return {**bearer(login(tenant, username)["access_token"]), **EN}

    return make


def _users(tenant):
    return f"/t/{tenant.slug}/v1/admin/users"


def _new(username="rep9", password="long enough", role="sales_rep", **extra):
    return {"username": username, "password": password, "role": role, **extra}


def test_admin_creates_a_user_who_can_then_sign_in(client, tenant, as_role, login):
    admin = as_role("admin")
    r = client.post(_users(tenant), json=_new(display_name="王小明", locale="en"), headers=admin)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["username"] == "rep9"
    assert made["display_name"] == "王小明"
    assert made["role"] == "sales_rep"
    assert made["locale"] == "en"
    assert made["disabled"] is False
    assert login(tenant, "rep9", "long enough")["user"]["id"] == made["id"]


def test_admin_lists_every_user_by_name(client, tenant, as_role, add_user):
    admin = as_role("admin")
    add_user(tenant, "zhang", "clerk")
    add_user(tenant, "li", "planner")
    r = client.get(_users(tenant), headers=admin)
    assert r.status_code == 200
    assert [(u["username"], u["role"]) for u in r.json()] == [
        ("admin1", "admin"),
        ("li", "planner"),
        ("zhang", "clerk"),
    ]


def test_admin_patches_role_display_name_and_disabled(client, tenant, as_role, add_user):
    admin = as_role("admin")
    rep = add_user(tenant, "rep1")
    r = client.patch(f"{_users(tenant)}/{rep.id}", json={"role": "manager", "display_name": "李经理"}, headers=admin)
    assert r.status_code == 200, r.text
    assert (r.json()["role"], r.json()["display_name"], r.json()["disabled"]) == ("manager", "李经理", False)
    r = client.patch(f"{_users(tenant)}/{rep.id}", json={"disabled": True}, headers=admin)
    assert r.json()["disabled"] is True
    listed = {u["username"]: u for u in client.get(_users(tenant), headers=admin).json()}
    assert (listed["rep1"]["role"], listed["rep1"]["display_name"], listed["rep1"]["disabled"]) == (
        "manager",
        "李经理",
        True,
    )


def test_a_new_role_holds_from_the_next_request_of_the_same_session(client, tenant, as_role, add_user, login):
    admin = as_role("admin")
    rep = add_user(tenant, "rep1")
    rep_headers = bearer(login(tenant, "rep1")["access_token"])
    assert client.get(_users(tenant), headers=rep_headers).status_code == 403
    client.patch(f"{_users(tenant)}/{rep.id}", json={"role": "manager"}, headers=admin)
    assert client.get(_users(tenant), headers=rep_headers).status_code == 200


def test_empty_patch_changes_nothing(client, tenant, as_role, add_user):
    admin = as_role("admin")
    rep = add_user(tenant, "rep1", display_name="Rep One")
    r = client.patch(f"{_users(tenant)}/{rep.id}", json={}, headers=admin)
    assert r.status_code == 200
    assert (r.json()["role"], r.json()["display_name"], r.json()["disabled"]) == ("sales_rep", "Rep One", False)


def test_duplicate_username_is_409_whatever_its_case(client, tenant, as_role):
    admin = as_role("admin")
    first = client.post(_users(tenant), json=_new("Wang.Wei"), headers=admin)
    assert first.status_code == 201
    assert first.json()["username"] == "wang.wei"
    for spelling in ("wang.wei", "WANG.WEI", " Wang.Wei "):
        r = client.post(_users(tenant), json=_new(spelling), headers=admin)
        assert r.status_code == 409, spelling
        assert r.json() == {
            "code": "user.exists",
            "message": "A user called wang.wei exists already.",
            "field": "username",
        }


def test_short_password_is_422_naming_the_password_field(client, tenant, as_role, settings):
    admin = as_role("admin")
    r = client.post(_users(tenant), json=_new(password="x" * (settings.min_password_length - 1)), headers=admin)
    assert r.status_code == 422
    assert r.json()["code"] == "user.weak_password"
    assert r.json()["field"] == "password"
    assert "rep9" not in [u["username"] for u in client.get(_users(tenant), headers=admin).json()]


def test_unknown_role_is_422_naming_the_role_field(client, tenant, as_role):
    r = client.post(_users(tenant), json=_new(role="superuser"), headers=as_role("admin"))
    assert r.status_code == 422
    assert r.json()["field"] == "role"


def test_patch_of_an_unknown_user_is_404(client, tenant, as_role):
    r = client.patch(f"{_users(tenant)}/{NOBODY}", json={"role": "clerk"}, headers=as_role("admin"))
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": f"{NOBODY} was not found."}


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "0190a000-0000-7000-8000-00000000000g"])
def test_patch_with_a_malformed_id_is_422_naming_the_id(client, tenant, as_role, bad_id):
    r = client.patch(f"{_users(tenant)}/{bad_id}", json={"role": "clerk"}, headers=as_role("admin"))
    assert r.status_code == 422
    assert r.json()["code"] == "validation.invalid"
    assert r.json()["field"] == "user_id"


def test_manager_may_list_users_but_neither_create_nor_patch_them(client, tenant, as_role, add_user):
    manager = as_role("manager")
    rep = add_user(tenant, "rep1")
    listed = client.get(_users(tenant), headers=manager)
    assert listed.status_code == 200
    assert {u["username"] for u in listed.json()} == {"manager1", "rep1"}
    created = client.post(_users(tenant), json=_new(), headers=manager)
    assert created.status_code == 403
    assert created.json() == {
        "code": "auth.forbidden",
        "message": "Your role (manager) may not do this: admin.users.write.",
    }
    patched = client.patch(f"{_users(tenant)}/{rep.id}", json={"role": "admin"}, headers=manager)
    assert patched.status_code == 403
    assert patched.json()["code"] == "auth.forbidden"
    assert {u["username"]: u["role"] for u in listed.json()}["rep1"] == "sales_rep"
    assert {u["username"] for u in client.get(_users(tenant), headers=manager).json()} == {"manager1", "rep1"}


@pytest.mark.parametrize("role", ["sales_rep", "clerk", "planner"])
def test_reps_clerks_and_planners_get_403_on_every_admin_route(client, tenant, as_role, add_user, role):
    headers = as_role(role)
    other = add_user(tenant, "someone")
    for r in (
        client.get(_users(tenant), headers=headers),
        client.post(_users(tenant), json=_new(), headers=headers),
        client.patch(f"{_users(tenant)}/{other.id}", json={"disabled": True}, headers=headers),
    ):
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "auth.forbidden"
        assert f"({role})" in r.json()["message"]
    assert client.get(f"/t/{tenant.slug}/v1/auth/me", headers=headers).json()["role"] == role


def test_admin_routes_without_a_token_are_401(client, tenant):
    assert client.get(_users(tenant)).status_code == 401
    assert client.post(_users(tenant), json=_new()).json()["code"] == "auth.not_authenticated"


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(client, tenant, as_role, login):
    admin = as_role("admin")
    me = client.get(f"/t/{tenant.slug}/v1/auth/me", headers=admin).json()
    for change, field in (({"disabled": True}, "disabled"), ({"role": "manager"}, "role")):
        r = client.patch(f"{_users(tenant)}/{me['id']}", json=change, headers=admin)
        assert r.status_code == 409
        assert r.json() == {
            "code": "user.last_admin",
            "message": "The last active administrator cannot be disabled or demoted.",
            "field": field,
        }
    again = client.get(f"/t/{tenant.slug}/v1/auth/me", headers=admin).json()
    assert (again["role"], again["disabled"]) == ("admin", False)
    # keeping the role while renaming is fine
    ok = client.patch(f"{_users(tenant)}/{me['id']}", json={"role": "admin", "display_name": "老板"}, headers=admin)
    assert ok.status_code == 200


def test_a_disabled_admin_does_not_count_as_an_active_one(client, tenant, as_role, add_user):
    admin = as_role("admin")
    spare = add_user(tenant, "spare", "admin")
    me = client.get(f"/t/{tenant.slug}/v1/auth/me", headers=admin).json()
    assert client.patch(f"{_users(tenant)}/{spare.id}", json={"disabled": True}, headers=admin).status_code == 200
    assert client.patch(f"{_users(tenant)}/{me['id']}", json={"role": "clerk"}, headers=admin).status_code == 409


def test_with_a_second_admin_one_may_be_demoted(client, tenant, as_role, add_user):
    admin = as_role("admin")
    other = add_user(tenant, "admin2", "admin")
    r = client.patch(f"{_users(tenant)}/{other.id}", json={"role": "planner"}, headers=admin)
    assert r.status_code == 200
    assert r.json()["role"] == "planner"


def test_two_admins_demoting_each_other_at_once_leave_one_admin(cluster, tenant, add_user, clock):
    first, second = add_user(tenant, "admin1", "admin"), add_user(tenant, "admin2", "admin")
    engine = cluster.tenant_engine(tenant)
    outcome: dict[str, object] = {}

    def demote_first() -> None:
        with engine.begin() as conn:
            try:
                users.update_user(conn, clock(), first.id, role="sales_rep", by=second.id)
                outcome["second"] = "demoted"
            except LastAdmin as exc:
                outcome["second"] = exc

    with engine.connect() as conn:
        with conn.begin():
            users.update_user(conn, clock(), second.id, role="sales_rep", by=first.id)
            racer = threading.Thread(target=demote_first)
            racer.start()
            time.sleep(0.5)  # the racer is now inside its transaction, before ours commits
            assert "second" not in outcome, "the racer must wait for the first demotion"
        racer.join(timeout=30)
    assert isinstance(outcome["second"], LastAdmin)
    with engine.connect() as conn:
        roles = {row.username: row.role for row in users.list_users(conn)}
    assert roles == {"admin1": "admin", "admin2": "sales_rep"}
