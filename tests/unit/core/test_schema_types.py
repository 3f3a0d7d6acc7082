"""Money, Quantity and UtcDateTime keep values exact on real SQLite and real Postgres (DESIGN §2)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core import schema
from app.core.schema import Money, Quantity, UtcDateTime, total

# our own MetaData: tables made by synced_table() would join the app's synced tables
types_metadata = sa.MetaData()
ledger = sa.Table(
    "ledger",
    types_metadata,
    sa.Column("n", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("amount", Money(), nullable=True),
    sa.Column("qty", Quantity(), nullable=True),
    sa.Column("at", UtcDateTime(), nullable=True),
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A real SQLite file or a throwaway Postgres database, with the `ledger` table."""
    if request.param == "sqlite":
        eng = sa.create_engine(f"sqlite:///{tmp_path / 'types.db'}")
        types_metadata.create_all(eng)
        yield eng
        eng.dispose()
        return
    cluster = request.getfixturevalue("cluster")
    dbname = f"schema_types_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    cluster.create_database(dbname)
    try:
        eng = cluster.engine(dbname)
        types_metadata.create_all(eng)
        yield eng
    finally:
        cluster.drop_database(dbname)


def _insert(engine: sa.Engine, *rows: dict[str, object]) -> None:
    with engine.begin() as conn:
        conn.execute(ledger.insert(), [{"n": i, **row} for i, row in enumerate(rows, 1)])


def _refused(engine: sa.Engine, row: dict[str, object], error: type[Exception]) -> None:
    """Inserting `row` raises `error` from the column type, before anything is stored."""
    with pytest.raises(sa.exc.StatementError) as info:
        _insert(engine, row)
    assert isinstance(info.value.orig, error)
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(ledger)) == 0


# --- Money / Quantity -------------------------------------------------------------------------

AMOUNTS = ["0.1", "0.2", "0.3", "999999999999999.99", "-999999999999999.99", "-0.01", "0", "12.5"]
QUANTITIES = ["0.0001", "99999999999999.9999", "-1.5", "0", "3", "0.1", "0.2", "12.3456"]


def test_money_and_quantity_round_trip_exactly(engine: sa.Engine) -> None:
    _insert(engine, *({"amount": Decimal(a), "qty": Decimal(q)} for a, q in zip(AMOUNTS, QUANTITIES, strict=True)))
    with engine.connect() as conn:
        rows = conn.execute(sa.select(ledger.c.amount, ledger.c.qty).order_by(ledger.c.n)).all()
    for (amount, qty), want_amount, want_qty in zip(rows, AMOUNTS, QUANTITIES, strict=True):
        assert type(amount) is Decimal and type(qty) is Decimal
        assert amount == Decimal(want_amount) and qty == Decimal(want_qty)
        assert amount.as_tuple().exponent == -2  # always 2 decimals
        assert qty.as_tuple().exponent == -4  # always 4 decimals


def test_null_round_trips_as_none(engine: sa.Engine) -> None:
    _insert(engine, {"amount": None, "qty": None, "at": None})
    with engine.connect() as conn:
        assert conn.execute(sa.select(ledger.c.amount, ledger.c.qty, ledger.c.at)).one() == (None, None, None)


def test_ints_and_strings_are_accepted_as_exact_values(engine: sa.Engine) -> None:
    _insert(engine, {"amount": 7, "qty": "1.25"})
    with engine.connect() as conn:
        assert conn.execute(sa.select(ledger.c.amount, ledger.c.qty)).one() == (Decimal("7.00"), Decimal("1.2500"))


def test_sql_sum_of_point_one_and_point_two_is_exactly_point_three(engine: sa.Engine) -> None:
    _insert(
        engine, {"amount": Decimal("0.1"), "qty": Decimal("0.1")}, {"amount": Decimal("0.2"), "qty": Decimal("0.2")}
    )
    with engine.connect() as conn:
        summed = conn.execute(sa.select(sa.func.sum(ledger.c.amount), sa.func.sum(ledger.c.qty))).one()
        totals = conn.execute(sa.select(total(ledger.c.amount), total(ledger.c.qty))).one()
    for value in (*summed, *totals):
        assert type(value) is Decimal
        assert value == Decimal("0.3")
    assert str(totals[0]) == "0.30" and str(totals[1]) == "0.3000"


def test_sum_of_many_tenths_does_not_drift(engine: sa.Engine) -> None:
    _insert(engine, *({"amount": Decimal("0.1")} for _ in range(1000)))
    with engine.connect() as conn:
        assert conn.scalar(sa.select(total(ledger.c.amount))) == Decimal("100.00")


