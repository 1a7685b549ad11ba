"""What each API list and lookup starts from: the records the person may see, all derived from the ledger's one rule
(duban.ledger.services.visibility.visible_items), so the API never shows what the pages would not.

- documents: those with an item the person may see;
- claims, change requests and progress reports: those of items the person may see;
- evidence: files cited, in a progress report, claim or verification, for an item the person may see;
- organisations: the tree(s) the person belongs to (every organisation under the root of one of their
  organisations), which is where they may name owners; administrators see every organisation.

Authentication itself is DRF's: every endpoint needs a signed-in person or a token (settings.REST_FRAMEWORK).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from duban.ledger.models import (
    ChangeRequest, CompletionClaim, Evidence, Item, Membership, Organisation, ProgressReport, SourceDocument,
    Verification,
)
from duban.ledger.services.visibility import is_administrator, visible_items


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


def visible_organisations(user, queryset: QuerySet[Organisation] | None = None) -> QuerySet[Organisation]:
    queryset = Organisation.objects.all() if queryset is None else queryset
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    if is_administrator(user):
        return queryset
    paths = Membership.objects.filter(user=user).values_list("organisation__path", flat=True)
    roots = {"/" + path.strip("/").split("/")[0] + "/" for path in paths if path.strip("/")}
    if not roots:
        return queryset.none()
    within = Q()
    for root in sorted(roots):
        within |= Q(path__startswith=root)
    return queryset.filter(within)
