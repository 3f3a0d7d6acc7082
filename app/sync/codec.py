"""Rows between the wire's JSON and Python values, by column type (schema metadata).

On the wire (and in the shadow table): ids as strings, Money/Quantity as decimal strings,
instants as ISO-8601 with an offset, dates as YYYY-MM-DD, bools and nulls as themselves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from app.core.schema import Money, Quantity, UtcDateTime, metadata


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
