"""``yiti sync`` as a user runs it: the command in its own process against a real ``yiti-server
serve``, with a keyring that outlives each run (a file standing in for the desktop's keyring)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from app.core.tx import Change
from app.sync import SyncClient, cache
from tests.e2e.serving import FILE_KEYRING, PASSWORD, ROOT, SLUG, Deployment, Server, client_env, free_port

NO_KEYRING = "keyring.backends.fail.Keyring"


@pytest.fixture(scope="module")
def server(deployment: Deployment) -> Server:
    running = deployment.serve()  # first: the CLI then joins its Postgres instead of starting one
    deployment.add_user(SLUG, "rep1", "sales_rep")
    deployment.add_user(SLUG, "rep2", "sales_rep")
    return running


@pytest.fixture
def yiti(keyring_file: Path):
    """yiti(*argv, stdin=..., lang=..., backend=...): run ``yiti sync ARGV`` and wait for it."""

    def run(*argv: str | Path, stdin: str | None = None, lang: str = "en_US.UTF-8",
            backend: str = FILE_KEYRING) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", "sync", *map(str, argv)],
            input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True, text=True, env=client_env(keyring_file, backend, lang), cwd=ROOT, timeout=60,
        )

    return run


@pytest.fixture
def signed_in(server: Server, yiti, tmp_path: Path):
    """signed_in("rep1"): a cache file whose first `yiti sync` signed in and synced."""

    def make(user: str) -> Path:
        path = tmp_path / f"{user}.sqlite"
        first = yiti("--cache", path, "--server", server.url, "--tenant", SLUG, "--user", user, "--password-stdin",
                     stdin=f"{PASSWORD}\n")
        assert first.returncode == 0, first.stderr
        return path

    return make


def _open(cache_file: Path) -> SyncClient:
    """The cache as the scripting API opens it, on the server and tenant the cache knows."""
    engine = cache.open_cache(cache_file)
    with engine.connect() as conn:
        server, tenant = cache.get_state(conn, "server"), cache.get_state(conn, "tenant")
    engine.dispose()
    return SyncClient.open(cache_file, server, tenant)


def test_first_run_signs_in_with_the_password_from_stdin_and_the_second_needs_none(server, yiti, tmp_path):
    cache = tmp_path / "rep1.sqlite"

    first = yiti("--cache", cache, "--server", server.url, "--tenant", SLUG, "--user", "rep1", "--password-stdin",
                 stdin=f"{PASSWORD}\n")

    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "Sync finished."
    assert "Nothing to send." in first.stdout and "Received" in first.stdout
    assert "keyring" not in first.stderr
    with _open(cache) as c:
        assert c.state("username") == "rep1"
        assert {u["username"] for u in c.rows("app_user")} >= {"boss", "rep1"}

    # no password anywhere (stdin is empty, no $YITI_PASSWORD), and server, tenant, user from the cache
    second = yiti("--cache", cache)

    assert second.returncode == 0, second.stderr
    assert "Sync finished." in second.stdout and "Nothing to send." in second.stdout


def test_json_report_parses_and_counts_the_queued_change(signed_in, yiti):
    cache = signed_in("rep1")
    with _open(cache) as c:
        c.mutate("crm.customer.create", {"name": "上海华联", "credit_limit": "5000.00"})

    listed = yiti("--cache", cache, "--pending")
    queued = yiti("--cache", cache, "--pending", "--json")
    synced = yiti("--cache", cache, "--json")

    assert listed.returncode == 0 and "1 change waiting to be sent:" in listed.stdout
    assert "crm.customer.create" in listed.stdout and "上海华联" in listed.stdout
    [entry] = json.loads(queued.stdout)
    assert entry["id"] == 1 and entry["name"] == "crm.customer.create" and entry["args"]["name"] == "上海华联"
    assert synced.returncode == 0, synced.stderr
    report = json.loads(synced.stdout)
    assert (report["pushed"], report["applied"], report["rejected"], report["conflicts"]) == (1, 1, 0, 0)
    assert report["offline"] is False and report["error"] is None and report["pulled_changes"] >= 1
    assert yiti("--cache", cache, "--pending").stdout.strip() == "No changes are waiting to be sent."
    with _open(cache) as c:
        [row] = c.rows("party", name="上海华联")
        assert row["credit_limit"] == Decimal("5000.00") and row["version"] >= 1


def test_a_rejected_change_is_reported_and_listed_with_its_reason(signed_in, yiti):
    cache = signed_in("rep1")
    with _open(cache) as c:  # a sales rep may not create products: the server says no
        c.mutate("erp.product.create", {"sku": "P-1", "name": "螺丝"})

    synced = yiti("--cache", cache)
    listed = yiti("--cache", cache, "--rejected")
    as_json = yiti("--cache", cache, "--rejected", "--json")

    assert synced.returncode == 0, synced.stderr
    assert "Sent 1 change: 0 applied, 1 rejected, 0 in conflict." in synced.stdout
    assert "yiti sync --rejected" in synced.stdout
    assert "1 rejected change:" in listed.stdout and "erp.product.create" in listed.stdout
    assert "auth.forbidden: Your role (sales_rep) may not do this" in listed.stdout
    [rejected] = json.loads(as_json.stdout)
    assert rejected["code"] == "auth.forbidden" and rejected["args"]["sku"] == "P-1"


def test_a_guarded_field_clash_is_listed_as_a_conflict(server, signed_in, yiti, tmp_path):
    cache = signed_in("rep2")
    with SyncClient.open(tmp_path / "boss.sqlite", server.url, SLUG) as boss:
        boss.login("boss", PASSWORD)
        boss.mutate("crm.customer.create", {"name": "华东贸易", "credit_limit": "1000.00"})
        assert boss.sync().ok
        [row] = boss.rows("party", name="华东贸易")
        assert yiti("--cache", cache).returncode == 0
        with _open(cache) as rep:
            rep.mutate("crm.customer.update", {"id": str(row["id"]), "credit_limit": _change("1000.00", "2000.00")})
        boss.mutate("crm.customer.update", {"id": str(row["id"]), "credit_limit": _change("1000.00", "3000.00")})
        assert boss.sync().ok

    synced = yiti("--cache", cache)
    listed = yiti("--cache", cache, "--conflicts")

    assert synced.returncode == 0, synced.stderr
    assert "1 in conflict" in synced.stdout and "yiti sync --conflicts" in synced.stdout
    assert "1 open conflict:" in listed.stdout
    assert 'party' in listed.stdout and 'credit_limit: yours "2000.00", theirs "3000.00"' in listed.stdout


def test_offline_exits_3_and_keeps_the_queue_for_the_next_sync(deployment, yiti, tmp_path):
    own = deployment.serve()  # a server of this test's own, to stop and start again
    cache = tmp_path / "rep1-own.sqlite"
    signed = yiti("--cache", cache, "--server", own.url, "--tenant", SLUG, "--user", "rep1", "--password-stdin",
                  stdin=f"{PASSWORD}\n")
    assert signed.returncode == 0, signed.stderr
    with _open(cache) as c:
        c.mutate("crm.customer.create", {"name": "断网客户"})
    assert own.stop() == 0

    offline = yiti("--cache", cache)
    still = yiti("--cache", cache, "--pending", "--json")

    assert offline.returncode == 3, offline.stderr
    assert "The server cannot be reached: you are offline." in offline.stderr
    assert [m["args"]["name"] for m in json.loads(still.stdout)] == ["断网客户"]

    own.start()  # back on the same port: the same sign-in works
    back = yiti("--cache", cache, "--json")

    assert back.returncode == 0, back.stderr
    assert json.loads(back.stdout)["applied"] == 1
    assert own.stop() == 0


def test_a_server_that_is_not_there_at_sign_in_is_offline_too(yiti, tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}"

    argv = ("--cache", tmp_path / "c.sqlite", "--server", nowhere, "--tenant", SLUG, "--user", "rep1",
            "--password-stdin")

    r = yiti(*argv, stdin=f"{PASSWORD}\n")
    as_json = yiti(*argv, "--json", stdin=f"{PASSWORD}\n")

    assert r.returncode == 3
    assert "you are offline" in r.stderr
    assert as_json.returncode == 3
    report = json.loads(as_json.stdout)
    assert report["offline"] is True and report["error"] is None and report["pushed"] == 0


def test_a_wrong_password_exits_2_with_the_servers_message(server, yiti, tmp_path):
    r = yiti("--cache", tmp_path / "c.sqlite", "--server", server.url, "--tenant", SLUG, "--user", "rep2",
             "--password-stdin", stdin="not the password\n")

    assert r.returncode == 2
    assert "Sync failed: Wrong user name or password." in r.stderr


def test_a_sign_in_ended_on_the_server_asks_for_the_password_again(deployment, signed_in, yiti):
    deployment.add_user(SLUG, "rep3", "sales_rep")
    cache = signed_in("rep3")

    def new_password(password: str) -> None:  # ends every sign-in of rep3
        changed = deployment.cli("user", "passwd", SLUG, "rep3", "--password-stdin", stdin=f"{password}\n")
        assert changed.returncode == 0, changed.stderr

    new_password("first new password")
    signed_in_again = yiti("--cache", cache, "--password-stdin", stdin="first new password\n")
    new_password("second new password")
    refused = yiti("--cache", cache)

    assert signed_in_again.returncode == 0, signed_in_again.stderr
    assert "Sync finished." in signed_in_again.stdout
    assert refused.returncode == 2
    assert "Sync failed: Please sign in again" in refused.stderr


def test_without_a_keyring_the_sign_in_lasts_only_this_run(server, yiti, tmp_path):
    cache = tmp_path / "c.sqlite"
    first = yiti("--cache", cache, "--server", server.url, "--tenant", SLUG, "--user", "rep1", "--password-stdin",
                 stdin=f"{PASSWORD}\n", backend=NO_KEYRING)
    second = yiti("--cache", cache, backend=NO_KEYRING)

    assert first.returncode == 0, first.stderr
    assert "this sign-in lasts only for this run" in first.stderr
    assert second.returncode == 2
    assert "No password given: use --password-stdin or set YITI_PASSWORD." in second.stderr


def test_the_report_speaks_the_users_language(signed_in, yiti):
    cache = signed_in("rep1")
    with _open(cache) as c:
        c.mutate("crm.customer.create", {"name": "北京客户"})

    r = yiti("--cache", cache, lang="zh_CN.UTF-8")
    missing = yiti("--cache", cache.with_name("none.sqlite"), "--pending", lang="zh_CN.UTF-8")

    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "同步完成。"
    assert "已发送 1 项更改" in r.stdout
    assert missing.returncode == 2 and "没有缓存文件" in missing.stderr


def _change(base: str, new: str) -> dict:
    return Change(base=base, new=new).model_dump(mode="json")
