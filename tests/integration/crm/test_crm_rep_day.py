"""A sales rep's day, offline then synced, seen by the manager; ownership enforced by the server;
an old cache catching up with the CRM's new fields. Real Postgres, real SQLite caches."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.core import mutations
from app.core.ids import new_id
from app.core.schema import metadata
from app.crm.errors import NotYours
from app.crm.pipeline import pipeline_summary
from app.crm.view360 import view360
from app.sync import SyncClient, cache, outbox
from app.sync.codec import dumps

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _at(hours: float) -> str:
    return (NOW + dt.timedelta(hours=hours)).isoformat()


def _me(c: SyncClient) -> str:
    return str(c.user_id())


def test_a_reps_offline_day_reaches_the_manager(make_client):
    rep, boss = make_client("rep1"), make_client("boss", role="manager")
    assert rep.sync().ok and boss.sync().ok

    # on the road, no sync: a new customer, a visit with a check-in, a lead converted, a deal moved
    customer = str(new_id())
    rep.mutate("crm.customer.create", {"id": customer, "name": "宁波海天精工", "owner_id": _me(rep), "tier": "A",
                                       "province": "浙江", "city": "宁波", "tags": ["机床"]})
    rep.mutate("crm.activity.log", {"party_id": customer, "kind": "visit", "subject": "工厂拜访", "place": "北仑厂区",
                                    "latitude": "29.868336", "longitude": "121.543990", "occurred_at": _at(0),
                                    "checked_in_at": _at(0), "checked_out_at": _at(1.5), "duration_minutes": 90})
    lead = rep.mutate("crm.lead.create", {"name": "周杰", "company": "温州瓯越电器", "phone": "13900002222"})
    lead_id = rep.pending()[-1]["args"]["id"]
    assert lead
    party2, contact, deal = (str(new_id()) for _ in range(3))
    rep.mutate("crm.lead.convert", {"id": lead_id, "party_id": party2, "contact_id": contact,
                                    "opportunity_id": deal, "amount": "86000.00"})
    rep.mutate("crm.opportunity.move_stage", {"id": deal, "stage": {"base": "qualified", "new": "proposal"}})
    rep.mutate("crm.task.create", {"party_id": party2, "subject": "发报价单", "due_at": _at(24)})
    assert rep.get("opportunity", deal)["probability"] == 50, "the cache shows it at once"

    report = rep.sync()
    assert report.ok and report.rejected == 0 and report.conflicts == 0 and rep.pending() == []

    assert boss.sync().ok
    assert boss.get("lead", lead_id)["status"] == "converted"
    assert boss.get("opportunity", deal)["stage"] == "proposal"
    with cache.reading(boss.db) as conn:
        view = view360(conn, uuid.UUID(party2), NOW + dt.timedelta(hours=2))
        visited = view360(conn, uuid.UUID(customer), NOW + dt.timedelta(hours=2))
        pipe = pipeline_summary(conn)
    assert view is not None and visited is not None
    assert [c.name for c in view.contacts] == ["周杰"]
    assert [o.amount for o in view.opportunities] == [Decimal("86000.00")]
    assert [(i.kind, i.subject) for i in visited.timeline.items] == [("visit", "工厂拜访")]
    assert visited.header.owner_name and visited.header.last_contact_at == NOW
    assert dict((s, f.amount) for s, _l, f in pipe.stages)["proposal"] == Decimal("86000.00")


def _forge(c: SyncClient, name: str, args: dict) -> None:
    """Queue a mutation without running it locally (a tampered client)."""
    version = mutations.latest_version(name)
    with c.db.begin() as conn:
        next_id = outbox.last_mutation_id(conn) + 1
        cache.set_state(conn, outbox.LAST_ID, next_id)
        conn.execute(sa.text("INSERT INTO outbox (id, name, version, args, args_hash, created_at, state, touched) "
                             "VALUES (:id, :n, :v, :a, :h, :c, 'pending', '[]')"),
                     {"id": next_id, "n": name, "v": version, "a": dumps(args),
                      "h": mutations.args_hash(name, version, args), "c": NOW.isoformat()})


def test_another_reps_customer_is_refused_at_once_and_a_forged_push_is_rejected_with_a_reason(make_client):
    rep1, rep2, boss = make_client("rep1"), make_client("rep2"), make_client("boss", role="manager")
    rep1.sync()
    customer = str(new_id())
    rep1.mutate("crm.customer.create", {"id": customer, "name": "厦门金龙", "owner_id": _me(rep1), "phone": "1"})
    assert rep1.sync().ok and rep2.sync().ok and boss.sync().ok

    with pytest.raises(NotYours):
        rep2.mutate("crm.customer.update", {"id": customer, "phone": {"base": "1", "new": "2"}})
    assert rep2.pending() == [], "a refused edit never enters the outbox"

    _forge(rep2, "crm.customer.update", {"id": customer, "phone": {"base": "1", "new": "666"}})
    report = rep2.sync()
    assert report.rejected == 1
    [rejected] = rep2.rejected()
    assert rejected["code"] == "crm.not_yours" and "厦门金龙" in rejected["message"]
    assert rep2.get("party", customer)["phone"] == "1"

    boss.mutate("crm.customer.share", {"party_id": customer, "user_id": _me(rep2)})
    boss.mutate("crm.customer.update", {"id": customer, "tier": {"base": None, "new": "B"}})
    assert boss.sync().ok and boss.rejected() == []
    rep2.sync()
    rep2.mutate("crm.customer.update", {"id": customer, "phone": {"base": "1", "new": "2"}})
    assert rep2.sync().rejected == 0
    rep1.sync()
    assert (rep1.get("party", customer)["phone"], rep1.get("party", customer)["tier"]) == ("2", "B")


#: columns 0003 added to tables an older cache has
_ADDED = {
    "party": ("industry", "territory", "website", "wechat", "source", "phone2", "country", "province", "district",
              "street", "postcode", "tags", "custom_values", "merged_into"),
    "contact": ("name_initials", "mobile", "wechat", "buying_role", "interests", "preferred_channel"),
    "activity": ("done", "done_at", "due_at", "remind_at", "place", "address", "latitude", "longitude",
                 "checked_in_at", "checked_out_at", "duration_minutes", "outcome"),
}
_NEW_TABLES = ("contact_family", "lead", "opportunity", "service_case", "custom_field", "party_share", "saved_filter")


def _rebuild_without(conn: sa.Connection, table: str, dropped: tuple[str, ...]) -> None:
    """The table as the v1 step made it before these columns existed (SQLite cannot drop a
    column a CHECK names); its search triggers go with it, which this test does not need."""
    kept = [c._copy() for c in metadata.tables[table].columns if c.name not in dropped]
    old = sa.Table(f"{table}_v3", sa.MetaData(), *kept)
    old.create(conn)
    names = ", ".join(f'"{c.name}"' for c in kept)
    conn.exec_driver_sql(f"INSERT INTO {table}_v3 ({names}) SELECT {names} FROM {table}")
    conn.exec_driver_sql(f"DROP TABLE {table}")
    conn.exec_driver_sql(f"ALTER TABLE {table}_v3 RENAME TO {table}")


def _age_to_v3(path) -> None:
    """Make a cache look like one written before the CRM's step: v3, without its tables and columns."""
    engine = cache.connect(path)
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA legacy_alter_table = ON")  # the search view names these tables
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_activity_user_due")
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_party_owner")
        for table in _NEW_TABLES:
            conn.exec_driver_sql(f"DROP TABLE {table}")
        for table, columns in _ADDED.items():
            _rebuild_without(conn, table, columns)
        conn.exec_driver_sql("PRAGMA user_version = 3")
    engine.dispose()


