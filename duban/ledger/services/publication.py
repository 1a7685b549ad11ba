"""Public disclosure: a plan or an inspection round becomes public only when a supervisor publishes it.

What is public about a published document is its rectification list (`public_items`): the items the ledger
follows from it, once confirmed (drafts and extraction errors never), with their state, dates, responsible
units and a progress summary. Never the people (usernames, claimants, verifiers, the people an accountability
action names), never notes, reasons or report texts, and never evidence files.

Who publishes: a supervisor of the document's supervising office or of an organisation above it; for a document
without a supervising office, a supervisor of any supervising office. Publishing and withdrawing are events of
the history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from ..choices import Genre, ItemKind, ItemState, OrganisationKind, Role
from ..errors import LedgerError, NotAllowed
from ..models import Event, Item, ProgressReport, SourceDocument, Verification
from . import history, permissions
from .texts import written

PUBLISHABLE_GENRES = (Genre.PLAN, Genre.OVERSIGHT)
PUBLIC_STATES = (ItemState.ACTIVE, ItemState.CLAIMED, ItemState.CLOSED, ItemState.CANCELLED)
OPEN_STATES = (ItemState.ACTIVE, ItemState.CLAIMED)
# What a rectification list holds: the commitments, not the extractor's tallies, time limits or indicator figures.
LISTED_KINDS = (ItemKind.TASK, ItemKind.MILESTONE, ItemKind.FINDING, ItemKind.RECTIFICATION)



def may_publish(user, document: SourceDocument) -> bool:
    """A supervisor of the document's supervising office or of an organisation above it (any office's supervisor
    when the document has none)."""
    supervising = [org for org, role in permissions.roles_of(user) if role == Role.SUPERVISOR]
    if not supervising:
        return False
    office = document.supervising_office
    if office is None:
        return any(org.kind == OrganisationKind.OFFICE for org in supervising)
    return any(office.is_within(org) for org in supervising)


def require_publish(user, document: SourceDocument, action: str) -> None:
    if not may_publish(user, document):
        office = document.supervising_office
        where = f"{office.name} or an organisation above it" if office is not None else "a supervising office"
        raise NotAllowed(f"{permissions.who(user)} may not {action}: only a supervisor of {where} may")


def _locked(document: SourceDocument) -> SourceDocument:
    """The document's row, locked (its own row only: PostgreSQL refuses FOR UPDATE across an outer join)."""
    return SourceDocument.objects.select_for_update().get(pk=document.pk)


def manages_disclosure(user, document: SourceDocument) -> bool:
    """Whether the person may publish the document, or withdraw it: a publishable genre, and may_publish."""
    return document.genre in PUBLISHABLE_GENRES and may_publish(user, document)


@transaction.atomic
def publish(user, document: SourceDocument, *, at: datetime | None = None) -> SourceDocument:
    """Make a plan's or an inspection round's rectification list public (linkable without login)."""
    document = _locked(document)
    require_publish(user, document, "publish this document")
    if document.genre not in PUBLISHABLE_GENRES:
        raise LedgerError(f"only plans and inspection rounds are published; this is a "
                          f"{document.get_genre_display().lower()} document")
    if document.published:
        raise LedgerError("this document is public already")
    document.published = True
    document.save(update_fields=["published"])
    history.record(user.get_username(), "document.publish", document, before={"published": False},
                   after={"published": True}, at=at or timezone.now())
    return document


@transaction.atomic
def unpublish(user, document: SourceDocument, *, reason: str = "", at: datetime | None = None) -> SourceDocument:
    """Withdraw a document from public disclosure, with a reason."""
    document = _locked(document)
    require_publish(user, document, "withdraw this document from publication")
    reason = written(reason, "a reason for withdrawing the document from publication", required=True)
    if not document.published:
        raise LedgerError("this document is not public")
    document.published = False
    document.save(update_fields=["published"])
    history.record(user.get_username(), "document.unpublish", document, before={"published": True},
                   after={"published": False, "reason": reason}, at=at or timezone.now())
    return document


