"""Tenants are separate worlds: own database, own users, own tokens (DESIGN §3: a token of
tenant A is worthless at B), over HTTP against two real tenant databases."""

from __future__ import annotations

import pytest

from tests.conftest import bearer


@pytest.fixture
def two_tenants(make_tenant, add_user):
    """Tenants a and b, each with its own user "rep1" and its own password."""
    a, b = make_tenant(), make_tenant()
    add_user(a, "rep1", password="password of a")
    add_user(b, "rep1", password="password of b")
    return a, b


def _me(client, t, token):
    return client.get(f"/t/{t.slug}/v1/auth/me", headers=bearer(token))


def test_access_token_of_one_tenant_is_401_at_the_other_both_ways(client, two_tenants, login):
    a, b = two_tenants
    at_a, at_b = login(a, "rep1", "password of a"), login(b, "rep1", "password of b")
    for token, home, other in ((at_a["access_token"], a, b), (at_b["access_token"], b, a)):
        assert _me(client, home, token).status_code == 200
        r = _me(client, other, token)
        assert r.status_code == 401
        assert r.json()["code"] == "auth.not_authenticated"


def test_refresh_token_of_one_tenant_is_401_at_the_other_both_ways(client, two_tenants, login):
    a, b = two_tenants
    at_a, at_b = login(a, "rep1", "password of a"), login(b, "rep1", "password of b")
    for pair, other in ((at_a, b), (at_b, a)):
        r = client.post(f"/t/{other.slug}/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert r.status_code == 401
        assert r.json()["code"] == "auth.not_authenticated"
    # the failed tries did not harm the tokens at home
    assert _me(client, a, at_a["access_token"]).status_code == 200
    assert _me(client, b, at_b["access_token"]).status_code == 200


def test_admin_token_of_one_tenant_cannot_administer_the_other(client, make_tenant, add_user, login):
    a, b = make_tenant(), make_tenant()
    add_user(a, "boss", "admin")
    add_user(b, "boss", "admin")
    boss_of_a = login(a, "boss")["access_token"]
    r = client.get(f"/t/{b.slug}/v1/admin/users", headers=bearer(boss_of_a))
    assert r.status_code == 401
    r = client.post(
        f"/t/{b.slug}/v1/admin/users",
        json={"username": "mole", "password": "long enough", "role": "admin"},
        headers=bearer(boss_of_a),
    )
    assert r.status_code == 401
    names = [
        u["username"]
        for u in client.get(f"/t/{b.slug}/v1/admin/users", headers=bearer(login(b, "boss")["access_token"])).json()
    ]
    assert names == ["boss"]


def test_same_username_in_two_tenants_is_two_users_with_their_own_passwords(client, two_tenants, login):
    a, b = two_tenants
    at_a, at_b = login(a, "rep1", "password of a"), login(b, "rep1", "password of b")
    assert at_a["user"]["id"] != at_b["user"]["id"]
    assert at_a["tenant_id"] == str(a.tenant_id)
    assert at_b["tenant_id"] == str(b.tenant_id)
    assert at_a["tenant_id"] != at_b["tenant_id"]
    for t, foreign_password in ((a, "password of b"), (b, "password of a")):
        r = client.post(f"/t/{t.slug}/v1/auth/login", json={"username": "rep1", "password": foreign_password})
        assert r.status_code == 401
        assert r.json()["code"] == "auth.invalid_credentials"


def test_throttling_a_name_in_one_tenant_leaves_the_namesake_in_the_other_alone(client, two_tenants, login, settings):
    a, b = two_tenants
    for _ in range(settings.throttle_free_failures):
        client.post(f"/t/{a.slug}/v1/auth/login", json={"username": "rep1", "password": "guess"})
    locked = client.post(f"/t/{a.slug}/v1/auth/login", json={"username": "rep1", "password": "password of a"})
    assert locked.status_code == 429
    assert login(b, "rep1", "password of b")["user"]["username"] == "rep1"


def test_signing_out_in_one_tenant_leaves_the_namesakes_session_in_the_other(client, two_tenants, login):
    a, b = two_tenants
    at_a, at_b = login(a, "rep1", "password of a"), login(b, "rep1", "password of b")
    assert client.post(f"/t/{a.slug}/v1/auth/logout", headers=bearer(at_a["access_token"])).status_code == 204
    assert _me(client, a, at_a["access_token"]).status_code == 401
    assert _me(client, b, at_b["access_token"]).status_code == 200


@pytest.mark.parametrize(
    ("method", "route"),
    [("get", "auth/me"), ("post", "auth/login"), ("get", "admin/users"), ("get", "sync/meta")],
)
def test_unknown_tenant_is_404_with_error_body(client, method, route):
    kwargs = {"json": {"username": "rep1", "password": "whatever"}} if method == "post" else {}
    r = client.request(method, f"/t/nosuch/v1/{route}", headers={"Accept-Language": "en"}, **kwargs)
    assert r.status_code == 404
    assert r.json() == {"code": "tenant.not_found", "message": "There is no tenant called nosuch."}


def test_unknown_tenant_message_comes_in_chinese(client):
    r = client.get("/t/nosuch/v1/auth/me", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 404
    assert r.json()["message"] == "不存在名为 nosuch 的租户。"


@pytest.mark.parametrize("slug", ["Upper", "has-dash", "9starts_with_digit", "x", "a" * 41, "%E7%A7%9F"])
def test_tenant_names_that_cannot_exist_are_404_not_500(client, slug):
    r = client.get(f"/t/{slug}/v1/auth/me")
    assert r.status_code == 404
    assert r.json()["code"] == "tenant.not_found"


def test_over_long_tenant_name_is_4xx_with_error_body(client):
    r = client.get(f"/t/{'a' * 300}/v1/auth/me")
    assert 400 <= r.status_code < 500
    assert set(r.json()) >= {"code", "message"}
