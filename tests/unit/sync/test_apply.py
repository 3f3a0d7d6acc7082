"""Pulled pages written into a real SQLite cache in runs of multi-row statements: the rows, their
order, deletes, and the search index the triggers keep must come out as if written one by one."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.core.protocol import PushOut
from app.core.schema import metadata
from app.sync import apply, cache
from app.sync.apply import apply_pages, store_push_results
from app.sync.codec import decode_row
from app.sync.outbox import put_row, record
from app.sync.search import search

NOW = dt.datetime(2026, 5, 1, tzinfo=dt.UTC).isoformat(timespec="microseconds")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    engine = cache.open_cache(tmp_path / "cache.sqlite")
    yield engine
    engine.dispose()


def party(name: str, pinyin: str, initials: str, **fields: Any) -> dict[str, Any]:
    """A party row as the server sends it: every column, values in wire form."""
    row: dict[str, Any] = {c.name: None for c in metadata.tables["party"].columns}
    row.update({"id": str(uuid.uuid4()), "version": 1, "created_at": NOW, "updated_at": NOW, "archived": False,
                "kind": "company", "name": name, "name_pinyin": pinyin, "name_initials": initials,
                "is_customer": True, "is_supplier": False, "status": "active", "tags": "", "credit_limit": "0.00"})
    row.update(fields)
    return row


def put(row: dict[str, Any]) -> dict[str, Any]:
    return {"t": "party", "op": "upsert", "id": row["id"], "row": row}


def gone(row_id: str) -> dict[str, Any]:
    return {"t": "party", "op": "delete", "id": row_id, "row": None}


def page(changes: list[dict[str, Any]], xact: int) -> dict[str, Any]:
    return {"changes": changes, "cursor": {"epoch": 1, "xact": xact, "seq": 0}, "has_more": False}


def pull(db: Engine, *pages: dict[str, Any]) -> apply.Applied:
    with db.begin() as conn:
        return apply_pages(conn, list(pages), None)


def cached(conn: Connection) -> dict[str, dict[str, Any]]:
    rows = conn.execute(sa.select(metadata.tables["party"])).mappings()
    return {r["id"].hex: dict(r) for r in rows}


def index_matches_rows(conn: Connection) -> bool:
    """search_entry holds exactly what search_source gives, and FTS5 agrees with search_entry."""
    entries = conn.exec_driver_sql("SELECT kind, row_id, name, pinyin, initials, code, phone, email, city "
                                   "FROM search_entry ORDER BY row_id").all()
    source = conn.exec_driver_sql("SELECT * FROM search_source ORDER BY row_id").all()
    conn.exec_driver_sql("INSERT INTO search_fts (search_fts, rank) VALUES ('integrity-check', 1)")  # raises
    return [tuple(e) for e in entries] == [tuple(s) for s in source]


def test_puts_and_deletes_land_in_order_and_the_index_follows(db: Engine) -> None:
    shop = party("上海华联超市", "shanghaihualianchaoshi", "shhlcs", phone="021-6543 2100")
    deco = party("张伟装饰", "zhangweizhuangshi", "zwzs")
    farm = party("杭州娃哈哈", "hangzhouwahaha", "hzwhh")
    pull(db, page([put(shop), put(deco), put(farm)], 10))
    renamed = {**deco, "name": "李娜家居", "name_pinyin": "linajiaju", "name_initials": "ljj", "version": 2}
    noted = {**shop, "notes": "回访", "version": 2}
    done = pull(db, page([put(noted), put(deco), put(renamed), gone(farm["id"]), put(farm), gone(farm["id"])], 11))
    assert done.changes == 6
    assert done.touched == {"party": {shop["id"], deco["id"], farm["id"]}}
    with db.begin() as conn:
        rows = cached(conn)
        assert set(rows) == {uuid.UUID(shop["id"]).hex, uuid.UUID(deco["id"]).hex}  # the last word on farm: gone
        assert rows[uuid.UUID(deco["id"]).hex] == decode_row("party", renamed)  # the later put of deco wins
        assert rows[uuid.UUID(shop["id"]).hex]["notes"] == "回访"
        assert index_matches_rows(conn)
        assert [h.title for h in search(conn, "ljj")] == ["李娜家居"]
        assert search(conn, "张伟") == [] and search(conn, "娃哈哈") == []
        assert [h.title for h in search(conn, "65432100")] == ["上海华联超市"]
        assert cache.get_state(conn, "cursor") == {"epoch": 1, "xact": 11, "seq": 0}


def test_runs_longer_than_one_statement_write_every_row(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apply, "ROWS_PER_STATEMENT", 7)
    rows = [party(f"深圳腾飞{i}号店", f"shenzhentengfei{i}haodian", f"sztf{i}hd") for i in range(50)]
    pull(db, page([put(r) for r in rows], 10))
    renamed = [{**r, "name": r["name"].replace("腾飞", "华强"), "version": 2} for r in rows[:23]]
    pull(db, page([put(r) for r in renamed] + [gone(r["id"]) for r in rows[30:]], 11))
    with db.begin() as conn:
        assert cached(conn) == {uuid.UUID(r["id"]).hex: decode_row("party", r) for r in renamed + rows[23:30]}
        assert index_matches_rows(conn)
        assert len(search(conn, "华强", limit=100)) == 23
        assert len(search(conn, "腾飞", limit=100)) == 7


def test_a_row_lacking_a_column_is_written_with_the_column_default(db: Engine) -> None:
    """An older server does not send a column this program has: the column's default fills it."""
    old = party("北京王府井百货", "beijingwangfujingbaihuo", "bjwfjbh")
    del old["tags"]
    new = party("天津劝业场", "tianjinquanyechang", "tjqyc")
    pull(db, page([put(new), put(old)], 10))
    with db.begin() as conn:
        rows = cached(conn)
        assert rows[uuid.UUID(old["id"]).hex]["tags"] == ""
        assert rows[uuid.UUID(new["id"]).hex] == decode_row("party", new)
        assert index_matches_rows(conn)


