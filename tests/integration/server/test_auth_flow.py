"""Sign-in, refresh, sign-out and expiry over HTTP against a real tenant database."""

from tests.conftest import bearer


def test_login_returns_token_pair_and_user_with_role(client, tenant, add_user, login):
    add_user(tenant, "rep1", "sales_rep")
    body = login(tenant, "rep1")
    assert body["user"]["username"] == "rep1"
    assert body["user"]["role"] == "sales_rep"
    assert body["expires_in"] == 15 * 60
    assert body["access_token"] != body["refresh_token"]
    me = client.get(f"/t/{tenant.slug}/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["username"] == "rep1"


def test_wrong_password_is_401_with_error_body(client, tenant, add_user):
    add_user(tenant, "rep1")
    r = client.post(
        f"/t/{tenant.slug}/v1/auth/login",
        json={"username": "rep1", "password": "nope"},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 401
    assert r.json()["code"] == "auth.invalid_credentials"
    assert r.json()["message"] == "Wrong user name or password."


def test_access_token_expires_and_refresh_rotates(client, tenant, add_user, login, clock):
    add_user(tenant, "rep1")
    pair = login(tenant, "rep1")
    clock.advance(minutes=16)
    assert client.get(f"/t/{tenant.slug}/v1/auth/me", headers=bearer(pair["access_token"])).status_code == 401
    r = client.post(f"/t/{tenant.slug}/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 200, r.text
    fresh = r.json()
    assert (
        client.get(f"/t/{tenant.slug}/v1/auth/me", headers=bearer(fresh["access_token"])).status_code == 200
    )
    # the old refresh token was rotated away; replaying it ends the new sign-in too
    replay = client.post(f"/t/{tenant.slug}/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert replay.status_code == 401
    assert (
        client.get(f"/t/{tenant.slug}/v1/auth/me", headers=bearer(fresh["access_token"])).status_code == 401
    )
