"""Money, number and date formatting by locale (babel). The one formatter used everywhere."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel import Locale, dates, numbers

from app.core.i18n import current_locale, normalize
from app.core.money import to_decimal

DISPLAY_TZ = "Asia/Shanghai"


def _loc(locale: str | None) -> Locale:
    return _parsed(normalize(locale or current_locale()))


@functools.lru_cache(maxsize=16)
def _parsed(name: str) -> Locale:
    """Babel parses a locale name on every call that gets a string: a table fills hundreds of cells."""
    return Locale.parse(name)


@functools.lru_cache(maxsize=8)
def _zone(name: str) -> dt.tzinfo:
    return dates.get_timezone(name)


def money(amount: Decimal | int, currency: str = "CNY", locale: str | None = None) -> str:
    """'¥1,234.50' in zh_CN, 'CN¥1,234.50' in en; always two decimals for CNY, rounded half up."""
    # babel rounds in the current decimal context (half even: 2.665 → 2.66); the invoice says 2.67
    with localcontext(rounding=ROUND_HALF_UP):
        return numbers.format_currency(to_decimal(amount), currency, locale=_loc(locale))


def number(value: Decimal | int, places: int | None = None, locale: str | None = None) -> str:
    """A grouped number; `places` fixes the decimals shown (rounded half up, trailing zeros kept).

    Without `places` every significant decimal is shown (babel's default pattern would cut a
    quantity of 0.0001 to '0')."""
    loc = _loc(locale)
    exact = to_decimal(value)
    if places is None:
        return numbers.format_decimal(exact, locale=loc, decimal_quantization=False)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    with localcontext(rounding=ROUND_HALF_UP):
        return numbers.format_decimal(exact, format=pattern, locale=loc, decimal_quantization=True)


def parse_number(text: str, locale: str | None = None) -> Decimal:
    """Parse what a user typed ("1,234.5", full-width digits) into an exact Decimal; ValueError if not.

    Full-width input from a Chinese IME (１，２３４．５, －５, 。 as the point) is accepted; grouping
    must be right ("1,23" is refused rather than read as 123), and NaN / infinity are refused."""
    # NFKC folds full-width digits, comma, point and minus to ASCII; the ideographic full stop stays
    cleaned = unicodedata.normalize("NFKC", text).strip().replace("。", ".")
    try:
        result = numbers.parse_decimal(cleaned, locale=_loc(locale), strict=True)
    except numbers.NumberFormatError as exc:
        raise ValueError(f"not a number: {text!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a number: {text!r}")
    return result


def date(value: dt.date, locale: str | None = None, style: str = "medium") -> str:
    return dates.format_date(value, format=style, locale=_loc(locale))


def datetime(
    value: dt.datetime, locale: str | None = None, style: str = "medium", tz: str = DISPLAY_TZ
) -> str:
    """Aware timestamps only; shown in the business's time zone."""
    if value.utcoffset() is None:
        raise ValueError("naive datetime: Yiti stores timezone-aware UTC timestamps")
    return dates.format_datetime(value, format=style, tzinfo=_zone(tz), locale=_loc(locale))


def percent(value: Decimal, locale: str | None = None) -> str:
    """0.125 → '13%' (half up, like every other rounding Yiti shows)."""
    with localcontext(rounding=ROUND_HALF_UP):
        return numbers.format_percent(to_decimal(value), locale=_loc(locale))
