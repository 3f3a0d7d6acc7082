"""``yiti-server`` administration in-process against the session's Postgres: tenants, users,
migrations, and a backup → restore round trip (real pg_dump / pg_restore, no mocks)."""

from __future__ import annotations

import io
import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.ids import new_id
from server import migrate
from server.cli import build_parser, main
from server.tables import RESET_ON_RESTORE
from tests.conftest import bearer

PASSWORD = "correct horse"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(pg_data_dir: Path, cluster, monkeypatch, capsys) -> Iterator:
    """cli(*argv, password=..., stdin=...) runs ``server.cli.main`` on the session cluster."""
    url = os.environ.get("YITI_TEST_DATABASE_URL")
    for name in ("DATABASE_URL", "YITI_DATABASE_URL", "YITI_PASSWORD", "YITI_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    if url:
        monkeypatch.setenv("DATABASE_URL", url)

    def run(*argv: str, password: str | None = None, stdin: str | None = None) -> Result:
        if password is None:
            monkeypatch.delenv("YITI_PASSWORD", raising=False)
        else:
            monkeypatch.setenv("YITI_PASSWORD", password)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        capsys.readouterr()
        code = main(["--data-dir", str(pg_data_dir), *argv])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield run


@pytest.fixture
def slugs(cluster) -> Iterator:
    """slugs(n) → n fresh tenant names; whatever of them exists at the end is dropped."""
    made: list[str] = []

    def new(n: int) -> list[str]:
        names = [f"cli{os.getpid()}_{uuid.uuid4().hex[:8]}" for _ in range(n)]
        made.extend(names)
        return names

    yield new
    known = {t.slug for t in cluster.tenants()}
    for slug in made:
        if slug in known:
            cluster.drop_tenant(slug)


def _login(client, slug: str, username: str, password: str = PASSWORD):
    return client.post(f"/t/{slug}/v1/auth/login", json={"username": username, "password": password})


def _table_digests(engine: sa.Engine) -> dict[str, tuple[int, str | None]]:
    """Per table of the tenant database: (row count, md5 of all rows in a stable order)."""
    with engine.connect() as conn:
        tables = conn.execute(
            sa.text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
        ).scalars()
        digests = {}
        for tbl in tables:
            digests[tbl] = tuple(
                conn.execute(
                    sa.text(f"SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM \"{tbl}\" t")
                ).one()
            )
    return digests


def test_cli_backup_restore_round_trip(cli, slugs, client, cluster, tmp_path):
    src, dst = slugs(2)
    made = cli("tenant", "create", src, "--admin", "boss", password=PASSWORD)
    assert made.code == 0, made.err
    assert src in made.out

    boss = _login(client, src, "boss")
    assert boss.status_code == 200, boss.text
    admin_headers = bearer(boss.json()["access_token"])
    assert client.get(f"/t/{src}/v1/auth/me", headers=admin_headers).json()["role"] == "admin"

    for username, role in (("rep1", "sales_rep"), ("clerk1", "clerk"), ("plan1", "planner")):
        r = cli("user", "add", src, username, "--role", role, "--name", f"名 {username}", password=PASSWORD)
        assert r.code == 0, r.err
    r = cli("user", "add", src, "mgr1", "--role", "manager", "--password-stdin", stdin="other secret\n")
    assert r.code == 0, r.err

    # some business data, change log, client state, tokens and throttle state in the source
    rep = _login(client, src, "rep1").json()
    push = client.post(
        f"/t/{src}/v1/sync/push",
        headers=bearer(rep["access_token"]),
        json={
            "client_id": str(uuid.uuid4()),
            "schema_version": 1,
            "mutations": [
                {
                    "id": 1,
                    "name": "crm.customer.create",
                    "version": 1,
                    "args": {"id": str(new_id()), "name": "上海华联", "credit_limit": "12345.60"},
                }
            ],
        },
    )
    assert push.status_code == 200 and push.json()["results"][0]["status"] == "applied", push.text
    assert _login(client, src, "clerk1", "wrong password").status_code == 401

    source = cluster.lookup(src)
    with cluster.tenant_engine(source).connect() as conn:
        source_epoch = conn.execute(sa.text("SELECT epoch FROM tenant_info")).scalar_one()

    dump = tmp_path / f"{src}.dump"
    r = cli("backup", src, str(dump))
    assert r.code == 0, r.err
    assert dump.stat().st_size > 0

    r = cli("restore", dst, str(dump))
    assert r.code == 0, r.err
    restored = cluster.lookup(dst)
    assert str(restored.tenant_id) in r.out

    # every table the same, except the state a restore must reset
    reset = {"tenant_info", *RESET_ON_RESTORE}
    before = _table_digests(cluster.tenant_engine(source))
    after = _table_digests(cluster.tenant_engine(restored))
    assert before.keys() == after.keys()
    assert {"party", "app_user", "sync_change", "user_credential"} <= before.keys()
    assert before["party"][0] == 1 and before["app_user"][0] == 5
    assert {t: d for t, d in after.items() if t not in reset} == {t: d for t, d in before.items() if t not in reset}
    for tbl in ("auth_token", "login_throttle", "sync_client", "mutation_log"):
        assert before[tbl][0] > 0, tbl
        assert after[tbl][0] == 0, tbl

    # a new incarnation: new id, next epoch; nothing issued by the source works there
    with cluster.tenant_engine(restored).connect() as conn:
        info = conn.execute(sa.text("SELECT tenant_id, slug, epoch, restored_at FROM tenant_info")).one()
    assert info.tenant_id == restored.tenant_id != source.tenant_id
    assert info.slug == dst
    assert info.epoch == source_epoch + 1
    assert info.restored_at is not None
    assert client.get(f"/t/{dst}/v1/auth/me", headers=admin_headers).status_code == 401
    assert client.get(f"/t/{src}/v1/auth/me", headers=admin_headers).status_code == 200

    # the users sign in at the restored tenant with their passwords
    for username in ("boss", "rep1", "clerk1", "plan1"):
        r = _login(client, dst, username)
        assert r.status_code == 200, r.text
        assert r.json()["tenant_id"] == str(restored.tenant_id)
    assert _login(client, dst, "mgr1", "other secret").status_code == 200

    # onto an existing tenant without --replace: refused, nothing touched
    again = cli("restore", dst, str(dump))
    assert again.code == 2
    assert "error:" in again.err and dst in again.err and "exists" in again.err
    assert "Traceback" not in again.err
    assert cluster.lookup(dst).tenant_id == restored.tenant_id

    # with --replace: yet another incarnation
    replaced = cli("restore", dst, str(dump), "--replace")
    assert replaced.code == 0, replaced.err
    assert cluster.lookup(dst).tenant_id not in (restored.tenant_id, source.tenant_id)
    assert _login(client, dst, "boss").status_code == 200


def test_restore_replace_with_a_broken_file_keeps_the_tenant(cli, slugs, client, cluster, tmp_path):
    (slug,) = slugs(1)
    assert cli("tenant", "create", slug, "--admin", "boss", password=PASSWORD).code == 0
    before = cluster.lookup(slug)
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"PGDMP this is not a dump")
    r = cli("restore", slug, str(junk), "--replace")
    assert r.code == 2
    assert r.err.startswith("error:") and "Traceback" not in r.err
    assert cluster.lookup(slug).tenant_id == before.tenant_id
    assert _login(client, slug, "boss").status_code == 200

    missing = cli("restore", slug, str(tmp_path / "nope.dump"), "--replace")
    assert missing.code == 2 and "nope.dump" in missing.err
    assert _login(client, slug, "boss").status_code == 200