def test_multi_row_writes_equal_row_by_row_writes(tmp_path: Path) -> None:
    rows = [party(f"广州白云{i}号仓", f"guangzhoubaiyun{i}haocang", f"gzby{i}hc", phone=f"020-{i:04d}")
            for i in range(30)]
    pulled = cache.open_cache(tmp_path / "pulled.sqlite")
    one_by_one = cache.open_cache(tmp_path / "one.sqlite")
    with pulled.begin() as conn:
        apply_pages(conn, [page([put(r) for r in rows], 10)], None)
    with one_by_one.begin() as conn:
        for r in rows:
            put_row(conn, "party", decode_row("party", r))
    query = "SELECT * FROM party ORDER BY id"
    entries = "SELECT kind, row_id, name, pinyin, initials, code, phone, email, city FROM search_entry ORDER BY row_id"
    with pulled.begin() as a, one_by_one.begin() as b:
        assert a.exec_driver_sql(query).all() == b.exec_driver_sql(query).all()
        assert a.exec_driver_sql(entries).all() == b.exec_driver_sql(entries).all()
    pulled.dispose()
    one_by_one.dispose()


def test_a_push_answer_settles_rejects_and_records_conflicts_once(tmp_path: Path) -> None:
    engine = cache.open_cache(tmp_path / "cache.sqlite")
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    with engine.begin() as conn:
        for n, row_id in enumerate(ids):
            record(conn, None, now, "crm.customer.create", {"id": row_id, "name": f"客户{n}"}, 1)
    conflict = {"table": "party", "row_id": ids[2], "field": "credit_limit", "base": "1", "mine": "2", "theirs": "3"}
    out = PushOut.model_validate({"last_mutation_id": 3, "results": [
        {"id": 1, "status": "applied", "checkpoint": 40},
        {"id": 2, "status": "rejected", "error": {"code": "crm.not_yours", "message": "不是你的客户"}},
        {"id": 3, "status": "conflict", "checkpoint": 41, "conflicts": [conflict]},
        {"id": 3, "status": "conflict", "checkpoint": 41, "conflicts": [conflict]},  # the same answer again
        {"id": 9, "status": "applied", "checkpoint": 42},  # not (or no longer) queued here
    ]})
    with engine.begin() as conn:
        done = store_push_results(conn, out, None)
        assert (done.applied, done.rejected, done.conflicts) == (2, 1, 1)
        outbox = conn.exec_driver_sql("SELECT id, state, checkpoint FROM outbox ORDER BY id").all()
        assert [tuple(r) for r in outbox] == [(1, "done", 40), (3, "done", 41)]
        rejected = conn.exec_driver_sql("SELECT mutation_id, name, code FROM rejected").all()
        assert [tuple(r) for r in rejected] == [(2, "crm.customer.create", "crm.not_yours")]
        assert conn.exec_driver_sql("SELECT count(*) FROM conflict").scalar_one() == 1
        # the rejected create's row is gone from the cache after the rebase; the others stay
        assert set(cached(conn)) == {uuid.UUID(ids[0]).hex, uuid.UUID(ids[2]).hex}
    with engine.begin() as conn:  # a resent batch's answer changes nothing
        again = store_push_results(conn, out, None)
        assert (again.applied, again.rejected, again.conflicts) == (0, 0, 0)
    engine.dispose()
