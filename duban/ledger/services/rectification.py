"""Rectification: an inspection round leads to a plan due N working days after its feedback date, holding
rectification tasks with phased milestones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from ..choices import Genre, ItemKind, ItemState
from ..errors import InvalidState, LedgerError
from ..models import Item, Organisation, SourceDocument
from . import deadline_rules, history, permissions
from .calendar import add_working_days
from .workflow import moment

LIVE_TIME_LIMIT_STATES = (ItemState.DRAFT, ItemState.ACTIVE)  # a rejected time limit was an extraction error
PLAN_OPEN_STATES = (ItemState.DRAFT, ItemState.ACTIVE)
WORKING_DAYS = "working_days"


def _whole_number(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < 1:
        raise LedgerError(f"{what} must be a whole number of working days, 1 or more (not {value!r})")
    return int(value)


def _time_limit(document: SourceDocument, basis: Item | None) -> Item | None:
    """The round's time limit in working days: the one given, else the only one the document states."""
    if basis is not None:
        if basis.kind != ItemKind.TIME_LIMIT or basis.document_id != document.pk:
            raise LedgerError(f"the basis must be a time limit of '{document.title[:80]}'")
        if basis.state not in LIVE_TIME_LIMIT_STATES:
            raise InvalidState("the basis was rejected as an extraction error: it cannot set a deadline")
        if basis.data.get("unit") != WORKING_DAYS:
            raise LedgerError(f"the basis counts {basis.data.get('unit', 'no unit')}, not working days")
        return basis
    limits = list(document.items.filter(kind=ItemKind.TIME_LIMIT, state__in=LIVE_TIME_LIMIT_STATES,
                                        data__unit=WORKING_DAYS).order_by("id"))
    if len({limit.data.get("value") for limit in limits}) > 1:
        listed = "; ".join(f"#{limit.pk}: {limit.data.get('value'):g} working days" for limit in limits)
        raise LedgerError(f"the round states several time limits in working days ({listed}): give the basis")
    return limits[0] if limits else None


def _findings(document: SourceDocument, findings: Iterable[Item] | None) -> list[int]:
    if findings is None:
        return list(document.items.filter(kind=ItemKind.FINDING).exclude(state=ItemState.REJECTED)
                    .order_by("id").values_list("pk", flat=True))
    ids = []
    for finding in findings:
        if finding.kind != ItemKind.FINDING or finding.document_id != document.pk:
            raise LedgerError(f"item #{finding.pk} is not a finding of '{document.title[:80]}'")
        ids.append(finding.pk)
    return sorted(set(ids))


@transaction.atomic
def open_rectification(user, round_document: SourceDocument, *, on: date, working_days: int | None = None,
                       basis: Item | None = None, findings: Iterable[Item] | None = None) -> Item:
    """A draft rectification plan for an inspection round, due N working days after the round's feedback date.

    N is the round's time limit in working days when it states one (`basis` picks one when it states several),
    else `working_days`; the plan records its basis and rule. Its subject is the round's findings (all that
    were not rejected, unless `findings` names some). The due date is counted on the calendar of the round's
    supervising office, and is provisional when that calendar lacks official data.
    """
    document = round_document
    if document.genre != Genre.OVERSIGHT:
        raise LedgerError(f"a rectification plan follows an inspection round; '{document.title[:80]}' is a "
                          f"{document.get_genre_display().lower()} document")
    if document.date is None:
        raise LedgerError(f"'{document.title[:80]}' has no feedback date to count the plan's deadline from")
    permissions.require_manage(user, Item(document=document), action="open a rectification plan")

    office = document.supervising_office
    calendar = (office.country, office.region) if office is not None else ("CN", "")
    limit = _time_limit(document, basis)
    standing_rule = None
    if limit is None and working_days is None:
        standing_rule = deadline_rules.rule_for_feedback(document)
        if standing_rule is None:
            raise LedgerError("the round states no time limit in working days and no feedback rule applies: "
                              "give the number of working days")
    if limit is not None:
        n = _whole_number(limit.data.get("value"), f"the time limit #{limit.pk}")
        if working_days is not None and working_days != n:
            raise LedgerError(f"the round's time limit #{limit.pk} sets {n} working days, not {working_days}; "
                              "reject that time limit as an extraction error if it was misread")
    elif working_days is not None:
        n = _whole_number(working_days, "the plan's time limit")

    data = {"basis_item": limit.pk if limit else None, "feedback_date": document.date.isoformat(),
            "finding_ids": _findings(document, findings)}
    if standing_rule is not None:
        due = deadline_rules.deadline_for(standing_rule, document.date, country=calendar[0], region=calendar[1])
        data.update(deadline_rules.citation(standing_rule, document.date))
    else:
        due = add_working_days(document.date, n, *calendar)
        data["rule"] = f"{n} working days after the feedback date"
    at = moment(on)
    plan = Item.objects.create(
        kind=ItemKind.RECTIFICATION, document=document, title=f"Rectification plan: {document.title[:200]}",
        line_start=limit.line_start if limit else None, line_end=limit.line_end if limit else None,
        quote=limit.quote if limit else "", data=data, due=due.date, original_due=due.date,
        due_provisional=due.provisional, created_at=at, updated_at=at,
    )
    history.record(user.get_username(), "item.create", plan, at=at, after={
        "state": plan.state, "kind": plan.kind, "document": document.pk, "due": due.date,
        "due_provisional": due.provisional, **data,
    })
    return plan


@transaction.atomic
def add_rectification_task(user, plan: Item, title: str, lead: Organisation, *, due: date,
                           milestones: Iterable[tuple[str, date]] = (), at: datetime | None = None) -> Item:
    """A draft rectification task under the plan, led by `lead`, with its phased milestones as draft children.

    Each milestone falls due no later than its task; confirming the drafts is the workflow's.
    """
    if plan.kind != ItemKind.RECTIFICATION:
        raise LedgerError("rectification tasks belong to a rectification plan")
    if plan.state not in PLAN_OPEN_STATES:
        raise InvalidState(f"the plan is {plan.get_state_display().lower()}: tasks are added to a draft or active plan")
    if not isinstance(lead, Organisation) or lead.pk is None:
        raise LedgerError("a rectification task has exactly one lead owner: give one organisation")
    permissions.require_manage(user, plan, lead, "add a rectification task")
    title = (title or "").strip()
    if not title or not isinstance(due, date):
        raise LedgerError("a rectification task needs a title and a due date")
    phases = []
    for name, milestone_due in milestones:
        name = (name or "").strip()
        if not name or not isinstance(milestone_due, date):
            raise LedgerError("each milestone needs a title and a due date")
        if milestone_due > due:
            raise LedgerError(f"the milestone '{name}' falls due on {milestone_due.isoformat()}, "
                              f"after its task ({due.isoformat()})")
        phases.append((name, milestone_due))

    at = at or timezone.now()
    task = _create_draft(user, ItemKind.TASK, plan, title, lead, due, at)
    for name, milestone_due in phases:
        _create_draft(user, ItemKind.MILESTONE, task, name, lead, milestone_due, at)
    return task


def _create_draft(user, kind: str, parent: Item, title: str, lead: Organisation, due: date, at: datetime) -> Item:
    item = Item.objects.create(kind=kind, document=parent.document, parent=parent, title=title, lead_owner=lead,
                               due=due, original_due=due, created_at=at, updated_at=at)
    history.record(user.get_username(), "item.create", item, at=at, after={
        "state": item.state, "kind": kind, "parent": parent.pk, "title": title, "lead_owner": lead.pk, "due": due,
    })
    return item
