"""The bench dataset: the same seed gives the same rows, and the rows are valid for the tenant
schema (COPY checks every NOT NULL and CHECK constraint) and reach sync like any other write."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import psycopg
import pytest
import sqlalchemy as sa

from app.core.pinyin import pinyin_keys

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def dataset() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_dataset", BENCH / "dataset.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def _materialize(dataset: ModuleType, **kw) -> dict[str, list[dict]]:
    return {table: list(rows) for table, rows in dataset.generate(dataset.DatasetSpec(**kw))}


def test_same_seed_gives_the_same_rows_and_another_seed_other_rows(dataset):
    first = _materialize(dataset, customers=30, seed=7)
    again = _materialize(dataset, customers=30, seed=7)
    other = _materialize(dataset, customers=30, seed=8)
    assert first == again
    assert first["party"] != other["party"]
    assert {t: len(rows) for t, rows in first.items()} == {"party": 30, "contact": 60, "activity": 30}


def test_names_carry_the_apps_own_pinyin_keys_and_children_point_at_their_customers(dataset):
    rows = _materialize(dataset, customers=40, contacts_per=3, activities_per=2, seed=3)
    parties = {p["id"]: p for p in rows["party"]}
    assert any(not p["name"].isascii() for p in parties.values()), "Chinese names expected"
    for p in parties.values():
        assert (p["name_pinyin"], p["name_initials"]) == pinyin_keys(p["name"])
    contacts = {c["id"]: c for c in rows["contact"]}
    assert all(c["party_id"] in parties and c["name_pinyin"] == pinyin_keys(c["name"])[0] for c in contacts.values())
    for a in rows["activity"]:
        assert a["party_id"] in parties
        assert a["contact_id"] is None or contacts[a["contact_id"]]["party_id"] == a["party_id"]


def test_loaded_rows_are_valid_and_logged_as_changes(dataset, cluster, tenant, add_user):
    add_user(tenant, "rep1", "sales_rep")
    url = cluster.database_url(tenant.dbname).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        counts = dataset.load(conn, dataset.DatasetSpec(customers=25, contacts_per=2, activities_per=2))
    assert counts == {"party": 25, "contact": 50, "activity": 50}
    with cluster.tenant_engine(tenant).connect() as conn:
        logged = dict(conn.execute(sa.text("SELECT tbl, count(*) FROM sync_change GROUP BY tbl")).all())
        owners = conn.execute(sa.text("SELECT count(DISTINCT owner_id) FROM party")).scalar_one()
    assert {t: logged.get(t) for t in counts} == counts
    assert owners == 1, "every customer belongs to the tenant's one rep"
