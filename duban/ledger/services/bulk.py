"""Bulk work: assign, confirm, set the reporting interval and export many items in one operation.

All or nothing. Each bulk call runs in one transaction and applies the single-item service to every item (each
in its own savepoint), so every rule is checked for every item and every change is recorded in the history as
if done one by one. When any item is refused, nothing is changed and `BulkRefused` lists every refused item with
its reason: the person fixes or filters those and runs the call again. An item that needs no change (already
assigned to that owner) is not a refusal and records nothing.

The per-item cost is the single-item service's, a bounded number of queries each; what is shared (the
organisation directory for unit names) is read once per call.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Callable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..choices import ItemState
from ..errors import InvalidState, LedgerError
from ..models import Item, Organisation, SourceDocument
from . import history, permissions, workflow
from .fanout import rollups
from .units import Directory, UnitPlan, apply_units

MAX_INTERVAL = 250  # working days: about a year
INTERVAL_STATES = (ItemState.DRAFT, ItemState.ACTIVE, ItemState.CLAIMED)


class BulkRefused(LedgerError):
    """Some items of a bulk call were refused; nothing was changed. `failures` holds (item, reason) pairs."""

    def __init__(self, action: str, failures: list[tuple[Item, str]], total: int):
        self.failures = failures
        lines = "\n".join(f"  #{item.pk}{' ' + item.number if item.number else ''}: {reason}" for item, reason in failures)
        super().__init__(f"cannot {action}: {len(failures)} of {total} items were refused, so none was changed:\n{lines}")


def select(document: SourceDocument | None = None, *, states: Iterable[str] | None = (ItemState.DRAFT,),
           kinds: Iterable[str] | None = None, ids: Iterable[int] | None = None, top_level: bool = False) -> QuerySet:
    """The items a bulk call works on: a document's drafts by default, or filtered by state, kind and id."""
    items = Item.objects.select_related("lead_owner", "document").order_by("id")
    if document is not None:
        items = items.filter(document=document)
    if states:
        items = items.filter(state__in=list(states))
    if kinds:
        items = items.filter(kind__in=list(kinds))
    if ids is not None:
        items = items.filter(pk__in=list(ids))
    if top_level:
        items = items.filter(parent__isnull=True)
    return items


def _each(action: str, items: Iterable[Item], do: Callable[[Item], object]) -> list:
    items = list(items)
    results, failures = [], []
    with transaction.atomic():
        for item in items:
            try:
                with transaction.atomic():
                    results.append(do(item))
            except LedgerError as error:
                failures.append((item, str(error)))
        if failures:
            raise BulkRefused(action, failures, len(items))
    return results


def assign(user, items: Iterable[Item], lead: Organisation, co_owners: Iterable[Organisation] = (), *,
           at: datetime | None = None) -> list[Item]:
    """The same lead owner (and co-owners) for every item."""
    co_owners = list(co_owners)
    at = at or timezone.now()
    return _each("assign the owner", items, lambda item: workflow.assign_owner(user, item, lead, co_owners, at=at))


def assign_units(user, items: Iterable[Item], *, at: datetime | None = None) -> list[UnitPlan]:
    """Each item's owners from its own unit names (units.apply_units); refused for items with names unresolved."""
    directory, at = Directory(), at or timezone.now()
    return _each("assign owners from the unit names", items,
                 lambda item: apply_units(user, item, at=at, directory=directory))


def confirm(user, items: Iterable[Item], *, at: datetime | None = None) -> list[Item]:
    """Confirm every draft: each needs its lead owner."""
    at = at or timezone.now()
    return _each("confirm the drafts", items, lambda item: workflow.confirm(user, item, at=at))


@transaction.atomic
def set_reporting_interval(user, item: Item, working_days: int, *, at: datetime | None = None) -> Item:
    """How many working days may pass between an open item's progress reports before it is flagged.

    By someone who may manage the item; for drafts, active and claimed items; 1 to 250 working days.
    """
    if isinstance(working_days, bool) or not isinstance(working_days, int) or not 1 <= working_days <= MAX_INTERVAL:
        raise LedgerError(f"a reporting interval is a whole number of working days from 1 to {MAX_INTERVAL}, "
                          f"not {working_days!r}")
    item.refresh_from_db(from_queryset=Item.objects.select_for_update())
    if item.state not in INTERVAL_STATES:
        raise InvalidState(f"cannot set the reporting interval: the item is {item.get_state_display().lower()}")
    permissions.require_manage(user, item, action="set the reporting interval")
    if item.reporting_interval == working_days:
        return item
    before = {"reporting_interval": item.reporting_interval}
    item.reporting_interval, item.updated_at = working_days, timezone.now()
    item.save(update_fields=["reporting_interval", "updated_at"])
    history.record(user.get_username(), "item.set_interval", item, before=before,
                   after={"reporting_interval": working_days}, at=at or timezone.now())
    return item


def set_interval(user, items: Iterable[Item], working_days: int, *, at: datetime | None = None) -> list[Item]:
    at = at or timezone.now()
    return _each("set the reporting interval", items,
                 lambda item: set_reporting_interval(user, item, working_days, at=at))


EXPORT_FIELDS = ("id", "kind", "state", "number", "title", "quote", "document", "line_start", "line_end", "parent",
                 "due", "original_due", "due_provisional", "extensions", "reporting_interval", "lead_owner",
                 "co_owners", "units_named", "children")


def export_rows(items: QuerySet | Iterable[Item]) -> list[dict]:
    """One row per item with its owners and, for a fanned-out parent, its roll-up; three queries in all."""
    if isinstance(items, QuerySet):
        items = items.select_related("lead_owner").prefetch_related("co_owners")
    items = list(items)
    rolled = rollups(items)
    rows = []
    for item in items:
        summary = rolled[item.pk]
        rows.append({
            "id": item.pk, "kind": item.kind, "state": item.state, "number": item.number, "title": item.title,
            "quote": item.quote, "document": item.document_id or "", "line_start": item.line_start or "",
            "line_end": item.line_end or "", "parent": item.parent_id or "", "due": item.due or "",
            "original_due": item.original_due or "", "due_provisional": int(item.due_provisional),
            "extensions": item.extensions, "reporting_interval": item.reporting_interval,
            "lead_owner": item.lead_owner.name if item.lead_owner_id else "",
            "co_owners": "; ".join(org.name for org in item.co_owners.all()),
            "units_named": "; ".join(item.unit_names), "children": summary.summary() if summary.total else "",
        })
    return rows


def export_csv(items: QuerySet | Iterable[Item], out: IO[str]) -> int:
    """Write the items as CSV; returns how many."""
    rows = export_rows(items)
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return len(rows)
