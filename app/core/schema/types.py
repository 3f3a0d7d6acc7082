"""Column types that keep values exact on both engines (DESIGN §2).

* ``Money`` / ``Quantity``: NUMERIC on Postgres; on SQLite integer cents / integer ×10⁴, because
  SQLAlchemy's Numeric is stored as REAL there and SQL sums would drift.
* ``UtcDateTime``: timestamptz on Postgres; on SQLite an ISO-8601 UTC string (sortable), read
  back timezone-aware. Naive datetimes are refused on write.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from app.core.money import AMOUNT_PLACES, QUANTITY_PLACES, from_scaled_int, scaled_int, to_decimal

#: NUMERIC(18, places) holds fewer than 18 digits; the same limit on SQLite's 64-bit integers
_MAX_SCALED = 10**18 - 1
#: SQL arithmetic whose result on SQLite's scaled integers would not match Postgres
_SCALING_OPS: set[Callable[..., Any]] = {operator.mul, operator.truediv, operator.floordiv, operator.mod}


class _ScaledDecimal(TypeDecorator[Decimal]):
    impl = sa.Numeric
    cache_ok = True
    places: int = 2

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(18, self.places))

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        # `amount * 2` must bind 2, not 2.00 as 200 cents on SQLite; a Decimal factor or a division
        # cannot stay exact on SQLite's integers, so do that in Python (money.line_amount)
        if op in _SCALING_OPS:
            if op is operator.mul and isinstance(value, int) and not isinstance(value, bool):
                return sa.Integer()
            raise TypeError(
                f"{type(self).__name__} supports only multiplication by an int in SQL; "
                "compute other products and quotients in Python"
            )
        return self

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        number = to_decimal(value)
        scaled = scaled_int(number, self.places)  # same precision and range rule on every engine
        if abs(scaled) > _MAX_SCALED:
            raise ValueError(f"{number} does not fit NUMERIC(18,{self.places})")
        if dialect.name == "sqlite":
            return scaled
        return number

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return from_scaled_int(int(value), self.places)
        return Decimal(value).quantize(Decimal(1).scaleb(-self.places))


class Money(_ScaledDecimal):
    """An amount with 2 decimals: NUMERIC(18,2) / integer cents on SQLite."""

    places = AMOUNT_PLACES
    cache_ok = True


class Quantity(_ScaledDecimal):
    """A quantity or unit price with 4 decimals: NUMERIC(18,4) / integer ×10⁴ on SQLite."""

    places = QUANTITY_PLACES
    cache_ok = True


class Coordinate(_ScaledDecimal):
    """A latitude or longitude in degrees, 6 decimals (about 0.1 m): integer ×10⁶ on SQLite."""

    places = 6
    cache_ok = True


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware instant, always returned in UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(32))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: pass a timezone-aware value")
        utc = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return utc.isoformat(timespec="microseconds")
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:  # a value written by something else than this type
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def total(column: sa.ColumnElement[Decimal]) -> sa.ColumnElement[Decimal]:
    """SUM of a Money or Quantity column, exact on both engines and 0 (not NULL) over no rows.

    Use it instead of ``func.avg`` / SQLite's ``total()``, which return floats of the raw integers.
    """
    if not isinstance(column.type, _ScaledDecimal):
        raise TypeError(f"total() sums Money or Quantity columns, not {column.type!r}")
    return sa.func.coalesce(sa.func.sum(column), 0, type_=column.type)

