"""The demo tenant's data: the small demo as a newcomer meets it, written once, and synced whole
by a sales rep's empty cache."""

from __future__ import annotations

import datetime as dt
import json
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
    history = SMALL.customers * SMALL.activities_per
    assert history < counts["activity"] < history + 200, "the history, plus the reps' open tasks and visits"
    assert counts["product"] == SMALL.products and counts["location"] == 7 and counts["warehouse"] == 3
    assert counts["product_barcode"] == SMALL.products
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


def test_the_stock_level_and_valuation_projections_agree_with_the_ledger(cluster, demo):
    by_bin = """
        SELECT m.product_id, l.id AS loc, sum(CASE WHEN l.id = m.to_location_id THEN m.qty ELSE -m.qty END) AS qty
        FROM stock_move m JOIN location l ON l.kind = 'internal' AND l.id IN (m.to_location_id, m.from_location_id)
        GROUP BY m.product_id, l.id"""
    with cluster.tenant_engine(demo.tenant).connect() as conn:
        ledger = {(r.product_id, r.loc): r.qty for r in conn.execute(sa.text(by_bin))}
        levels = {(r.product_id, r.location_id): r.qty
                  for r in conn.execute(sa.text("SELECT product_id, location_id, qty FROM stock_level"))}
        valued = {r.id: r.qty for r in conn.execute(sa.text("SELECT id, qty FROM stock_valuation"))}
        costs = conn.execute(sa.text(
            "SELECT count(*) FILTER (WHERE unit_cost IS NULL), count(*) FILTER (WHERE avg_cost <= 0) "
            "FROM stock_move, stock_valuation WHERE stock_valuation.id = stock_move.product_id")).one()
    assert levels == ledger
    totals: dict[object, object] = {}
    for (product, _bin), qty in ledger.items():
        totals[product] = totals.get(product, 0) + qty
    assert {p: q for p, q in valued.items() if q} == {p: q for p, q in totals.items() if q}
    assert tuple(costs) == (0, 0), "every move carries its cost and every product an average"


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


# --- the sales team's working set (server/demo_data/crm_more.py) --------------------------------
def _rows(cluster, demo: DemoTenant, sql: str, **params) -> list:
    with cluster.tenant_engine(demo.tenant).connect() as conn:
        return list(conn.execute(sa.text(sql), params))


def test_every_lead_status_opportunity_stage_and_case_status_and_priority_is_in_the_demo(cluster, demo):
    def values(sql: str) -> set:
        return {row[0] for row in _rows(cluster, demo, sql)}

    assert values("SELECT status FROM lead") == {"new", "qualified", "disqualified", "converted"}
    assert values("SELECT status || '/' || priority FROM service_case") == {
        f"{s}/{p}" for s in ("open", "in_progress", "waiting", "resolved", "closed")
        for p in ("low", "normal", "high", "urgent")}
    per_rep = _rows(cluster, demo, "SELECT u.username, count(DISTINCT o.stage) FROM opportunity o "
                    "JOIN app_user u ON u.id = o.owner_id GROUP BY u.username")
    assert dict(per_rep) == {"rep": 6, "rep2": 6, "rep3": 6}, "each rep's pipeline has deals in every stage"
    assert values("SELECT currency FROM opportunity") == {"CNY"}


def test_every_opportunity_sits_on_a_live_customer_owned_by_its_rep(cluster, demo):
    orphans = _rows(cluster, demo, """
        SELECT o.id FROM opportunity o LEFT JOIN party p ON p.id = o.party_id
        LEFT JOIN app_user u ON u.id = p.owner_id
        WHERE p.id IS NULL OR u.role IS DISTINCT FROM 'sales_rep' OR o.owner_id IS DISTINCT FROM p.owner_id
           OR (o.contact_id IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM contact c WHERE c.id = o.contact_id AND c.party_id = o.party_id))""")
    assert orphans == []
    open_dates = _rows(cluster, demo, "SELECT min(expected_close), max(expected_close) FROM opportunity "
                       "WHERE stage NOT IN ('won', 'lost')")[0]
    today = dt.date.today()
    assert open_dates[0] < today < open_dates[1], "expected close dates lie around today"


def test_won_and_lost_deals_have_reasons_and_closing_times_and_open_ones_none(cluster, demo):
    bad = _rows(cluster, demo, """
        SELECT id FROM opportunity
        WHERE (stage IN ('won', 'lost')) <> (close_reason IS NOT NULL AND closed_at IS NOT NULL)
           OR (stage = 'won' AND probability <> 100) OR (stage = 'lost' AND probability <> 0)""")
    assert bad == []
    assert _rows(cluster, demo, "SELECT count(*) FROM lead WHERE status = 'disqualified' "
                 "AND disqualify_reason IS NULL")[0][0] == 0