def test_sum_of_large_and_negative_amounts_is_exact(engine: sa.Engine) -> None:
    _insert(engine, {"amount": Decimal("999999999999999.99")}, {"amount": Decimal("-999999999999999.98")})
    with engine.connect() as conn:
        assert conn.scalar(sa.select(total(ledger.c.amount))) == Decimal("0.01")


def test_total_over_no_rows_is_zero_not_null(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        amount, qty = conn.execute(sa.select(total(ledger.c.amount), total(ledger.c.qty))).one()
    assert (str(amount), str(qty)) == ("0.00", "0.0000")


def test_total_refuses_a_column_that_is_not_money_or_quantity() -> None:
    with pytest.raises(TypeError):
        total(ledger.c.n)


def test_sqlite_stores_amounts_as_integer_cents(tmp_path: Path) -> None:
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'raw.db'}")
    types_metadata.create_all(eng)
    _insert(eng, {"amount": Decimal("0.1"), "qty": Decimal("0.1")}, {"amount": Decimal("0.2"), "qty": Decimal("-1.5")})
    with eng.connect() as conn:
        raw = conn.execute(sa.text("SELECT amount, typeof(amount), qty, typeof(qty) FROM ledger ORDER BY n")).all()
        raw_sum = conn.execute(sa.text("SELECT sum(amount), typeof(sum(amount)) FROM ledger")).one()
    eng.dispose()
    assert raw == [(10, "integer", 1000, "integer"), (20, "integer", -15000, "integer")]
    assert raw_sum == (30, "integer")


def test_where_compares_with_decimal_literals(engine: sa.Engine) -> None:
    _insert(engine, *({"amount": Decimal(a)} for a in ["0.1", "0.2", "0.3"]))
    with engine.connect() as conn:
        over = conn.scalars(
            sa.select(ledger.c.amount).where(ledger.c.amount > Decimal("0.15")).order_by(ledger.c.n)
        ).all()
        equal = conn.scalars(sa.select(ledger.c.n).where(ledger.c.amount == Decimal("0.30"))).all()
    assert over == [Decimal("0.2"), Decimal("0.3")]
    assert equal == [3]


def test_multiplying_by_an_int_in_sql_is_exact(engine: sa.Engine) -> None:
    _insert(engine, {"amount": Decimal("0.1"), "qty": Decimal("1.5")}, {"amount": Decimal("0.25"), "qty": Decimal("2")})
    with engine.connect() as conn:
        doubled = conn.scalar(sa.select(total(ledger.c.amount * 2)))
        negated = conn.scalar(sa.select(total(-1 * ledger.c.qty)))
        shifted = conn.scalar(sa.select(total(ledger.c.amount + Decimal("1"))))
    assert doubled == Decimal("0.70")  # not 70.00: the 2 is not bound as 2.00 → 200 cents
    assert negated == Decimal("-3.5")
    assert shifted == Decimal("2.35")


@pytest.mark.parametrize(
    "build",
    [
        lambda c: c * Decimal("1.5"),
        lambda c: c / 2,
        lambda c: c // 2,
        lambda c: c % 2,
    ],
    ids=["times-decimal", "divide", "floor-divide", "modulo"],
)
def test_sql_arithmetic_that_cannot_stay_exact_on_sqlite_is_refused(build) -> None:
    with pytest.raises(TypeError):
        build(ledger.c.amount)


@pytest.mark.parametrize(
    ("column", "value"),
    [("amount", Decimal("0.001")), ("amount", "1.005"), ("qty", Decimal("1.00001"))],
)
def test_too_many_decimals_are_refused(engine: sa.Engine, column: str, value: object) -> None:
    _refused(engine, {column: value}, ValueError)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("amount", Decimal("10000000000000000")),
        ("amount", Decimal("-10000000000000000")),
        ("qty", Decimal("100000000000000")),
    ],
)
def test_values_too_large_for_numeric_18_are_refused_on_both_engines(
    engine: sa.Engine, column: str, value: Decimal
) -> None:
    _refused(engine, {column: value}, ValueError)


@pytest.mark.parametrize("column", ["amount", "qty"])
def test_floats_are_refused(engine: sa.Engine, column: str) -> None:
    _refused(engine, {column: 0.1}, TypeError)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity")])
def test_non_finite_values_are_refused(engine: sa.Engine, value: Decimal) -> None:
    _refused(engine, {"amount": value}, ValueError)


# --- UtcDateTime ------------------------------------------------------------------------------


def test_utc_datetime_keeps_the_instant_and_returns_utc(engine: sa.Engine) -> None:
    local = dt.datetime(2026, 6, 1, 8, 30, 15, 123456, tzinfo=SHANGHAI)
    _insert(engine, {"at": local})
    with engine.connect() as conn:
        back = conn.scalar(sa.select(ledger.c.at))
    assert back == local  # the same instant
    assert back.utcoffset() == dt.timedelta(0)
    assert back.tzinfo is not None and back.tzname() == "UTC"
    assert back.replace(tzinfo=None) == dt.datetime(2026, 6, 1, 0, 30, 15, 123456)


