"""What a person may see: the rule pages, API and exports share, so no unit sees another unit's non-public items.

Everything derives from `visible_items`:
- documents: those with an item the person may see;
- claims and change requests: those of items the person may see;
- evidence: files cited, in a progress report, claim or verification, for an item the person may see;
- organisations: the tree(s) the person belongs to, which are also the organisations they may name as owners;
- groups: those whose members all lie among the person's organisations.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from ..choices import Role
from ..models import (
    ChangeRequest, CompletionClaim, Evidence, Item, Membership, Organisation, OrganisationGroup, ProgressReport,
    SourceDocument, Verification,
)
from .permissions import roles_of


def is_administrator(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(role == Role.ADMINISTRATOR for _, role in roles_of(user))


def visible_items(user, queryset: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """Items owned (lead or co-owner) by the person's organisations or units below them, and the items of the
    documents those organisations supervise. Administrators see everything; anonymous people nothing."""
    queryset = Item.objects.all() if queryset is None else queryset
    rule = item_rule(user)
    return queryset.none() if rule is None else queryset.filter(rule)


def visible_items_naming_parents(user, queryset: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """`visible_items`, each annotated `parent_visible`: whether the person may see its parent (only then is it named)."""
    queryset = Item.objects.all() if queryset is None else queryset
    rule = item_rule(user)
    if rule is None:
        return queryset.none()
    return queryset.filter(rule).annotate(parent_visible=Exists(Item.objects.filter(rule, pk=OuterRef("parent_id"))))


def item_rule(user) -> Q | None:
    """`visible_items` as a filter (an empty Q: every item; None: none), once per call: its lookups run here."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if is_administrator(user):
        return Q()
    paths = set(Membership.objects.filter(user=user).values_list("organisation__path", flat=True))
    if not paths:
        return None
    within = Q()
    co_owned = Q()
    for path in paths:
        within |= Q(lead_owner__path__startswith=path) | Q(document__supervising_office__path__startswith=path)
        co_owned |= Q(path__startswith=path)
    co_owner_rows = Item.co_owners.through.objects.filter(item_id=OuterRef("pk"), organisation__in=Organisation.objects.filter(co_owned))
    return within | Q(Exists(co_owner_rows))


def may_view(user, item: Item) -> bool:
    return visible_items(user, Item.objects.filter(pk=item.pk)).exists()



def visible_item_ids(user) -> QuerySet:
    """A subquery of the ids of the items the person may see."""
    return visible_items(user).values("pk")


def visible_documents(user, queryset: QuerySet[SourceDocument] | None = None) -> QuerySet[SourceDocument]:
    queryset = SourceDocument.objects.all() if queryset is None else queryset
    if is_administrator(user):
        return queryset
    return queryset.filter(Exists(visible_items(user, Item.objects.filter(document=OuterRef("pk")))))


def visible_claims(user, queryset: QuerySet[CompletionClaim] | None = None) -> QuerySet[CompletionClaim]:
    queryset = CompletionClaim.objects.all() if queryset is None else queryset
    return queryset.filter(item__in=visible_item_ids(user))


def visible_change_requests(user, queryset: QuerySet[ChangeRequest] | None = None) -> QuerySet[ChangeRequest]:
    queryset = ChangeRequest.objects.all() if queryset is None else queryset
    return queryset.filter(item__in=visible_item_ids(user))


def visible_evidence(user, queryset: QuerySet[Evidence] | None = None) -> QuerySet[Evidence]:
    """Evidence files cited for an item the person may see (one query, three semi-joins, no duplicates)."""
    queryset = Evidence.objects.all() if queryset is None else queryset
    items = visible_item_ids(user)
    cited = (
        Exists(ProgressReport.evidence.through.objects.filter(evidence_id=OuterRef("pk"), progressreport__item__in=items))
        | Exists(CompletionClaim.evidence.through.objects.filter(evidence_id=OuterRef("pk"), completionclaim__item__in=items))
        | Exists(Verification.evidence.through.objects.filter(evidence_id=OuterRef("pk"), verification__claim__item__in=items))
    )
    return queryset.filter(cited)


def _tree_rule(user) -> Q | None:
    """Q over Organisation for the organisations a signed-in person may see and pick (see visible_organisations):
    Q() for an administrator, None for nothing; one query."""
    if getattr(user, "is_superuser", False):
        return Q()
    rows = list(Membership.objects.filter(user=user).values_list("organisation__path", "role"))
    if any(role == Role.ADMINISTRATOR for _, role in rows):
        return Q()
    roots = {"/" + path.strip("/").split("/")[0] + "/" for path, _ in rows if path.strip("/")}
    if not roots:
        return None
    within = Q()
    for root in sorted(roots):
        within |= Q(path__startswith=root)
    return within


def visible_organisations(user, queryset: QuerySet[Organisation] | None = None) -> QuerySet[Organisation]:
    """The organisations a person may see and pick: in filters, and as an item's lead owner or co-owner.

    The rule: every organisation of the tree(s) the person belongs to, that is every organisation under the root
    of one of their organisations (owner staff, verifiers and supervisors alike; a supervisor's or an office's
    subtree lies inside its own tree, so everything below the organisations they supervise is included).
    Administrators (and superusers) see and pick every organisation; anonymous people and people without a
    membership none. Whether a pick is then allowed is the service's rule (permissions.may_manage); this only
    keeps the choices, and the lookups of the ids an API request names, inside the person's trees.
    """
    queryset = Organisation.objects.all() if queryset is None else queryset
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    within = _tree_rule(user)
    return queryset.none() if within is None else queryset.filter(within)


def visible_groups(user, queryset: QuerySet[OrganisationGroup] | None = None) -> QuerySet[OrganisationGroup]:
    """The groups a person may see and pick to resolve a name or fan out to: those with no member outside the
    person's organisations (visible_organisations); administrators every group, anonymous people none."""
    queryset = OrganisationGroup.objects.all() if queryset is None else queryset
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    within = _tree_rule(user)
    if within is None:
        return queryset.none()
    if within == Q():
        return queryset
    outside = OrganisationGroup.members.through.objects.filter(
        organisationgroup_id=OuterRef("pk")).exclude(organisation__in=Organisation.objects.filter(within))
    return queryset.exclude(Exists(outside))
