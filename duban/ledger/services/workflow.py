"""The item workflow: assign and confirm drafts, report progress, claim, verify or reject, and approved changes.

These services are the only way an item's state, due date or owners change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..choices import ChangeKind, ClaimStatus, ItemState, RequestStatus
from ..errors import InvalidState, LedgerError, NotAllowed
from ..models import ChangeRequest, CompletionClaim, Evidence, Item, Organisation, ProgressReport, Verification
from . import history, permissions, visibility
from .texts import written
from .calendar import same_working_day

OPEN_STATES = (ItemState.ACTIVE, ItemState.CLAIMED)


def moment(on: date) -> datetime:
    """The effective time of an action dated `on`: midday local time, so its date reads the same in UTC."""
    return datetime.combine(on, time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _lock(item: Item) -> None:
    """Take the item's row lock and reload it, so two decisions on one item cannot both apply."""
    item.refresh_from_db(from_queryset=Item.objects.select_for_update())


def _require_state(item: Item, allowed: Iterable[str], action: str) -> None:
    allowed = tuple(allowed)
    if item.state not in allowed:
        labels = " or ".join(ItemState(state).label.lower() for state in allowed)
        raise InvalidState(f"cannot {action}: the item is {item.get_state_display().lower()}; only {labels} items can")


def _stored_evidence(evidence: Iterable[Evidence]) -> list[Evidence]:
    cited = {}
    for piece in evidence:
        if not isinstance(piece, Evidence) or piece.pk is None:
            raise LedgerError("evidence must be a stored evidence file")
        cited[piece.pk] = piece
    return list(cited.values())


def _hashes(evidence: list[Evidence]) -> list[str]:
    return sorted(piece.sha256 for piece in evidence)


def _not_before(on: date, earlier: date, what: str) -> None:
    if on < earlier:
        raise LedgerError(f"this decision is dated {on.isoformat()}, before the {what} it decides ({earlier.isoformat()})")


def _save(item: Item, fields: list[str]) -> None:
    item.updated_at = timezone.now()
    item.save(update_fields=[*fields, "updated_at"])


def _record(user, action: str, item: Item, before: dict, after: dict, at: datetime) -> None:
    history.record(user.get_username(), action, item, before=before, after=after, at=at)


@transaction.atomic
def assign_owner(user, item: Item, lead: Organisation, co_owners: Iterable[Organisation] = (), *,
                 at: datetime | None = None) -> Item:
    """Give a draft or active item exactly one lead owner and any co-owners.

    Changing the owner after the due date is allowed; its event (with its date) is what the red flags read.
    """
    if not isinstance(lead, Organisation) or lead.pk is None:
        raise LedgerError("an item has exactly one lead owner: give one organisation")
    co_owner_ids = set()
    for org in co_owners:
        if not isinstance(org, Organisation) or org.pk is None:
            raise LedgerError("co-owners must be organisations")
        co_owner_ids.add(org.pk)
    if lead.pk in co_owner_ids:
        raise LedgerError(f"{lead.name} cannot be both the lead owner and a co-owner")
    _lock(item)
    _require_state(item, (ItemState.DRAFT, ItemState.ACTIVE), "assign owners")
    permissions.require_manage(user, item, lead, "assign this owner")
    picked = {lead.pk} | co_owner_ids
    within = set(visibility.visible_organisations(user, Organisation.objects.filter(pk__in=picked)).values_list("pk", flat=True))
    if outside := [org.name for org in [lead, *co_owners] if org.pk not in within]:
        raise NotAllowed(f"{permissions.who(user)} may not make "
                         f"{', '.join(outside)} an owner: owners are picked inside the person's own organisation trees")
    if item.lead_owner_id not in (None, lead.pk):
        permissions.require_manage(user, item, item.lead_owner, "take the item from its owner")

    before, after = {}, {}
    if item.lead_owner_id != lead.pk:
        before["lead_owner"], after["lead_owner"] = item.lead_owner_id, lead.pk
    current_co_owners = sorted(item.co_owners.values_list("pk", flat=True))
    if current_co_owners != sorted(co_owner_ids):
        before["co_owners"], after["co_owners"] = current_co_owners, sorted(co_owner_ids)
    if not after:
        return item
    item.lead_owner = lead
    _save(item, ["lead_owner"])
    item.co_owners.set(co_owner_ids)
    _record(user, "item.assign", item, before, after, at or timezone.now())
    return item