def test_an_old_cache_gains_the_crm_fields_and_downloads_rows_again_keeping_its_outbox(make_client, tmp_path):
    boss = make_client("boss", role="manager")
    customer = str(new_id())
    boss.mutate("crm.customer.create", {"id": customer, "name": "青岛啤酒", "territory": "华北", "tags": ["饮料"]})
    boss.mutate("crm.opportunity.create", {"party_id": customer, "name": "年度供货", "amount": "10.00"})
    assert boss.sync().ok
    rep = make_client("rep1", cache="old.sqlite")
    assert rep.sync().ok
    rep.close()
    _age_to_v3(tmp_path / "old.sqlite")
    old = cache.connect(tmp_path / "old.sqlite")
    with old.begin() as conn:
        assert "territory" not in {c["name"] for c in sa.inspect(conn).get_columns("party")}
    old.dispose()

    rep = make_client("rep1", cache="old.sqlite", sign_in=False)
    assert rep.state("cursor") is None and rep.state("rebase_until_caught_up") is True
    assert rep.get("party", customer)["territory"] is None, "old rows lack the new fields until the resync"
    queued = rep.mutate("crm.activity.log", {"party_id": customer, "kind": "call", "subject": "回访",
                                             "occurred_at": _at(0)})
    rep.login("rep1", "correct horse")
    report = rep.sync()
    assert report.ok and report.snapshot_rows > 0 and report.rejected == 0
    assert rep.get("party", customer)["territory"] == "华北"
    assert [o["name"] for o in rep.rows("opportunity")] == ["年度供货"]
    assert queued and len(rep.rows("activity", party_id=customer)) == 1


def test_a_new_cache_is_already_current_and_the_crm_step_changes_nothing(tmp_path):
    engine = cache.open_cache(tmp_path / "new.sqlite")
    with engine.begin() as conn:
        cache.set_state(conn, "cursor", {"epoch": 1, "xact": 5, "seq": 0})
        cache.set_state(conn, "epoch", 1)
        cache.STEPS[3](conn)  # the CRM step again, on a cache made from the current schema
        assert cache.get_state(conn, "cursor") is not None
        assert cache.user_version(conn) == cache.VERSION
    engine.dispose()
