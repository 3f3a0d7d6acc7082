"""Crashes with real processes (DESIGN §4, invariant 5 and the convergence it protects): a client
process killed with SIGKILL in the middle of a pull, and a server process restarted while two
laptops hold offline edits. The server is a real ``yiti-server serve`` on loopback; the caches are
real SQLite files."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.core.ids import new_id
from app.core.schema import SYNCED_TABLES
from app.core.tx import Change
from app.sync import SyncClient, exchange
from tests.e2e.serving import PASSWORD, ROOT, Deployment, Server, client_env

CRASH_CLIENT = Path(__file__).with_name("crash_client.py")
#: seeded customers, pushed in transactions of BATCH (one push is one server transaction)
BATCHES, BATCH = 12, 5
#: the crash client's pages hold one seeded transaction each; it is killed inside this page
KILL_ON_PAGE = 4


@pytest.fixture(scope="module")
def server(deployment: Deployment) -> Server:
    return deployment.serve()


@pytest.fixture
def open_client(server: Server, tmp_path: Path) -> Iterator[Any]:
    """open_client(tenant, "ann.sqlite", user=...): a SyncClient on a cache file (signed in if a user is given)."""
    opened: list[SyncClient] = []

    def open_(tenant: str, name: str, user: str | None = None) -> SyncClient:
        c = SyncClient.open(tmp_path / name, server.url, tenant)
        c.retry_delays = (0.1,)
        if user is not None:
            c.login(user, PASSWORD)
        opened.append(c)
        return c

    yield open_
    for c in opened:
        c.close()


def test_a_client_killed_mid_pull_keeps_its_cache_and_outbox_and_catches_up(
    deployment, server, open_client, keyring_file, tmp_path, monkeypatch
):
    deployment.create_tenant("crash")
    deployment.add_user("crash", "rep", "sales_rep")
    boss = open_client("crash", "boss.sqlite", user="boss")
    anchor = boss.mutate("crm.customer.create", {"id": str(new_id()), "name": "锚点客户", "phone": "021-1000"})
    assert boss.sync().ok and anchor == 1
    [anchor_row] = boss.rows("party")

    laptop = open_client("crash", "rep.sqlite", user="rep")
    assert laptop.sync().ok
    monkeypatch.setattr(exchange, "PUSH_BATCH", BATCH)
    for i in range(BATCHES * BATCH):
        boss.mutate("crm.customer.create", {"name": f"批量客户 {i:03d}"})
    assert boss.sync().ok
    # the laptop's own work, queued offline: it goes out at the start of the crashing sync
    crash_co = str(new_id())
    queued = [
        laptop.mutate("crm.customer.update", {"id": str(anchor_row["id"]), "phone": _change("021-1000", "021-2000")}),
        laptop.mutate("crm.customer.create", {"id": crash_co, "name": "崩溃测试公司"}),
        laptop.mutate("crm.contact.create", {"party_id": crash_co, "name": "王经理"}),
        laptop.mutate("crm.activity.log", {"party_id": str(anchor_row["id"]), "kind": "call", "subject": "回访",
                                           "occurred_at": "2026-06-01T09:00:00+00:00"}),
    ]
    assert queued == [1, 2, 3, 4]
    cache_file = tmp_path / "rep.sqlite"
    before = laptop.state("cursor")
    laptop.close()

    marker = tmp_path / "on-page"
    child = subprocess.Popen(
        [sys.executable, str(CRASH_CLIENT), str(cache_file), server.url, "crash", "--marker", str(marker),
         "--page", str(KILL_ON_PAGE), "--pull-limit", str(BATCH)],
        env=client_env(keyring_file), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(marker, child)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    # the file is whole and opens; the killed page left nothing behind, the pages before it stayed
    with sqlite3.connect(cache_file) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        outbox = raw.execute("SELECT id, state, checkpoint FROM outbox ORDER BY id").fetchall()
    assert [m[0] for m in outbox] == queued, "the outbox lost or renumbered work"
    assert all(state == "done" and checkpoint for _id, state, checkpoint in outbox), "pushed, not yet pulled back"
    after = SyncClient.open(cache_file, server.url, "crash")
    after.retry_delays = (0.1,)
    cursor = after.state("cursor")
    served = _served(after, before, cursor)
    cached = {(table, str(r["id"])) for table in SYNCED_TABLES for r in after.rows(table)}
    assert served <= cached, "the cursor is ahead of the data"
    seeded = {str(r["id"]) for r in after.rows("party") if r["name"].startswith("批量客户")}
    assert seeded == {row_id for table, row_id in served if table == "party"}, "the killed page left rows behind"
    assert len(seeded) == (KILL_ON_PAGE - 1) * BATCH, "one page per seeded transaction, the killed one rolled back"
    assert cursor["xact"] < min(checkpoint for _id, _state, checkpoint in outbox)
    assert after.get("party", anchor_row["id"])["phone"] == "021-2000", "the offline edit is still shown"
    assert after.get("party", crash_co) is not None

    # more offline work after the crash continues the ids; one sync settles everything exactly once
    later = [
        after.mutate("crm.customer.update", {"id": crash_co, "city": _change(None, "苏州")}),
        after.mutate("crm.activity.log", {"party_id": crash_co, "kind": "visit", "subject": "拜访",
                                          "occurred_at": "2026-06-02T10:00:00+00:00"}),
    ]
    assert later == [5, 6]
    report = after.sync()

    assert report.ok and (report.pushed, report.applied, report.rejected) == (2, 2, 0), report
    assert _outbox(after) == [] and after.rejected() == []
    meta = after.transport.call("GET", "sync/meta", params={"client_id": after.state("client_id")})
    assert meta["last_mutation_id"] == 6, "a queued change was sent again as a new one, or lost"
    assert len([r for r in after.rows("party") if r["name"].startswith("批量客户")]) == BATCHES * BATCH
    assert boss.sync().ok
    fresh = open_client("crash", "fresh.sqlite", user="boss")
    assert fresh.sync().ok
    _assert_same_rows(fresh, after, boss)
    assert fresh.get("party", anchor_row["id"])["phone"] == "021-2000"
    assert fresh.get("party", crash_co)["city"] == "苏州"
    assert len(fresh.rows("activity")) == 2 and len(fresh.rows("contact", party_id=uuid.UUID(crash_co))) == 1


def test_a_server_restart_between_two_laptops_syncs_loses_and_doubles_nothing(deployment, server, open_client):
    deployment.create_tenant("restart")
    deployment.add_user("restart", "ann", "sales_rep")
    deployment.add_user("restart", "bob", "manager")
    boss = open_client("restart", "boss.sqlite", user="boss")
    customer, product, store, supplier = (str(new_id()) for _ in range(4))
    boss.mutate("crm.customer.create", {"id": customer, "name": "华东贸易", "phone": "0571-1", "city": "杭州"})
    boss.mutate("erp.product.create", {"id": product, "sku": "BOLT-8", "name": "螺栓 M8"})
    boss.mutate("erp.location.create", {"id": store, "code": "WH1", "name": "一号仓"})
    boss.mutate("erp.location.create", {"id": supplier, "code": "SUP", "name": "供应商", "kind": "supplier"})
    assert boss.sync().ok
    ann = open_client("restart", "ann.sqlite", user="ann")
    bob = open_client("restart", "bob.sqlite", user="bob")
    assert ann.sync().ok and bob.sync().ok

    # offline on both laptops: different fields of one customer, creates, activities, a stock receipt
    ann_y = str(new_id())
    ann.mutate("crm.customer.update", {"id": customer, "phone": _change("0571-1", "0571-2")})
    ann.mutate("crm.customer.create", {"id": ann_y, "name": "西湖文具"})
    ann.mutate("crm.contact.create", {"party_id": ann_y, "name": "李娜"})
    ann.mutate("crm.activity.log", _activity(customer, "ann 电话"))
    bob.mutate("crm.customer.update", {"id": customer, "city": _change("杭州", "宁波")})
    bob.mutate("erp.stock.move", _receipt(product, supplier, store, "10"))
    bob.mutate("crm.activity.log", _activity(customer, "bob 拜访"))
    bob.mutate("crm.contact.create", {"party_id": customer, "name": "赵总"})
    assert ann.sync().ok

    assert server.stop() == 0, "SIGTERM must stop the server cleanly"
    down = bob.sync()
    assert down.offline and [m["id"] for m in bob.pending()] == [1, 2, 3, 4]
    ann.mutate("crm.customer.update", {"id": customer, "notes": _change(None, "重点客户")})
    forbidden = ann.mutate("erp.stock.move", _receipt(product, supplier, store, "5"))  # a sales rep may not
    server.start()  # the same data folder and port: its Postgres starts again too

    _sync_until_quiet(bob, ann)
    fresh = open_client("restart", "fresh.sqlite", user="boss")
    assert fresh.sync().ok

    _assert_same_rows(fresh, ann, bob)
    row = fresh.get("party", customer)
    assert (row["phone"], row["city"], row["notes"]) == ("0571-2", "宁波", "重点客户"), "an edit was lost"
    assert fresh.get("party", ann_y) is not None
    assert sorted(a["subject"] for a in fresh.rows("activity")) == ["ann 电话", "bob 拜访"]
    assert len(fresh.rows("contact")) == 2
    assert fresh.on_hand(product) == ann.on_hand(product) == bob.on_hand(product) == Decimal("10")
    assert [(r["mutation_id"], r["code"]) for r in ann.rejected()] == [(forbidden, "auth.forbidden")]
    assert bob.rejected() == []
    for laptop, sent in ((ann, 6), (bob, 4)):
        meta = laptop.transport.call("GET", "sync/meta", params={"client_id": laptop.state("client_id")})
        assert meta["last_mutation_id"] == sent, "a change was applied twice or lost"


# --- helpers ---------------------------------------------------------------------------------------
def _change(base: Any, new: Any) -> dict[str, Any]:
    return Change(base=base, new=new).model_dump(mode="json")


def _activity(party_id: str, subject: str) -> dict[str, Any]:
    return {"party_id": party_id, "kind": "call", "subject": subject, "occurred_at": "2026-06-01T09:00:00+00:00"}


def _receipt(product: str, supplier: str, store: str, qty: str) -> dict[str, Any]:
    return {"product_id": product, "qty": qty, "from_location_id": supplier, "to_location_id": store,
            "kind": "receipt", "moved_at": dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC).isoformat()}


def _served(c: SyncClient, start: dict[str, Any], end: dict[str, Any]) -> set[tuple[str, str]]:
    """(table, id) of every change the server serves after cursor `start` up to cursor `end`, in
    pages of the crash client's size (so a page ends exactly on `end`)."""
    seen: set[tuple[str, str]] = set()
    cursor = start
    while cursor != end:
        body = {"client_id": str(uuid.uuid4()), "cursor": cursor, "limit": BATCH}
        page = c.transport.call("POST", "sync/pull", body)
        assert (page["cursor"]["xact"], page["cursor"]["seq"]) <= (end["xact"], end["seq"]), "went past the cursor"
        seen |= {(change["t"], change["id"]) for change in page["changes"]}
        cursor = page["cursor"]
    return seen


