"""Two warehouse clerks working offline on the same shelf, then syncing through the real server:
stock is what the accepted moves add up to (negative if they shipped more than was there), valued
in the order the server applied them, and the same on the server and both laptops.
Real Postgres, real SQLite caches."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.core.ids import new_id
from app.core.schema import metadata
from app.erp import count_reads, stock_reads
from app.erp.stock import level_id
from app.sync import SyncClient, cache

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _synced(c: SyncClient) -> None:
    report = c.sync()
    assert report.ok and report.rejected == 0, (report, c.rejected())
    assert c.pending() == []


def _move(c: SyncClient, product: str, qty: str, source: str, target: str, kind: str, **extra: str) -> str:
    move_id = str(new_id())
    c.mutate("erp.stock.move", {"id": move_id, "product_id": product, "qty": qty, "from_location_id": source,
                                "to_location_id": target, "kind": kind, "moved_at": NOW.isoformat(), **extra})
    return move_id


@pytest.fixture
def shop(make_client) -> dict[str, str]:
    """A manager sets up one bin holding 10 bolts bought at 1.00, and syncs."""
    boss = make_client("boss", role="manager")
    ids = {name: str(new_id()) for name in ("WH", "A-01", "SUPPLIER", "CUSTOMER", "BOLT")}
    boss.mutate("erp.warehouse.create", {"id": ids["WH"], "code": "SH", "name": "上海仓"})
    boss.mutate("erp.location.create", {"id": ids["A-01"], "code": "A-01", "name": "货位 A-01",
                                        "warehouse_id": ids["WH"]})
    for code, kind in (("SUPPLIER", "supplier"), ("CUSTOMER", "customer")):
        boss.mutate("erp.location.create", {"id": ids[code], "code": code, "name": code, "kind": kind})
    boss.mutate("erp.product.create", {"id": ids["BOLT"], "sku": "B-100", "name": "六角螺栓 M8",
                                       "standard_cost": "1.0000"})
    _move(boss, ids["BOLT"], "10", ids["SUPPLIER"], ids["A-01"], "receipt", unit_cost="1.0000")
    _synced(boss)
    return ids


def _server(cluster, tenant, fn, *args):
    with cluster.tenant_engine(tenant).connect() as conn:
        return fn(conn, *args)


def _cache(c: SyncClient, fn, *args):
    with cache.reading(c.db) as conn:
        return fn(conn, *args)


def _level(conn: sa.Connection, product: str, bin_: str) -> Decimal:
    levels = metadata.tables["stock_level"]
    row_id = level_id(uuid.UUID(product), uuid.UUID(bin_))
    return conn.execute(sa.select(levels.c.qty).where(levels.c.id == row_id)).scalar_one()


def _valuation(conn: sa.Connection, product: str) -> tuple[Decimal, Decimal]:
    values = metadata.tables["stock_valuation"]
    row = conn.execute(sa.select(values.c.qty, values.c.avg_cost).where(values.c.id == uuid.UUID(product))).one()
    return row.qty, row.avg_cost


def _moves(conn: sa.Connection, product: str) -> dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, Decimal, Decimal]]:
    moves = metadata.tables["stock_move"]
    rows = conn.execute(sa.select(moves.c.id, moves.c.from_location_id, moves.c.to_location_id, moves.c.qty,
                                  moves.c.unit_cost).where(moves.c.product_id == uuid.UUID(product)))
    return {r.id: (r.from_location_id, r.to_location_id, r.qty, r.unit_cost) for r in rows}


def _sum_of_moves(moves: dict, bin_: str) -> Decimal:
    here = uuid.UUID(bin_)
    return sum((qty if to == here else -qty for source, to, qty, _cost in moves.values() if here in (source, to)),
               Decimal(0))


def test_two_clerks_shipping_more_than_the_shelf_holds_end_with_the_same_negative_stock_everywhere(
        make_client, cluster, tenant, shop):
    bolt, bin_ = shop["BOLT"], shop["A-01"]
    first, second = make_client("clerk1", role="clerk"), make_client("clerk2", role="clerk")
    for c in (first, second):
        _synced(c)
        assert _cache(c, _level, bolt, bin_) == Decimal(10)

    # both offline: each ships 7 of the 10 the shelf held when they last synced
    shipped = [_move(c, bolt, "7", bin_, shop["CUSTOMER"], "delivery") for c in (first, second)]
    for c in (first, second):
        assert _cache(c, _level, bolt, bin_) == Decimal(3), "each laptop alone sees its own shipment"

    _synced(first)
    _synced(second)
    _synced(first)

    server_moves = _server(cluster, tenant, _moves, bolt)
    assert len(server_moves) == 3 and {uuid.UUID(m) for m in shipped} <= server_moves.keys(), \
        "the receipt and both shipments, each applied once"
    assert _sum_of_moves(server_moves, bin_) == Decimal(-4)
    assert _server(cluster, tenant, _level, bolt, bin_) == Decimal(-4)
    assert _server(cluster, tenant, _valuation, bolt)[0] == Decimal(-4)
    [negative] = _server(cluster, tenant, stock_reads.negative_levels)
    assert (negative.sku, negative.location, negative.qty) == ("B-100", "A-01", Decimal(-4))
    for c in (first, second):
        assert _cache(c, _moves, bolt) == server_moves, "the same ledger on every laptop"
        assert _cache(c, _level, bolt, bin_) == Decimal(-4)
        assert _cache(c, _valuation, bolt)[0] == Decimal(-4)
        [seen] = _cache(c, stock_reads.negative_levels)
        assert (seen.sku, seen.location, seen.qty) == ("B-100", "A-01", Decimal(-4)), "the shortage is shown"
        assert c.rejected() == [] and c.conflicts() == []


@pytest.mark.parametrize(("pushed_first", "average", "delivery_cost"), [
    # 10 at 1.00 + 10 at 2.00 → 20 at 1.50; the 5 leave at 1.50
    ("receipt", Decimal("1.5000"), Decimal("1.5000")),
    # the 5 leave at 1.00 (5 left at 1.00); + 10 at 2.00 → 15 at 25/15
    ("delivery", Decimal("1.6667"), Decimal("1.0000")),
])
def test_a_receipt_and_a_delivery_made_offline_are_valued_in_the_order_the_server_applied_them(
        make_client, cluster, tenant, shop, pushed_first, average, delivery_cost):
    bolt, bin_ = shop["BOLT"], shop["A-01"]
    receiving, shipping = make_client("clerk1", role="clerk"), make_client("clerk2", role="clerk")
    for c in (receiving, shipping):
        _synced(c)
    _move(receiving, bolt, "10", shop["SUPPLIER"], bin_, "receipt", unit_cost="2.0000")
    delivery = uuid.UUID(_move(shipping, bolt, "5", bin_, shop["CUSTOMER"], "delivery"))
    assert _cache(shipping, _moves, bolt)[delivery][3] == Decimal("1.0000"), "offline: the laptop's estimate"

    order = (receiving, shipping) if pushed_first == "receipt" else (shipping, receiving)
    for c in (*order, order[0]):
        _synced(c)

    assert _server(cluster, tenant, _valuation, bolt) == (Decimal(15), average)
    assert _server(cluster, tenant, _moves, bolt)[delivery][3] == delivery_cost
    for c in (receiving, shipping):
        assert _cache(c, _valuation, bolt) == (Decimal(15), average)
        assert _cache(c, _moves, bolt)[delivery][3] == delivery_cost, "the server's cost replaces the estimate"
        assert _cache(c, _level, bolt, bin_) == Decimal(15)


def test_a_count_made_offline_is_posted_against_what_the_server_holds_when_it_arrives(
        make_client, cluster, tenant, shop):
    bolt, bin_ = shop["BOLT"], shop["A-01"]
    counter, shipper = make_client("clerk1", role="clerk"), make_client("clerk2", role="clerk")
    for c in (counter, shipper):
        _synced(c)
    # the truck leaves with 3 and its shipment syncs; the counter, offline, finds 6 on the shelf (1 missing)
    _move(shipper, bolt, "3", bin_, shop["CUSTOMER"], "delivery")
    _synced(shipper)
    count = str(new_id())
    counter.mutate("erp.count.create", {"id": count, "warehouse_id": shop["WH"], "location_id": bin_})
    [line] = counter.rows("stock_count_line", count_id=count)
    assert line["expected_qty"] == Decimal(10), "the laptop's sheet: its last synced level"
    counter.mutate("erp.count.record", {"count_id": count, "product_id": bolt, "location_id": bin_,
                                        "counted_qty": "6"})
    for action in ("review", "post"):
        counter.mutate(f"erp.count.{action}", {"id": count})
    assert counter.get("stock_count", count)["number"] is None

    _synced(counter)

    with cluster.tenant_engine(tenant).connect() as conn:
        number = conn.execute(sa.text("SELECT number, state FROM stock_count WHERE id = :id"), {"id": count}).one()
    assert number == ("CC-2026-000001", "posted")
    assert _server(cluster, tenant, _level, bolt, bin_) == Decimal(6)
    assert _server(cluster, tenant, _valuation, bolt)[0] == Decimal(6)
    [posted] = _server(cluster, tenant, count_reads.count_variances, uuid.UUID(count))
    assert (posted.expected, posted.counted, posted.variance, posted.value) == (7, 6, -1, Decimal("-1.00"))
    [sheet_line] = _server(cluster, tenant, count_reads.count_sheet, uuid.UUID(count))
    assert (sheet_line.sku, sheet_line.expected, sheet_line.counted) == ("B-100", None, 6), "a blind sheet"
    for c in (counter, shipper):
        _synced(c)
        assert _cache(c, _level, bolt, bin_) == Decimal(6), "one missing, the shipment not counted twice"
        assert c.get("stock_count", count)["number"] == "CC-2026-000001"
        [moved] = c.rows("stock_move", document_id=count)
        assert (moved["kind"], moved["from_location_id"], moved["qty"]) == ("count", uuid.UUID(bin_), Decimal(1))
    [line] = counter.rows("stock_count_line", count_id=count)
    assert (line["expected_qty"], line["counted_qty"]) == (Decimal(7), Decimal(6)), "the server's sheet stays"
