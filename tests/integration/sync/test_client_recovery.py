"""What happens to a laptop's cache when things go wrong: a crash before a page's commit, a
snapshot cut off, a copied cache file, a server restored from a backup."""

from __future__ import annotations

import contextlib
import shutil

import pytest
import sqlalchemy as sa

from app.sync import SyncClient, cache
from server import backup
from tests.integration.sync.conftest import PASSWORD


class Crash(Exception):
    """Stands for the process dying between writing a page and committing it."""


def _crash() -> None:
    raise Crash()


def _sqlite_state(c: SyncClient) -> tuple:
    with cache.reading(c.db) as conn:
        names = sorted(r[0] for r in conn.execute(sa.text("SELECT name FROM party")))
        return cache.get_state(conn, "cursor"), names


def test_a_crash_before_the_page_commits_keeps_cursor_and_rows_together(make_client, monkeypatch):
    writer, reader = make_client("rep1"), make_client("rep2")
    writer.mutate("crm.customer.create", {"name": "第一家"})
    writer.sync()
    reader.sync()
    before = _sqlite_state(reader)
    for name in ("第二家", "第三家"):
        writer.mutate("crm.customer.create", {"name": name})
    writer.sync()

    monkeypatch.setattr(SyncClient, "_after_page_applied_hook", _crash)
    with pytest.raises(Crash):
        reader.sync()

    assert _sqlite_state(reader) == before, "neither the rows nor the cursor of the lost page were kept"
    monkeypatch.setattr(SyncClient, "_after_page_applied_hook", None)
    assert reader.sync().ok
    assert _sqlite_state(reader)[1] == ["第一家", "第三家", "第二家"]


def test_a_crash_during_the_first_snapshot_leaves_an_empty_cache(make_client, monkeypatch):
    writer = make_client("rep1")
    writer.mutate("crm.customer.create", {"name": "快照客户"})
    writer.sync()
    fresh = make_client("rep2")
    monkeypatch.setattr(SyncClient, "_after_page_applied_hook", _crash)

    with pytest.raises(Crash):
        fresh.sync()

    assert _sqlite_state(fresh) == (None, [])
    monkeypatch.setattr(SyncClient, "_after_page_applied_hook", None)
    assert fresh.sync().ok and _sqlite_state(fresh)[1] == ["快照客户"]


def test_a_snapshot_cut_off_midway_is_not_taken_for_a_whole_one(make_client, monkeypatch):
    writer = make_client("rep1")
    for i in range(4):
        writer.mutate("crm.customer.create", {"name": f"客户{i}"})
    writer.sync()
    fresh = make_client("rep2")
    real_stream = fresh.transport.stream

    @contextlib.contextmanager
    def cut_stream(path, body):
        with real_stream(path, body) as lines:
            yield (line for line, _ in zip(lines, range(3), strict=False))  # header + 2 rows, no end

    monkeypatch.setattr(fresh.transport, "stream", cut_stream)
    report = fresh.sync()

    assert report.offline, "a broken download is a connection problem, retried later"
    assert _sqlite_state(fresh) == (None, [])
    monkeypatch.setattr(fresh.transport, "stream", real_stream)
    assert fresh.sync().ok and len(fresh.rows("party")) == 4


def test_a_copied_cache_file_continues_under_a_new_identity_and_loses_nothing(make_client, tmp_path):
    original = make_client("rep1")
    original.mutate("crm.customer.create", {"name": "共同客户"})
    original.sync()
    for suffix in ("", "-wal"):  # the folder as a user copies it, write-ahead log and all
        shutil.copy(tmp_path / f"rep1.sqlite{suffix}", tmp_path / f"copy.sqlite{suffix}")
    copy = make_client("rep1", cache="copy.sqlite", sign_in=False)
    mine = original.mutate("crm.customer.create", {"name": "原机新建"})
    theirs = copy.mutate("crm.customer.create", {"name": "副本新建"})
    assert mine == theirs == 2, "both caches think they own mutation id 2"

    assert original.sync().ok
    report = copy.sync()

    assert report.ok and report.new_client_id
    assert original.state("client_id") != copy.state("client_id")
    original.sync()
    names = sorted(r["name"] for r in original.rows("party"))
    assert names == ["共同客户", "副本新建", "原机新建"]
    assert sorted(r["name"] for r in copy.rows("party")) == names
    assert original.mutate("crm.customer.create", {"name": "再建"}) == 3


def test_a_server_restored_from_backup_makes_clients_resync_and_resend_their_queue(
    make_client, cluster, tenant, tmp_path
):
    rep = make_client("rep1")
    rep.mutate("crm.customer.create", {"name": "备份前"})
    rep.sync()
    dump = tmp_path / "tenant.dump"
    backup.backup(cluster, tenant.slug, dump)
    rep.mutate("crm.customer.create", {"name": "备份后已同步"})
    rep.sync()
    backup.restore(cluster, tenant.slug, dump, replace=True)
    rep.mutate("crm.customer.create", {"name": "离线排队"})

    report = rep.sync()
    assert report.error == "auth.not_authenticated", "a restore empties every session"
    rep.login("rep1", PASSWORD)
    report = rep.sync()

    assert report.ok and report.resynced and report.snapshot_rows > 0
    with cluster.tenant_engine(cluster.lookup(tenant.slug)).connect() as conn:
        on_server = sorted(r[0] for r in conn.execute(sa.text("SELECT name FROM party")))
    assert on_server == ["备份前", "离线排队"], "the restore lost what came after the backup; the queue came back"
    assert sorted(r["name"] for r in rep.rows("party")) == on_server
    assert rep.pending() == [] and rep.rejected() == []
