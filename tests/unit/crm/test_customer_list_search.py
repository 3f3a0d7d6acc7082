"""The customer list's text filter on a real client cache: narrowed by the search index
(app.sync.list_search) it lets through exactly the customers a row-by-row check does, and both
agree with the filter's meaning written out in Python, for short and long, Chinese, Latin,
initials, phone and code text, mixed with other filters; the list reads its own index in order."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app.core.pinyin import pinyin_keys
from app.core.schema import party, party_share
from app.crm.customer_list import CustomerFilter, customer_ids, customer_query
from app.sync import cache
from app.sync.list_search import customer_candidates

NOW = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
REP = uuid.UUID(int=7)
OTHER = uuid.UUID(int=8)
CITIES = ("上海", "北京", "杭州", "深圳", "苏州", "Shanghai", "Hangzhou")
WORDS = ("华联", "宏达", "科技", "贸易", "有限公司", "电子", "张伟", "建材", "山河", "商行", "沙")
LATIN = ("Acme", "Trading", "Ltd", "Shah", "Marsh", "Zhang Wei", "Sharp", "Co.", "ZW Group", "s&h")


def _row(name: str, **values: Any) -> dict[str, Any]:
    full, initials = pinyin_keys(name)
    return {"id": uuid.uuid4(), "created_at": NOW, "updated_at": NOW, "name": name, "name_pinyin": full,
            "name_initials": initials, "code": None, "phone": None, "phone2": None, "owner_id": None,
            "tier": None, "city": None, "archived": False, "is_customer": True, "is_supplier": False, **values}


def _generated(rng: random.Random, n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        if rng.random() < 0.3:
            name = " ".join(rng.sample(LATIN, rng.randint(1, 3)))
        else:
            name = rng.choice(CITIES[:5]) + "".join(rng.sample(WORDS, rng.randint(1, 3)))
            if rng.random() < 0.1:
                name += rng.choice(("ABC", "sh", "Z"))
        phone = f"1{rng.choice('3578')}{rng.randint(0, 10**9 - 1):09d}"
        if rng.random() < 0.3:
            phone = f"{phone[:3]}-{phone[3:7]} {phone[7:]}"
        rows.append(_row(name, code=f"C{i:05d}" if rng.random() < 0.9 else None, phone=phone,
                         phone2=f"021-{rng.randint(0, 10**8 - 1):08d}" if rng.random() < 0.05 else None,
                         owner_id=rng.choice((REP, OTHER, None)), tier=rng.choice(("A", "B", None)),
                         city=rng.choice(CITIES), archived=rng.random() < 0.05, is_customer=rng.random() < 0.97,
                         is_supplier=rng.random() < 0.1))
    return rows


#: rows each made to catch one way the index could miss or add a customer
EDGES = [
    _row("上海华联超市", code="沪A-001", phone="021-6543 2100"),
    _row("张伟贸易有限公司", code="C-002", phone="138 0000 1111"),
    _row("Acme Trading", code="ac-9", phone2="(0571) 8888-1234"),
    _row("上海ABC贸易", code="SH-01"),
    _row("大写拼音", name_pinyin="DAXIEPINYIN", name_initials="DXPY"),
    _row("无拼音", name_pinyin="", name_initials=""),
    _row("100% 纯_棉", code="X_1"),
    _row('引号"公司"', code='Q"1'),
    _row("ＺＷ全角", code="ＦＷ-1"),
    _row("Ébène Café", code="É-1"),
    _row("归档的上海华联", archived=True, phone="13812345678"),
    _row("只是供应商华联", is_customer=False),
    _row("Shah & Co", owner_id=REP, tier="A"),
]

QUERIES = [
    "上", "上海", "上海华", "华联", "联", "海华联超", "沪", "沪A", "沪a-0", "sh", "s", "sha", "shan", "shanghai",
    "shhl",
    "zw", "ZW", "zhang wei", "zhangw", "z", "cm", "cme", "acme tr", "ac-", "c-0", "c00", "C0001", "c", "0", "00",
    "1381", "138 0000", "6543", "0571 8888", "8888-1234", "21-65", "上海a", "上海abc", "abc", "a", "dxpy", "daxie",
    "da", "wupinyin", "wu", "无", "100%", "%", "_", "纯_棉", "x_", '"', '引号"', "ｚｗ", "ＦＷ", "é", "ébè", "café",
    "华联超市", "archived", "归档", "供应商", "shah & co", "& c", " sh ", "海 华",
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = cache.open_cache(Path(tmp_path_factory.mktemp("list")) / "cache.sqlite")
    with engine.begin() as conn:  # the triggers index every row as it is written
        conn.execute(sa.insert(party), _generated(random.Random(7), 600) + EDGES)
        shared = conn.execute(sa.select(party.c.id).where(party.c.owner_id == OTHER).limit(20)).scalars().all()
        conn.execute(sa.insert(party_share), [{"id": uuid.uuid4(), "created_at": NOW, "updated_at": NOW,
                                               "party_id": pid, "user_id": REP} for pid in shared])
    yield engine
    engine.dispose()


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


def _meaning(row: Any, text: str) -> bool:
    """The filter's meaning, written out: name or code contains the text, pinyin (spaces dropped)
    or initials start with it, or the phone numbers' digits contain its 3+ digits; letters match
    in either case (ASCII, as SQLite's LIKE)."""
    words = text.strip().lower()
    digits = "".join(c for c in words if c.isdigit())

    def inside(value: str | None) -> bool:
        return value is not None and _ascii_lower(words) in _ascii_lower(value)

    def starts(value: str, prefix: str) -> bool:
        return _ascii_lower(value).startswith(_ascii_lower(prefix))

    def phone(value: str | None) -> bool:
        return value is not None and digits in "".join(c for c in value if c not in " -+().\\/")

    return (inside(row.name) or inside(row.code) or starts(row.name_pinyin, words.replace(" ", ""))
            or starts(row.name_initials, words) or (len(digits) >= 3 and (phone(row.phone) or phone(row.phone2))))


def _both(db: Engine, **f: Any) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """(through the index, row by row) for the same filter."""
    wanted = CustomerFilter(**f)
    with cache.reading(db) as conn:
        return (customer_ids(conn, wanted, REP, NOW, text_index=customer_candidates),
                customer_ids(conn, wanted, REP, NOW))


@pytest.mark.parametrize("text", QUERIES)
def test_the_index_lets_through_exactly_what_the_filter_means(db: Engine, text: str) -> None:
    indexed, scanned = _both(db, text=text)
    assert indexed == scanned
    with cache.reading(db) as conn:
        rows = conn.execute(sa.select(party).where(party.c.is_customer.is_(True), party.c.archived.is_(False))).all()
    assert set(indexed) == {r.id for r in rows if _meaning(r, text)}


@pytest.mark.parametrize("text", ["华联", "sh", "sha", "1381", "c0001", "沪"])
@pytest.mark.parametrize("others", [{"mine": True}, {"tiers": ["A"]}, {"include_archived": True},
                                    {"cities": ["上海"], "descending": True}, {"unowned": True, "sort": "code"}])
def test_mixed_with_other_filters_the_same_customers_in_the_same_order(db: Engine, text: str,
                                                                       others: dict[str, Any]) -> None:
    indexed, scanned = _both(db, text=text, **others)
    assert indexed == scanned


def test_what_each_kind_of_text_finds(db: Engine) -> None:
    def names(text: str, **f: Any) -> list[str]:
        with cache.reading(db) as conn:
            ids = customer_ids(conn, CustomerFilter(text=text, **f), REP, NOW, text_index=customer_candidates)
            found = dict(conn.execute(sa.select(party.c.id, party.c.name).where(party.c.id.in_(ids))).all())
        return [found[i] for i in ids]

    assert "上海华联超市" in names("华联")  # two Chinese characters inside the name
    assert "上海华联超市" in names("联")
    assert "上海华联超市" in names("shhl")  # initials
    assert "张伟贸易有限公司" in names("zw")
    assert "张伟贸易有限公司" in names("0000 1111")  # phone digits, however written
    assert names("0571 8888") == ["Acme Trading"]  # the second phone number
    assert names("沪a") == ["上海华联超市"]  # a code holding a Chinese character
    assert "Acme Trading" in names("cm") and "Acme Trading" in names("cme")  # inside a Latin name
    assert "上海ABC贸易" in names("abc")  # Latin inside a Chinese name
    assert names("daxie") == ["大写拼音"]  # pinyin in capitals still starts with it
    assert names("%") == ["100% 纯_棉"] and names("_") == ["100% 纯_棉"]  # no wildcards
    assert names('"') == ['引号"公司"']
    assert "归档的上海华联" not in names("华联")
    assert "归档的上海华联" in names("华联", include_archived=True)
    assert "只是供应商华联" not in names("华联")
    assert names("shah & co", mine=True, tiers=["A"]) == ["Shah & Co"]
    assert names("shah & co", mine=True, tiers=["B"]) == []


def test_descending_is_the_ascending_list_reversed(db: Engine) -> None:
    up, _ = _both(db)
    down, _ = _both(db, descending=True)
    assert down == up[::-1]
    up, _ = _both(db, text="sh")
    down, _ = _both(db, text="sh", descending=True)
    assert down == up[::-1]


def _plan(db: Engine, text: str) -> str:
    query = customer_query(CustomerFilter(text=text), REP, NOW, text_index=customer_candidates)
    with cache.reading(db) as conn:
        compiled = query.compile(dialect=conn.dialect)
        params = [compiled.construct_params()[k] for k in compiled.positiontup or ()]
        raw = conn.connection.driver_connection
        assert raw is not None
        return " / ".join(r[3] for r in raw.execute(f"EXPLAIN QUERY PLAN {compiled.string}", params))


def test_the_list_reads_its_index_in_order_and_the_search_index_for_longer_text(db: Engine) -> None:
    assert _plan(db, "") == "SCAN party USING COVERING INDEX ix_party_list"  # no table row, no sort
    assert _plan(db, "sh") == "SCAN party USING COVERING INDEX ix_party_list"
    narrowed = _plan(db, "sha")
    assert "SCAN party " not in narrowed
    for index in ("search_fts", "ix_party_pinyin_nocase (name_pinyin>? AND name_pinyin<?)",
                  "ix_party_initials_nocase (name_initials>? AND name_initials<?)"):
        assert index in narrowed
    assert "ix_party_code_han" in _plan(db, "上海")
    assert "ix_party_phone2" in _plan(db, "1381")


def test_a_cache_made_before_the_list_indexes_gets_them(tmp_path: Path) -> None:
    engine = cache.connect(tmp_path / "old.sqlite")
    cache.migrate(engine, target=4)
    cache.migrate(engine)
    with engine.connect() as conn:
        names = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'").scalars())
    engine.dispose()
    assert {"ix_party_list", "ix_party_pinyin_nocase", "ix_party_initials_nocase", "ix_party_code_han",
            "ix_party_phone2"} <= names


def test_a_snapshot_builds_the_list_indexes_once_after_its_rows(tmp_path: Path) -> None:
    engine = cache.open_cache(tmp_path / "snapshot.sqlite")
    with engine.begin() as conn:
        cache.pause_search(conn)  # as a snapshot starts: no index kept in order row by row
        assert not conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name = 'ix_party_list'").all()
        conn.execute(sa.insert(party), EDGES)
        cache.reindex_search(conn)
    with cache.reading(engine) as conn:
        ids = customer_ids(conn, CustomerFilter(text="华联"), REP, NOW, text_index=customer_candidates)
        assert len(ids) == 1 and _plan(engine, "") == "SCAN party USING COVERING INDEX ix_party_list"
    engine.dispose()
