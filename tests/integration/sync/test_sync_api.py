"""The sync endpoints over HTTP against real Postgres: exactly once, gaps, clones, permissions,
pages on transaction boundaries, and the xid8 horizon."""

from __future__ import annotations

import datetime as dt
import gzip
import uuid

import orjson
import sqlalchemy as sa

from app.core.ids import new_id
from tests.conftest import bearer


def _customer(name: str = "上海华联", **extra) -> dict:
    return {"id": str(new_id()), "name": name, **extra}


def _setup(client, tenant, add_user, login, role="sales_rep", username="rep1"):
    add_user(tenant, username, role)
    token = login(tenant, username)["access_token"]
    return bearer(token)


def _push(client, tenant, headers, client_id, mutations):
    return client.post(
        f"/t/{tenant.slug}/v1/sync/push",
        headers=headers,
        json={"client_id": str(client_id), "schema_version": 1, "mutations": mutations},
    )


def _pull(client, tenant, headers, client_id, cursor=None, limit=2000):
    r = client.post(
        f"/t/{tenant.slug}/v1/sync/pull",
        headers=headers,
        json={"client_id": str(client_id), "cursor": cursor, "limit": limit},
    )
    assert r.status_code == 200, r.text
    return r.json()


def _pull_all(client, tenant, headers, client_id, cursor=None, limit=2000):
    changes = []
    while True:
        page = _pull(client, tenant, headers, client_id, cursor, limit)
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes, cursor


def test_pushed_customer_arrives_in_pull_with_exact_values(client, tenant, add_user, login):
    h = _setup(client, tenant, add_user, login)
    cid = uuid.uuid4()
    c = _customer(credit_limit="12345.60", city="上海")
    r = _push(client, tenant, h, cid, [{"id": 1, "name": "crm.customer.create", "version": 1, "args": c}])
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["status"] == "applied" and result["checkpoint"] > 0
    changes, cursor = _pull_all(client, tenant, h, cid)
    party = [ch for ch in changes if ch["t"] == "party"]
    assert len(party) == 1
    row = party[0]["row"]
    assert row["name"] == "上海华联" and row["credit_limit"] == "12345.60"
    assert row["name_pinyin"] == "shanghaihualian" and row["name_initials"] == "shhl"
    assert row["version"] == 1 and row["created_at"].endswith("+00:00")
    assert cursor["xact"] >= result["checkpoint"], "a caught-up cursor passes the write checkpoint"


def test_resent_mutation_runs_once_and_gets_the_same_result(client, tenant, add_user, login, cluster):
    h = _setup(client, tenant, add_user, login)
    cid = uuid.uuid4()
    batch = [{"id": 1, "name": "crm.customer.create", "version": 1, "args": _customer()}]
    first = _push(client, tenant, h, cid, batch)
    again = _push(client, tenant, h, cid, batch)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json()["results"] == first.json()["results"]
    with cluster.tenant_engine(tenant).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM party")).scalar() == 1


def test_gap_in_mutation_ids_is_refused(client, tenant, add_user, login):
    h = _setup(client, tenant, add_user, login)
    r = _push(
        client, tenant, h, uuid.uuid4(), [{"id": 3, "name": "crm.customer.create", "version": 1, "args": _customer()}]
    )
    assert r.status_code == 409 and r.json()["code"] == "sync.gap"


def test_copied_cache_reusing_an_id_with_other_args_is_told_it_is_a_clone(client, tenant, add_user, login):
    h = _setup(client, tenant, add_user, login)
    cid = uuid.uuid4()
    _push(client, tenant, h, cid, [{"id": 1, "name": "crm.customer.create", "version": 1, "args": _customer("甲")}])
    r = _push(client, tenant, h, cid, [{"id": 1, "name": "crm.customer.create", "version": 1, "args": _customer("乙")}])
    assert r.status_code == 409 and r.json()["code"] == "sync.client_clone"


