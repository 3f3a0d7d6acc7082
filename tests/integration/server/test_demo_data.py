"""The demo tenant's data: the small demo as a newcomer meets it, written once, and synced whole
by a sales rep's empty cache."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.schema import SYNCED_TABLES, metadata
from app.sync import SyncClient
from server import demo_data
from server.demo import DEMO_PASSWORD, DEMO_TENANT, DEMO_USERS, DemoTenant, ensure_demo_tenant

SMALL = demo_data.SIZES["small"]


@pytest.fixture(scope="module")
def demo(cluster, settings, template_db) -> Iterator[DemoTenant]:
    made = ensure_demo_tenant(cluster, settings, "small", template=template_db)
    yield made
    cluster.drop_tenant(DEMO_TENANT)


def _scalar(cluster, demo: DemoTenant, sql: str, **params):
    with cluster.tenant_engine(demo.tenant).connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def _counts(cluster, demo: DemoTenant) -> dict[str, int]:
    with cluster.tenant_engine(demo.tenant).connect() as conn:
        return {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in [*SYNCED_TABLES, "sync_change"]}


def test_small_demo_has_thousands_of_customers_with_contacts_activities_and_stock(cluster, demo):
    counts = _counts(cluster, demo)
    assert demo.created and demo.size == "small"
    assert counts["party"] == demo.customers == SMALL.customers
    assert 2 * SMALL.customers < counts["contact"] < 3 * SMALL.customers, "2-3 contacts each"
    assert counts["activity"] == SMALL.customers * SMALL.activities_per
    assert counts["product"] == SMALL.products and counts["location"] == 6
    assert counts["stock_move"] > SMALL.products * 10
    assert counts["app_user"] == len(DEMO_USERS)
    assert {t: demo.seeded[t] for t in demo.seeded} == {t: counts[t] for t in demo.seeded}
    assert counts["sync_change"] >= sum(demo.seeded.values()), "the change-capture triggers fired"
    kinds = _scalar(cluster, demo, "SELECT string_agg(DISTINCT kind, ',' ORDER BY kind) FROM location")
    assert kinds == "adjustment,customer,internal,supplier"
    assert demo.seconds < 30


def test_every_customer_is_owned_by_a_sales_rep_and_rep_has_the_biggest_share(cluster, demo):
    with cluster.tenant_engine(demo.tenant).connect() as conn:
        shares = dict(conn.execute(sa.text(
            "SELECT u.username, count(*) FROM party p LEFT JOIN app_user u ON u.id = p.owner_id "
            "WHERE u.role = 'sales_rep' GROUP BY u.username")).all())
    assert sum(shares.values()) == SMALL.customers, "no customer without a rep"
    assert set(shares) == {"rep", "rep2", "rep3"}
    assert shares["rep"] > shares["rep2"] and shares["rep"] > shares["rep3"]


def test_names_are_mostly_chinese_with_english_companies_and_a_few_zhang_wei(cluster, demo):
    with cluster.tenant_engine(demo.tenant).connect() as conn:
        customers = conn.execute(sa.text("SELECT name, city, phone, email, name_pinyin FROM party")).all()
        contacts = conn.execute(sa.text("SELECT name, name_pinyin, phone FROM contact")).all()
    chinese = [c for c in customers if not c.name.isascii()]
    assert 0.75 < len(chinese) / len(customers) < 0.95
    assert any(c.name.endswith(("LLC", "Inc", "Ltd", "PLC", "Group")) for c in customers), "English companies"
    assert all(not c.city.isascii() for c in customers), "every customer sits in a Chinese city"
    assert all(c.phone and c.email and "@" in c.email for c in customers)
    assert sum(1 for c in contacts if not c.name.isascii()) / len(contacts) > 0.75
    zhang_wei = [c for c in contacts if c.name == "张伟"]
    assert 3 <= len(zhang_wei) <= 12 and all(c.name_pinyin == "zhangwei" for c in zhang_wei)
    assert all(len(c.phone) == 11 and c.phone.startswith("1") for c in contacts), "Chinese mobile numbers"


def test_history_runs_up_to_today_and_some_tasks_fall_due_in_the_coming_days(cluster, demo):
    now = dt.datetime.now(dt.UTC)
    with cluster.tenant_engine(demo.tenant).connect() as conn:
        first, last_done = conn.execute(sa.text(
            "SELECT min(occurred_at), max(occurred_at) FILTER (WHERE kind <> 'task') FROM activity")).one()
        due_soon = conn.execute(sa.text(
            "SELECT count(*) FROM activity WHERE kind = 'task' AND occurred_at BETWEEN :now AND :soon"),
            {"now": now, "soon": now + dt.timedelta(days=10)}).scalar_one()
        last_move = conn.execute(sa.text("SELECT max(moved_at) FROM stock_move")).scalar_one()
    assert now - SMALL.history - dt.timedelta(days=1) <= first
    assert now - dt.timedelta(days=7) < last_done <= now, "the history reaches today"
    assert now - dt.timedelta(days=7) < last_move <= now
    assert 20 <= due_soon <= 400, "a few tasks a day for each rep"


def test_stock_on_hand_never_drops_below_zero_at_a_warehouse_and_ends_varied(cluster, demo):
    # every move out of an internal location, replayed in time order, leaves it at ≥ 0
    running = """
        WITH signed AS (
            SELECT m.product_id, m.to_location_id AS loc, m.qty, m.moved_at, 0 AS out FROM stock_move m
            UNION ALL
            SELECT m.product_id, m.from_location_id, -m.qty, m.moved_at, 1 FROM stock_move m
        ), ledger AS (
            SELECT s.product_id, s.loc, sum(s.qty) OVER (PARTITION BY s.product_id, s.loc
                                                         ORDER BY s.moved_at, s.out ROWS UNBOUNDED PRECEDING) AS level
            FROM signed s JOIN location l ON l.id = s.loc AND l.kind = 'internal'
        )
        SELECT min(level) FROM ledger"""
    on_hand = """
        SELECT p.id, coalesce(sum(CASE WHEN l.id IS NULL THEN 0
                                       WHEN l.id = m.to_location_id THEN m.qty ELSE -m.qty END), 0) AS qty
        FROM product p
        LEFT JOIN stock_move m ON m.product_id = p.id
        LEFT JOIN location l ON l.kind = 'internal' AND l.id IN (m.to_location_id, m.from_location_id)
        GROUP BY p.id"""
    with cluster.tenant_engine(demo.tenant).connect() as conn:
        lowest = conn.execute(sa.text(running)).scalar_one()
        levels = [row.qty for row in conn.execute(sa.text(on_hand))]
        kinds = set(conn.execute(sa.text("SELECT DISTINCT kind FROM stock_move")).scalars())
    assert lowest >= 0
    assert len(levels) == SMALL.products and min(levels) >= 0
    assert sum(1 for q in levels if q > 0) > 0.8 * len(levels), "most products are in stock"
    assert len(set(levels)) > 0.5 * len(levels), "stock levels differ from product to product"
    assert kinds == {"receipt", "delivery", "transfer", "adjustment"}


def test_a_second_ensure_adds_nothing_even_when_asked_for_the_large_demo(cluster, settings, demo):
    before = _counts(cluster, demo)

    again = ensure_demo_tenant(cluster, settings, "small")
    other = ensure_demo_tenant(cluster, settings, "large")

    assert _counts(cluster, demo) == before
    assert not again.created and again.seeded == {} and not again.kept_other_size("small")
    assert other.size == "small" and other.kept_other_size("large") and other.customers == SMALL.customers


def test_an_empty_cache_signed_in_as_rep_syncs_the_whole_demo(cluster, demo, client, tmp_path: Path):
    with SyncClient.open(tmp_path / "rep.sqlite", "http://testserver", DEMO_TENANT, http=client) as rep:
        rep.login("rep", DEMO_PASSWORD)
        report = rep.sync()
        assert report.ok, report.message
        for table in SYNCED_TABLES:
            server_ids = {str(i) for i in _ids(cluster, demo, table)}
            assert {str(r["id"]) for r in rep.rows(table)} == server_ids, table
        assert report.snapshot_rows >= SMALL.customers
        assert rep.rows("contact", name="张伟"), "the global search demo finds 张伟 offline"


def _ids(cluster, demo: DemoTenant, table: str) -> list:
    with cluster.tenant_engine(demo.tenant).connect() as conn:
        return list(conn.execute(sa.select(metadata.tables[table].c.id)).scalars())
