"""Money and quantities are exact Decimals, rounded half up, once."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.money import (
    from_scaled_int,
    line_amount,
    round_amount,
    round_quantity,
    scaled_int,
    to_decimal,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.675", "2.68"),
        ("-2.675", "-2.68"),
        ("2.665", "2.67"),  # half even would give 2.66
        ("2.674999", "2.67"),
        ("0.005", "0.01"),
        ("-0.005", "-0.01"),
        (3, "3.00"),
        (Decimal("1E+3"), "1000.00"),
    ],
)
def test_round_amount_rounds_half_up_away_from_zero(value: Decimal | int | str, expected: str) -> None:
    result = round_amount(value)
    assert result == Decimal(expected)
    assert str(result) == expected  # exactly two decimals


def test_round_quantity_keeps_four_decimals_half_up() -> None:
    assert str(round_quantity("1.23455")) == "1.2346"
    assert str(round_quantity("-1.23455")) == "-1.2346"
    assert str(round_quantity(2)) == "2.0000"


def test_round_amount_of_a_very_large_number_is_exact_not_a_decimal_error() -> None:
    assert round_amount("123456789012345678901234567890.125") == Decimal("123456789012345678901234567890.13")


@pytest.mark.parametrize("func", [to_decimal, round_amount, round_quantity])
def test_floats_are_refused(func) -> None:
    with pytest.raises(TypeError):
        func(0.1)


def test_booleans_are_refused() -> None:
    with pytest.raises(TypeError):
        to_decimal(True)


@pytest.mark.parametrize("value", ["NaN", "nan", "sNaN", "inf", "-Infinity", Decimal("NaN"), Decimal("-inf")])
def test_nan_and_infinity_are_refused(value: str | Decimal) -> None:
    with pytest.raises(ValueError):
        to_decimal(value)
    with pytest.raises(ValueError):
        round_amount(value)


def test_garbage_text_is_refused() -> None:
    with pytest.raises(ValueError):
        to_decimal("12abc")


def test_line_amount_rounds_the_product_once() -> None:
    # the exact product 1.0005 → 1.00; rounding the price first would give 3 × 0.33 = 0.99
    assert line_amount(Decimal("3"), Decimal("0.3335")) == Decimal("1.00")
    assert line_amount(Decimal("1.5"), Decimal("0.3333")) == Decimal("0.50")  # 0.49995 → 0.50
    assert line_amount(Decimal("2.5"), Decimal("1.0010")) == Decimal("2.50")  # 2.5025 → 2.50
    assert str(line_amount(Decimal("-2"), Decimal("1.2345"))) == "-2.47"  # -2.469 → -2.47


def test_line_amount_is_exact_beyond_the_default_28_digit_context() -> None:
    # the product has 30 digits: rounding it to 28 first turns …8999999.99|49995 into …9000000.00
    result = line_amount(Decimal("99999999999.9999"), Decimal("10000000050.0001"))
    assert result == Decimal("1000000005000008999999.99")


def test_line_amount_of_the_largest_quantity_and_price_does_not_raise() -> None:
    biggest = Decimal("99999999999999.9999")
    assert line_amount(biggest, biggest) == Decimal("9999999999999999980000000000.00")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("0.1"), 2, 10),
        (Decimal("-0.1"), 2, -10),
        (Decimal("1.10"), 2, 110),
        (Decimal("1.1000"), 2, 110),  # trailing zeros are not extra precision
        (Decimal("1E+3"), 2, 100_000),
        (Decimal("999999999999999.99"), 2, 99_999_999_999_999_999),
        (Decimal("-0.00"), 2, 0),
        (Decimal("1.2345"), 4, 12_345),
        (7, 4, 70_000),
    ],
)
def test_scaled_int_is_exact(value: Decimal | int, places: int, expected: int) -> None:
    assert scaled_int(value, places) == expected


@pytest.mark.parametrize(
    ("value", "places"),
    [
        (Decimal("0.001"), 2),
        (Decimal("1.23456"), 4),
        (Decimal("-0.125"), 2),
        # more digits than the default decimal context: scaleb() would round these to integers
        (Decimal("1.00000000000000000000000000001"), 2),
        (Decimal("123456789012345678901234567.891"), 2),
    ],
)
def test_scaled_int_raises_on_extra_precision(value: Decimal, places: int) -> None:
    with pytest.raises(ValueError):
        scaled_int(value, places)


def test_scaled_int_refuses_floats() -> None:
    with pytest.raises(TypeError):
        scaled_int(0.1, 2)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["0.00", "0.10", "-0.30", "999999999999999.99", "-12.05"])
def test_scaled_int_round_trips_amounts(text: str) -> None:
    back = from_scaled_int(scaled_int(Decimal(text), 2), 2)
    assert str(back) == text


def test_from_scaled_int_always_has_the_places() -> None:
    assert str(from_scaled_int(0, 4)) == "0.0000"
    assert str(from_scaled_int(-5, 2)) == "-0.05"
    assert str(from_scaled_int(10**30 + 1, 2)) == "1" + "0" * 28 + ".01"  # exact past 28 digits


amounts = st.decimals(
    min_value=Decimal("-999999999999999.99"),
    max_value=Decimal("999999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(st.lists(amounts, max_size=50))
def test_sum_of_scaled_ints_equals_scaled_sum(values: list[Decimal]) -> None:
    exact_sum = sum(values, Decimal(0))
    assert sum(scaled_int(v, 2) for v in values) == scaled_int(exact_sum, 2)
    assert from_scaled_int(sum(scaled_int(v, 2) for v in values), 2) == exact_sum


@given(amounts)
def test_scaled_int_round_trip_property(value: Decimal) -> None:
    assert from_scaled_int(scaled_int(value, 2), 2) == value