def test_rejections_are_recorded_and_still_advance(client, tenant, add_user, login):
    h = _setup(client, tenant, add_user, login, role="clerk", username="clerk1")
    cid = uuid.uuid4()
    r = _push(
        client,
        tenant,
        h,
        cid,
        [
            {"id": 1, "name": "crm.customer.create", "version": 1, "args": _customer()},  # clerks may not
            {
                "id": 2,
                "name": "erp.product.create",
                "version": 1,
                "args": {"id": str(new_id()), "sku": "A1", "name": "螺丝"},
            },
            {
                "id": 3,
                "name": "erp.product.create",
                "version": 1,
                "args": {"id": str(new_id()), "sku": "A1", "name": "重复"},
            },
            {"id": 4, "name": "no.such.thing", "version": 1, "args": {}},
            {"id": 5, "name": "erp.product.create", "version": 1, "args": {"id": "nope", "sku": "B", "name": "x"}},
        ],
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["rejected", "applied", "rejected", "rejected", "rejected"]
    assert results[0]["error"]["code"] == "auth.forbidden"
    assert results[3]["error"]["code"] == "sync.unknown_mutation"
    assert results[4]["error"]["code"] == "validation.invalid"
    assert r.json()["last_mutation_id"] == 5


def test_guarded_field_clash_gives_one_winner_and_a_conflict(client, tenant, add_user, login):
    h = _setup(client, tenant, add_user, login)
    cid_a, cid_b = uuid.uuid4(), uuid.uuid4()
    c = _customer(credit_limit="1000.00", phone="111")
    _push(client, tenant, h, cid_a, [{"id": 1, "name": "crm.customer.create", "version": 1, "args": c}])
    edit = lambda field, base, new: {"id": c["id"], field: {"base": base, "new": new}}  # noqa: E731
    a = _push(
        client,
        tenant,
        h,
        cid_a,
        [{"id": 2, "name": "crm.customer.update", "version": 1, "args": edit("credit_limit", "1000.00", "2000.00")}],
    )
    b = _push(
        client,
        tenant,
        h,
        cid_b,
        [
            {"id": 1, "name": "crm.customer.update", "version": 1, "args": edit("credit_limit", "1000.00", "5000.00")},
            {"id": 2, "name": "crm.customer.update", "version": 1, "args": edit("phone", "111", "222")},
        ],
    )
    assert a.json()["results"][0]["status"] == "applied"
    clash = b.json()["results"][0]
    assert clash["status"] == "conflict"
    assert clash["conflicts"][0]["field"] == "credit_limit"
    assert clash["conflicts"][0]["theirs"] == "2000.00" and clash["conflicts"][0]["mine"] == "5000.00"
    assert b.json()["results"][1]["status"] == "applied"
    changes, _ = _pull_all(client, tenant, h, cid_a)
    row = next(ch["row"] for ch in changes if ch["t"] == "party")
    assert row["credit_limit"] == "2000.00" and row["phone"] == "222"


def test_gzip_request_bodies_are_accepted_and_bombs_refused(client, tenant, add_user, login, settings):
    h = _setup(client, tenant, add_user, login)
    payload = orjson.dumps(
        {
            "client_id": str(uuid.uuid4()),
            "schema_version": 1,
            "mutations": [{"id": 1, "name": "crm.customer.create", "version": 1, "args": _customer()}],
        }
    )
    r = client.post(
        f"/t/{tenant.slug}/v1/sync/push",
        content=gzip.compress(payload),
        headers={**h, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    bomb = gzip.compress(b"[" + b" " * (settings.max_inflated_bytes + 10) + b"]")
    r = client.post(
        f"/t/{tenant.slug}/v1/sync/push",
        content=bomb,
        headers={**h, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["code"] == "request.too_large"


def test_clerk_never_pulls_crm_rows(client, tenant, add_user, login):
    rep = _setup(client, tenant, add_user, login)
    _push(
        client, tenant, rep, uuid.uuid4(), [{"id": 1, "name": "crm.customer.create", "version": 1, "args": _customer()}]
    )
    clerk = _setup(client, tenant, add_user, login, role="clerk", username="clerk1")
    changes, _ = _pull_all(client, tenant, clerk, uuid.uuid4())
    assert {ch["t"] for ch in changes} == {"app_user"}


def test_pages_end_on_transaction_boundaries_and_big_transactions_come_in_subpages(client, tenant, add_user, login):
    h = _setup(client, tenant, add_user, login)
    cid = uuid.uuid4()
    # one push = one server transaction with 7 customers; then a second with 2
    _push(
        client,
        tenant,
        h,
        cid,
        [{"id": i, "name": "crm.customer.create", "version": 1, "args": _customer(f"客户{i}")} for i in range(1, 8)],
    )
    _push(
        client,
        tenant,
        h,
        cid,
        [{"id": i, "name": "crm.customer.create", "version": 1, "args": _customer(f"客户{i}")} for i in range(8, 10)],
    )
    cursor, seen, partials = None, [], 0
    while True:
        page = _pull(client, tenant, h, cid, cursor, limit=3)
        partials += page["partial"]
        seen += [ch["row"]["name"] for ch in page["changes"] if ch["t"] == "party"]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert sorted(seen) == sorted(f"客户{i}" for i in range(1, 10))
    assert partials >= 2, "the 7-row transaction must come in sub-pages"


def test_change_of_a_late_committing_transaction_is_not_skipped(client, tenant, add_user, login, cluster):
    """Regression for counter cursors: T1 takes an xid first, T2 commits first; T1 commits after
    a pull served T2. With a plain sequence cursor T1's change would be skipped for ever."""
    h = _setup(client, tenant, add_user, login)
    cid = uuid.uuid4()
    _, cursor = _pull_all(client, tenant, h, cid)
    engine = cluster.tenant_engine(tenant)
    now = dt.datetime.now(dt.UTC)
    insert = sa.text("INSERT INTO location (id, created_at, updated_at, code, name) VALUES (:id, :t, :t, :c, :c)")
    slow = engine.connect()
    slow_tx = slow.begin()
    slow.execute(insert, {"id": new_id(), "t": now, "c": "LATE"})  # xid assigned, change row written
    with engine.begin() as fast:
        fast.execute(insert, {"id": new_id(), "t": now, "c": "EARLY"})
    mid_changes, cursor = _pull_all(client, tenant, h, cid, cursor)
    assert "LATE" not in {ch["row"]["code"] for ch in mid_changes if ch["t"] == "location"}
    slow_tx.commit()
    slow.close()
    late_changes, cursor = _pull_all(client, tenant, h, cid, cursor)
    codes = {ch["row"]["code"] for ch in mid_changes + late_changes if ch["t"] == "location"}
    assert codes == {"EARLY", "LATE"}