def published_documents() -> QuerySet[SourceDocument]:
    """What anyone may see, newest first; the text is not needed to list them."""
    return (SourceDocument.objects.filter(published=True, genre__in=PUBLISHABLE_GENRES)
            .defer("text").order_by("-date", "-id"))


def public_document(pk: int) -> SourceDocument | None:
    return published_documents().select_related("supervising_office").filter(pk=pk).first()


# --- the rectification list ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicItem:
    """One line of a rectification list: what is public about an item, and nothing else."""

    id: int
    depth: int  # 0 for an item of the document, 1 under its parent (a milestone, a rectification task, a unit's part)
    kind: str
    kind_label: str
    number: str
    text: str
    responsible: str  # the lead owner's name: a unit, never a person
    state: str
    state_label: str
    due: date | None
    original_due: date | None
    extensions: int
    last_progress: date | None
    closed_on: date | None
    overdue: bool


@dataclass
class PublicSummary:
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # by state, in ItemState's order
    overdue: int = 0
    extended: int = 0

    @property
    def closed(self) -> int:
        return self.counts.get(ItemState.CLOSED, 0)

    @property
    def closed_share(self) -> float | None:
        return self.closed / self.total if self.total else None


def _text(item: Item) -> str:
    text = " ".join((item.title or item.quote or "").split())
    return text if len(text) <= 400 else text[:399] + "…"


def _tree_order(items: list[Item]) -> list[tuple[Item, int]]:
    """Items under their parents (when the parent is listed too), each level in line order."""
    listed = {item.pk for item in items}
    children: dict[int | None, list[Item]] = {}
    for item in items:
        parent = item.parent_id if item.parent_id in listed else None
        children.setdefault(parent, []).append(item)
    ordered: list[tuple[Item, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for item in sorted(children.get(parent, []), key=lambda it: (it.line_start or 10**9, it.pk)):
            ordered.append((item, depth))
            walk(item.pk, min(depth + 1, 2))

    walk(None, 0)
    return ordered


def public_items(document: SourceDocument, *, day: date | None = None) -> tuple[list[PublicItem], PublicSummary]:
    """The rectification list of a published document as of the day, in four queries whatever its length."""
    if not document.published:
        raise NotAllowed("this document is not public")
    day = day or timezone.localdate()
    items = list(Item.objects.filter(document=document, kind__in=LISTED_KINDS, state__in=PUBLIC_STATES)
                 .select_related("lead_owner").only(
                     "pk", "parent_id", "kind", "number", "title", "quote", "state", "due", "original_due",
                     "extensions", "line_start", "lead_owner__name"))
    ids = [item.pk for item in items]
    last_progress = dict(ProgressReport.objects.filter(item_id__in=ids).values("item_id")
                         .annotate(last=Max("reported_on")).values_list("item_id", "last"))
    closed_on = dict(Verification.objects.filter(claim__item_id__in=ids, verified=True).values("claim__item_id")
                     .annotate(last=Max("decided_on")).values_list("claim__item_id", "last"))
    rows, summary, counts = [], PublicSummary(), Counter()
    for item, depth in _tree_order(items):
        overdue = item.state in OPEN_STATES and item.due is not None and item.due < day
        rows.append(PublicItem(
            id=item.pk, depth=depth, kind=item.kind, kind_label=item.get_kind_display(), number=item.number,
            text=_text(item), responsible=item.lead_owner.name if item.lead_owner_id else "",
            state=item.state, state_label=item.get_state_display(), due=item.due,
            original_due=item.original_due if item.original_due != item.due else None, extensions=item.extensions,
            last_progress=last_progress.get(item.pk),
            closed_on=closed_on.get(item.pk) if item.state == ItemState.CLOSED else None, overdue=overdue,
        ))
        counts[item.state] += 1
        summary.overdue += overdue
        summary.extended += item.extensions > 0
    summary.total = len(rows)
    summary.counts = {state: counts[state] for state in ItemState.values if counts[state]}
    return rows, summary


def publication_events(document: SourceDocument) -> QuerySet[Event]:
    """When the document was published or withdrawn: the history's events of it, oldest first."""
    return Event.objects.filter(object_type="sourcedocument", object_id=document.pk,
                                action__in=("document.publish", "document.unpublish")).order_by("at", "id")
