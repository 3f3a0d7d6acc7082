"""Money, number and date formatting by locale (babel). The one formatter used everywhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel import dates, numbers

from app.core.i18n import current_locale, normalize

DISPLAY_TZ = "Asia/Shanghai"


def _loc(locale: str | None) -> str:
    return normalize(locale or current_locale())


def money(amount: Decimal, currency: str = "CNY", locale: str | None = None) -> str:
    """'¥1,234.50' in zh_CN, 'CN¥1,234.50' in en; always two decimals for CNY."""
    return numbers.format_currency(amount, currency, locale=_loc(locale))


def number(value: Decimal | int, places: int | None = None, locale: str | None = None) -> str:
    """A grouped number; `places` fixes the decimals shown (quantities: up to 4, trailing zeros kept)."""
    loc = _loc(locale)
    if places is None:
        return numbers.format_decimal(value, locale=loc)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return numbers.format_decimal(value, format=pattern, locale=loc, decimal_quantization=True)


def parse_number(text: str, locale: str | None = None) -> Decimal:
    """Parse what a user typed ("1,234.5", full-width digits) into an exact Decimal; ValueError if not."""
    cleaned = text.strip().translate({ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")})
    try:
        return Decimal(numbers.parse_decimal(cleaned, locale=_loc(locale), strict=False))
    except numbers.NumberFormatError as exc:
        raise ValueError(text) from exc


def date(value: dt.date, locale: str | None = None, style: str = "medium") -> str:
    return dates.format_date(value, format=style, locale=_loc(locale))


def datetime(
    value: dt.datetime, locale: str | None = None, style: str = "medium", tz: str = DISPLAY_TZ
) -> str:
    """Aware timestamps only; shown in the business's time zone."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: Yiti stores timezone-aware UTC timestamps")
    return dates.format_datetime(value, format=style, tzinfo=dates.get_timezone(tz), locale=_loc(locale))


def percent(value: Decimal, locale: str | None = None) -> str:
    return numbers.format_percent(value, locale=_loc(locale))
