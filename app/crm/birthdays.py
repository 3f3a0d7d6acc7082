"""Birthdays of contacts and their families, solar or lunar: the next one on the solar calendar."""

from __future__ import annotations

import datetime as dt

from lunardate import LunarDate


def next_birthday(birthday: dt.date, lunar: bool, today: dt.date) -> dt.date:
    """The first birthday on or after `today`, as a solar date.

    A lunar birthday keeps the lunar month and day in `birthday`: it falls on a different solar
    day each year (a 30th in a year whose month has 29 days is kept on the 29th). A 29 February
    is kept on 28 February in common years."""
    for year in (today.year - 1, today.year, today.year + 1):
        day = _in_year(birthday, lunar, year)
        if day >= today:
            return day
    raise AssertionError("unreachable: a birthday falls in every year")


def _in_year(birthday: dt.date, lunar: bool, year: int) -> dt.date:
    if not lunar:
        try:
            return birthday.replace(year=year)
        except ValueError:  # 29 February
            return dt.date(year, 2, 28)
    for day in (birthday.day, birthday.day - 1):
        try:
            return LunarDate(year, birthday.month, day).to_solar_date()
        except ValueError:
            continue
    raise ValueError(f"no lunar {birthday.month}/{birthday.day} in {year}")
