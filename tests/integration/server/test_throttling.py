"""Sign-in throttling over HTTP against a real tenant database: the lock, its growth and end,
and that it is kept per user name."""

from __future__ import annotations

import pytest

PASSWORD = "correct horse"
WRONG = "wrong horse"


@pytest.fixture
def attempt(client, tenant):
    """attempt(username, password, tenant=..., lang=...) → the login response."""

    def do(username: str, password: str, t=None, lang: str = "en"):
        t = t or tenant
        return client.post(
            f"/t/{t.slug}/v1/auth/login",
            json={"username": username, "password": password},
            headers={"Accept-Language": lang},
        )

    return do


def _fail_freely(attempt, settings, username: str) -> None:
    """Use up the free failures: each is a plain 401, the last one sets the first lock."""
    for _ in range(settings.throttle_free_failures):
        r = attempt(username, WRONG)
        assert r.status_code == 401, r.text
        assert r.json()["code"] == "auth.invalid_credentials"


def test_failures_past_the_free_allowance_are_refused_with_429_retry_after_and_error_body(
    tenant, add_user, attempt, settings
):
    add_user(tenant, "rep1")
    _fail_freely(attempt, settings, "rep1")
    r = attempt("rep1", WRONG)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == str(settings.throttle_base_seconds)
    assert r.json() == {
        "code": "auth.throttled",
        "message": f"Too many failed sign-ins. Try again in {settings.throttle_base_seconds} seconds.",
    }


def test_throttle_message_comes_in_chinese_by_accept_language(tenant, add_user, attempt, settings):
    add_user(tenant, "rep1")
    _fail_freely(attempt, settings, "rep1")
    r = attempt("rep1", WRONG, lang="zh-CN,zh;q=0.9,en;q=0.5")
    assert r.status_code == 429
    assert r.json()["message"] == f"登录失败次数过多，请在 {settings.throttle_base_seconds} 秒后重试。"


def test_correct_password_during_the_lock_is_refused_and_does_not_extend_it(tenant, add_user, attempt, settings, clock):
    add_user(tenant, "rep1")
    _fail_freely(attempt, settings, "rep1")
    r = attempt("rep1", PASSWORD)
    assert r.status_code == 429
    assert r.json()["code"] == "auth.throttled"
    assert "access_token" not in r.json()
    clock.advance(seconds=10)
    again = attempt("rep1", WRONG)
    assert again.status_code == 429
    # refused attempts are not counted: the lock only counts down
    assert again.headers["Retry-After"] == str(settings.throttle_base_seconds - 10)


def test_lock_ends_after_its_time_and_doubles_with_each_further_failure_up_to_the_cap(
    tenant, add_user, attempt, settings, clock
):
    add_user(tenant, "rep1")
    _fail_freely(attempt, settings, "rep1")
    lock = settings.throttle_base_seconds
    seen = []
    for _ in range(8):
        assert attempt("rep1", WRONG).status_code == 429
        clock.advance(seconds=lock - 1)
        still = attempt("rep1", WRONG)
        assert still.status_code == 429
        assert still.headers["Retry-After"] == "1"
        clock.advance(seconds=1)
        r = attempt("rep1", WRONG)  # the lock is over: a real attempt again, which fails
        assert r.status_code == 401, r.text
        locked = attempt("rep1", WRONG)
        assert locked.status_code == 429
        lock = int(locked.headers["Retry-After"])
        seen.append(lock)
    base = settings.throttle_base_seconds
    assert seen[:4] == [2 * base, 4 * base, 8 * base, 16 * base]
    assert max(seen) == settings.throttle_max_seconds
    assert seen[-1] == settings.throttle_max_seconds


def test_correct_password_after_the_lock_signs_in_and_resets_the_count(tenant, add_user, attempt, settings, clock):
    add_user(tenant, "rep1")
    _fail_freely(attempt, settings, "rep1")
    clock.advance(seconds=settings.throttle_base_seconds)
    ok = attempt("rep1", PASSWORD)
    assert ok.status_code == 200, ok.text
    assert ok.json()["user"]["username"] == "rep1"
    # with the count kept, this failure would lock the name for twice the base time
    assert attempt("rep1", WRONG).status_code == 401
    assert attempt("rep1", PASSWORD).status_code == 200
    # and the full free allowance is there again
    _fail_freely(attempt, settings, "rep1")
    assert attempt("rep1", PASSWORD).status_code == 429


def test_throttling_is_per_user_name_and_another_user_is_unaffected(tenant, add_user, attempt, settings):
    add_user(tenant, "rep1")
    add_user(tenant, "rep2")
    _fail_freely(attempt, settings, "rep1")
    assert attempt("rep1", PASSWORD).status_code == 429
    ok = attempt("rep2", PASSWORD)
    assert ok.status_code == 200, ok.text
    assert ok.json()["user"]["username"] == "rep2"
    assert attempt("rep2", WRONG).status_code == 401  # rep2's own count starts at one
    # user names are case-insensitive, so another spelling is the same locked name
    assert attempt("REP1", PASSWORD).status_code == 429


def test_unknown_user_names_are_throttled_like_real_ones(tenant, attempt, settings):
    for _ in range(settings.throttle_free_failures):
        r = attempt("ghost", WRONG)
        assert r.status_code == 401
        assert r.json()["code"] == "auth.invalid_credentials"
    r = attempt("ghost", WRONG)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == str(settings.throttle_base_seconds)


def test_wrong_old_passwords_on_password_change_are_throttled_like_sign_ins(client, tenant, add_user, login, settings):
    from tests.conftest import bearer

    add_user(tenant, "rep1")
    headers = bearer(login(tenant, "rep1")["access_token"])

    def change(old: str):
        return client.post(f"/t/{tenant.slug}/v1/auth/password", headers=headers,
                           json={"old_password": old, "new_password": "a new long password"})

    for _ in range(settings.throttle_free_failures):
        r = change(WRONG)
        assert r.status_code == 401 and r.json()["field"] == "old_password"
    r = change(PASSWORD)
    assert r.status_code == 429 and r.json()["code"] == "auth.throttled", "a stolen token buys no free guesses"
