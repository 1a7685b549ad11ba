"""The dashboard's figures as of a day: counts by state, overdue and due-soon items, and claims, closures and
overdue items week by week, all replayed from the history so a past day always reads the same."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, QuerySet

from ..choices import ItemState
from ..models import Event, Item, Organisation
from .asof import OPEN_STATES, Snapshot, end_of_day, item_events, local_date, snapshot
from .calendar import add_working_days

# States from which an item may have been open at some earlier day: drafts and rejected drafts never were, and a
# due date, once set, is only ever replaced by another, so an item without one now never had one.
ONCE_OPEN = (ItemState.ACTIVE, ItemState.CLAIMED, ItemState.CLOSED, ItemState.CANCELLED)
CLAIM, VERIFY = "item.claim", "item.verify"


@dataclass(frozen=True)
class Period:
    """One week up to `end` (inclusive): the claims and verified closures recorded in it, and the items overdue at
    its end."""

    start: date
    end: date
    claims: int
    closures: int
    overdue: int


@dataclass(frozen=True)
class Dashboard:
    day: date
    counts: dict[str, int]  # items in every state at the end of the day, zero included
    overdue: list[tuple[Item, Snapshot]]  # most overdue first
    due_soon: list[tuple[Item, Snapshot, date]]  # with the end of the owner's horizon, soonest first
    periods: list[Period]  # oldest first, the last ending on the day


def state_counts(items: QuerySet[Item], day: date) -> dict[str, int]:
    """How many items were in each state at the end of the day, in four queries.

    Only the items with history recorded after the day are replayed; the others stand as they were then.
    """
    later = Event.objects.filter(object_type="item", item__in=items.values("pk"), at__gte=end_of_day(day)).values("item_id")
    found = Counter(dict(items.exclude(pk__in=later).order_by().values_list("state").annotate(n=Count("pk"))))
    changed = list(items.filter(pk__in=later).order_by())
    events = item_events([item.pk for item in changed])
    found.update(state for state in (snapshot(item, events[item.pk], day).state for item in changed) if state is not None)
    return {state: found.get(state, 0) for state in ItemState.values}


def _weeks(day: date, weeks: int) -> list[tuple[date, date]]:
    """`weeks` Monday-to-Sunday weeks, the last one cut at the day."""
    monday = day - timedelta(days=day.weekday())
    spans = [(monday - timedelta(weeks=k), monday - timedelta(weeks=k) + timedelta(days=6)) for k in range(weeks)]
    return [(start, min(end, day)) for start, end in reversed(spans)]


def _horizons(day: date, working_days: int, owners: dict[int, Organisation]) -> dict[int, date]:
    """The last day of the owner's next `working_days` working days, per owner (one calendar walk per jurisdiction)."""
    by_place = {}
    for owner in owners.values():
        place = (owner.country, owner.region)
        if place not in by_place:
            by_place[place] = add_working_days(day, working_days, *place).date
    return {pk: by_place[(owner.country, owner.region)] for pk, owner in owners.items()}


def dashboard(items: QuerySet[Item], day: date, *, weeks: int = 12, soon: int = 10) -> Dashboard:
    """The figures for these items as of the day, in a bounded number of queries however many items there are.

    Overdue means due before the day and open at its end; due soon, due from the day up to `soon` working days
    after it on the owner's calendar. Each week's overdue count is read at the end of that week.
    """
    candidates = list(items.filter(state__in=ONCE_OPEN, due__isnull=False).select_related("lead_owner"))
    events = item_events([item.pk for item in candidates])
    spans = _weeks(day, weeks)
    overdue_by_week = Counter()
    overdue, due_soon = [], []
    ever_owners = {item.lead_owner_id for item in candidates}
    snapshots = [(item, snapshot(item, events[item.pk], day)) for item in candidates]
    ever_owners |= {state.lead_owner_id for _, state in snapshots}
    owners = Organisation.objects.in_bulk([pk for pk in ever_owners if pk is not None])
    horizons = _horizons(day, soon, owners)
    for item, state in snapshots:
        if state.overdue:
            overdue.append((item, state))
        elif state.state in OPEN_STATES and state.due is not None and state.lead_owner_id in horizons \
                and day <= state.due <= horizons[state.lead_owner_id]:
            due_soon.append((item, state, horizons[state.lead_owner_id]))
        history = events[item.pk]
        for start, end in spans[:-1]:
            if snapshot(item, history, end).overdue:
                overdue_by_week[start] += 1
    overdue_by_week[spans[-1][0]] = len(overdue)
    recorded = Counter()
    first, last = spans[0][0], spans[-1][1]
    rows = (Event.objects.filter(object_type="item", item__in=items.values("pk"), action__in=(CLAIM, VERIFY),
                                 at__gte=end_of_day(first - timedelta(days=1)), at__lt=end_of_day(last))
            .values_list("at", "action"))
    for at, action in rows:
        on = local_date(at)
        recorded[(on - timedelta(days=on.weekday()), action)] += 1
    periods = [Period(start, end, recorded[(start, CLAIM)], recorded[(start, VERIFY)], overdue_by_week[start])
               for start, end in spans]
    overdue.sort(key=lambda pair: (pair[1].due, pair[0].pk))
    due_soon.sort(key=lambda triple: (triple[1].due, triple[0].pk))
    return Dashboard(day, state_counts(items, day), overdue, due_soon, periods)