def test_cli_passwd_disable_enable(cli, slugs, client):
    (slug,) = slugs(1)
    assert cli("tenant", "create", slug, "--admin", "boss", "--password-stdin", stdin=f"{PASSWORD}\n").code == 0
    assert cli("user", "add", slug, "rep1", "--role", "sales_rep", password=PASSWORD).code == 0
    token = _login(client, slug, "rep1").json()["access_token"]

    r = cli("user", "passwd", slug, "rep1", password="brand new secret")
    assert r.code == 0, r.err
    assert client.get(f"/t/{slug}/v1/auth/me", headers=bearer(token)).status_code == 401
    assert _login(client, slug, "rep1").status_code == 401
    fresh = _login(client, slug, "rep1", "brand new secret")
    assert fresh.status_code == 200, fresh.text

    r = cli("user", "disable", slug, "rep1")
    assert r.code == 0, r.err
    me = client.get(f"/t/{slug}/v1/auth/me", headers=bearer(fresh.json()["access_token"]))
    assert me.status_code == 401
    disabled = _login(client, slug, "rep1", "brand new secret")
    assert disabled.status_code == 401
    assert disabled.json()["code"]

    assert cli("user", "enable", slug, "rep1").code == 0
    assert _login(client, slug, "rep1", "brand new secret").status_code == 200

    # the last admin cannot be disabled; an unknown user or tenant is a clean error
    last = cli("user", "disable", slug, "boss")
    assert last.code == 2 and last.err.startswith("error:")
    assert cli("user", "passwd", slug, "ghost", password="whatever123").code == 2
    assert cli("user", "disable", "nosuchtenant", "rep1").code == 2
    # a password too short, or none at all, is refused before anything changes
    assert cli("user", "passwd", slug, "rep1", password="short").code == 2
    nothing = cli("user", "passwd", slug, "rep1")
    assert nothing.code == 2 and "--password-stdin" in nothing.err
    assert _login(client, slug, "rep1", "brand new secret").status_code == 200


