"""What a person may see: the rule pages, API and exports share, so no unit sees another unit's non-public items."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from ..choices import Role
from ..models import Item, Membership, Organisation
from .permissions import roles_of


def is_administrator(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(role == Role.ADMINISTRATOR for _, role in roles_of(user))


def visible_items(user, queryset: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """Items owned (lead or co-owner) by the person's organisations or units below them, and the items of the
    documents those organisations supervise. Administrators see everything; anonymous people nothing."""
    queryset = Item.objects.all() if queryset is None else queryset
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    if is_administrator(user):
        return queryset
    paths = set(Membership.objects.filter(user=user).values_list("organisation__path", flat=True))
    if not paths:
        return queryset.none()
    within = Q()
    co_owned = Q()
    for path in paths:
        within |= Q(lead_owner__path__startswith=path) | Q(document__supervising_office__path__startswith=path)
        co_owned |= Q(path__startswith=path)
    co_owner_rows = Item.co_owners.through.objects.filter(item_id=OuterRef("pk"), organisation__in=Organisation.objects.filter(co_owned))
    return queryset.filter(within | Q(Exists(co_owner_rows)))


def may_view(user, item: Item) -> bool:
    return visible_items(user, Item.objects.filter(pk=item.pk)).exists()

