"""One formatter for money, numbers and dates, in zh_CN and en (outputs are babel's, checked)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.core import fmt


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh_CN", "¥1,234.50"), ("en", "CN¥1,234.50")],
)
def test_money_in_cny_shows_two_decimals_per_locale(locale: str, expected: str) -> None:
    assert fmt.money(Decimal("1234.5"), "CNY", locale) == expected


def test_money_negative_amount() -> None:
    assert fmt.money(Decimal("-1234.5"), "CNY", "zh_CN") == "-¥1,234.50"
    assert fmt.money(Decimal("-1234.5"), "CNY", "en") == "-CN¥1,234.50"


def test_money_rounds_half_up_like_the_invoice() -> None:
    # babel alone rounds half even (¥2.66); round_amount("2.665") is 2.67 on the document
    assert fmt.money(Decimal("2.665"), "CNY", "zh_CN") == "¥2.67"
    assert fmt.money(Decimal("2.675"), "CNY", "en") == "CN¥2.68"


def test_money_uses_the_currency_s_own_decimals() -> None:
    assert fmt.money(Decimal("1234.5"), "JPY", "en") == "¥1,235"


def test_money_refuses_floats() -> None:
    with pytest.raises(TypeError):
        fmt.money(0.1, "CNY", "en")  # type: ignore[arg-type]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_number_with_places_keeps_trailing_zeros_and_groups(locale: str) -> None:
    assert fmt.number(Decimal("1234.5"), 2, locale) == "1,234.50"
    assert fmt.number(Decimal("1234.5"), 4, locale) == "1,234.5000"
    assert fmt.number(Decimal("1234567.12345"), 4, locale) == "1,234,567.1235"
    assert fmt.number(Decimal("7.5"), 0, locale) == "8"
    assert fmt.number(12, 2, locale) == "12.00"


def test_number_with_places_rounds_half_up() -> None:
    assert fmt.number(Decimal("2.665"), 2, "en") == "2.67"
    assert fmt.number(Decimal("-2.665"), 2, "en") == "-2.67"


def test_number_without_places_shows_every_decimal_of_a_quantity() -> None:
    assert fmt.number(Decimal("0.0001"), locale="en") == "0.0001"  # babel's default shows '0'
    assert fmt.number(Decimal("1.2345"), locale="zh_CN") == "1.2345"
    assert fmt.number(Decimal("1234.5"), locale="en") == "1,234.5"


def test_percent_rounds_half_up() -> None:
    assert fmt.percent(Decimal("0.125"), "en") == "13%"
    assert fmt.percent(Decimal("0.5"), "zh_CN") == "50%"


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.5", "1234.5"),
        ("1234.5", "1234.5"),
        ("  12 ", "12"),
        ("-3.50", "-3.50"),
        ("１２３", "123"),  # full-width digits from a Chinese IME
        ("１，２３４．５", "1234.5"),  # full-width comma and point
        ("－５", "-5"),
        ("1。5", "1.5"),  # ideographic full stop as the decimal point
    ],
)
def test_parse_number_reads_what_users_type(locale: str, text: str, expected: str) -> None:
    result = fmt.parse_number(text, locale)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)


def test_parse_number_keeps_the_exact_decimal() -> None:
    assert str(fmt.parse_number("0.10", "en")) == "0.10"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "12abc", "1.2.3", "NaN", "inf", "Infinity", "1,23", "1.234,5", "12,34,567"],
)
def test_parse_number_refuses_garbage_with_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        fmt.parse_number(text, "en")


def test_datetime_is_shown_in_shanghai_time() -> None:
    instant = dt.datetime(2026, 6, 1, 20, 30, tzinfo=dt.UTC)  # 04:30 next day in Shanghai
    assert fmt.datetime(instant, "zh_CN") == "2026年6月2日 04:30:00"
    assert fmt.datetime(instant, "en") == "Jun 2, 2026, 4:30:00\u202fAM"


def test_datetime_shows_the_same_instant_whatever_zone_it_came_in() -> None:
    utc = dt.datetime(2026, 6, 1, 20, 30, tzinfo=dt.UTC)
    in_berlin = utc.astimezone(ZoneInfo("Europe/Berlin"))
    assert fmt.datetime(in_berlin, "zh_CN") == fmt.datetime(utc, "zh_CN")


def test_datetime_refuses_naive_values() -> None:
    with pytest.raises(ValueError):
        fmt.datetime(dt.datetime(2026, 6, 1, 20, 30), "zh_CN")


@pytest.mark.parametrize(
    ("locale", "style", "expected"),
    [
        ("zh_CN", "medium", "2026年6月1日"),
        ("zh_CN", "short", "2026/6/1"),
        ("en", "medium", "Jun 1, 2026"),
        ("en", "short", "6/1/26"),
    ],
)
def test_date_in_both_locales(locale: str, style: str, expected: str) -> None:
    assert fmt.date(dt.date(2026, 6, 1), locale, style) == expected


def test_locale_tags_are_normalized() -> None:
    assert fmt.money(Decimal("1"), "CNY", "zh-Hans-CN") == "¥1.00"
    assert fmt.money(Decimal("1"), "CNY", "en-US") == "CN¥1.00"
