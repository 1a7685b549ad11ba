"""The ledger as of any date, replayed from the items' history events, so a report for a past date never changes."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
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


@dataclass
class ItemHistory:
    """An item's recorded changes in time order, and the event that created it (its initial values) if recorded.

    The creation is kept apart: an import recorded at the time it ran may carry a later time than actions dated
    in the past, and it gives initial values, never the latest ones.
    """

    created: Change | None = None
    changes: list[Change] = field(default_factory=list)

    def count_before(self, moment: datetime) -> int:
        """How many changes took effect before `moment`."""
        return bisect_left([change.at for change in self.changes], moment)

    def exists_before(self, moment: datetime) -> bool:
        return self.created is None or self.created.at < moment or self.count_before(moment) > 0

    def value_before(self, k: int, name: str, current: Any) -> Any:
        """A field's value after the first k changes: the last of them that set it, else what the next change that
        touches it found, else its value at creation, else the current value (nothing recorded it)."""
        for change in reversed(self.changes[:k]):
            if name in change.after:
                return change.after[name]
        for change in self.changes[k:]:
            if name in change.before:
                return change.before[name]
        if self.created is not None and name in self.created.after:
            return self.created.after[name]
        return current


def _is_creation(before: dict, after: dict) -> bool:
    return not before and "state" in after


def item_events(ids: Any) -> dict[int, ItemHistory]:
    """The recorded history of the given items (ids or a subquery), in one query."""
    histories = defaultdict(ItemHistory)
    rows = (Event.objects.filter(object_type="item", item_id__in=ids).order_by("item_id", "at", "id")
            .values_list("item_id", "at", "action", "before", "after"))
    for item_id, at, action, before, after in rows.iterator(chunk_size=2000):
        change, history = Change(at, action, before or {}, after or {}), histories[item_id]
        if history.created is None and _is_creation(change.before, change.after):
            history.created = change
        else:
            history.changes.append(change)
    return histories


def as_date(value: Any) -> date | None:
    """A due date as recorded in an event (ISO text) or held on the item."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def snapshot_at(item: Item, history: ItemHistory, k: int, day: date) -> Snapshot:
    """The item's fields after its first k changes, read as of `day`."""
    return Snapshot(
        day=day,
        state=history.value_before(k, "state", item.state),
        due=as_date(history.value_before(k, "due", item.due)),
        lead_owner_id=history.value_before(k, "lead_owner", item.lead_owner_id),
        extensions=history.value_before(k, "extensions", item.extensions) or 0,
    )


def snapshot(item: Item, history: ItemHistory, day: date) -> Snapshot:
    """The item as of the end of the day; state None when its creation was recorded after that."""
    boundary = end_of_day(day)
    if not history.exists_before(boundary):
        return Snapshot(day, None, None, None, 0)
    return snapshot_at(item, history, history.count_before(boundary), day)


def as_of(item: Item, day: date) -> Snapshot:
    """One item as of a day (one query)."""
    return snapshot(item, item_events([item.pk])[item.pk], day)


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
    return [(item, snapshot(item, events[item.pk], day)) for item in items]


def overdue_items(day: date, queryset: QuerySet | Iterable[Item] | None = None) -> list[Item]:
    """The items overdue as of the day: due before it and active or claimed at its end."""
    return [item for item, state in snapshots(day, queryset) if state.overdue]
