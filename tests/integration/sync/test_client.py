"""A sales rep's day with the SyncClient: offline edits, sync, merges, conflicts and rejections,
against real Postgres and real SQLite caches."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from app.core.tx import Change
from app.sync import SyncClient


def _edit(c: SyncClient, customer_id, **fields) -> int:
    row = c.get("party", customer_id)
    assert row is not None
    patch = {name: Change(base=row[name], new=value).model_dump(mode="json") for name, value in fields.items()}
    return c.mutate("crm.customer.update", {"id": str(customer_id), **patch})


def _server_party(cluster, tenant, customer_id) -> dict:
    with cluster.tenant_engine(tenant).connect() as conn:
        return dict(conn.execute(sa.text("SELECT * FROM party WHERE id = :id"), {"id": customer_id}).mappings().one())


def test_offline_create_shows_at_once_and_is_sent_on_sync(make_client, cluster, tenant):
    rep = make_client("rep1")
    mid = rep.mutate("crm.customer.create", {"name": "上海华联", "credit_limit": "5000.00"})
    local = rep.rows("party", name="上海华联")
    assert len(local) == 1 and local[0]["version"] == 0, "shown at once, not yet confirmed"
    assert [p["id"] for p in rep.pending()] == [mid]

    report = rep.sync()

    assert report.ok and report.applied == 1 and report.rejected == 0
    assert rep.pending() == []
    row = rep.get("party", local[0]["id"])
    assert row["version"] == 1 and row["credit_limit"] == Decimal("5000.00")
    assert _server_party(cluster, tenant, local[0]["id"])["name"] == "上海华联"


def test_an_empty_cache_starts_from_the_snapshot_then_pulls_changes(make_client):
    rep = make_client("rep1")
    ids = [rep.mutate("crm.customer.create", {"name": f"客户{i}"}) for i in range(5)]
    assert rep.sync().ok and len(ids) == 5
    names = {r["name"] for r in rep.rows("party")}

    other = make_client("rep2")
    first = other.sync()

    assert first.ok and first.snapshot_rows >= 5
    assert {r["name"] for r in other.rows("party")} == names
    rep.mutate("crm.customer.create", {"name": "后来的客户"})
    rep.sync()
    second = other.sync()
    assert second.snapshot_rows == 0, "a filled cache pulls changes, not a new snapshot"
    assert "后来的客户" in {r["name"] for r in other.rows("party")}


def test_edits_of_different_fields_on_two_laptops_both_survive(make_client, cluster, tenant):
    a, b = make_client("rep1"), make_client("rep2")
    a.mutate("crm.customer.create", {"name": "杭州西湖贸易"})
    a.sync()
    b.sync()
    customer = a.rows("party")[0]["id"]

    _edit(a, customer, phone="0571-8888")
    _edit(b, customer, city="杭州", notes="周三拜访")
    a.sync()
    b.sync()
    a.sync()

    server = _server_party(cluster, tenant, customer)
    assert (server["phone"], server["city"], server["notes"]) == ("0571-8888", "杭州", "周三拜访")
    for c in (a, b):
        row = c.get("party", customer)
        assert (row["phone"], row["city"], row["notes"]) == ("0571-8888", "杭州", "周三拜访")
        assert row["version"] == server["version"]


def test_guarded_clash_goes_to_the_inbox_and_mine_can_be_reapplied(make_client, cluster, tenant):
    a, b = make_client("rep1"), make_client("rep2")
    a.mutate("crm.customer.create", {"name": "北京燕山", "credit_limit": "1000.00"})
    a.sync()
    b.sync()
    customer = a.rows("party")[0]["id"]
    _edit(a, customer, credit_limit="2000.00")
    _edit(b, customer, credit_limit="3000.00")
    a.sync()

    report = b.sync()

    assert report.conflicts == 1
    [conflict] = b.conflicts()
    assert (conflict["field"], conflict["mine"], conflict["theirs"]) == ("credit_limit", "3000.00", "2000.00")
    assert b.get("party", customer)["credit_limit"] == Decimal("2000.00"), "theirs stands until the user decides"
    assert _server_party(cluster, tenant, customer)["credit_limit"] == Decimal("2000.00")

    b.resolve_conflict(conflict["id"], "mine")
    b.sync()
    a.sync()
    assert b.conflicts() == []
    assert _server_party(cluster, tenant, customer)["credit_limit"] == Decimal("3000.00")
    assert a.get("party", customer)["credit_limit"] == Decimal("3000.00")


def test_keeping_theirs_settles_the_conflict_without_a_new_change(make_client):
    a, b = make_client("rep1"), make_client("rep2")
    a.mutate("crm.customer.create", {"name": "广州花城", "status": "prospect"})
    a.sync()
    b.sync()
    customer = a.rows("party")[0]["id"]
    _edit(a, customer, status="active")
    _edit(b, customer, status="lost")
    a.sync()
    b.sync()
    [conflict] = b.conflicts()

    assert b.resolve_conflict(conflict["id"], "theirs") is None
    assert b.pending() == [] and b.conflicts() == []
    assert len(b.conflicts(include_resolved=True)) == 1
    assert b.get("party", customer)["status"] == "active"


def test_a_refused_offline_change_is_shown_with_its_reason_and_undone_locally(make_client):
    clerk = make_client("clerk1", role="clerk")
    clerk.mutate("crm.customer.create", {"name": "无权创建"})
    assert len(clerk.rows("party")) == 1

    report = clerk.sync()

    assert report.rejected == 1
    [refused] = clerk.rejected()
    assert refused["code"] == "auth.forbidden" and refused["name"] == "crm.customer.create"
    assert refused["message"], "the user sees why"
    assert clerk.rows("party") == [], "the speculative row is gone"
    assert clerk.pending() == []


def test_archive_on_the_server_of_a_row_edited_offline_goes_to_the_inbox(make_client):
    a, b = make_client("rep1"), make_client("rep2")
    a.mutate("crm.customer.create", {"name": "深圳南山"})
    a.sync()
    b.sync()
    customer = a.rows("party")[0]["id"]
    a.mutate("crm.customer.archive", {"id": str(customer)})
    a.sync()
    _edit(b, customer, phone="0755-1234")

    b.sync()

    [conflict] = [c for c in b.conflicts() if c["field"] == "archived"]
    assert b.get("party", customer)["archived"] is True
    assert b.get("party", customer)["phone"] == "0755-1234", "the edit is kept on the archived record"

    b.resolve_conflict(conflict["id"], "mine")  # the rep still works with this customer: restore it
    b.sync()
    a.sync()
    assert a.get("party", customer)["archived"] is False


def test_activities_and_stock_moves_only_accumulate(make_client):
    a, b = make_client("rep1"), make_client("clerk1", role="clerk")
    a.mutate("crm.customer.create", {"name": "成都天府"})
    a.sync()
    customer = a.rows("party")[0]["id"]
    for i in range(3):
        a.mutate("crm.activity.log", {"party_id": str(customer), "kind": "call", "subject": f"电话{i}",
                                      "occurred_at": "2026-12-01T09:00:00+00:00"})
    b.mutate("erp.product.create", {"sku": "SKU-1", "name": "螺丝"})
    for code in ("WH", "SHOP"):
        b.mutate("erp.location.create", {"code": code, "name": code})
    b.sync()
    product = b.rows("product")[0]["id"]
    wh, shop = (b.rows("location", code=c)[0]["id"] for c in ("WH", "SHOP"))
    b.mutate("erp.stock.move", {"product_id": str(product), "qty": "10", "from_location_id": str(shop),
                                "to_location_id": str(wh), "kind": "transfer",
                                "moved_at": "2026-12-01T09:00:00+00:00"})
    b.mutate("erp.stock.move", {"product_id": str(product), "qty": "2.5", "from_location_id": str(wh),
                                "to_location_id": str(shop), "kind": "transfer",
                                "moved_at": "2026-12-01T10:00:00+00:00"})
    a.sync()
    b.sync()
    assert len(a.rows("activity")) == 3
    assert b.on_hand(product, wh) == Decimal("7.5") and b.on_hand(product, shop) == Decimal("-7.5")
    assert not b.rows("activity"), "a clerk never pulls CRM rows"
