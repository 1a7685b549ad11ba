"""Work queues: what waits on a person, as querysets that apply the permission rules to whole lists at once.

permissions.py decides for one item; these functions select, in one query, the items on which the same rule holds
(tests compare the two for every person and item of the demo), so a queue of any length costs the same queries.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..choices import CheckResult, ClaimStatus, ItemState, OrganisationKind, RequestStatus, Role
from ..models import ChangeRequest, CompletionClaim, Item, Membership, Organisation, ReinspectionCheck
from .permissions import CHECKING_ROLES, roles_of
from .visibility import visible_items

NOTHING = Q(pk__in=[])


def _path_ids(org: Organisation) -> set[int]:
    return {int(pk) for pk in org.path.strip("/").split("/") if pk}


def outside_owner_side(roles: list[tuple[Organisation, str]], acting_roles) -> Q:
    """Items on which these memberships stand outside the owner's side in one of the acting roles.

    The set form of permissions._outside_memberships: a membership in the supervising office of the item's
    document (every office for an item without one) or in a proper ancestor of the lead owner, and no membership
    in the lead owner or any unit below it.
    """
    rule = NOTHING
    for org, role in roles:
        if role not in acting_roles:
            continue
        below = Organisation.objects.filter(path__startswith=org.path).exclude(pk=org.pk).values("pk")
        rule |= Q(document__supervising_office=org) | Q(lead_owner__in=below)
        if org.kind == OrganisationKind.OFFICE:
            rule |= Q(document__isnull=True) | Q(document__supervising_office__isnull=True)
    if rule is NOTHING:
        return NOTHING
    own_lines = set().union(*(_path_ids(org) for org, _ in roles))
    return Q(lead_owner__isnull=False) & rule & ~Q(lead_owner__in=own_lines)


def verifiable_items(user, queryset: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """Items the person may verify (permissions.may_verify) among those they may see."""
    return visible_items(user, queryset).filter(outside_owner_side(roles_of(user), CHECKING_ROLES))


def approvable_items(user, queryset: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """Items whose changes the person may approve (permissions.may_approve) among those they may see."""
    return visible_items(user, queryset).filter(outside_owner_side(roles_of(user), {Role.SUPERVISOR}))


def awaiting_verification(user) -> QuerySet[CompletionClaim]:
    """Pending completion claims the person may verify or reject, oldest first."""
    items = verifiable_items(user, Item.objects.filter(state=ItemState.CLAIMED))
    return (CompletionClaim.objects.filter(status=ClaimStatus.PENDING, item__in=items.values("pk"))
            .select_related("item", "item__lead_owner", "claimant").order_by("claimed_on", "id"))


def awaiting_approval(user) -> QuerySet[ChangeRequest]:
    """Pending deadline changes and cancellations of open items the person may approve or refuse, oldest first."""
    items = approvable_items(user, Item.objects.filter(state__in=(ItemState.ACTIVE, ItemState.CLAIMED)))
    return (ChangeRequest.objects.filter(status=RequestStatus.PENDING, item__in=items.values("pk"))
            .select_related("item", "item__lead_owner", "requested_by").order_by("requested_on", "id"))


def pending_checks(user) -> QuerySet[ReinspectionCheck]:
    """Re-inspection checks still to record on closed items the person may re-inspect, newest sample first."""
    items = approvable_items(user, Item.objects.filter(state=ItemState.CLOSED))
    return (ReinspectionCheck.objects.filter(result=CheckResult.PENDING, item__in=items.values("pk"))
            .select_related("sample", "sample__drawn_by", "item", "item__lead_owner").order_by("-sample_id", "id"))


def my_items(user, queryset: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """Items led or co-owned by the person's organisations or the units below them."""
    paths = set(Membership.objects.filter(user=user).values_list("organisation__path", flat=True))
    if not paths:
        return Item.objects.none()
    units = Q()
    for path in paths:
        units |= Q(path__startswith=path)
    ours = Organisation.objects.filter(units).values("pk")
    queryset = Item.objects.all() if queryset is None else queryset
    co_owned = Item.co_owners.through.objects.filter(organisation__in=ours).values("item_id")
    return visible_items(user, queryset.filter(Q(lead_owner__in=ours) | Q(pk__in=co_owned)))