@transaction.atomic
def confirm(user, item: Item, *, at: datetime | None = None) -> Item:
    """Draft → active; the draft needs its lead owner, and its due date becomes the original due date."""
    _lock(item)
    _require_state(item, (ItemState.DRAFT,), "confirm")
    permissions.require_manage(user, item, action="confirm this draft")
    if item.lead_owner_id is None:
        raise LedgerError("a draft without a lead owner cannot be confirmed: assign exactly one lead owner first")
    before, after = {"state": item.state}, {"state": ItemState.ACTIVE}
    if item.original_due != item.due:
        before["original_due"], after["original_due"] = item.original_due, item.due
    item.state, item.original_due = ItemState.ACTIVE, item.due
    _save(item, ["state", "original_due"])
    _record(user, "item.confirm", item, before, after, at or timezone.now())
    return item


@transaction.atomic
def reject_draft(user, item: Item, reason: str, *, at: datetime | None = None) -> Item:
    """Draft → rejected as an extraction error, with a reason."""
    _lock(item)
    _require_state(item, (ItemState.DRAFT,), "reject a draft")
    permissions.require_manage(user, item, action="reject this draft")
    reason = written(reason, "a reason for rejecting the draft", required=True)
    before, after = {"state": item.state}, {"state": ItemState.REJECTED, "reason": reason}
    item.state = ItemState.REJECTED
    _save(item, ["state"])
    _record(user, "item.reject_draft", item, before, after, at or timezone.now())
    return item


@transaction.atomic
def report_progress(user, item: Item, text: str, *, evidence: Iterable[Evidence] = (), on: date) -> ProgressReport:
    """A progress report on an active or claimed item, by the lead owner's or a co-owner's side."""
    _lock(item)
    _require_state(item, OPEN_STATES, "report progress")
    permissions.require_report(user, item)
    text = written(text, "the text of a progress report", required=True)
    cited = _stored_evidence(evidence)
    report = ProgressReport.objects.create(item=item, author=user, text=text, reported_on=on, created_at=timezone.now())
    report.evidence.set(cited)
    _record(user, "item.progress", item, {}, {"progress_report": report.pk, "evidence": _hashes(cited)}, moment(on))
    return report


FANOUT_KEY = "fanout"  # data key of a fanned-out child (duban.ledger.services.fanout)


def shared_among(item: Item) -> int:
    """How many units an item was fanned out to: such an item is never claimed itself, its parts are."""
    return Item.objects.filter(parent=item, data__has_key=FANOUT_KEY).count()


def available_actions(user, item: Item, *, claims: Iterable[CompletionClaim] | None = None,
                      requests: Iterable[ChangeRequest] | None = None) -> frozenset[str]:
    """The actions the person may take on the item as it stands: what pages and clients offer; each action still decides.

    `claims` and `requests` are the item's, when the caller has them loaded already. The names: assign, confirm,
    reject_draft, report, claim, request_deadline, request_cancellation, verify, reject_claim, decide, record_checks.
    """
    state, actions = item.state, set()
    pending = {request.kind for request in (item.change_requests.all() if requests is None else requests)
               if request.status == RequestStatus.PENDING} if state in OPEN_STATES else set()
    if permissions.may_manage(user, item):
        if state in (ItemState.DRAFT, ItemState.ACTIVE):
            actions.add("assign")
        if state == ItemState.DRAFT:
            actions.add("reject_draft")
            if confirmable(item):
                actions.add("confirm")
    if state in OPEN_STATES and permissions.may_report(user, item):
        actions.add("report")
    if state in OPEN_STATES and permissions.may_claim(user, item):
        if state == ItemState.ACTIVE and not shared_among(item):
            actions.add("claim")
        for kind, action in ((ChangeKind.DEADLINE, "request_deadline"), (ChangeKind.CANCELLATION, "request_cancellation")):
            if kind not in pending:
                actions.add(action)
    if permissions.may_verify(user, item):
        claims = item.claims.all() if claims is None else claims
        if any(claim.status == ClaimStatus.PENDING and independent_of(user, claim) for claim in claims):
            actions.update(("verify", "reject_claim"))
    if permissions.may_approve(user, item):
        if pending:
            actions.add("decide")
        if state == ItemState.CLOSED:
            actions.add("record_checks")
    return frozenset(actions)


def confirmable(item: Item) -> bool:
    """A draft that has its lead owner: what confirming needs, besides the right to manage the item."""
    return item.state == ItemState.DRAFT and item.lead_owner_id is not None


