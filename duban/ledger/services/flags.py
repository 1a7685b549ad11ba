"""Red flags: computed for every item as of a date, each with its reason in a sentence; never stored."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet

from ..choices import ChangeKind, FlagCode, ItemState, RequestStatus
from ..models import ChangeRequest, CompletionClaim, Evidence, Item, Organisation, ProgressReport, Verification
from .asof import ItemHistory, as_date, end_of_day, item_events, item_scope, local_date, snapshot
from .calendar import same_working_day, working_days_between
from .indicators import indicator_flags


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str


MAX_EXTENSIONS = 2


@dataclass(frozen=True)
class _Closing:
    claimed_on: date
    decided_on: date
    cited: int


def red_flags(day: date, items: QuerySet | Iterable[Item] | None = None) -> dict[int, list[Flag]]:
    """Every item's red flags as of the day (an empty list for a clean item), in a bounded number of queries."""
    items, ids = item_scope(items)
    events = item_events(ids)
    boundary = end_of_day(day)
    counted = {item.pk: events[item.pk].count_before(boundary) for item in items}
    states = {item.pk: snapshot(item, events[item.pk], day) for item in items}
    late_assignments = {item.pk: _late_owner_changes(item, events[item.pk], counted[item.pk]) for item in items}

    org_ids = {s.lead_owner_id for s in states.values()} | {
        owner for changes in late_assignments.values() for _, _, old, new in changes for owner in (old, new)}
    organisations = Organisation.objects.in_bulk([pk for pk in org_ids if pk is not None])
    closings = _closings(ids, day)
    approved_cancellations = set(ChangeRequest.objects.filter(
        item__in=ids, kind=ChangeKind.CANCELLATION, status=RequestStatus.APPROVED, decided_on__lte=day,
    ).values_list("item_id", flat=True))
    last_reports = dict(ProgressReport.objects.filter(item__in=ids, reported_on__lte=day)
                        .values("item_id").annotate(last=Max("reported_on")).values_list("item_id", "last"))
    shared = _shared_evidence(ids, day)

    flags = {}
    for item in items:
        state = states[item.pk]
        owner = organisations.get(state.lead_owner_id)
        calendar = (owner.country, owner.region) if owner is not None else ("CN", "")
        found = []
        if state.state == ItemState.CLOSED:
            found += _closing_flags(closings.get(item.pk), calendar)
        found += shared.get(item.pk, [])
        if state.extensions > MAX_EXTENSIONS:
            found.append(Flag(FlagCode.EXTENDED_OFTEN,
                              f"the deadline was extended {state.extensions} times (more than {MAX_EXTENSIONS})"))
        for on, due, old, new in late_assignments[item.pk]:
            found.append(Flag(FlagCode.OWNER_CHANGED_LATE,
                              f"the lead owner changed from {_name(organisations, old)} to {_name(organisations, new)} "
                              f"on {on.isoformat()}, after the deadline of {due.isoformat()} had passed"))
        if state.state == ItemState.CANCELLED and item.pk not in approved_cancellations:
            found.append(Flag(FlagCode.CANCELLED_UNAPPROVED, "cancelled with no approved cancellation request on record"))
        if state.overdue:
            late = working_days_between(state.due, day, *calendar)
            found.append(Flag(FlagCode.OVERDUE, f"due on {state.due.isoformat()} and still "
                                                f"{ItemState(state.state).label.lower()} on {day.isoformat()}: "
                                                f"{late} working day{'s' if late != 1 else ''} late"))
        if state.state == ItemState.ACTIVE:
            if flag := _silence(item, events[item.pk], counted[item.pk], last_reports.get(item.pk), day, calendar):
                found.append(flag)
        flags[item.pk] = found
    for item_id, found in indicator_flags(day, items).items():
        flags[item_id].extend(found)
    return flags


def _name(organisations: dict[int, Organisation], pk: int | None) -> str:
    return organisations[pk].name if pk in organisations else f"organisation #{pk}"


def _late_owner_changes(item: Item, history: ItemHistory, counted: int) -> list[tuple[date, date, int, int]]:
    """(date, due then, old owner, new owner) of each change of a confirmed item's lead owner after its due date,
    among its first `counted` changes."""
    late = []
    for k, change in enumerate(history.changes[:counted]):
        old, new = change.before.get("lead_owner"), change.after.get("lead_owner")
        if change.action != "item.assign" or old is None or new == old:
            continue
        due = as_date(history.value_before(k, "due", item.due))
        on = local_date(change.at)
        if due is not None and on > due and history.value_before(k, "state", item.state) != ItemState.DRAFT:
            late.append((on, due, old, new))
    return late


