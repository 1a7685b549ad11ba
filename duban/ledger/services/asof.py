"""The ledger as of any date, replayed from the items' history events, so a report for a past date never changes."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.db.models import QuerySet
from django.utils import timezone

from ..choices import ItemState
from ..models import Event, Item

OPEN_STATES = frozenset({ItemState.ACTIVE, ItemState.CLAIMED})  # the states in which an item can be overdue


class Change(NamedTuple):
    """One recorded change of an item: its effective time, action and the fields before and after."""

    at: datetime
    action: str
    before: dict
    after: dict


@dataclass(frozen=True)
class Snapshot:
    """An item's fields as they stood at the end of `day`; state None means the item did not exist yet."""

    day: date
    state: str | None
    due: date | None
    lead_owner_id: int | None
    extensions: int

    @property
    def overdue(self) -> bool:
        """Due before the day and still open (active, or claimed but not verified)."""
        return self.state in OPEN_STATES and self.due is not None and self.due < self.day


def end_of_day(day: date) -> datetime:
    """The first moment after `day` in the ledger's time zone: events before it count as of that day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone.get_default_timezone())


def local_date(at: datetime) -> date:
    return at.astimezone(timezone.get_default_timezone()).date()


def item_scope(items: QuerySet | Iterable[Item] | None) -> tuple[list[Item], Any]:
    """The items, and what selects their ids in a query: a subquery for a queryset, so long lists stay one query."""
    if items is None:
        items = Item.objects.all()
    if isinstance(items, QuerySet) and not items.query.is_sliced:
        return list(items), items.values("pk")
    items = list(items)
    return items, [item.pk for item in items]


def item_events(ids: Any) -> dict[int, list[Change]]:
    """Every recorded change of the given items (ids or a subquery), in order, in one query."""
    events = defaultdict(list)
    rows = (Event.objects.filter(object_type="item", item_id__in=ids).order_by("item_id", "at", "id")
            .values_list("item_id", "at", "action", "before", "after"))
    for item_id, at, action, before, after in rows.iterator(chunk_size=2000):
        events[item_id].append(Change(at, action, before or {}, after or {}))
    return events


def count_before(changes: list[Change], moment: datetime) -> int:
    """How many of the (time-ordered) changes took effect before `moment`."""
    return bisect_left([change.at for change in changes], moment)


def value_before(changes: list[Change], k: int, field: str, current: Any) -> Any:
    """A field's value after the first k changes: the last of them that set it, else what the next change that
    touches it found, else the current value (nothing ever changed it)."""
    for change in reversed(changes[:k]):
        if field in change.after:
            return change.after[field]
    for change in changes[k:]:
        if field in change.after or field in change.before:
            return change.before.get(field)
    return current


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def snapshot_at(item: Item, changes: list[Change], k: int, day: date) -> Snapshot:
    """The item's fields after its first k changes, read as of `day`."""
    return Snapshot(
        day=day,
        state=value_before(changes, k, "state", item.state),
        due=_date(value_before(changes, k, "due", item.due)),
        lead_owner_id=value_before(changes, k, "lead_owner", item.lead_owner_id),
        extensions=value_before(changes, k, "extensions", item.extensions) or 0,
    )


def snapshot(item: Item, changes: list[Change], day: date) -> Snapshot:
    return snapshot_at(item, changes, count_before(changes, end_of_day(day)), day)


def as_of(item: Item, day: date) -> Snapshot:
    """One item as of a day (one query)."""
    return snapshot(item, item_events([item.pk]).get(item.pk, []), day)


def state_as_of(item: Item, day: date) -> str | None:
    return as_of(item, day).state


def due_as_of(item: Item, day: date) -> date | None:
    return as_of(item, day).due


def is_overdue(item: Item, day: date) -> bool:
    return as_of(item, day).overdue


def snapshots(day: date, items: QuerySet | Iterable[Item] | None = None) -> list[tuple[Item, Snapshot]]:
    """Every item with its snapshot as of the day, in two queries however many items there are."""
    items, ids = item_scope(items)
    events = item_events(ids)
    return [(item, snapshot(item, events.get(item.pk, []), day)) for item in items]


def overdue_items(day: date, queryset: QuerySet | Iterable[Item] | None = None) -> list[Item]:
    """The items overdue as of the day: due before it and active or claimed at its end."""
    return [item for item, state in snapshots(day, queryset) if state.overdue]
