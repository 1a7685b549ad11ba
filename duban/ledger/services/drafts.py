"""Drafts as read from a document: corrected by a person before they are confirmed, one by one or many at once.

- `edit_draft` corrects what the extractor read (the title, the due date, the units as written), by someone who
  may manage the item, recorded in the history with the values before and after.
- `manageable_items` is the set form of permissions.may_manage, so that a page can tell which of a document's
  hundreds of items a person may act on in one query (tests compare it with the one-item rule).
- `assign_and_confirm` and `units_and_confirm` run two of bulk.py's all-or-nothing calls as one: every item is
  still checked against every rule, and nothing changes unless every item passes both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..choices import ItemState, OrganisationKind, Role
from ..errors import InvalidState, LedgerError
from ..models import Item, Organisation
from . import bulk, history, permissions
from .visibility import is_administrator

UNCHANGED = object()  # a field edit_draft leaves as it is
MAX_TITLE = 2000
MAX_UNIT_NAME = 300


def _unit_names(names: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for name in names:
        name = " ".join(str(name or "").split())
        if len(name) > MAX_UNIT_NAME:
            raise LedgerError(f"a unit name is at most {MAX_UNIT_NAME} characters: {name[:60]}…")
        if name and name not in cleaned:
            cleaned.append(name)
    return cleaned


@transaction.atomic
def edit_draft(user, item: Item, *, title=UNCHANGED, due=UNCHANGED, unit_names=UNCHANGED,
               at: datetime | None = None) -> Item:
    """Correct a draft's title, due date (None: no due date) or units as written, before it is confirmed.

    Only drafts: a confirmed item's due date changes only through an approved request. A due date set by hand is
    no longer provisional. Editing to the same values records nothing.
    """
    item.refresh_from_db(from_queryset=Item.objects.select_for_update())
    if item.state != ItemState.DRAFT:
        raise InvalidState(f"cannot edit: the item is {item.get_state_display().lower()}; only drafts are edited "
                           "(a confirmed item's deadline changes through an approved request)")
    permissions.require_manage(user, item, action="edit this draft")
    before, after = {}, {}
    if title is not UNCHANGED:
        title = " ".join(str(title or "").split())
        if len(title) > MAX_TITLE:
            raise LedgerError(f"a title is at most {MAX_TITLE} characters")
        if title != item.title:
            before["title"], after["title"] = item.title, title
            item.title = title
    if due is not UNCHANGED:
        if due is not None and not isinstance(due, date):
            raise LedgerError("a due date must be a date")
        if due != item.due:
            before["due"], after["due"] = item.due, due
            item.due = due
        if item.due_provisional:
            before["due_provisional"], after["due_provisional"] = True, False
            item.due_provisional = False
    if unit_names is not UNCHANGED:
        names = _unit_names([unit_names] if isinstance(unit_names, str) else unit_names)
        if names != list(item.unit_names):
            before["unit_names"], after["unit_names"] = list(item.unit_names), names
            item.unit_names = names
    if not after:
        return item
    item.updated_at = timezone.now()
    item.save(update_fields=[*after, "updated_at"])
    history.record(user.get_username(), "item.edit_draft", item, before=before, after=after, at=at or timezone.now())
    return item


def manageable_items(user, queryset: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """The items on which permissions.may_manage(user, item) holds: for an administrator all, for a supervisor
    those of the documents their office supervises (every office's, for items without one) and those whose lead
    owner is below their organisation."""
    queryset = Item.objects.all() if queryset is None else queryset
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    if is_administrator(user):
        return queryset
    rule = Q(pk__in=[])
    for org, role in permissions.roles_of(user):
        if role != Role.SUPERVISOR:
            continue
        below = Organisation.objects.filter(path__startswith=org.path).exclude(pk=org.pk).values("pk")
        rule |= Q(document__supervising_office=org) | Q(lead_owner__in=below)
        if org.kind == OrganisationKind.OFFICE:
            rule |= Q(document__isnull=True) | Q(document__supervising_office__isnull=True)
    return queryset.filter(rule)


def assign_and_confirm(user, items: Iterable[Item], lead: Organisation, co_owners: Iterable[Organisation] = (), *,
                       at: datetime | None = None) -> list[Item]:
    """The same owners for every draft, then confirm them all: all or nothing (bulk.BulkRefused lists refusals)."""
    items, at = list(items), at or timezone.now()
    with transaction.atomic():
        bulk.assign(user, items, lead, co_owners, at=at)
        return bulk.confirm(user, items, at=at)


def units_and_confirm(user, items: Iterable[Item], *, at: datetime | None = None) -> list[Item]:
    """Each draft's owners from its own unit names, then confirm them all: all or nothing."""
    items, at = list(items), at or timezone.now()
    with transaction.atomic():
        bulk.assign_units(user, items, at=at)
        return bulk.confirm(user, items, at=at)
