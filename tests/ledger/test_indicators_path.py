"""Indicators on their path: the path, the status as of a date, the projection, with values computed by hand;
observations and links through the services; the red flag of a linked task closed while its indicator is off track.

A year's figure is read at the year's end, so "86.5 in 2024 → 95 by 2027" runs from 31 December 2024 to
31 December 2027: 1,095 days (2025, 2026 and 2027 have 365 days each).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone

import pytest

from duban import cli
from duban.ledger.choices import FlagCode, ItemKind, ItemState
from duban.ledger.errors import InvalidState, LedgerError, NotAllowed
from duban.ledger.models import Event, Evidence, Item
from duban.ledger.services import workflow
from duban.ledger.services.indicators import (
    Status, assess, indicator_flags, link_task, path_value, projection, record_observation,
    status, unlink_task,
)

T0 = datetime(2024, 1, 2, 4, 0, tzinfo=timezone.utc)


def indicator(tree, *, baseline=(86.5, 2024), target=(95, 2027), comparator=">=", name="Online handling rate",
              unit="%", state=ItemState.ACTIVE) -> Item:
    data = {"name": name, "unit": unit, "comparator": comparator,
            "baseline": {"value": baseline[0], "year": baseline[1]} if baseline else None,
            "target": {"value": target[0], "year": target[1]}}
    return Item.objects.create(kind=ItemKind.INDICATOR, title=name, data=data, state=state, lead_owner=tree.bigdata,
                               created_at=T0, updated_at=T0)


def observe(tree, item: Item, *values: tuple[date, float], recorded: date | None = None) -> None:
    for day, value in values:
        record_observation(tree.bigdata_staff, item, value=value, observed_on=day, on=recorded)


# --- the path ---------------------------------------------------------------------------------------------------

def test_the_path_runs_straight_from_the_baseline_year_end_to_the_target_year_end(tree):
    rate = indicator(tree)
    assert path_value(rate, date(2025, 12, 31)) == pytest.approx(86.5 + (95 - 86.5) / 3)  # 89.333…: 365 of 1,095 days
    assert path_value(rate, date(2026, 12, 31)) == pytest.approx(86.5 + 2 * (95 - 86.5) / 3)  # 92.1667
    assert path_value(rate, date(2024, 12, 31)) == 86.5
    assert path_value(rate, date(2024, 6, 30)) == 86.5  # before the baseline's day: the baseline
    assert path_value(rate, date(2027, 12, 31)) == 95
    assert path_value(rate, date(2029, 1, 1)) == 95  # after the target's day: the target
    assert path_value(indicator(tree, baseline=None), date(2025, 12, 31)) is None


# --- status -----------------------------------------------------------------------------------------------------

def test_89_on_the_last_day_of_2025_reaches_88_percent_of_the_planned_progress_and_is_at_risk(tree):
    rate = indicator(tree)
    observe(tree, rate, (date(2025, 12, 31), 89.0))
    reading = assess(rate, date(2025, 12, 31))
    # reached 89 - 86.5 = 2.5 of the planned 89.333 - 86.5 = 2.8333: 0.882, under 0.9 and over 0.7
    assert reading.progress == pytest.approx(2.5 / (8.5 / 3)) == pytest.approx(0.88235, abs=1e-5)
    assert reading.status == Status.AT_RISK
    assert reading.path_value == pytest.approx(89.3333, abs=1e-4)
    assert "88% of the planned progress" in reading.reason


@pytest.mark.parametrize("value, expected", [
    (89.2, Status.ON_TRACK),  # 2.7 / 2.8333 = 0.953
    (89.1, Status.ON_TRACK),  # 2.6 / 2.8333 = 0.918
    (88.5, Status.AT_RISK),  # 2.0 / 2.8333 = 0.706
    (88.6, Status.AT_RISK),  # 2.1 / 2.8333 = 0.741
    (88.4, Status.OFF_TRACK),  # 1.9 / 2.8333 = 0.671
    (85.0, Status.OFF_TRACK),  # worse than the baseline
    (96.0, Status.ON_TRACK),  # beyond the target: never worse
])
def test_the_thresholds_divide_on_track_at_risk_and_off_track(tree, value, expected):
    rate = indicator(tree)
    observe(tree, rate, (date(2025, 12, 31), value))
    assert status(rate, date(2025, 12, 31)) == expected


def test_the_thresholds_come_from_the_settings(tree, settings):
    rate = indicator(tree)
    observe(tree, rate, (date(2025, 12, 31), 89.0))  # 0.882
    settings.DUBAN_INDICATOR_AT_RISK, settings.DUBAN_INDICATOR_OFF_TRACK = 0.85, 0.5
    assert status(rate, date(2025, 12, 31)) == Status.ON_TRACK
    settings.DUBAN_INDICATOR_AT_RISK, settings.DUBAN_INDICATOR_OFF_TRACK = 0.99, 0.9
    assert status(rate, date(2025, 12, 31)) == Status.OFF_TRACK


def test_the_observation_is_held_against_the_path_on_the_day_it_measures_not_on_the_day_of_the_report(tree):
    rate = indicator(tree)
    observe(tree, rate, (date(2025, 12, 31), 89.2))  # 0.953 of the path at 2025-12-31
    # read in September 2026 the path stands at 91.4, but the latest figure is still the 2025 one
    assert status(rate, date(2026, 9, 30)) == Status.ON_TRACK


def test_a_decreasing_indicator_counts_progress_downward(tree):
    days = indicator(tree, baseline=(2.5, 2024), target=(1.0, 2027), comparator="<=", name="Average processing time",
                     unit="days")
    assert path_value(days, date(2025, 12, 31)) == pytest.approx(2.0)  # 2.5 - 1.5 / 3
    observe(tree, days, (date(2025, 12, 31), 2.1))
    reading = assess(days, date(2025, 12, 31))
    assert reading.progress == pytest.approx(0.8) and reading.status == Status.AT_RISK  # (2.1 - 2.5) / (2.0 - 2.5)
    observe(tree, days, (date(2026, 12, 31), 1.55))  # path 1.5: (1.55 - 2.5) / (1.5 - 2.5) = 0.95
    assert status(days, date(2026, 12, 31)) == Status.ON_TRACK
    observe(tree, days, (date(2027, 6, 30), 2.6))  # worse than the baseline
    assert status(days, date(2027, 6, 30)) == Status.OFF_TRACK


def test_an_equals_target_below_its_baseline_is_a_decrease(tree):
    rate = indicator(tree, baseline=(2.5, 2024), target=(1.0, 2027), comparator="=")
    observe(tree, rate, (date(2025, 12, 31), 1.9))  # (1.9 - 2.5) / (2.0 - 2.5) = 1.2
    assert status(rate, date(2025, 12, 31)) == Status.ON_TRACK


def test_a_ceiling_above_the_baseline_and_a_level_to_hold_are_bounds(tree):
    ceiling = indicator(tree, baseline=(3.0, 2024), target=(5.0, 2027), comparator="<=", name="Registered unemployment")
    observe(tree, ceiling, (date(2025, 12, 31), 4.5), (date(2026, 12, 31), 5.3))
    assert status(ceiling, date(2025, 12, 31)) == Status.ON_TRACK  # under the ceiling, though above the "path"
    assert status(ceiling, date(2026, 12, 31)) == Status.OFF_TRACK
    level = indicator(tree, baseline=(100, 2024), target=(100, 2027), comparator="=", name="Coverage")
    observe(tree, level, (date(2025, 12, 31), 100), (date(2026, 12, 31), 99.5))
    assert status(level, date(2025, 12, 31)) == Status.ON_TRACK
    assert status(level, date(2026, 12, 31)) == Status.OFF_TRACK


def test_without_an_observation_or_a_target_year_the_status_is_unknown(tree):
    rate = indicator(tree)
    assert status(rate, date(2025, 12, 31)) == Status.UNKNOWN
    observe(tree, rate, (date(2026, 3, 31), 90))
    assert status(rate, date(2025, 12, 31)) == Status.UNKNOWN  # the only observation is of a later day
    undated = indicator(tree, target=(95, None))
    observe(tree, undated, (date(2025, 12, 31), 90))
    assert status(undated, date(2025, 12, 31)) == Status.UNKNOWN


def test_the_status_as_of_a_past_day_never_changes_after_later_observations(tree):
    rate = indicator(tree)
    observe(tree, rate, (date(2025, 6, 30), 88.0))  # path 86.5 + 8.5 * 181 / 1095 = 87.905: 1.5 / 1.405 = 1.068, on track
    before = assess(rate, date(2025, 12, 31))
    assert before.status == Status.ON_TRACK
    observe(tree, rate, (date(2026, 6, 30), 87.0))  # a later, bad figure
    observe(tree, rate, (date(2025, 12, 31), 86.0), recorded=date(2026, 3, 1))  # the 2025 figure, published in March
    assert assess(rate, date(2025, 12, 31)) == before
    assert status(rate, date(2026, 3, 1)) == Status.OFF_TRACK  # once published, it counts
    assert status(rate, date(2026, 6, 30)) == Status.OFF_TRACK


# --- projection -------------------------------------------------------------------------------------------------

def _rate_2020_2025(tree, baseline=(8.0, 2020)) -> Item:
    """Baseline 8 (2020) → at least 20 (2025); observed 10, 13 and 14 at the ends of 2021, 2022 and 2023."""
    rate = indicator(tree, baseline=baseline, target=(20, 2025), name="Share of services handled across provinces")
    observe(tree, rate, (date(2021, 12, 31), 10), (date(2022, 12, 31), 13), (date(2023, 12, 31), 14))
    return rate


def test_the_projection_is_the_least_squares_line_through_the_observations(tree):
    rate = _rate_2020_2025(tree)
    # x in days from 2021-12-31: 0, 365, 730 (2022 and 2023 have 365 days); y: 10, 13, 14.
    # mean x = 365, mean y = 37/3; Sxx = 2 * 365², Sxy = 365 * (7/3) + 365 * (5/3) = 4 * 365; slope = 2/365 a day.
    # The target's day, 2025-12-31, is x = 365 + 365 + 366 + 365 = 1461: 37/3 + 2/365 * 1096 = 18.3388, short of 20.
    found = projection(rate, date(2024, 1, 15))
    assert found.value == pytest.approx(37 / 3 + 2 * 1096 / 365) == pytest.approx(18.3388, abs=1e-4)
    assert found.day == date(2025, 12, 31) and not found.reaches
    assert "3 observations" in found.basis


def test_the_projection_from_two_observations_as_of_an_earlier_day(tree):
    rate = _rate_2020_2025(tree)
    # Known on 2023-06-30: 10 and 13, 365 days apart: slope 3/365; at x = 1461: 10 + 3 * 1461 / 365 = 22.0082.
    found = projection(rate, date(2023, 6, 30))
    assert found.value == pytest.approx(10 + 3 * 1461 / 365) == pytest.approx(22.0082, abs=1e-4) and found.reaches


def test_one_observation_projects_from_the_baseline(tree):
    rate = _rate_2020_2025(tree)
    # Known on 2022-06-30: 10 at 2021-12-31, 365 days after the baseline 8: slope 2/365; 10 + 2 * 1461 / 365 = 18.0055.
    found = projection(rate, date(2022, 6, 30))
    assert found.value == pytest.approx(10 + 2 * 1461 / 365) and not found.reaches
    assert "baseline" in found.basis
    assert projection(rate, date(2021, 6, 30)) is None  # nothing observed yet


def test_a_decreasing_projection_reaches_a_target_by_going_under_it(tree):
    days = indicator(tree, baseline=(2.5, 2024), target=(1.0, 2027), comparator="<=")
    observe(tree, days, (date(2025, 12, 31), 2.0), (date(2026, 12, 31), 1.4))
    found = projection(days, date(2026, 12, 31))  # slope -0.6 a year: 1.4 - 0.6 = 0.8 at the end of 2027
    assert found.value == pytest.approx(0.8) and found.reaches


def test_without_a_baseline_the_status_comes_from_the_projection(tree):
    rate = _rate_2020_2025(tree, baseline=None)
    assert status(rate, date(2022, 6, 30)) == Status.UNKNOWN  # one observation: nothing to project from
    # as of 2023-06-30 the projection is 22.0082: (22.0082 - 10) / (20 - 10) = 1.2 of the way from the first observation
    assert status(rate, date(2023, 6, 30)) == Status.ON_TRACK
    # as of 2024: 18.3388: (18.3388 - 10) / 10 = 0.834: at risk
    reading = assess(rate, date(2024, 1, 15))
    assert reading.progress == pytest.approx(0.83388, abs=1e-5) and reading.status == Status.AT_RISK
    assert path_value(rate, date(2024, 1, 15)) is None


# --- observations and links -------------------------------------------------------------------------------------

def test_an_observation_is_recorded_by_the_owner_side_or_a_supervisor_with_its_history(tree):
    rate = indicator(tree)
    observation = record_observation(tree.bigdata_staff, rate, value=89, observed_on=date(2025, 12, 31), note="annual")
    event = Event.objects.get(action="indicator.observe")
    assert (event.item_id, event.object_type, event.object_id, event.actor) == (rate.pk, "indicatorobservation",
                                                                                observation.pk, "bigdata_staff")
    assert event.after == {"value": 89.0, "observed_on": "2025-12-31", "note": "annual"}
    record_observation(tree.sup, rate, value=89.5, observed_on=date(2026, 3, 31))
    with pytest.raises(NotAllowed, match="may not record an observation"):
        record_observation(tree.county_staff, rate, value=90, observed_on=date(2026, 6, 30))


def test_observations_are_refused_for_other_kinds_rejected_indicators_and_impossible_values(tree):
    task = Item.objects.create(kind=ItemKind.TASK, title="t", lead_owner=tree.bigdata, state=ItemState.ACTIVE,
                               created_at=T0, updated_at=T0)
    with pytest.raises(LedgerError, match="for indicators"):
        record_observation(tree.bigdata_staff, task, value=1, observed_on=date(2025, 1, 1))
    with pytest.raises(InvalidState, match="rejected"):
        record_observation(tree.bigdata_staff, indicator(tree, state=ItemState.REJECTED), value=1,
                           observed_on=date(2025, 1, 1))
    rate = indicator(tree)
    with pytest.raises(LedgerError, match="finite number"):
        record_observation(tree.bigdata_staff, rate, value=float("nan"), observed_on=date(2025, 1, 1))
    with pytest.raises(LedgerError, match="recorded before"):
        record_observation(tree.bigdata_staff, rate, value=1, observed_on=date(2025, 1, 1), on=date(2024, 12, 31))


def test_a_task_is_linked_to_an_indicator_by_someone_who_manages_it(tree):
    rate = indicator(tree)
    task = Item.objects.create(kind=ItemKind.TASK, title="Put every service online", lead_owner=tree.bigdata,
                               state=ItemState.ACTIVE, created_at=T0, updated_at=T0)
    with pytest.raises(NotAllowed):
        link_task(tree.bigdata_staff, task, rate, on=date(2025, 1, 6))
    with pytest.raises(LedgerError, match="not an indicator"):
        link_task(tree.sup, task, task, on=date(2025, 1, 6))
    link_task(tree.sup, task, rate, on=date(2025, 1, 6))
    link_task(tree.sup, task, rate, on=date(2025, 1, 7))  # again: nothing changes
    assert list(task.indicators.all()) == [rate] and list(rate.linked_tasks.all()) == [task]
    event = Event.objects.get(item=task, action="item.link_indicator")
    assert (event.before, event.after) == ({"indicators": []}, {"indicators": [rate.pk], "indicator": rate.pk})
    unlink_task(tree.sup, task, rate, on=date(2025, 2, 3))
    assert not task.indicators.exists()


# --- the red flag -----------------------------------------------------------------------------------------------

def _closed_task(tree, *, claimed: date, verified: date) -> Item:
    task = Item.objects.create(kind=ItemKind.TASK, title="Put every service online", created_at=T0, updated_at=T0)
    workflow.assign_owner(tree.sup, task, tree.bigdata, at=workflow.moment(date(2024, 1, 2)))
    workflow.confirm(tree.sup, task, at=workflow.moment(date(2024, 1, 2)))
    proof, _ = Evidence.objects.get_or_create(sha256=hashlib.sha256(b"proof").hexdigest(), defaults=dict(
        size=5, content_type="text/plain", original_name="proof.txt", stored_at=T0))
    claim = workflow.claim_completion(tree.bigdata_staff, task, evidence=[proof], on=claimed)
    workflow.verify_claim(tree.ver, claim, evidence=[proof], on=verified)
    return task


def test_a_linked_task_closed_while_its_indicator_is_off_track_is_flagged(tree):
    rate = indicator(tree)
    task = _closed_task(tree, claimed=date(2025, 11, 3), verified=date(2025, 11, 10))
    link_task(tree.sup, task, rate, on=date(2024, 1, 3))
    observe(tree, rate, (date(2025, 12, 31), 88.0))  # 1.5 / 2.8333 = 0.53: off track
    flags = indicator_flags(date(2026, 1, 5), Item.objects.all())
    assert list(flags) == [task.pk]
    (flag,) = flags[task.pk]
    assert flag.code == FlagCode.CLOSED_INDICATOR_OFF_TRACK
    assert flag.reason.startswith(f"closed on 2025-11-10 while its indicator #{rate.pk} 'Online handling rate' is off track")
    assert indicator_flags(date(2025, 12, 30), Item.objects.all()) == {}  # before the figure was known


def test_no_flag_when_the_indicator_is_at_risk_the_task_open_or_the_link_later(tree):
    rate = indicator(tree)
    observe(tree, rate, (date(2025, 12, 31), 89.0))  # at risk, not off track
    closed = _closed_task(tree, claimed=date(2025, 11, 3), verified=date(2025, 11, 10))
    link_task(tree.sup, closed, rate, on=date(2024, 1, 3))
    assert indicator_flags(date(2026, 1, 5)) == {}

    slow = indicator(tree, name="Slow")
    observe(tree, slow, (date(2025, 12, 31), 86.6))  # off track
    active = Item.objects.create(kind=ItemKind.TASK, title="open", lead_owner=tree.bigdata, state=ItemState.ACTIVE,
                                 created_at=T0, updated_at=T0)
    link_task(tree.sup, active, slow, on=date(2024, 1, 3))
    late = _closed_task(tree, claimed=date(2025, 11, 3), verified=date(2025, 11, 10))
    link_task(tree.sup, late, slow, on=date(2026, 2, 2))
    assert indicator_flags(date(2026, 1, 5)) == {}  # the active task is open; the closed one was linked later
    assert list(indicator_flags(date(2026, 2, 2))) == [late.pk]


# --- the command line -------------------------------------------------------------------------------------------

def test_observe_link_and_indicator_from_the_command_line(tree, capsys):
    rate = indicator(tree)
    task = Item.objects.create(kind=ItemKind.TASK, title="t", lead_owner=tree.bigdata, state=ItemState.ACTIVE,
                               created_at=T0, updated_at=T0)
    assert cli.main(["ledger", "observe", str(rate.pk), "--value", "89", "--on", "2025-12-31", "--as", "bigdata_staff"]) == 0
    assert cli.main(["ledger", "link", str(task.pk), "--indicator", str(rate.pk), "--as", "sup", "--on", "2025-01-06"]) == 0
    assert cli.main(["ledger", "indicator", str(rate.pk), "--as-of", "2025-12-31"]) == 0
    out = capsys.readouterr().out
    assert f"#{task.pk} task serves #{rate.pk} indicator" in out
    assert "path:        89.333 on 2025-12-31" in out
    assert "status:      at risk as of 2025-12-31" in out
    # the line from 86.5 (end of 2024) through 89 (end of 2025) gives 89 + 2 * 2.5 = 94 at the end of 2027
    assert "projection:  94 on 2027-12-31 (line from the baseline through the observation of 2025-12-31): misses" in out
    assert cli.main(["ledger", "observe", str(task.pk), "--value", "1", "--as", "bigdata_staff"]) == 1
    assert "for indicators" in capsys.readouterr().err
