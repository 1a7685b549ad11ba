"""Working days: China's official holidays and make-up days, the provisional fallback, other countries (hand-checked dates)."""

from __future__ import annotations

from datetime import date

import pytest

from duban.ledger.errors import LedgerError
from duban.ledger.services.calendar import (
    WorkingDay, add_working_days, is_working_day, same_working_day, working_days_between,
)


def test_thirty_working_days_after_2018_01_02_counts_the_made_up_sunday():
    assert add_working_days(date(2018, 1, 2), 30) == WorkingDay(date(2018, 2, 12), provisional=False)
    assert is_working_day(date(2018, 2, 11))  # a Sunday worked before the Spring Festival


def test_thirty_working_days_after_2019_05_09():
    assert add_working_days(date(2019, 5, 9), 30) == WorkingDay(date(2019, 6, 21), provisional=False)


def test_a_weekends_only_calendar_gives_the_13th():
    # France has no public holiday between 3 January and 13 February 2018: its count is the weekends-only count.
    assert add_working_days(date(2018, 1, 2), 30, "FR").date == date(2018, 2, 13)


def test_counting_starts_the_day_after():
    assert add_working_days(date(2025, 3, 3), 1).date == date(2025, 3, 4)  # a Monday: the next day is the first
    assert add_working_days(date(2025, 3, 7), 1).date == date(2025, 3, 10)  # a Friday: the Monday after
    assert add_working_days(date(2025, 3, 8), 0).date == date(2025, 3, 8)


def test_official_holidays_are_not_working_days():
    assert not is_working_day(date(2019, 10, 1))  # National Day, a Tuesday
    assert not is_working_day(date(2024, 2, 12))  # Spring Festival, a Monday
    assert is_working_day(date(2024, 2, 4))  # a Sunday worked before it


def test_a_year_past_the_official_data_falls_back_and_is_provisional():
    # 2031 from the `holidays` library: 1 January, 22-25 and 27 January (Spring Festival), weekends.
    assert add_working_days(date(2031, 1, 2), 30) == WorkingDay(date(2031, 2, 19), provisional=True)
    assert not is_working_day(date(2031, 1, 27))


def test_a_count_that_runs_into_a_year_without_data_is_provisional():
    assert not add_working_days(date(2026, 12, 1), 5).provisional  # 2026 is the last year of official data
    assert add_working_days(date(2026, 12, 31), 5).provisional


def test_other_countries_use_their_public_holidays():
    # 4 July 2025 is a Friday: ten US working days after 30 June end on 15 July, not the weekends-only 14th.
    assert add_working_days(date(2025, 6, 30), 10, "US") == WorkingDay(date(2025, 7, 15), provisional=False)


def test_a_region_has_its_own_holidays():
    # Epiphany (Monday 6 January 2025) is a holiday in Bavaria, not in Berlin.
    assert add_working_days(date(2025, 1, 3), 1, "DE", "BY").date == date(2025, 1, 7)
    assert add_working_days(date(2025, 1, 3), 1, "DE", "BE").date == date(2025, 1, 6)


def test_an_unknown_jurisdiction_is_refused():
    with pytest.raises(LedgerError):
        is_working_day(date(2025, 1, 6), "ZZ")


def test_working_days_between_counts_after_start_up_to_end():
    assert working_days_between(date(2018, 1, 2), date(2018, 2, 12)) == 30
    assert working_days_between(date(2025, 3, 7), date(2025, 3, 10)) == 1  # Friday to Monday
    assert working_days_between(date(2025, 3, 10), date(2025, 3, 10)) == 0
    assert working_days_between(date(2025, 3, 10), date(2025, 3, 7)) == 0


def test_same_working_day_treats_a_day_off_as_part_of_the_next_working_day():
    assert same_working_day(date(2025, 3, 3), date(2025, 3, 3))
    assert not same_working_day(date(2025, 3, 3), date(2025, 3, 4))
    assert same_working_day(date(2025, 3, 8), date(2025, 3, 10))  # Saturday's claim, Monday's decision
    assert not same_working_day(date(2025, 3, 7), date(2025, 3, 8))  # Friday ended in between
    assert same_working_day(date(2018, 2, 10), date(2018, 2, 11))  # Saturday, then the made-up working Sunday