def test_cli_tenant_create_twice_is_a_clean_error(cli, slugs):
    (slug,) = slugs(1)
    assert cli("tenant", "create", slug, "--admin", "boss", password=PASSWORD).code == 0
    again = cli("tenant", "create", slug, "--admin", "boss", password=PASSWORD)
    assert again.code == 2 and slug in again.err and "Traceback" not in again.err
    bad = cli("tenant", "create", "Bad-Slug", "--admin", "boss", password=PASSWORD)
    assert bad.code == 2 and bad.err.startswith("error:")
    listed = cli("tenant", "list")
    assert listed.code == 0 and slug in listed.out


def test_migrate_all_reports_the_head_revision(cli, slugs):
    (slug,) = slugs(1)
    assert cli("tenant", "create", slug, "--admin", "boss", password=PASSWORD).code == 0
    head = migrate.head_revision()
    r = cli("migrate", "--all")
    assert r.code == 0, r.err
    assert f"{slug}: at {head}" in r.out.splitlines()
    one = cli("migrate", slug)
    assert one.code == 0 and one.out.strip() == f"{slug}: at {head}"


def test_password_is_never_taken_from_argv(capsys):
    parser = build_parser()
    for argv in (
        ["tenant", "create", "acme", "--admin", "boss", "--password", "x"],
        ["user", "add", "acme", "rep1", "--role", "clerk", "--password", "x"],
        ["user", "passwd", "acme", "rep1", "--password=x"],
    ):
        with pytest.raises(SystemExit) as exc:
            parser.parse_args(argv)
        assert exc.value.code == 2
    capsys.readouterr()

    def dests(p) -> set[str]:
        found = {a.dest for a in p._actions}
        for action in p._actions:
            for sub in getattr(action, "choices", None) or {}:
                if isinstance(action.choices, dict):
                    found |= dests(action.choices[sub])
        return found

    assert {d for d in dests(parser) if "pass" in d} == {"password_stdin"}
