"""Sessions end: sign-out, password change, disabling, and the refresh token's thirty days,
over HTTP against a real tenant database."""

from __future__ import annotations

from tests.conftest import bearer

PASSWORD = "correct horse"
NEW_PASSWORD = "battery staple"
THIRTY_DAYS = 30 * 24 * 3600


def _me(client, t, pair):
    return client.get(f"/t/{t.slug}/v1/auth/me", headers=bearer(pair["access_token"]))


def _refresh(client, t, pair):
    return client.post(f"/t/{t.slug}/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})


def _login(client, t, username, password):
    return client.post(f"/t/{t.slug}/v1/auth/login", json={"username": username, "password": password})


def _patch(client, t, admin_pair, user_id, **changes):
    r = client.patch(f"/t/{t.slug}/v1/admin/users/{user_id}", json=changes, headers=bearer(admin_pair["access_token"]))
    assert r.status_code == 200, r.text
    return r.json()


def test_logout_revokes_the_access_and_the_refresh_token_of_that_sign_in(client, tenant, add_user, login):
    add_user(tenant, "rep1")
    laptop, desktop = login(tenant, "rep1"), login(tenant, "rep1")
    r = client.post(f"/t/{tenant.slug}/v1/auth/logout", headers=bearer(laptop["access_token"]))
    assert r.status_code == 204
    gone = _me(client, tenant, laptop)
    assert gone.status_code == 401
    assert gone.json()["code"] == "auth.not_authenticated"
    assert _refresh(client, tenant, laptop).status_code == 401
    # the other sign-in of the same user goes on
    assert _me(client, tenant, desktop).status_code == 200
    assert _refresh(client, tenant, desktop).status_code == 200


def test_logout_without_a_token_is_401(client, tenant):
    r = client.post(f"/t/{tenant.slug}/v1/auth/logout")
    assert r.status_code == 401
    assert r.json()["code"] == "auth.not_authenticated"


def test_password_change_ends_every_other_session(client, tenant, add_user, login):
    add_user(tenant, "rep1")
    here, elsewhere = login(tenant, "rep1"), login(tenant, "rep1")
    r = client.post(
        f"/t/{tenant.slug}/v1/auth/password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(here["access_token"]),
    )
    assert r.status_code == 204, r.text
    assert _me(client, tenant, elsewhere).status_code == 401
    assert _refresh(client, tenant, elsewhere).status_code == 401


def test_password_change_also_ends_the_session_that_made_it(client, tenant, add_user, login):
    add_user(tenant, "rep1")
    here = login(tenant, "rep1")
    r = client.post(
        f"/t/{tenant.slug}/v1/auth/password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(here["access_token"]),
    )
    assert r.status_code == 204
    assert _me(client, tenant, here).status_code == 401
    assert _refresh(client, tenant, here).status_code == 401


def test_after_a_password_change_only_the_new_password_signs_in(client, tenant, add_user, login):
    add_user(tenant, "rep1")
    pair = login(tenant, "rep1")
    client.post(
        f"/t/{tenant.slug}/v1/auth/password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(pair["access_token"]),
    )
    old = _login(client, tenant, "rep1", PASSWORD)
    assert old.status_code == 401
    assert old.json()["code"] == "auth.invalid_credentials"
    fresh = _login(client, tenant, "rep1", NEW_PASSWORD)
    assert fresh.status_code == 200, fresh.text
    assert _me(client, tenant, fresh.json()).json()["username"] == "rep1"


def test_password_change_with_a_wrong_old_password_is_401_and_changes_nothing(client, tenant, add_user, login):
    add_user(tenant, "rep1")
    pair = login(tenant, "rep1")
    r = client.post(
        f"/t/{tenant.slug}/v1/auth/password",
        json={"old_password": "not my password", "new_password": NEW_PASSWORD},
        headers=bearer(pair["access_token"]),
    )
    assert r.status_code == 401
    assert r.json()["code"] == "auth.invalid_credentials"
    assert r.json()["field"] == "old_password"
    assert _me(client, tenant, pair).status_code == 200
    assert _login(client, tenant, "rep1", PASSWORD).status_code == 200
    assert _login(client, tenant, "rep1", NEW_PASSWORD).status_code == 401


def test_too_short_new_password_is_refused_naming_the_new_password_field(client, tenant, add_user, login, settings):
    add_user(tenant, "rep1")
    pair = login(tenant, "rep1")
    r = client.post(
        f"/t/{tenant.slug}/v1/auth/password",
        json={"old_password": PASSWORD, "new_password": "short"},
        headers={**bearer(pair["access_token"]), "Accept-Language": "en"},
    )
    assert r.status_code == 422
    assert r.json() == {
        "code": "user.weak_password",
        "message": f"A password needs at least {settings.min_password_length} characters.",
        "field": "new_password",
    }
    assert _me(client, tenant, pair).status_code == 200
    assert _login(client, tenant, "rep1", PASSWORD).status_code == 200


def test_disabling_a_user_makes_their_tokens_401_and_their_sign_in_401(client, tenant, add_user, login):
    add_user(tenant, "boss", "admin")
    rep = add_user(tenant, "rep1")
    admin, pair = login(tenant, "boss"), login(tenant, "rep1")
    assert _patch(client, tenant, admin, rep.id, disabled=True)["disabled"] is True
    assert _me(client, tenant, pair).status_code == 401
    assert _refresh(client, tenant, pair).status_code == 401
    r = client.post(
        f"/t/{tenant.slug}/v1/auth/login",
        json={"username": "rep1", "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 401
    assert r.json() == {"code": "auth.user_disabled", "message": "This account is disabled. Ask your administrator."}


def test_re_enabled_user_signs_in_again_but_old_tokens_stay_dead(client, tenant, add_user, login):
    add_user(tenant, "boss", "admin")
    rep = add_user(tenant, "rep1")
    admin, before = login(tenant, "boss"), login(tenant, "rep1")
    _patch(client, tenant, admin, rep.id, disabled=True)
    assert _patch(client, tenant, admin, rep.id, disabled=False)["disabled"] is False
    after = login(tenant, "rep1")
    assert _me(client, tenant, after).status_code == 200
    assert _me(client, tenant, before).status_code == 401
    assert _refresh(client, tenant, before).status_code == 401


def test_refresh_token_still_works_just_before_thirty_days_and_the_new_one_lasts_thirty_more(
    client, tenant, add_user, login, clock
):
    add_user(tenant, "rep1")
    pair = login(tenant, "rep1")
    assert pair["refresh_expires_in"] == THIRTY_DAYS
    clock.advance(seconds=THIRTY_DAYS - 60)
    r = _refresh(client, tenant, pair)
    assert r.status_code == 200, r.text
    fresh = r.json()
    assert fresh["refresh_expires_in"] == THIRTY_DAYS
    clock.advance(days=29)
    assert _refresh(client, tenant, fresh).status_code == 200


def test_refresh_token_expires_after_thirty_days(client, tenant, add_user, login, clock):
    add_user(tenant, "rep1")
    pair = login(tenant, "rep1")
    clock.advance(seconds=THIRTY_DAYS)
    r = _refresh(client, tenant, pair)
    assert r.status_code == 401
    assert r.json()["code"] == "auth.not_authenticated"
    # the user signs in again with their password and gets a fresh thirty days
    again = login(tenant, "rep1")
    assert _refresh(client, tenant, again).status_code == 200