def independent_of(user, claim: CompletionClaim) -> bool:
    """Whether the person is someone other than the claimant: a claim is never verified by whoever made it."""
    return claim.claimant_id != user.pk


@transaction.atomic
def claim_completion(user, item: Item, *, evidence: Iterable[Evidence] = (), note: str = "", on: date) -> CompletionClaim:
    """Active → claimed, by the lead owner's side; completion is a claim until someone outside verifies it."""
    _lock(item)
    _require_state(item, (ItemState.ACTIVE,), "claim completion")
    permissions.require_claim(user, item)
    shares = shared_among(item)
    if shares:
        raise InvalidState(f"item #{item.pk} is shared among {shares} units: each claims its own part, and the item "
                           "closes by roll-up when every part is verified")
    cited = _stored_evidence(evidence)
    claim = CompletionClaim.objects.create(item=item, claimant=user, claimed_on=on, created_at=timezone.now(),
                                           note=written(note, "the note"))
    claim.evidence.set(cited)
    before = {"state": item.state}
    item.state = ItemState.CLAIMED
    _save(item, ["state"])
    _record(user, "item.claim", item, before,
            {"state": ItemState.CLAIMED, "claim": claim.pk, "evidence": _hashes(cited)}, moment(on))
    return claim


def _lock_pending_claim(claim: CompletionClaim, action: str) -> Item:
    item = claim.item
    _lock(item)
    claim.refresh_from_db()
    if claim.status != ClaimStatus.PENDING:
        raise InvalidState(f"cannot {action}: the claim was already {claim.get_status_display().lower()}")
    _require_state(item, (ItemState.CLAIMED,), action)
    return item


@transaction.atomic
def verify_claim(user, claim: CompletionClaim, *, evidence: Iterable[Evidence], on: date, note: str = "") -> Verification:
    """Claimed → closed, by a verifier or supervisor outside the owner's side who did not make the claim, citing at
    least one piece of evidence.

    A verification on the claim's working day is flagged, or refused when DUBAN_SAME_DAY_VERIFICATION is "refuse".
    """
    item = _lock_pending_claim(claim, "verify completion")
    permissions.require_verify(user, item)
    if not independent_of(user, claim):
        raise NotAllowed("the person who claimed completion cannot verify it: verification must be independent")
    cited = _stored_evidence(evidence)
    if not cited:
        raise LedgerError("a verification must cite at least one piece of evidence: the claim's or the verifier's own")
    _not_before(on, claim.claimed_on, "claim")
    owner = item.lead_owner
    same_day = same_working_day(claim.claimed_on, on, owner.country, owner.region)
    if same_day and settings.DUBAN_SAME_DAY_VERIFICATION == "refuse":
        raise LedgerError(f"a claim cannot be verified on the working day it was made ({claim.claimed_on.isoformat()}): "
                          "verify it on a later working day")
    verification = Verification.objects.create(claim=claim, verifier=user, decided_on=on, created_at=timezone.now(),
                                               verified=True, reason=written(note, "the note"), same_working_day=same_day)
    verification.evidence.set(cited)
    claim.status = ClaimStatus.VERIFIED
    claim.save(update_fields=["status"])
    before = {"state": item.state}
    item.state = ItemState.CLOSED
    _save(item, ["state"])
    _record(user, "item.verify", item, before,
            {"state": ItemState.CLOSED, "claim": claim.pk, "verification": verification.pk,
             "evidence": _hashes(cited), "same_working_day": same_day}, moment(on))
    return verification


@transaction.atomic
def reject_claim(user, claim: CompletionClaim, reason: str, *, on: date) -> Verification:
    """Claimed → active again, by someone who may verify, with a reason."""
    item = _lock_pending_claim(claim, "reject the claim")
    permissions.require_verify(user, item, "reject a completion claim")
    reason = written(reason, "a reason for rejecting the claim", required=True)
    _not_before(on, claim.claimed_on, "claim")
    verification = Verification.objects.create(claim=claim, verifier=user, decided_on=on, created_at=timezone.now(),
                                               verified=False, reason=reason)
    claim.status = ClaimStatus.REJECTED
    claim.save(update_fields=["status"])
    before = {"state": item.state}
    item.state = ItemState.ACTIVE
    _save(item, ["state"])
    _record(user, "item.reject_claim", item, before,
            {"state": ItemState.ACTIVE, "claim": claim.pk, "verification": verification.pk, "reason": reason}, moment(on))
    return verification


