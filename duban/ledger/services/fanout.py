"""Fan-out and roll-up: an item whose units name a class of organisations gets one child item per member.

Fan-out. For each confirmed group an item's unit names give (services/units.py), each member organisation gets
a child item: the parent's kind, source lines and due date, led by the member, its co-owners the units the
parent names one by one (they coordinate every member's share and may report progress on it). Children are
drafts, or active (confirmed, with their due date as the original one) when the parent is active. Fanning out
takes someone who may manage the parent and give each member an item, as assigning an owner does; each child's
creation event records its state, owners and due date, as rectification tasks' do. A member the parent already
names one by one gets no child (it owns the parent). Running fan-out again adds only the members that have no
child yet, e.g. after a group gained a member.

Roll-up. `rollup` counts the children by state; the parent's derived status is closed when every child is
settled (closed, or cancelled or rejected) and at least one closed, open otherwise. The parent is closed only by
`close_rolled_up`, which requires that status, and records on the parent a completion claim and a verification
citing every evidence file of the children's verifications; the history event names those verifications.
So no item closes without verification, and a parent closes only once each of its members' shares was verified
from outside its owner's side. A parent is not meant to be claimed on its own: its work is its children's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..choices import ClaimStatus, ItemKind, ItemState
from ..errors import InvalidState, LedgerError, NotAllowed
from ..models import CompletionClaim, Item, Organisation, OrganisationGroup, Verification
from . import history, permissions, workflow
from .texts import written
from .calendar import same_working_day
from .units import Directory, plan_units

FANOUT = workflow.FANOUT_KEY  # key of a child's data: {"parent", "group", "member"}
FAN_OUT_STATES = (ItemState.DRAFT, ItemState.ACTIVE)
SETTLED = (ItemState.CLOSED, ItemState.CANCELLED, ItemState.REJECTED)


def children_of(item: Item):
    """The item's fan-out children (not its milestones)."""
    return Item.objects.filter(parent=item, data__has_key=FANOUT)


@dataclass
class FanOut:
    item: Item
    created: list[Item] = field(default_factory=list)
    existing: int = 0  # members that had their child already
    groups: list[OrganisationGroup] = field(default_factory=list)


def _title(parent: Item, member: Organisation) -> str:
    text = parent.title or " ".join(parent.quote.split())[:120]
    return f"{member.name}: {text}" if text else member.name


@transaction.atomic
def fan_out(user, item: Item, *, groups: Iterable[OrganisationGroup] | None = None, at: datetime | None = None,
            directory: Directory | None = None, _allowed: set[int] | None = None) -> FanOut:
    """One child item per member of each group the item's names give (or of `groups`, which a person chose).

    Only while the item is a draft or active, once every one of its names resolves, by someone who may manage the
    item and give each member its own item (as for assigning an owner).
    """
    item.refresh_from_db(from_queryset=Item.objects.select_for_update())
    if item.state not in FAN_OUT_STATES:
        raise InvalidState(f"cannot fan out: the item is {item.get_state_display().lower()}; "
                           "only draft or active items can")
    if item.data.get(FANOUT):
        raise LedgerError(f"item #{item.pk} is itself one member's share of item #{item.data[FANOUT]['parent']}: "
                          "fan out its parent")
    permissions.require_manage(user, item, action="fan out this item")
    directory = directory or Directory()
    named: tuple[Organisation, ...] = ()
    if item.unit_names:
        plan = plan_units(item, directory)
        named = plan.co_owners if plan.lead_from_group else (plan.lead, *plan.co_owners)
        chosen = list(plan.groups) if groups is None else list(groups)
    elif groups is None:
        raise LedgerError(f"item #{item.pk} names no units: say which group to fan it out to")
    else:
        chosen = list(groups)
    if not chosen:
        raise LedgerError(f"item #{item.pk} names no group of organisations: there is nothing to fan out")

    at = at or timezone.now()
    allowed = _allowed if _allowed is not None else set()  # members the actor may give an item to, checked once
    result = FanOut(item, groups=chosen)
    have = {child.data[FANOUT]["member"] for child in children_of(item)}
    named_ids = {org.pk for org in named}
    co_owner_rows = []
    for group in chosen:
        for member in group.members.order_by("path"):
            if member.pk in named_ids:
                continue
            if member.pk in have:
                result.existing += 1
                continue
            if member.pk not in allowed:
                permissions.require_manage(user, Item(document=item.document), member, f"give {member.name} its share")
                allowed.add(member.pk)
            have.add(member.pk)
            co_owners = [org.pk for org in named if org.pk != member.pk]
            child = _child(user, item, group, member, co_owners, at)
            co_owner_rows += [Item.co_owners.through(item_id=child.pk, organisation_id=pk) for pk in co_owners]
            result.created.append(child)
    Item.co_owners.through.objects.bulk_create(co_owner_rows)
    if result.created:
        history.record(user.get_username(), "item.fanout", item, at=at, after={
            "children": [child.pk for child in result.created], "groups": [group.pk for group in chosen]})
    return result


