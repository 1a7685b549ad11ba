"""Each unit's record: on-time rate, verified-closure rate, rejection rate and extensions, in three queries.

A unit is the lead owner of the items; what counts:

- **items**: its confirmed items still followed (active, claimed or closed; cancelled ones and drafts are left out);
- **on-time rate**: of its items due by the day or closed, the share closed through a claim made on or before the
  due date in force (an approved extension moves it; the extensions are counted apart);
- **verified-closure rate**: of its items, the share closed by a verification;
- **rejection rate**: of its completion claims decided, the share rejected;
- **extensions**: approved deadline extensions on its items, and how many items were extended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet, Sum

from ..choices import ClaimStatus, ItemState
from ..models import CompletionClaim, Item, Organisation

FOLLOWED = (ItemState.ACTIVE, ItemState.CLAIMED, ItemState.CLOSED)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class UnitScore:
    organisation: Organisation
    items: int
    due: int  # items due by the day, or closed
    on_time: int  # closed through a claim made on or before the due date in force
    closed: int
    claims_decided: int
    claims_rejected: int
    extensions: int
    extended_items: int

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.due)

    @property
    def verified_closure_rate(self) -> float | None:
        return _rate(self.closed, self.items)

    @property
    def rejection_rate(self) -> float | None:
        return _rate(self.claims_rejected, self.claims_decided)


def unit_scorecards(items: QuerySet[Item], day: date) -> list[UnitScore]:
    """The record of every unit leading some of the items, by unit name; the items as they stand now."""
    followed = items.filter(state__in=FOLLOWED, lead_owner__isnull=False)
    closed = Q(state=ItemState.CLOSED)
    counts = {row["lead_owner"]: row for row in followed.order_by().values("lead_owner").annotate(
        n_items=Count("pk"),
        n_due=Count("pk", filter=closed | Q(due__lte=day)),
        n_closed=Count("pk", filter=closed),
        n_extensions=Sum("extensions"),
        n_extended=Count("pk", filter=Q(extensions__gt=0)),
    )}
    claims = {row["item__lead_owner"]: row for row in CompletionClaim.objects.filter(item__in=followed.values("pk"))
              .order_by().values("item__lead_owner").annotate(
        decided=Count("pk", filter=Q(status__in=(ClaimStatus.VERIFIED, ClaimStatus.REJECTED))),
        rejected=Count("pk", filter=Q(status=ClaimStatus.REJECTED)),
        on_time=Count("item", distinct=True, filter=Q(status=ClaimStatus.VERIFIED, item__state=ItemState.CLOSED)
                      & (Q(item__due__isnull=True) | Q(claimed_on__lte=F("item__due")))),
    )}
    organisations = Organisation.objects.in_bulk(list(counts))
    scores = []
    for owner_id, row in counts.items():
        claim_row = claims.get(owner_id, {})
        scores.append(UnitScore(
            organisation=organisations[owner_id], items=row["n_items"], due=row["n_due"],
            on_time=claim_row.get("on_time", 0), closed=row["n_closed"], claims_decided=claim_row.get("decided", 0),
            claims_rejected=claim_row.get("rejected", 0), extensions=row["n_extensions"] or 0,
            extended_items=row["n_extended"],
        ))
    return sorted(scores, key=lambda score: (score.organisation.name, score.organisation.pk))
