"""``yiti-server serve`` as real processes with nothing configured: each starts (or joins) the
embedded Postgres in its data folder. Two processes on one folder share the cluster, so a token
and the sign-in throttle work across both; the cluster stops when the last process exits."""

from __future__ import annotations

import signal

import httpx
import pytest

from app import __version__
from tests.e2e.serving import PASSWORD, SLUG, Deployment, Server, postgres_processes, wait_until_gone


@pytest.fixture(scope="module")
def first(deployment: Deployment) -> Server:
    return deployment.serve()


@pytest.fixture(scope="module")
def second(deployment: Deployment, first: Server) -> Server:
    return deployment.serve()


def test_health_answers_with_the_version(first):
    r = httpx.get(f"{first.url}/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": __version__}


def test_sign_in_and_who_am_i(first):
    r = first.login()
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"]["username"] == "boss" and body["user"]["role"] == "admin"
    me = httpx.get(f"{first.url}/t/{SLUG}/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "boss"


def test_errors_have_the_error_body(first):
    wrong = first.login(password="not the password")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "auth.invalid_credentials"
    assert wrong.json()["message"] == "Wrong user name or password."
    unknown = httpx.post(f"{first.url}/t/nosuchtenant/v1/auth/login", json={"username": "boss", "password": PASSWORD})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "tenant.not_found"
    malformed = httpx.post(
        f"{first.url}/t/{SLUG}/v1/auth/login",
        content=b'{"username": "boss", "password": ',
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert set(malformed.json()) >= {"code", "message"}
    # the failure above must not count against a later sign-in
    assert first.login().status_code == 200


def test_a_token_from_one_process_works_at_the_other(first, second):
    assert second.port != first.port
    token = first.login().json()["access_token"]
    me = httpx.get(f"{second.url}/t/{SLUG}/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["username"] == "boss"
    assert second.proc.pid != first.proc.pid
    assert len(postgres_processes(first.data_dir / "pgdata")) >= 1


def test_throttling_counts_across_processes(first, second):
    servers = [first, second]
    for attempt in range(5):
        r = servers[attempt % 2].login(password=f"wrong {attempt}")
        assert r.status_code == 401, (attempt, r.text)
    for server in (second, first):
        r = server.login(password="wrong again")
        assert r.status_code == 429, r.text
        assert int(r.headers["Retry-After"]) > 0
        assert r.json()["code"]
        # while locked, even the right password waits
        assert server.login().status_code == 429


def test_sigterm_stops_the_servers_and_then_the_embedded_postgres(deployment, first, second):
    pgdata = deployment.pgdata
    assert postgres_processes(pgdata)
    assert first.stop() == 0
    # the other process still holds the cluster
    assert postgres_processes(pgdata)
    assert second.login(password="irrelevant").status_code == 429
    assert second.stop() == 0
    assert wait_until_gone(pgdata) == [], "the last process out did not stop the embedded Postgres"
    assert not (pgdata / "postmaster.pid").exists()


def test_a_killed_process_does_not_keep_the_cluster_alive(deployment):
    """A process that died without cleaning up (SIGKILL, OOM) leaves its pid in the cluster's
    handle list; the last live process must still stop the cluster when it exits."""
    killed = deployment.serve()
    survivor = deployment.serve()
    killed.stop(signal.SIGKILL)
    assert survivor.login(password="x").status_code in (401, 429)
    assert survivor.stop() == 0
    assert wait_until_gone(deployment.pgdata) == [], "a dead process's handle kept the embedded Postgres up"