def test_utc_datetime_refuses_naive_values(engine: sa.Engine) -> None:
    _refused(engine, {"at": dt.datetime(2026, 6, 1, 8, 30)}, ValueError)


def test_utc_datetime_refuses_dates_and_strings(engine: sa.Engine) -> None:
    _refused(engine, {"at": dt.date(2026, 6, 1)}, TypeError)


def test_order_by_utc_datetime_is_chronological(engine: sa.Engine) -> None:
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    instants = [
        base - dt.timedelta(microseconds=1),
        base,
        base + dt.timedelta(microseconds=1),
        base + dt.timedelta(microseconds=10),
        base + dt.timedelta(seconds=1),
        base + dt.timedelta(hours=1),
        base + dt.timedelta(days=300),
    ]
    # stored in a shuffled order and written in different zones: +08:00 wall-clock text sorts wrong
    written = [
        (instants[4], SHANGHAI),
        (instants[0], SHANGHAI),
        (instants[6], dt.timezone(dt.timedelta(hours=-5))),
        (instants[2], dt.UTC),
        (instants[5], SHANGHAI),
        (instants[1], dt.timezone(dt.timedelta(hours=-5))),
        (instants[3], SHANGHAI),
    ]
    _insert(engine, *({"at": when.astimezone(zone)} for when, zone in written))
    with engine.connect() as conn:
        ordered = conn.scalars(sa.select(ledger.c.at).order_by(ledger.c.at)).all()
        latest = conn.scalar(sa.select(sa.func.max(ledger.c.at)))
        after = conn.scalars(sa.select(ledger.c.at).where(ledger.c.at > base).order_by(ledger.c.at)).all()
    assert ordered == instants
    assert latest == instants[-1] and latest.utcoffset() == dt.timedelta(0)
    assert after == instants[2:]


def test_sqlite_stores_utc_datetime_as_fixed_width_utc_text(tmp_path: Path) -> None:
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'raw.db'}")
    types_metadata.create_all(eng)
    _insert(eng, {"at": dt.datetime(2026, 6, 1, 8, 0, tzinfo=SHANGHAI)})
    with eng.connect() as conn:
        raw = conn.scalar(sa.text("SELECT at FROM ledger"))
    eng.dispose()
    assert raw == "2026-06-01T00:00:00.000000+00:00"


# --- synced tables ----------------------------------------------------------------------------

COMMON = {
    "id": sa.Uuid,
    "version": sa.BigInteger,
    "created_at": UtcDateTime,
    "updated_at": UtcDateTime,
    "updated_by": sa.Uuid,
    "archived": sa.Boolean,
}


@pytest.mark.parametrize("name", schema.SYNCED_TABLES)
def test_synced_table_has_the_common_columns(name: str) -> None:
    table = schema.metadata.tables[name]
    for column, kind in COMMON.items():
        assert isinstance(table.c[column].type, kind), (name, column)
    assert [c.name for c in table.primary_key] == ["id"]
    assert not table.c.version.nullable and not table.c.archived.nullable
    assert not table.c.created_at.nullable and not table.c.updated_at.nullable


def test_every_synced_table_has_a_scope() -> None:
    assert set(schema.SYNCED_TABLES) == set(schema.SCOPES)
    assert len(schema.SYNCED_TABLES) == len(set(schema.SYNCED_TABLES))


def test_create_all_builds_every_synced_table_on_sqlite(tmp_path: Path) -> None:
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    schema.metadata.create_all(eng)
    names = set(sa.inspect(eng).get_table_names())
    assert set(schema.SYNCED_TABLES) <= names
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    move = {
        "id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "product_id": uuid.uuid4(),
        "qty": Decimal("2.5"),
        "from_location_id": uuid.uuid4(),
        "to_location_id": uuid.uuid4(),
        "kind": "receipt",
        "moved_at": now,
    }
    with eng.begin() as conn:
        conn.execute(schema.stock_move.insert(), move)
        row = conn.execute(sa.select(schema.stock_move)).one()
    with pytest.raises(sa.exc.IntegrityError), eng.begin() as conn:  # CHECK qty > 0 on scaled ints
        conn.execute(schema.stock_move.insert(), {**move, "id": uuid.uuid4(), "qty": Decimal("-0.0001")})
    eng.dispose()
    assert row.qty == Decimal("2.5000") and row.version == 0 and row.archived is False
    assert row.created_at == now