def _outbox(c: SyncClient) -> list[tuple[int, str]]:
    """Every outbox entry, sent or not (a sent one leaves once a pull has passed its checkpoint)."""
    with c.db.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql("SELECT id, state FROM outbox ORDER BY id")]


def _sync_until_quiet(*clients: SyncClient, rounds: int = 6) -> None:
    for _ in range(rounds):
        reports = [c.sync() for c in clients]
        assert all(r.ok for r in reports), reports
        if all(r.pushed == 0 and r.pulled_changes == 0 for r in reports) and not any(map(_outbox, clients)):
            return
    pytest.fail(f"still not quiet after {rounds} rounds: {reports}")


def _assert_same_rows(reference: SyncClient, *others: SyncClient) -> None:
    for table in SYNCED_TABLES:
        expected = reference.rows(table)
        for other in others:
            assert other.rows(table) == expected, f"{table} differs from the server's"


def _wait_for(marker: Path, child: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if child.poll() is not None:
            out = child.stdout.read().decode() if child.stdout else ""
            pytest.fail(f"the crash client exited with {child.returncode} before the page:\n{out}")
        if time.monotonic() > deadline:
            pytest.fail(f"the crash client did not reach page {KILL_ON_PAGE} in {timeout}s")
        time.sleep(0.05)
