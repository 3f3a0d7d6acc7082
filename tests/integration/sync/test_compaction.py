"""The change log is compacted; clients with old cursors still converge, and one whose cursor
fell below the compaction floor downloads everything again without losing its queue."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.tx import Change
from server.sync.pull import compact


def _rename(c, customer_id, name: str) -> None:
    row = c.get("party", customer_id)
    c.mutate("crm.customer.update", {"id": str(customer_id), "name": Change(base=row["name"], new=name).model_dump()})


def _change_entries(cluster, tenant, row_id) -> int:
    with cluster.tenant_engine(tenant).connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM sync_change WHERE row_id = :r"), {"r": row_id}).scalar())


def test_compaction_keeps_the_latest_entry_per_row_and_old_cursors_still_converge(make_client, cluster, tenant):
    writer, reader = make_client("rep1"), make_client("rep2")
    writer.mutate("crm.customer.create", {"name": "旧名"})
    writer.sync()
    reader.sync()
    customer = writer.rows("party")[0]["id"]
    for name in ("新名一", "新名二", "新名三"):
        _rename(writer, customer, name)
        writer.sync()
    assert _change_entries(cluster, tenant, customer) == 4, "one entry per write of the row"

    with cluster.tenant_engine(tenant).begin() as conn:
        dropped = compact(conn)

    assert dropped >= 3 and _change_entries(cluster, tenant, customer) == 1
    assert reader.sync().ok
    assert reader.get("party", customer)["name"] == "新名三"
    assert reader.get("party", customer)["version"] == writer.get("party", customer)["version"] == 4
    assert reader.get("party", customer)["name_pinyin"] == "xinmingsan"


def test_a_cursor_below_the_compaction_floor_resyncs_and_keeps_the_queue(make_client, cluster, tenant):
    writer, laggard = make_client("rep1"), make_client("rep2")
    writer.mutate("crm.customer.create", {"name": "早期客户"})
    writer.sync()
    laggard.sync()
    laggard.mutate("crm.customer.create", {"name": "离线新客户"})
    writer.mutate("crm.customer.create", {"name": "期间客户"})
    writer.sync()
    with cluster.tenant_engine(tenant).begin() as conn:  # as a retention job that purged old entries would
        conn.execute(sa.text("UPDATE tenant_info SET compaction_floor = pg_current_xact_id()::text::bigint"))

    report = laggard.sync()

    assert report.ok and report.resynced and report.snapshot_rows >= 2
    assert laggard.pending() == [] and laggard.rejected() == []
    writer.sync()
    names = ["早期客户", "期间客户", "离线新客户"]
    for c in (writer, laggard):
        assert sorted(r["name"] for r in c.rows("party")) == sorted(names)