def _child(user, parent: Item, group: OrganisationGroup, member: Organisation, co_owners: list[int],
           at: datetime) -> Item:
    """The member's share: led by it, co-owned by the units the parent names one by one, due when the parent is;
    active (confirmed, its due date the original one) when the parent is, else a draft. One creation event."""
    share = {"parent": parent.pk, "group": group.pk, "member": member.pk}
    state = ItemState.ACTIVE if parent.state == ItemState.ACTIVE else ItemState.DRAFT
    child = Item.objects.create(
        kind=parent.kind, document=parent.document, parent=parent, source_ref=parent.source_ref, state=state,
        line_start=parent.line_start, line_end=parent.line_end, quote=parent.quote, title=_title(parent, member),
        data={FANOUT: share}, due=parent.due, original_due=parent.due, due_provisional=parent.due_provisional,
        reporting_interval=parent.reporting_interval, lead_owner=member, created_at=at, updated_at=at,
    )
    history.record(user.get_username(), "item.create", child, at=at, after={
        "state": state, "kind": child.kind, "parent": parent.pk, "due": child.due, "original_due": child.original_due,
        "lead_owner": member.pk, "co_owners": sorted(co_owners), FANOUT: share})
    return child


def fan_out_document(user, document, *, groups: Iterable[OrganisationGroup] | None = None,
                     at: datetime | None = None) -> list[FanOut]:
    """Fan out every draft or active item of the document whose names give a group (only `groups`, when given), in
    one transaction: all or nothing, the first refusal is raised. Milestones are left to their task, whose children
    carry the members' shares; a milestone can still be fanned out on its own."""
    directory = Directory()
    wanted = None if groups is None else {group.pk: group for group in groups}
    done = []
    with transaction.atomic():
        items = (Item.objects.filter(document=document, state__in=FAN_OUT_STATES).exclude(unit_names=[])
                 .exclude(kind=ItemKind.MILESTONE).exclude(data__has_key=FANOUT).order_by("id"))
        allowed: set[int] = set()
        for item in items:
            named = {r.group.pk for r in map(directory.resolve, item.unit_names) if r.group is not None}
            if wanted is not None:
                named &= set(wanted)
            if named:
                chosen = None if wanted is None else [wanted[pk] for pk in sorted(named)]
                done.append(fan_out(user, item, groups=chosen, at=at, directory=directory, _allowed=allowed))
    return done


# --- roll-up ----------------------------------------------------------------------------------------------------

OPEN, CLOSED, CANCELLED, NONE = "open", "closed", "cancelled", "no children"


@dataclass(frozen=True)
class Rollup:
    """A parent's children counted by state, and the status they give the parent."""

    item_id: int
    state: str  # the parent's own state
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def status(self) -> str:
        if not self.total:
            return NONE
        if any(state not in SETTLED for state in self.counts):
            return OPEN
        return CLOSED if self.counts.get(ItemState.CLOSED) else CANCELLED

    @property
    def consistent(self) -> bool:
        """The parent's own state agrees with its children (a reopened child of a closed parent does not)."""
        return (self.state == ItemState.CLOSED) == (self.status == CLOSED) or self.status == NONE

    def summary(self) -> str:
        if not self.total:
            return "no children"
        order = [state for state in ItemState.values if self.counts.get(state)]
        parts = ", ".join(f"{self.counts[state]} {ItemState(state).label.lower()}" for state in order)
        closed = self.counts.get(ItemState.CLOSED, 0)
        return f"{closed} of {self.total} closed ({parts}): {self.status}"


