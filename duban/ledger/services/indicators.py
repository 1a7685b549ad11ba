"""Indicators on their path: observations, the straight path from baseline to target, the status as of a date,
the projection to the target year, tasks linked to indicators, and the red flag of a linked task closed while its
indicator is off track.

An indicator item's data holds the extractor's fields: "name", "unit", "baseline" ({"value", "year"} or None),
"target" ({"value", "year"}, the year possibly None) and "comparator" (">=", "<=" or "=").

How they are read:
- A year's figure is its value at the year's end: "86.5 in 2024" is 86.5 on 31 December 2024, "95 by 2027" is 95 on
  31 December 2027. The path runs straight between those two days, counted in calendar days; it holds the baseline
  before its day and the target after its day. Without a baseline, a target year, or with a target year not after
  the baseline year, there is no path.
- The good direction is up for ">=", down for "<=", and for "=" from the baseline toward the target ("reach 95",
  written without a comparator): going further that way is never worse.
- The status uses the latest observation known on `as_of` and compares it with the path on the day the observation
  measures, not on `as_of` (statistics arrive late: a value for 31 December read in March is not behind for that):
  progress = (observed − baseline) / (path − baseline). On track from DUBAN_INDICATOR_AT_RISK (0.9) up, at risk
  from DUBAN_INDICATOR_OFF_TRACK (0.7) up, off track below; an observation on or before the baseline's day is on
  track unless it is worse than the baseline.
- A target that asks for no move in the good direction (a level to hold, a floor under the baseline, a ceiling above
  it) is a bound: on track while the observation meets the target, off track otherwise. "=" at the baseline's level
  is held as a floor.
- Without a baseline the status comes from the projection: the share of the way from the first observation to the
  target that the projection covers by the target's day, on the same thresholds; with observations on fewer than
  two days it is unknown. Without a target year, or with no observation known on `as_of`, it is unknown.
- The projection to the target's day is the least-squares line through the observations (value against day); with
  observations on one day only, the line from the baseline through the latest of them.
- An observation is known on a day when it measures that day or an earlier one and was recorded by the end of it:
  a figure published later (recorded with a later `on`) never changes a status reported for an earlier day.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..choices import FlagCode, ItemKind, ItemState
from ..errors import InvalidState, LedgerError, NotAllowed
from ..models import Event, IndicatorObservation, Item
from . import history, permissions
from .texts import written
from .asof import end_of_day, item_events, item_scope, local_date, snapshot
from .workflow import moment


class Status(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    UNKNOWN = "unknown", "Unknown"


LINK_ACTION, UNLINK_ACTION = "item.link_indicator", "item.unlink_indicator"
OBSERVABLE_STATES = (ItemState.DRAFT, ItemState.ACTIVE, ItemState.CLAIMED, ItemState.CLOSED)
LINKABLE_KINDS = (ItemKind.TASK, ItemKind.MILESTONE)
DEAD_STATES = (ItemState.REJECTED, ItemState.CANCELLED)  # an extraction error, or a commitment withdrawn


def a_kind(item: Item) -> str:
    """"an indicator", "a task": the item's kind with its article, for messages."""
    label = item.get_kind_display().lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


# --- reading an indicator ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Point:
    day: date
    value: float


@dataclass(frozen=True)
class Definition:
    """What the indicator asks: from its baseline (if known) to its target value by its target's day (if known)."""

    name: str
    unit: str
    baseline: Point | None
    target_value: float | None
    target_day: date | None
    comparator: str

    @property
    def has_path(self) -> bool:
        return (self.baseline is not None and self.target_value is not None and self.target_day is not None
                and self.target_day > self.baseline.day)

    def path_value(self, day: date) -> float | None:
        """The value the straight path plans for the day; None without a path."""
        if not self.has_path:
            return None
        start, end = self.baseline.day, self.target_day
        if day <= start:
            return self.baseline.value
        if day >= end:
            return self.target_value
        return self.baseline.value + (self.target_value - self.baseline.value) * (day - start).days / (end - start).days