def _closings(ids: Any, day: date) -> dict[int, _Closing]:
    """The verification that closed each item, the latest one decided by the day, with how much evidence it cited."""
    rows = (Verification.objects.filter(claim__item__in=ids, verified=True, decided_on__lte=day)
            .annotate(cited=Count("evidence")).order_by("claim__item_id", "decided_on", "id")
            .values_list("claim__item_id", "claim__claimed_on", "decided_on", "cited"))
    return {item_id: _Closing(claimed_on, decided_on, cited) for item_id, claimed_on, decided_on, cited in rows}


def _closing_flags(closing: _Closing | None, calendar: tuple[str, str]) -> list[Flag]:
    if closing is None:
        return [Flag(FlagCode.CLOSED_WITHOUT_EVIDENCE, "closed with no verification on record")]
    found = []
    if not closing.cited:
        found.append(Flag(FlagCode.CLOSED_WITHOUT_EVIDENCE,
                          f"closed on {closing.decided_on.isoformat()} by a verification that cited no evidence"))
    if same_working_day(closing.claimed_on, closing.decided_on, *calendar):
        found.append(Flag(FlagCode.CLOSED_SAME_DAY,
                          f"verified on {closing.decided_on.isoformat()}, the same working day as its completion claim "
                          f"({closing.claimed_on.isoformat()})"))
    return found


def _silence(item: Item, history: ItemHistory, counted: int, last_report: date | None, day: date,
             calendar: tuple[str, str]) -> Flag | None:
    """The no-progress flag of an active item: more working days than its interval since its last report, or since
    it last became active (among its first `counted` changes, else since it was created)."""
    created = history.created.at if history.created is not None else item.created_at
    became_active = next((local_date(c.at) for c in reversed(history.changes[:counted])
                          if c.after.get("state") == ItemState.ACTIVE), local_date(created))
    since = max(filter(None, (last_report, became_active)))
    interval = item.reporting_interval or settings.DUBAN_REPORTING_INTERVAL_DAYS
    silent = working_days_between(since, day, *calendar)
    if silent <= interval:
        return None
    what = "its last progress report" if since == last_report else "it became active"
    return Flag(FlagCode.NO_PROGRESS_REPORT,
                f"no progress report for {silent} working days since {what} on {since.isoformat()} "
                f"(the reporting interval is {interval} working days)")


def _shared_evidence(ids: Any, day: date) -> dict[int, list[Flag]]:
    """Flags for items citing, by the day, an evidence file that unrelated items (neither ancestor nor descendant)
    also cite, in progress reports, claims or verifications."""
    in_scope = Evidence.objects.filter(
        Q(progress_reports__item__in=ids) | Q(claims__item__in=ids) | Q(verifications__claim__item__in=ids)
    ).values("pk")
    uses = [
        (ProgressReport.evidence.through.objects.filter(progressreport__reported_on__lte=day), "progressreport__item_id"),
        (CompletionClaim.evidence.through.objects.filter(completionclaim__claimed_on__lte=day), "completionclaim__item_id"),
        (Verification.evidence.through.objects.filter(verification__decided_on__lte=day), "verification__claim__item_id"),
    ]
    citing, files = defaultdict(set), {}
    for rows, item_field in uses:
        for evidence_id, sha256, name, item_id in rows.filter(evidence_id__in=in_scope).values_list(
                "evidence_id", "evidence__sha256", "evidence__original_name", item_field):
            citing[evidence_id].add(item_id)
            files[evidence_id] = (sha256, name)
    citing = {evidence_id: items for evidence_id, items in citing.items() if len(items) > 1}
    if not citing:
        return {}
    lines = _lineage(set().union(*citing.values()))
    flags = defaultdict(list)
    for evidence_id, items in sorted(citing.items()):
        sha256, name = files[evidence_id]
        for item_id in sorted(items):
            others = [other for other in sorted(items) if other != item_id
                      and other not in lines[item_id]["ancestors"] and item_id not in lines[other]["ancestors"]]
            if others:
                named = ", ".join(lines[other]["label"] for other in others)
                flags[item_id].append(Flag(FlagCode.SHARED_EVIDENCE,
                                           f"the evidence file {name} (sha256 {sha256[:12]}) is also cited for "
                                           f"unrelated item{'s' if len(others) > 1 else ''} {named}"))
    return flags


def _lineage(item_ids: set[int]) -> dict[int, dict]:
    """Each item's label and ancestors, loading the tree one level per query."""
    parents, labels, pending = {}, {}, set(item_ids)
    while pending:
        for pk, parent_id, number, title in Item.objects.filter(pk__in=pending).values_list("pk", "parent_id", "number", "title"):
            parents[pk] = parent_id
            labels[pk] = f"#{pk} {(number or title)[:60]!r}" if number or title else f"#{pk}"
        pending = {parent for parent in parents.values() if parent is not None and parent not in parents}
    lines = {}
    for pk in item_ids:
        ancestors, parent = set(), parents.get(pk)
        while parent is not None and parent not in ancestors:
            ancestors.add(parent)
            parent = parents.get(parent)
        lines[pk] = {"label": labels.get(pk, f"#{pk}"), "ancestors": ancestors}
    return lines
