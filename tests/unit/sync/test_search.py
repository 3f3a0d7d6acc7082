"""The global search over a real SQLite cache, with rows written the way the sync writes them:
local mutations, pulled pages (INSERT OR REPLACE) and a snapshot bootstrap."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa

from app.core.schema import metadata
from app.sync import SyncClient, cache
from app.sync.bootstrap import apply_snapshot
from app.sync.outbox import put_row
from app.sync.search import Hit, search

#: the client never goes online in these tests: nothing listens here
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[SyncClient]:
    with httpx.Client(base_url=NOWHERE) as http, SyncClient.open(tmp_path / "cache.sqlite", NOWHERE, "acme",
                                                                 http=http) as c:
        yield c


def find(client: SyncClient, text: str) -> list[Hit]:
    with cache.reading(client.db) as conn:
        return search(conn, text)


def titles(client: SyncClient, text: str) -> list[str]:
    return [h.title for h in find(client, text)]


def customer(client: SyncClient, name: str, **fields: Any) -> str:
    row_id = str(uuid.uuid4())
    client.mutate("crm.customer.create", {"id": row_id, "name": name, **fields})
    return row_id


def contact(client: SyncClient, party_id: str, name: str, **fields: Any) -> str:
    row_id = str(uuid.uuid4())
    client.mutate("crm.contact.create", {"id": row_id, "party_id": party_id, "name": name, **fields})
    return row_id


@pytest.fixture
def crm(client: SyncClient) -> dict[str, str]:
    shop = customer(client, "上海华联超市", phone="021-6543 2100", city="上海", email="Info@HuaLian.cn")
    deco = customer(client, "张伟装饰", phone="138-1234-5678")
    zhang = contact(client, shop, "张伟", phone="139 0000 1111", email="zhangwei@hualian.cn")
    smith = contact(client, shop, "John Smith", email="john@acme.com")
    customer(client, "北京王府井百货")
    return {"shop": shop, "deco": deco, "zhang": zhang, "smith": smith}


@pytest.mark.parametrize("query", ["zw", "zhangwei", "zhangw", "张", "张伟", "ZW", "zhang wei", "ｚｗ"])
def test_zhang_wei_is_found_by_name_pinyin_and_initials(client: SyncClient, crm: dict[str, str], query: str) -> None:
    hits = find(client, query)
    assert ("contact", crm["zhang"]) in [(h.kind, h.row_id) for h in hits]
    assert all(h.title.startswith("张伟") for h in hits)


def test_a_two_character_chinese_substring_finds_the_customer(client: SyncClient, crm: dict[str, str]) -> None:
    hits = find(client, "华联")
    assert [(h.kind, h.row_id, h.title) for h in hits] == [("customer", crm["shop"], "上海华联超市")]


def test_substrings_of_three_or_more_characters_match_anywhere(client: SyncClient, crm: dict[str, str]) -> None:
    assert titles(client, "华联超市") == ["上海华联超市"]
    assert titles(client, "王府井") == ["北京王府井百货"]
    assert titles(client, "haihualian") == ["上海华联超市"]  # inside the full pinyin
    assert titles(client, "mith") == ["John Smith"]


def test_phone_digits_find_the_number_however_it_was_written(client: SyncClient, crm: dict[str, str]) -> None:
    assert titles(client, "13812345678") == ["张伟装饰"]
    assert titles(client, "138 1234") == ["张伟装饰"]
    assert titles(client, "5678") == ["张伟装饰"]
    assert titles(client, "1390000") == ["张伟"]


def test_email_code_and_city_are_searched(client: SyncClient, crm: dict[str, str]) -> None:
    assert titles(client, "john@acme") == ["John Smith"]
    assert titles(client, "info@hualian.cn") == ["上海华联超市"]
    assert "上海华联超市" in titles(client, "上海")


def test_whole_and_prefix_matches_rank_before_substrings(client: SyncClient) -> None:
    inside = customer(client, "阿里张伟科技")
    starts = customer(client, "张伟建材")
    whole = customer(client, "张伟")
    assert [h.row_id for h in find(client, "张伟")] == [whole, starts, inside]


def test_a_hit_shows_where_the_contact_works(client: SyncClient, crm: dict[str, str]) -> None:
    (hit,) = [h for h in find(client, "John") if h.kind == "contact"]
    assert hit.detail == "上海华联超市 · john@acme.com"


def test_renaming_a_customer_updates_the_index(client: SyncClient, crm: dict[str, str]) -> None:
    client.mutate("crm.customer.update", {"id": crm["deco"], "name": {"base": "张伟装饰", "new": "李娜家居"}})
    assert "张伟装饰" not in titles(client, "张伟")
    assert titles(client, "ln") == ["李娜家居"]
    assert titles(client, "jiaju") == ["李娜家居"]


def test_archiving_removes_the_hit_and_restoring_brings_it_back(client: SyncClient, crm: dict[str, str]) -> None:
    client.mutate("crm.customer.archive", {"id": crm["deco"]})
    assert titles(client, "张伟装饰") == []
    client.mutate("crm.customer.archive", {"id": crm["deco"], "archived": False})
    assert titles(client, "张伟装饰") == ["张伟装饰"]


def test_contacts_of_an_archived_customer_are_not_offered(client: SyncClient, crm: dict[str, str]) -> None:
    client.mutate("crm.customer.archive", {"id": crm["shop"]})
    assert "John Smith" not in titles(client, "john")


def test_products_are_found_by_name_initials_and_sku(client: SyncClient) -> None:
    product = str(uuid.uuid4())
    client.mutate("erp.product.create", {"id": product, "sku": "HG-001", "name": "火锅底料"})
    for query in ("火锅", "底", "hgdl", "huoguo", "hg-0"):
        assert [(h.kind, h.row_id) for h in find(client, query)] == [("product", product)], query
    assert find(client, "hg-0")[0].detail == "HG-001 · pcs"


def test_contacts_are_found_by_their_initials(client: SyncClient, crm: dict[str, str]) -> None:
    assert crm["zhang"] in [h.row_id for h in find(client, "zw")]


def test_the_code_the_server_gave_a_customer_is_searched(client: SyncClient, crm: dict[str, str]) -> None:
    with client.db.begin() as conn:  # codes come from the server: as a pulled page writes them
        row = client.get("party", crm["shop"])
        assert row is not None
        put_row(conn, "party", {**row, "code": "C-0001"})
    assert titles(client, "c-0001") == ["上海华联超市"]
    assert titles(client, "C-") == ["上海华联超市"]
    assert find(client, "c-00")[0].detail == "C-0001 · 上海 · 021-6543 2100"


def test_a_pulled_row_replaces_its_entry_and_a_pulled_delete_removes_it(client: SyncClient) -> None:
    row_id = uuid.uuid4()
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    row = {"id": row_id, "name": "杭州娃哈哈", "name_pinyin": "hangzhouwahaha", "name_initials": "hzwhh",
           "created_at": now, "updated_at": now, "version": 1}
    with client.db.begin() as conn:
        put_row(conn, "party", row)
        put_row(conn, "party", {**row, "name": "杭州农夫山泉", "name_pinyin": "hangzhounongfushanquan",
                                "name_initials": "hznfsq", "version": 2})
    assert titles(client, "hz") == ["杭州农夫山泉"]
    with client.db.begin() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM search_entry")).scalar_one() == 1
        conn.execute(sa.delete(metadata.tables["party"]))
    assert titles(client, "hz") == []


def test_a_snapshot_bootstrap_indexes_every_row_in_bulk(client: SyncClient, crm: dict[str, str]) -> None:
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC).isoformat()
    rows = [{"id": uuid.uuid4().hex, "name": f"深圳腾飞{i}号店", "name_pinyin": f"shenzhentengfei{i}haodian",
             "name_initials": f"sztf{i}hd", "created_at": now, "updated_at": now, "version": 1} for i in range(3)]
    lines = [orjson.dumps({"counts": {"party": 3}, "cursor": {"epoch": "e", "xact": 10}, "epoch": "e"})]
    lines += [orjson.dumps({"t": "party", "row": r}) for r in rows] + [orjson.dumps({"end": True, "rows": 3})]
    with client.db.begin() as conn:
        apply_snapshot(conn, iter(lines), None)
    assert sorted(titles(client, "腾飞")) == ["深圳腾飞0号店", "深圳腾飞1号店", "深圳腾飞2号店"]
    # customers created here and not yet sent are written again on top of the snapshot (rebase)
    assert titles(client, "张伟装饰") == ["张伟装饰"]
    # after the bulk fill the triggers run again
    customer(client, "深圳腾飞总店")
    assert len(titles(client, "腾飞")) == 4


@pytest.mark.parametrize("query", [
    '"', '""', "*", "zw*", "-", "- zw", "a AND b", "OR", "NOT 张", "NEAR(a b)", "(", ")", "{name}:x", "name:张",
    "^", "^^", "'", "\\", "%", "_", "a:b", "张\"伟", "\x00", " ", "", "+138", "🙂", "​",
])
def test_fts_syntax_in_what_the_user_types_never_raises(client: SyncClient, crm: dict[str, str], query: str) -> None:
    assert isinstance(find(client, query), list)


def test_a_version_two_cache_upgraded_to_three_gets_its_rows_indexed(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    engine = cache.connect(path)
    cache.migrate(engine, target=2)
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        assert cache.user_version(conn) == 2
        party = metadata.tables["party"]
        conn.execute(sa.insert(party).values(id=uuid.uuid4(), name="张伟装饰", name_pinyin="zhangweizhuangshi",
                                             name_initials="zwzs", created_at=now, updated_at=now))
        conn.execute(sa.insert(party).values(id=uuid.uuid4(), name="旧客户", created_at=now, updated_at=now,
                                             archived=True))
        conn.execute(sa.insert(metadata.tables["contact"]), [
            {"id": uuid.uuid4(), "party_id": uuid.uuid4(), "name": "王芳", "created_at": now, "updated_at": now},
        ])
    engine.dispose()
    upgraded = cache.open_cache(path)
    try:
        with cache.reading(upgraded) as conn:
            assert cache.user_version(conn) == cache.VERSION
            assert [h.title for h in search(conn, "zw")] == ["张伟装饰"]
            assert search(conn, "旧客户") == []
            # an empty name_pinyin: pinyin and initials come from the characters
            assert [h.title for h in search(conn, "wf")] == ["王芳"]
            assert [h.title for h in search(conn, "wangfang")] == ["王芳"]
    finally:
        upgraded.dispose()


def test_the_limit_caps_the_hits(client: SyncClient) -> None:
    for i in range(12):
        customer(client, f"测试客户{i:02d}")
    with cache.reading(client.db) as conn:
        assert len(search(conn, "测试", limit=5)) == 5
        assert len(search(conn, "测试")) == 12


def test_a_scanned_barcode_finds_its_product_first_and_a_removed_one_nothing(client: SyncClient) -> None:
    product = str(uuid.uuid4())
    client.mutate("erp.product.create", {"id": product, "sku": "HG-002", "name": "番茄火锅底料",
                                         "barcodes": ["6901234567892"]})
    found = [(h.kind, h.row_id, h.title) for h in find(client, "6901234567892")]
    assert found == [("product", product, "番茄火锅底料")]
    client.mutate("erp.product.barcode.remove", {"barcode": "6901234567892"})
    assert find(client, "6901234567892") == []