@dataclass(frozen=True)
class Observation:
    day: date
    value: float
    recorded: datetime
    id: int


def _year_end(year: Any) -> date | None:
    return date(int(year), 12, 31) if isinstance(year, int | float) and not isinstance(year, bool) and year > 0 else None


def _figure(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _comparator(text: Any) -> str:
    text = str(text or "=").strip()
    if text[:1] in (">", "≥"):
        return ">="
    if text[:1] in ("<", "≤"):
        return "<="
    return "="


def definition(item: Item) -> Definition:
    """The indicator's path as its data states it."""
    if item.kind != ItemKind.INDICATOR:
        raise LedgerError(f"item #{item.pk} is {a_kind(item)}, not an indicator")
    data = item.data or {}
    base, target = data.get("baseline") or {}, data.get("target") or {}
    base_value, base_day = _figure(base.get("value")), _year_end(base.get("year"))
    baseline = Point(base_day, base_value) if base_value is not None and base_day is not None else None
    return Definition(name=str(data.get("name") or item.title or f"indicator #{item.pk}"), unit=str(data.get("unit") or ""),
                      baseline=baseline, target_value=_figure(target.get("value")), target_day=_year_end(target.get("year")),
                      comparator=_comparator(data.get("comparator")))


def path_value(item: Item, day: date) -> float | None:
    """The value the indicator's path plans for the day (None when it has no path)."""
    return definition(item).path_value(day)


def _observations(item_ids: Iterable[int]) -> dict[int, list[Observation]]:
    found = defaultdict(list)
    rows = (IndicatorObservation.objects.filter(item_id__in=item_ids).order_by("item_id", "observed_on", "created_at", "id")
            .values_list("item_id", "observed_on", "value", "created_at", "id"))
    for item_id, day, value, recorded, pk in rows:
        found[item_id].append(Observation(day, value, recorded, pk))
    return found


def _known(observations: Sequence[Observation], as_of: date) -> list[Observation]:
    """The observations of days up to `as_of` that were recorded by its end, oldest day first."""
    boundary = end_of_day(as_of)
    return [o for o in observations if o.day <= as_of and o.recorded < boundary]


# --- direction, projection and status ---------------------------------------------------------------------------

def _direction(comparator: str, start: float, target: float) -> int:
    """+1 when more is better, -1 when less is; "=" points from the start toward the target (a level: a floor)."""
    if comparator == ">=":
        return 1
    if comparator == "<=":
        return -1
    return 1 if target >= start else -1


def _meets(direction: int, value: float, bound: float) -> bool:
    return direction * (value - bound) >= 0 or math.isclose(value, bound, rel_tol=1e-9, abs_tol=1e-12)


def _fmt(value: float) -> str:
    return f"{round(value, 3):g}"


@dataclass(frozen=True)
class Projection:
    """The value the observations point to on the target's day, and whether it meets the target."""

    value: float
    day: date
    reaches: bool
    basis: str


def _project(defn: Definition, known: Sequence[Observation]) -> Projection | None:
    if defn.target_value is None or defn.target_day is None or not known:
        return None
    x_target = defn.target_day.toordinal()
    days = {o.day for o in known}
    if len(days) >= 2:
        n = len(known)
        mean_x = sum(o.day.toordinal() for o in known) / n
        mean_y = sum(o.value for o in known) / n
        sxx = sum((o.day.toordinal() - mean_x) ** 2 for o in known)
        sxy = sum((o.day.toordinal() - mean_x) * (o.value - mean_y) for o in known)
        value = mean_y + sxy / sxx * (x_target - mean_x)
        basis = f"least-squares line through {n} observations"
    elif defn.baseline is not None and known[-1].day > defn.baseline.day:
        latest, base = known[-1], defn.baseline
        slope = (latest.value - base.value) / (latest.day.toordinal() - base.day.toordinal())
        value = latest.value + slope * (x_target - latest.day.toordinal())
        basis = f"line from the baseline through the observation of {latest.day.isoformat()}"
    else:
        return None
    start = defn.baseline.value if defn.baseline is not None else known[0].value
    reaches = _meets(_direction(defn.comparator, start, defn.target_value), value, defn.target_value)
    return Projection(value, defn.target_day, reaches, basis)


@dataclass(frozen=True)
class Assessment:
    """An indicator as of a day: its status and why, the observation it rests on, and the projection."""

    as_of: date
    status: str
    reason: str
    observation: Observation | None = None
    path_value: float | None = None  # the path on the observation's day
    progress: float | None = None  # the share of the planned progress reached (or projected, without a baseline)
    projection: Projection | None = None


def thresholds() -> tuple[float, float]:
    """(on track from, at risk from): shares of the planned progress, from the settings."""
    on_track, at_risk = float(settings.DUBAN_INDICATOR_AT_RISK), float(settings.DUBAN_INDICATOR_OFF_TRACK)
    if not 0 <= at_risk <= on_track:
        raise LedgerError(f"DUBAN_INDICATOR_OFF_TRACK ({at_risk}) must lie between 0 and DUBAN_INDICATOR_AT_RISK ({on_track})")
    return on_track, at_risk


def _grade(progress: float) -> str:
    on_track, at_risk = thresholds()
    return Status.ON_TRACK if progress >= on_track else Status.AT_RISK if progress >= at_risk else Status.OFF_TRACK


def _scale() -> str:
    on_track, at_risk = thresholds()
    return f"(on track from {on_track:.0%}, at risk from {at_risk:.0%})"


def _assess(defn: Definition, observations: Sequence[Observation], as_of: date) -> Assessment:
    known = _known(observations, as_of)
    projection = _project(defn, known)
    unit = defn.unit if defn.unit in ("", "%") else f" {defn.unit}"
    if defn.target_value is None or defn.target_day is None:
        return Assessment(as_of, Status.UNKNOWN, "the indicator states no target value and year", projection=projection)
    if not known:
        return Assessment(as_of, Status.UNKNOWN, f"no observation known on {as_of.isoformat()}", projection=projection)
    latest, target = known[-1], defn.target_value
    seen = f"{_fmt(latest.value)}{unit} on {latest.day.isoformat()}"

    if not defn.has_path:
        why = "no baseline" if defn.baseline is None else "no path (the target year is not after the baseline year)"
        if projection is None:
            return Assessment(as_of, Status.UNKNOWN, f"{why}, and observations on fewer than two days to project from",
                              latest, projection=projection)
        first = known[0]
        direction = _direction(defn.comparator, first.value, target)
        projected = f"the projection gives {_fmt(projection.value)}{unit} on {projection.day.isoformat()} for a target of {_fmt(target)}"
        if direction * (target - first.value) <= 0:
            status = Status.ON_TRACK if projection.reaches else Status.OFF_TRACK
            return Assessment(as_of, status, f"{why}: {projected}", latest, projection=projection)
        progress = (projection.value - first.value) / (target - first.value)
        return Assessment(as_of, _grade(progress), f"{why}: {projected}, {progress:.0%} of the way from the first "
                          f"observation ({_fmt(first.value)} on {first.day.isoformat()}) {_scale()}",
                          latest, None, progress, projection)

    base = defn.baseline
    planned_value = defn.path_value(latest.day)
    direction = _direction(defn.comparator, base.value, target)
    if direction * (target - base.value) <= 0:
        met = _meets(direction, latest.value, target)
        bound = "at least" if direction > 0 else "at most"
        return Assessment(as_of, Status.ON_TRACK if met else Status.OFF_TRACK,
                          f"{seen} {'meets' if met else 'misses'} the target of {bound} {_fmt(target)}{unit}",
                          latest, planned_value, projection=projection)
    planned = planned_value - base.value
    if latest.day <= base.day or planned == 0:
        met = _meets(direction, latest.value, base.value)
        return Assessment(as_of, Status.ON_TRACK if met else Status.OFF_TRACK,
                          f"{seen}, by the baseline's day, is {'not worse than' if met else 'worse than'} the baseline "
                          f"of {_fmt(base.value)}", latest, planned_value, projection=projection)
    progress = (latest.value - base.value) / planned
    return Assessment(as_of, _grade(progress), f"{seen} against {_fmt(planned_value)} on the path from "
                      f"{_fmt(base.value)} ({base.day.year}) to {_fmt(target)} ({defn.target_day.year}): "
                      f"{progress:.0%} of the planned progress {_scale()}", latest, planned_value, progress, projection)


def assess(item: Item, as_of: date) -> Assessment:
    """The indicator as of the day: status, reason, the observation used, the path there, and the projection."""
    return _assess(definition(item), _observations([item.pk])[item.pk], as_of)


def status(item: Item, as_of: date) -> str:
    """on_track, at_risk, off_track or unknown, as of the day."""
    return assess(item, as_of).status


def projection(item: Item, as_of: date) -> Projection | None:
    """The value on the target's day the observations known on `as_of` point to, and whether it meets the target."""
    return _project(definition(item), _known(_observations([item.pk])[item.pk], as_of))


# --- recording observations and links ---------------------------------------------------------------------------


def _number(value: Any) -> float:
    figure = _figure(value)
    if figure is None:
        raise LedgerError(f"an observation's value must be a finite number, not {value!r}")
    return figure


@transaction.atomic
def record_observation(user, item: Item, *, value: float, observed_on: date, note: str = "",
                       on: date | None = None) -> IndicatorObservation:
    """An indicator's value on a day, by the owner's side (or a co-owner's) or a supervisor who may manage the item.

    `on` is the day it was recorded (default: the day it measures); it is known from then on, so a figure published
    later does not change a status reported for an earlier day.
    """
    item = Item.objects.select_for_update(of=("self",)).select_related("lead_owner").get(pk=item.pk)
    if item.kind != ItemKind.INDICATOR:
        raise LedgerError(f"observations are recorded for indicators; item #{item.pk} is {a_kind(item)}")
    if item.state not in OBSERVABLE_STATES:
        raise InvalidState(f"cannot record an observation: the indicator is {item.get_state_display().lower()}")
    if not (permissions.may_report(user, item) or permissions.may_manage(user, item)):
        owner = item.lead_owner.name if item.lead_owner else "the lead owner"
        raise NotAllowed(f"{permissions.who(user)} may not record an observation: only staff of {owner}'s side or of a co-owner's "
                         "side, or a supervisor of the supervising office or above the owner, may")
    value = _number(value)
    if not isinstance(observed_on, date):
        raise LedgerError("an observation needs the day it measures")
    on = on or observed_on
    if on < observed_on:
        raise LedgerError(f"an observation of {observed_on.isoformat()} cannot have been recorded before it, on {on.isoformat()}")
    at = moment(on)
    observation = IndicatorObservation.objects.create(item=item, value=value, observed_on=observed_on,
                                                      note=written(note, "the note"), recorded_by=user, created_at=at)
    history.record(user.get_username(), "indicator.observe", observation, at=at, item_id=item.pk,
                   after={"value": value, "observed_on": observed_on, "note": observation.note})
    return observation


def _set_link(user, task: Item, indicator: Item, on: date, link: bool) -> Item:
    task = Item.objects.select_for_update(of=("self",)).select_related("lead_owner", "document").get(pk=task.pk)
    verb = "link" if link else "unlink"
    if task.kind not in LINKABLE_KINDS:
        raise LedgerError(f"tasks and milestones are linked to indicators; item #{task.pk} is {a_kind(task)}")
    if indicator.kind != ItemKind.INDICATOR:
        raise LedgerError(f"item #{indicator.pk} is {a_kind(indicator)}, not an indicator")
    if link and (task.state in DEAD_STATES or indicator.state in DEAD_STATES):
        dead = task if task.state in DEAD_STATES else indicator
        raise InvalidState(f"cannot link: item #{dead.pk} is {dead.get_state_display().lower()}")
    permissions.require_manage(user, task, action=f"{verb} a task and an indicator")
    before = sorted(task.indicators.values_list("pk", flat=True))
    after = sorted(set(before) | {indicator.pk}) if link else [pk for pk in before if pk != indicator.pk]
    if after == before:
        return task
    if link:
        task.indicators.add(indicator)
    else:
        task.indicators.remove(indicator)
    task.updated_at = timezone.now()
    task.save(update_fields=["updated_at"])
    history.record(user.get_username(), LINK_ACTION if link else UNLINK_ACTION, task, at=moment(on),
                   before={"indicators": before}, after={"indicators": after, "indicator": indicator.pk})
    return task


@transaction.atomic
def link_task(user, task: Item, indicator: Item, *, on: date) -> Item:
    """Link a task (or milestone) to an indicator it serves, by someone who may manage the task; linking twice is a no-op."""
    return _set_link(user, task, indicator, on, link=True)


@transaction.atomic
def unlink_task(user, task: Item, indicator: Item, *, on: date) -> Item:
    return _set_link(user, task, indicator, on, link=False)


# --- the red flag -----------------------------------------------------------------------------------------------

def indicator_flags(day: date, items: QuerySet | Iterable[Item] | None = None) -> dict[int, list]:
    """Red flags of the items that are closed on the day while an indicator they are linked to (on that day) is off
    track on that day: {item id: [flags.Flag]}, only for flagged items, in a bounded number of queries."""
    from .flags import Flag  # here, so that flags.py may import this module at its top

    items, ids = item_scope(items)
    current = defaultdict(list)
    for task_id, indicator_id in Item.indicators.through.objects.filter(from_item_id__in=ids).values_list("from_item_id", "to_item_id"):
        current[task_id].append(indicator_id)
    relinked = set(Event.objects.filter(object_type="item", item_id__in=ids, action__in=(LINK_ACTION, UNLINK_ACTION))
                   .values_list("item_id", flat=True).distinct())
    candidates = [item for item in items if item.pk in current or item.pk in relinked]
    if not candidates:
        return {}

    boundary = end_of_day(day)
    events = item_events([item.pk for item in candidates])
    closed = {}
    for task in candidates:
        task_history = events[task.pk]
        if snapshot(task, task_history, day).state != ItemState.CLOSED:
            continue
        k = task_history.count_before(boundary)
        linked = task_history.value_before(k, "indicators", sorted(current.get(task.pk, [])))
        if linked:
            closed_on = next((local_date(c.at) for c in reversed(task_history.changes[:k])
                              if c.after.get("state") == ItemState.CLOSED), None)
            closed[task.pk] = (closed_on, linked)
    if not closed:
        return {}

    indicator_ids = sorted({pk for _, linked in closed.values() for pk in linked})
    indicators = Item.objects.in_bulk(indicator_ids)
    indicator_history = item_events(indicator_ids)
    observations = _observations(indicator_ids)
    off_track = {}
    for pk, indicator in indicators.items():
        if indicator.kind != ItemKind.INDICATOR:
            continue
        if snapshot(indicator, indicator_history[pk], day).state in (None, *DEAD_STATES):
            continue
        defn = definition(indicator)
        assessment = _assess(defn, observations[pk], day)
        if assessment.status == Status.OFF_TRACK:
            off_track[pk] = (defn, assessment)

    flags = {}
    for task_id, (closed_on, linked) in closed.items():
        found = []
        for pk in linked:
            if pk in off_track:
                defn, assessment = off_track[pk]
                when = f"closed on {closed_on.isoformat()}" if closed_on else "closed"
                found.append(Flag(FlagCode.CLOSED_INDICATOR_OFF_TRACK,
                                  f"{when} while its indicator #{pk} {defn.name[:60]!r} is off track on "
                                  f"{day.isoformat()}: {assessment.reason}"))
        if found:
            flags[task_id] = found
    return flags
