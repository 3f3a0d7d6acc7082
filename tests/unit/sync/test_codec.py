"""Wire rows written straight in their stored form (bulk sync writes) must land exactly as the
same rows decoded to Python values and written through SQLAlchemy."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.core.schema import SYNCED_TABLES, metadata
from app.sync import cache
from app.sync.codec import decode_row, storage_rows, stored_id
from app.sync.outbox import put_row

PARTY = {
    "id": "0190a5c2-7b1e-7c3d-9e4f-123456789abc", "version": 3,
    "created_at": "2025-03-04T05:06:07.123456+00:00", "updated_at": "2025-03-04T05:06:07.123456+00:00",
    "updated_by": None, "archived": False, "code": "C0000001", "kind": "company", "name": "上海华联贸易有限公司",
    "name_pinyin": "shanghaihualian", "name_initials": "shhl", "is_customer": True, "is_supplier": False,
    "status": "active", "tier": "A", "owner_id": None, "phone": "138-1234 5678", "email": None, "city": "上海",
    "credit_limit": "12345.67", "notes": "回访", "merged_into": None, "tags": "|vip|",
}
#: wire values a canonical-form shortcut must not take as they are
ODD = {
    "id": "0190A5C2-7B1E-7C3D-9E4F-123456789ABC",  # upper case
    "owner_id": "{0190a5c2-7b1e-7c3d-9e4f-123456789abd}",
    "created_at": "2025-03-04T13:06:07+08:00",  # another offset, no microseconds
    "updated_at": "2025-03-04T05:06:07+00:00",  # no microseconds
    "credit_limit": "0.5",
    "archived": 1, "is_customer": 0,
}


def _cache(path: Path) -> sqlite3.Connection:
    cache.open_cache(path).dispose()
    return sqlite3.connect(path)


def _full_row(table: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with every other column of `table` null (as the server sends every column)."""
    return {c.name: data.get(c.name) for c in metadata.tables[table].columns}


@pytest.mark.parametrize("data", [PARTY, {**PARTY, **ODD}], ids=["canonical", "odd"])
def test_stored_form_equals_what_sqlalchemy_writes_for_the_decoded_row(tmp_path: Path, data: dict[str, Any]) -> None:
    row = _full_row("party", data)
    engine = cache.open_cache(tmp_path / "orm.sqlite")
    with engine.begin() as conn:
        put_row(conn, "party", decode_row("party", row))
    engine.dispose()
    storage = storage_rows("party")
    stored = storage.encode(row)
    assert stored is not None
    fast = _cache(tmp_path / "fast.sqlite")
    with fast:
        fast.execute(storage.replace_sql(), stored)
    orm = sqlite3.connect(tmp_path / "orm.sqlite")
    query = f'SELECT {", ".join(storage.columns)} FROM party'
    assert fast.execute(query).fetchall() == orm.execute(query).fetchall()
    # and the row reads back as the same Python values
    engine = cache.connect(tmp_path / "fast.sqlite")
    with engine.connect() as conn:
        back = dict(conn.execute(sa.select(metadata.tables["party"])).mappings().one())
    engine.dispose()
    assert back == decode_row("party", row)


def test_every_synced_table_has_a_stored_form_of_every_column() -> None:
    for table in SYNCED_TABLES:
        storage = storage_rows(table)
        assert storage.columns == tuple(c.name for c in metadata.tables[table].columns)
        assert storage.encode(_full_row(table, {})) == (None,) * len(storage.columns)


def test_a_row_lacking_a_column_has_no_stored_form() -> None:
    row = _full_row("party", PARTY)
    del row["notes"]
    assert storage_rows("party").encode(row) is None


@pytest.mark.parametrize("bad", [
    {"id": "not-a-uuid"}, {"created_at": "2025-13-04T05:06:07.123456+00:00"},
    {"created_at": "2025-03-04T05:06:07.123456"}, {"credit_limit": "1.234"},
])
def test_a_value_the_column_cannot_hold_raises(bad: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError, ArithmeticError)):
        storage_rows("party").encode(_full_row("party", {**PARTY, **bad}))


def test_stored_id_is_the_hex_of_the_uuid() -> None:
    value = uuid.uuid4()
    assert stored_id(str(value)) == value.hex
    assert stored_id(str(value).upper()) == value.hex
    assert stored_id(value) == value.hex
