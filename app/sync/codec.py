"""Rows between the wire's JSON and Python values, by column type (schema metadata).

On the wire (and in the shadow table): ids as strings, Money/Quantity as decimal strings,
instants as ISO-8601 with an offset, dates as YYYY-MM-DD, bools and nulls as themselves.

`storage_row` goes from the wire straight to the values SQLite stores (what SQLAlchemy would bind
for the decoded row), so bulk writes skip building Python objects only to take them apart again.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from app.core.schema import Money, Quantity, UtcDateTime, metadata

#: the cache's dialect, for the bind processors of column types
_SQLITE = sqlite.dialect()
#: a UUID as Postgres and Python write it, and an instant as the server and the cache write it
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").fullmatch
_CANONICAL_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", re.ASCII).fullmatch


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _instant(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value[:10])


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _decoder(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, Money | Quantity):
        return _decimal
    if isinstance(kind, UtcDateTime):
        return _instant
    if isinstance(kind, sa.Uuid):
        return _uuid
    if isinstance(kind, sa.DateTime):
        return _instant
    if isinstance(kind, sa.Date):
        return _date
    if isinstance(kind, sa.Boolean):
        return bool
    if isinstance(kind, sa.Integer):
        return int
    return None


_DECODERS: dict[str, dict[str, Callable[[Any], Any] | None]] = {}


def _decoders(table: str) -> dict[str, Callable[[Any], Any] | None]:
    if table not in _DECODERS:
        _DECODERS[table] = {c.name: _decoder(c) for c in metadata.tables[table].columns}
    return _DECODERS[table]


def decode_row(table: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Python values for the columns of `table` found in `data` (unknown columns are ignored:
    a newer server may send more than this program knows)."""
    out: dict[str, Any] = {}
    for name, decode in _decoders(table).items():
        if name not in data:
            continue
        value = data[name]
        out[name] = value if value is None or decode is None else decode(value)
    return out


def _stored_uuid(value: Any) -> str:
    if type(value) is str and _CANONICAL_UUID(value):
        return value.replace("-", "")
    return _uuid(value).hex


def stored_id(value: Any) -> str:
    """A row id as the cache stores it (32 hex digits)."""
    return _stored_uuid(value)


_UTC_TEXT = UtcDateTime().dialect_impl(_SQLITE).bind_processor(_SQLITE)


def _stored_instant(value: Any) -> Any:
    if type(value) is str and _CANONICAL_UTC(value):
        dt.datetime.fromisoformat(value)  # a real date and time (raises like the slow path)
        return value  # already as UtcDateTime stores it: UTC, microseconds, "+00:00"
    assert _UTC_TEXT is not None
    return _UTC_TEXT(_instant(value))


def _encoder(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
    """Wire value (not None) → stored value; None when the wire value is stored as it is."""
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return _stored_instant
    if isinstance(kind, sa.Uuid):
        return _stored_uuid
    if isinstance(kind, sa.Boolean):
        return lambda value: 1 if value else 0
    decode = _decoder(column)
    bind = kind.dialect_impl(_SQLITE).bind_processor(_SQLITE)
    if decode is None:
        return bind
    if bind is None:
        return decode
    return lambda value: bind(decode(value))


class StorageRows:
    """The columns of one table and how a wire row becomes the tuple SQLite stores for them."""

    def __init__(self, table: str) -> None:
        columns = list(metadata.tables[table].columns)
        self.columns: tuple[str, ...] = tuple(c.name for c in columns)
        self._values = operator.itemgetter(*self.columns)  # raises KeyError for a missing column
        #: (position, encoder) of the columns whose wire value is not stored as it is
        self._encoded = tuple((i, f) for i, f in enumerate(_encoder(c) for c in columns) if f is not None)
        names = ", ".join(f'"{n}"' for n in self.columns)
        self._marks = f"({', '.join('?' * len(self.columns))})"
        self._head = f'INSERT INTO "{table}" ({names}) VALUES '
        self._replace_head = f'INSERT OR REPLACE INTO "{table}" ({names}) VALUES '
        #: INSERT of one row's every column
        self.insert_sql = self._head + self._marks

    def replace_sql(self, rows: int = 1) -> str:
        """INSERT OR REPLACE of `rows` rows' every column (pulled rows)."""
        return self._replace_head + ", ".join([self._marks] * rows)

    def encode(self, data: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The stored values of every column, in `columns` order; None when `data` lacks one of
        them (an older server's row: the caller writes it column by column instead)."""
        try:
            values = self._values(data)
        except KeyError:
            return None
        if len(self.columns) == 1:
            values = (values,)
        stored = list(values)
        for i, encode in self._encoded:
            if (value := stored[i]) is not None:
                stored[i] = encode(value)
        return tuple(stored)


_STORAGE: dict[str, StorageRows] = {}


def storage_rows(table: str) -> StorageRows:
    """The (cached) StorageRows of a synced table."""
    found = _STORAGE.get(table)
    if found is None:
        found = _STORAGE[table] = StorageRows(table)
    return found


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def dumps(value: Any) -> str:
    """JSON text of rows, args or conflict values (exact decimals as strings)."""
    # OPT_NON_STR_KEYS: column names from SQLAlchemy rows are str subclasses (quoted_name)
    return orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS).decode()


def loads(text: str | bytes | None) -> Any:
    return None if text is None else orjson.loads(text)