def test_converted_leads_point_to_their_customer_contact_and_deal(cluster, demo):
    converted = _rows(cluster, demo, """
        SELECT l.id, p.id AS party, c.party_id AS contact_party, o.party_id AS deal_party, o.lead_id
        FROM lead l LEFT JOIN party p ON p.id = l.converted_party_id
        LEFT JOIN contact c ON c.id = l.converted_contact_id
        LEFT JOIN opportunity o ON o.id = l.converted_opportunity_id
        WHERE l.status = 'converted'""")
    assert converted, "some leads were converted"
    for lead_id, party, contact_party, deal_party, deal_lead in converted:
        assert party is not None and contact_party == party == deal_party and deal_lead == lead_id
    assert _rows(cluster, demo, "SELECT count(*) FROM lead WHERE status <> 'converted' AND "
                 "(converted_party_id IS NOT NULL OR converted_at IS NOT NULL)")[0][0] == 0


def test_reps_have_overdue_tasks_tasks_due_today_and_reminders_within_the_hour(cluster, demo):
    now = dt.datetime.now(dt.UTC)
    per_rep = _rows(cluster, demo, """
        SELECT u.username,
               count(*) FILTER (WHERE a.due_at < :now) AS overdue,
               count(*) FILTER (WHERE a.due_at BETWEEN :now AND :now + interval '6 hours') AS soon,
               count(*) FILTER (WHERE a.remind_at BETWEEN :now - interval '1 hour' AND :now + interval '1 hour')
        FROM activity a JOIN app_user u ON u.id = a.user_id
        WHERE a.kind = 'task' AND NOT a.done GROUP BY u.username""", now=now)
    assert {row[0] for row in per_rep} == {"rep", "rep2", "rep3"}
    for _, overdue, soon, reminders in per_rep:
        assert overdue >= 3 and soon >= 3 and reminders >= 2
    visits = _rows(cluster, demo, "SELECT count(*), count(*) FILTER (WHERE place IS NULL OR checked_in_at IS NULL "
                   "OR latitude IS NULL) FROM activity WHERE kind = 'visit' AND place IS NOT NULL")[0]
    assert visits[0] >= 30 and visits[1] == 0, "visits carry a check-in place, time and coordinates"


def test_family_members_have_birthdays_some_this_month_and_some_lunar(cluster, demo):
    month = dt.date.today().month
    relations, this_month, lunar, orphans = _rows(cluster, demo, """
        SELECT count(DISTINCT relation), count(*) FILTER (WHERE extract(month FROM f.birthday) = :month),
               count(*) FILTER (WHERE f.birthday_lunar), count(*) FILTER (WHERE c.id IS NULL)
        FROM contact_family f LEFT JOIN contact c ON c.id = f.contact_id""", month=month)[0]
    assert relations >= 3 and this_month >= 20 and lunar >= 10 and orphans == 0


def test_custom_fields_have_valid_values_on_some_customers_and_a_few_customers_are_shared(cluster, demo):
    fields = {row[0]: row for row in _rows(cluster, demo, "SELECT id::text, type, choices FROM custom_field")}
    assert {f[1] for f in fields.values()} == {"choice", "number"}
    valued = [json.loads(v[0]) for v in _rows(cluster, demo, "SELECT custom_values FROM party "
                                                 "WHERE custom_values IS NOT NULL")]
    assert 0.2 * SMALL.customers < len(valued) < 0.5 * SMALL.customers
    for values in valued:
        for key, value in values.items():
            kind, choices = fields[key][1], fields[key][2]
            assert value in json.loads(choices) if kind == "choice" else float(value) > 0
    assert all(t.startswith("|") and t.endswith("|") for (t,) in _rows(
        cluster, demo, "SELECT tags FROM party WHERE tags <> ''"))
    shares = _rows(cluster, demo, "SELECT s.user_id <> p.owner_id FROM party_share s JOIN party p ON p.id = s.party_id")
    assert len(shares) >= 2 and all(other for (other,) in shares), "shared with a rep who does not own it"


def test_orders_stand_behind_the_ledger_and_today_has_orders_to_ship_quotes_and_purchases_due(cluster, demo):
    with cluster.tenant_engine(demo.tenant).connect() as conn:
        loose = conn.execute(sa.text(
            "SELECT count(*) FROM stock_move WHERE kind IN ('delivery', 'receipt') AND document_id IS NULL")).scalar()
        states = dict(conn.execute(sa.text("SELECT state, count(*) FROM sales_order GROUP BY state")).all())
        ready = conn.execute(sa.text(
            "SELECT count(DISTINCT d.id) FROM delivery d JOIN delivery_line l ON l.delivery_id = d.id "
            "JOIN sales_order o ON o.id = d.order_id WHERE d.state = 'ready' AND o.state = 'confirmed'")).scalar()
        shipped_match = conn.execute(sa.text(
            "SELECT bool_and(l.qty_delivered = m.qty) FROM stock_move m JOIN delivery_line dl "
            "ON dl.delivery_id = m.document_id JOIN sales_order_line l ON l.id = dl.order_line_id")).scalar()
        due = conn.execute(sa.text(
            "SELECT count(*) FROM purchase_order WHERE state = 'confirmed' AND expected_date >= CURRENT_DATE")).scalar()
        numbers = conn.execute(sa.text("SELECT count(*) = count(DISTINCT number) FROM sales_order")).scalar()
    assert loose == 0, "every delivery and receipt move belongs to its document"
    assert states["done"] > 100 and states["confirmed"] == 8 and states.get("draft", 0) + states["sent"] == 6
    assert ready == 8 and shipped_match and due >= 1 and numbers