def rollups(items: Iterable[Item]) -> dict[int, Rollup]:
    """The roll-up of each item, in one query however many."""
    items = list(items)
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = (Item.objects.filter(parent__in=[item.pk for item in items], data__has_key=FANOUT)
            .values_list("parent_id", "state"))
    for parent_id, state in rows:
        counts[parent_id][state] += 1
    return {item.pk: Rollup(item.pk, item.state, dict(counts[item.pk])) for item in items}


def rollup(item: Item) -> Rollup:
    return rollups([item])[item.pk]


@transaction.atomic
def close_rolled_up(user, parent: Item, *, on: date, note: str = "") -> Verification:
    """Close a fanned-out parent once its roll-up is closed, citing its children's verifications.

    By an administrator or a supervisor who may manage the parent (never owner staff of its side); the parent must
    be active with no claim pending. The closure is recorded as a claim and verification on the parent dated as
    the last child's claim and `on`, citing every evidence file the children's verifications cited; a closure on
    that claim's working day is flagged, or refused under DUBAN_SAME_DAY_VERIFICATION = "refuse", as for any item.
    """
    parent.refresh_from_db(from_queryset=Item.objects.select_for_update())
    if parent.state != ItemState.ACTIVE:
        raise InvalidState(f"cannot close by roll-up: the item is {parent.get_state_display().lower()}; "
                           "only an active item can")
    permissions.require_manage(user, parent, action="close an item by roll-up")
    if permissions.owner_side(user, parent):
        raise NotAllowed(f"{user.get_username()} may not close an item by roll-up: its owner's own staff never close it")
    summary = rollup(parent)
    if summary.status != CLOSED:
        raise LedgerError(f"item #{parent.pk} cannot close: {summary.summary()}; it closes when every child is closed")
    verifications = list(Verification.objects.filter(claim__item__parent=parent, claim__item__data__has_key=FANOUT,
                                                     claim__item__state=ItemState.CLOSED, verified=True)
                         .select_related("claim").prefetch_related("evidence").order_by("claim__item_id", "id"))
    latest: dict[int, Verification] = {}
    for verification in verifications:
        latest[verification.claim.item_id] = verification
    closed_children = set(children_of(parent).filter(state=ItemState.CLOSED).values_list("pk", flat=True))
    if set(latest) != closed_children:
        missing = ", ".join(f"#{pk}" for pk in sorted(closed_children - set(latest)))
        raise LedgerError(f"children {missing} are closed with no verification on record: the parent cannot cite them")
    cited = {piece.pk: piece for v in latest.values() for piece in v.evidence.all()}
    if not cited:
        raise LedgerError("the children's verifications cite no evidence: the parent's closure would cite none")
    last_claimed = max(v.claim.claimed_on for v in latest.values())
    last_decided = max(v.decided_on for v in latest.values())
    if on < last_decided:
        raise LedgerError(f"the roll-up is dated {on.isoformat()}, before the last child's verification "
                          f"({last_decided.isoformat()})")
    owner = parent.lead_owner
    same_day = same_working_day(last_claimed, on, owner.country, owner.region)
    if same_day and settings.DUBAN_SAME_DAY_VERIFICATION == "refuse":
        raise LedgerError(f"the roll-up cannot close the item on the working day of its last child's claim "
                          f"({last_claimed.isoformat()}): close it on a later working day")
    now = timezone.now()
    ids = sorted(v.pk for v in latest.values())
    claim = CompletionClaim.objects.create(
        item=parent, claimant=user, claimed_on=last_claimed, created_at=now, status=ClaimStatus.VERIFIED,
        note=f"roll-up: all {summary.total} children settled, {len(latest)} closed by verifications "
             + ", ".join(f"#{pk}" for pk in ids))
    claim.evidence.set(cited.values())
    verification = Verification.objects.create(
        claim=claim, verifier=user, decided_on=on, created_at=now, verified=True, same_working_day=same_day,
        reason=written(note, "the note") or f"closed by roll-up of {len(latest)} verified children")
    verification.evidence.set(cited.values())
    parent.state, parent.updated_at = ItemState.CLOSED, now
    parent.save(update_fields=["state", "updated_at"])
    history.record(user.get_username(), "item.close_rolled_up", parent, at=workflow.moment(on),
                   before={"state": ItemState.ACTIVE},
                   after={"state": ItemState.CLOSED, "claim": claim.pk, "verification": verification.pk,
                          "children": sorted(latest), "verifications": ids,
                          "counts": summary.counts, "evidence": sorted(p.sha256 for p in cited.values()),
                          "same_working_day": same_day})
    return verification
