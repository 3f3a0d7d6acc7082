"""Purchase orders and receipts through the real server: numbers given on the first sync, the
server's checks, and what the laptops show afterwards. Real Postgres, real SQLite caches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from app.core.ids import new_id
from app.core.tx import Tx
from app.erp.common import document_label
from app.sync import SyncClient

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
DAY = NOW.date()


def _supplier(cluster, tenant) -> str:
    """A supplier in the party master (made where the CRM would make it)."""
    party_id = new_id()
    with cluster.tenant_engine(tenant).begin() as conn:
        Tx(conn, side="server", user_id=None, now=NOW).insert(
            "party", {"id": party_id, "name": "宁波紧固件厂", "is_customer": False, "is_supplier": True})
    return str(party_id)


def _synced(c: SyncClient) -> None:
    report = c.sync()
    assert report.ok and report.rejected == 0, (report, c.rejected())
    assert c.pending() == []


def _server_numbers(cluster, tenant, table: str) -> dict[str, str]:
    with cluster.tenant_engine(tenant).connect() as conn:
        rows = conn.execute(sa.text(f"SELECT id, number FROM {table}")).all()
    return {str(row_id): number for row_id, number in rows}


def _purchase(supplier: str, warehouse: str, product: str, qty: str, name: str) -> dict:
    return {"id": str(new_id()), "party_id": supplier, "supplier_name": name, "warehouse_id": warehouse,
            "order_date": DAY.isoformat(), "lines": [{"id": str(new_id()), "product_id": product, "qty": qty,
                                                       "unit_price": "1.2000"}]}


def test_numbers_are_given_by_the_server_on_first_sync_and_then_shown_on_the_laptops(make_client, cluster, tenant):
    boss = make_client("boss", role="manager")
    supplier = _supplier(cluster, tenant)
    warehouse, bin_, bolt = (str(new_id()) for _ in range(3))
    boss.mutate("erp.warehouse.create", {"id": warehouse, "code": "SH", "name": "上海仓"})
    boss.mutate("erp.location.create", {"id": bin_, "code": "A-01", "name": "货位 A-01", "warehouse_id": warehouse})
    boss.mutate("erp.product.create", {"id": bolt, "sku": "B-100", "name": "六角螺栓 M8", "standard_cost": "1.2000",
                                       "default_supplier_id": supplier})
    _synced(boss)

    planner, buyer, clerk = (make_client(name, role=role) for name, role in
                             (("planner", "planner"), ("buyer", "planner"), ("clerk", "clerk")))
    for c in (planner, buyer, clerk):
        _synced(c)
    assert planner.get("party", supplier) is None, "a planner does not pull the CRM"

    # two planners draft orders on their laptops, offline: provisional numbers, the name as typed
    first = _purchase(supplier, warehouse, bolt, "100", name="宁波紧固件")
    second = _purchase(supplier, warehouse, bolt, "40", name="宁波紧固件")
    planner.mutate("erp.purchase.create", first)
    buyer.mutate("erp.purchase.create", second)
    local = planner.get("purchase_order", first["id"])
    assert local is not None and local["number"] is None and local["supplier_name"] == "宁波紧固件"
    assert document_label("PO", local["number"], local["id"]).startswith("PO-*")

    _synced(planner)
    _synced(buyer)
    numbers = _server_numbers(cluster, tenant, "purchase_order")
    assert numbers == {first["id"]: "PO-2026-000001", second["id"]: "PO-2026-000002"}
    shown = planner.get("purchase_order", first["id"])
    assert shown is not None
    assert (shown["number"], shown["supplier_name"]) == ("PO-2026-000001", "宁波紧固件厂"), "the party's own name"
    _synced(planner)
    assert planner.get("purchase_order", second["id"])["number"] == "PO-2026-000002"  # type: ignore[index]

    planner.mutate("erp.purchase.confirm", {"id": first["id"]})
    _synced(planner)

    # the clerk receives the goods offline; the receipt's number and the move's reference follow the sync
    _synced(clerk)
    receipt, line = str(new_id()), str(new_id())
    clerk.mutate("erp.receipt.post", {"id": receipt, "order_id": first["id"], "warehouse_id": warehouse,
                                      "received_at": NOW.isoformat(), "lines": [
                                          {"id": line, "product_id": bolt, "qty": "100", "location_id": bin_}]})
    offline = clerk.get("receipt", receipt)
    assert offline is not None and offline["number"] is None
    [move] = clerk.rows("stock_move", document_id=receipt)
    assert move["reference"] == document_label("RC", None, offline["id"])
    assert clerk.get("purchase_order", first["id"])["state"] == "received"  # type: ignore[index]

    _synced(clerk)
    assert clerk.get("receipt", receipt)["number"] == "RC-2026-000001"  # type: ignore[index]
    [move] = clerk.rows("stock_move", document_id=receipt)
    assert (move["reference"], move["unit_cost"], move["version"]) == ("RC-2026-000001", Decimal("1.2000"), 1)
    assert clerk.on_hand(bolt, bin_) == Decimal(100)
    _synced(planner)
    order = planner.get("purchase_order", first["id"])
    assert order is not None and order["state"] == "received"
    assert [r["qty_received"] for r in planner.rows("purchase_order_line", order_id=first["id"])] == [Decimal(100)]


def test_the_server_refuses_what_a_laptop_could_not_check(make_client, cluster, tenant):
    """A clerk's receipt that, with another clerk's, brings more than the order allows is rejected
    on the server and shown to the clerk; a role without the right cannot order at all."""
    boss = make_client("boss", role="manager")
    supplier = _supplier(cluster, tenant)
    warehouse, bin_, bolt = (str(new_id()) for _ in range(3))
    boss.mutate("erp.warehouse.create", {"id": warehouse, "code": "SH", "name": "上海仓"})
    boss.mutate("erp.location.create", {"id": bin_, "code": "A-01", "name": "货位 A-01", "warehouse_id": warehouse})
    boss.mutate("erp.product.create", {"id": bolt, "sku": "B-100", "name": "六角螺栓 M8"})
    po = _purchase(supplier, warehouse, bolt, "100", name="")
    boss.mutate("erp.purchase.create", po)
    boss.mutate("erp.purchase.confirm", {"id": po["id"]})
    _synced(boss)

    one, two = make_client("clerk1", role="clerk"), make_client("clerk2", role="clerk")
    _synced(one)
    _synced(two)
    for c, qty in ((one, "70"), (two, "60")):
        c.mutate("erp.receipt.post", {"id": str(new_id()), "order_id": po["id"], "warehouse_id": warehouse,
                                      "received_at": NOW.isoformat(), "lines": [
                                          {"id": str(new_id()), "product_id": bolt, "qty": qty, "location_id": bin_}]})
    _synced(one)
    report = two.sync()
    assert report.ok and report.rejected == 1
    [rejected] = two.rejected()
    assert (rejected["name"], rejected["code"], rejected["field"]) == ("erp.receipt.post", "erp.over_receipt",
                                                                       "lines.0.qty")
    assert two.on_hand(bolt, bin_) == Decimal(70), "the cache shows what the server accepted"

    rep = make_client("rep1", role="sales_rep")
    _synced(rep)
    rep.mutate("erp.purchase.create", _purchase(supplier, warehouse, bolt, "5", name="x"))
    assert rep.sync().rejected == 1
    assert set(_server_numbers(cluster, tenant, "purchase_order").values()) == {"PO-2026-000001"}
