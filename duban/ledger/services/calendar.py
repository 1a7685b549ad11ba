"""Working-day calendars by jurisdiction: China's official calendar, the `holidays` library elsewhere and beyond its data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import holidays

from ..errors import LedgerError

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkingDay:
    date: date
    provisional: bool  # some day counted lies in a year without official calendar data


@dataclass(frozen=True)
class _Year:
    non_working: frozenset[date]
    provisional: bool


def _holidays_library_year(country: str, region: str, year: int) -> frozenset[date]:
    """Weekends and public holidays the `holidays` library knows, less the weekend days it knows are worked."""
    try:
        calendar = holidays.country_holidays(country, subdiv=region or None, years=year)
    except NotImplementedError as error:
        raise LedgerError(f"no working-day calendar for {country}{'-' + region if region else ''}: {error}") from None
    days = (date(year, 1, 1) + _DAY * n for n in range(366))
    return frozenset(day for day in days if day.year == year and not calendar.is_working_day(day))


@lru_cache(maxsize=256)
def _year(country: str, region: str, year: int) -> _Year:
    """The non-working days of one year; China's calendar is national, so its region does not change it."""
    if country == "CN":
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            return _Year(_holidays_library_year("CN", "", year), provisional=True)
        days = (date(year, 1, 1) + _DAY * n for n in range(366))
        return _Year(frozenset(day for day in days if day.year == year and not chinese_calendar.is_workday(day)), False)
    return _Year(_holidays_library_year(country, region, year), provisional=False)


def is_working_day(day: date, country: str = "CN", region: str = "") -> bool:
    return day not in _year(country, region, day.year).non_working


def is_provisional(day: date, country: str = "CN", region: str = "") -> bool:
    """True when the day's year has no official calendar data for the jurisdiction."""
    return _year(country, region, day.year).provisional


def add_working_days(start: date, n: int, country: str = "CN", region: str = "") -> WorkingDay:
    """The n-th working day after `start`, counting from the day after it; n = 0 gives `start` itself."""
    if n < 0:
        raise ValueError("count working days forward: n must be 0 or more")
    if n == 0:
        return WorkingDay(start, is_provisional(start, country, region))
    day, provisional = start, False
    while n:
        day += _DAY
        calendar = _year(country, region, day.year)
        provisional = provisional or calendar.provisional
        if day not in calendar.non_working:
            n -= 1
    return WorkingDay(day, provisional)


def working_days_between(start: date, end: date, country: str = "CN", region: str = "") -> int:
    """The number of working days d with start < d <= end (0 when end is not after start)."""
    count, day = 0, start
    while day < end:
        day += _DAY
        count += day not in _year(country, region, day.year).non_working
    return count


def same_working_day(first: date, second: date, country: str = "CN", region: str = "") -> bool:
    """True when no working day ends from `first` up to `second`: a day off belongs to the working day after it."""
    return working_days_between(first - _DAY, second - _DAY, country, region) == 0