def _request(user, item: Item, kind: str, reason: str, on: date, proposed_due: date | None = None) -> ChangeRequest:
    label = ChangeKind(kind).label.lower()
    _lock(item)
    _require_state(item, OPEN_STATES, f"request a {label}")
    permissions.require_claim(user, item, f"request a {label}")
    reason = written(reason, f"a reason for the {label}", required=True)
    if ChangeRequest.objects.filter(item=item, kind=kind, status=RequestStatus.PENDING).exists():
        raise LedgerError(f"a {label} request for this item is already awaiting approval")
    request = ChangeRequest.objects.create(item=item, kind=kind, requested_by=user, requested_on=on, reason=reason,
                                           proposed_due=proposed_due, created_at=timezone.now())
    after = {"request": request.pk, "change": kind, "reason": reason}
    if proposed_due is not None:
        after["proposed_due"] = proposed_due
    _record(user, "item.request_change", item, {}, after, moment(on))
    return request


@transaction.atomic
def request_deadline_change(user, item: Item, new_due: date, reason: str, *, on: date) -> ChangeRequest:
    """Ask for a new due date; it applies only once approved."""
    if not isinstance(new_due, date):
        raise LedgerError("a deadline change needs the proposed due date")
    if new_due == item.due:
        raise LedgerError(f"the item is already due on {new_due.isoformat()}")
    return _request(user, item, ChangeKind.DEADLINE, reason, on, proposed_due=new_due)


@transaction.atomic
def request_cancellation(user, item: Item, reason: str, *, on: date) -> ChangeRequest:
    """Ask to cancel an active or claimed item; it is cancelled only once approved."""
    return _request(user, item, ChangeKind.CANCELLATION, reason, on)


def _lock_pending_request(request: ChangeRequest) -> Item:
    item = request.item
    _lock(item)
    request.refresh_from_db()
    if request.status != RequestStatus.PENDING:
        raise InvalidState(f"this request was already {request.get_status_display().lower()}")
    return item


@transaction.atomic
def approve_request(user, request: ChangeRequest, *, on: date, note: str = "") -> ChangeRequest:
    """Apply a pending request, by a supervisor outside the owner's side.

    A deadline change keeps the original due date and counts an extension when it moves the date later;
    a cancellation moves an active or claimed item to cancelled.
    """
    item = _lock_pending_request(request)
    label = request.get_kind_display().lower()
    _require_state(item, OPEN_STATES, f"approve a {label}")
    permissions.require_approve(user, item, f"approve a {label}")
    _not_before(on, request.requested_on, "request")
    request.status, request.decided_by, request.decided_on = RequestStatus.APPROVED, user, on
    request.decision_note = written(note, "the note")
    request.save(update_fields=["status", "decided_by", "decided_on", "decision_note"])

    if request.kind == ChangeKind.DEADLINE:
        before, after = {"due": item.due}, {"due": request.proposed_due, "request": request.pk}
        fields = ["due"]
        if item.original_due is None and item.due is not None:
            before["original_due"], after["original_due"] = None, item.due
            item.original_due = item.due
            fields.append("original_due")
        if item.due is not None and request.proposed_due > item.due:
            before["extensions"], after["extensions"] = item.extensions, item.extensions + 1
            item.extensions += 1
            fields.append("extensions")
        item.due = request.proposed_due
        action = "item.due_change"
    else:
        before, after = {"state": item.state}, {"state": ItemState.CANCELLED, "request": request.pk}
        item.state = ItemState.CANCELLED
        fields = ["state"]
        action = "item.cancel"
    _save(item, fields)
    _record(user, action, item, before, after, moment(on))
    return request


@transaction.atomic
def refuse_request(user, request: ChangeRequest, reason: str, *, on: date) -> ChangeRequest:
    """Refuse a pending request, with a reason; the item does not change."""
    item = _lock_pending_request(request)
    label = request.get_kind_display().lower()
    permissions.require_approve(user, item, f"refuse a {label}")
    reason = written(reason, f"a reason for refusing the {label}", required=True)
    _not_before(on, request.requested_on, "request")
    request.status, request.decided_by, request.decided_on, request.decision_note = RequestStatus.REFUSED, user, on, reason
    request.save(update_fields=["status", "decided_by", "decided_on", "decision_note"])
    _record(user, "item.refuse_change", item, {}, {"request": request.pk, "change": request.kind, "reason": reason}, moment(on))
    return request
