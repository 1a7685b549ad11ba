"""Time limits become deadline rules: "30 working days after feedback", read from a document, applies to every case
of its kind, and each deadline it sets cites the rule and the line the time limit was read from.

How deadlines are counted and set:
- "N working days after D" counts from the day after D on the working-day calendar (calendar.add_working_days), and
  is provisional when a day counted lies in a year without official calendar data. "N days" is D + N calendar days.
  "N months" lands on D's day of the month N months on, clamped to that month's end (31 January + 3 months is
  30 April); "N years" likewise (29 February + 1 year is 28 February). Calendar days, months and years do not
  depend on holiday data and are never provisional; a date that falls on a day off is not moved.
- The calendar is that of the item's lead owner, else of its document's supervising office, else China's.
- A draft's deadline is not yet a commitment: applying a rule to a draft sets its due date (and original due date),
  by someone who may manage the draft.
- An active or claimed item's deadline changes only through an approved request (issue 3, rule 4). Applying a rule
  to one records a deadline-change request that cites the rule, and its approval by the person applying it, through
  workflow.approve_request: so only someone who may approve changes on the item (a supervisor outside the owner's
  side) may apply it; the original due date is kept and a later date counts as an extension, as for every change.
- Closed, cancelled and rejected items take no new deadline.
- The item's data then cites the rule: {"deadline_rule": rule id, "rule": "30 working days after feedback",
  "event_date": "2018-01-02", "source": {"document": id, "line": n}}.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from ..choices import ChangeKind, Genre, ItemKind, ItemState, RequestStatus, TimeLimitEvent
from ..errors import InvalidState, LedgerError
from ..models import ChangeRequest, DeadlineRule, Item, SourceDocument
from . import history, permissions, workflow
from .calendar import add_working_days
from .workflow import moment

UNITS = {"working_days": ("working day", "working days"), "days": ("day", "days"), "months": ("month", "months"),
         "years": ("year", "years")}
EVENT_WORDS = {TimeLimitEvent.FEEDBACK: "feedback", TimeLimitEvent.ACCEPTANCE: "acceptance",
               TimeLimitEvent.ISSUE: "issue", TimeLimitEvent.NOTICE: "notice"}
DOCUMENT_DATED_EVENTS = (TimeLimitEvent.FEEDBACK, TimeLimitEvent.ISSUE)  # the document's own date is the event's
LIVE_TIME_LIMIT_STATES = (ItemState.DRAFT, ItemState.ACTIVE)  # a rejected time limit was an extraction error
OPEN_PLAN_STATES = (ItemState.DRAFT, ItemState.ACTIVE)
CITATION_KEYS = ("deadline_rule", "rule", "event_date", "source")  # what apply_rule adds to an item's data


class Deadline(NamedTuple):
    """A deadline and whether it was counted over a year without official calendar data."""

    date: date
    provisional: bool


def rule_text(rule: DeadlineRule) -> str:
    """"30 working days after feedback"."""
    singular, plural = UNITS.get(rule.unit, (rule.unit, rule.unit))
    return f"{rule.value} {singular if rule.value == 1 else plural} after {EVENT_WORDS.get(rule.event, rule.event)}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def count(value: int, unit: str, start: date, *, country: str = "CN", region: str = "") -> Deadline:
    """The day `value` `unit`s after `start`."""
    if unit == "working_days":
        day = add_working_days(start, value, country, region)
        return Deadline(day.date, day.provisional)
    if unit == "days":
        return Deadline(start + timedelta(days=value), False)
    if unit == "months":
        return Deadline(_add_months(start, value), False)
    if unit == "years":
        return Deadline(_add_months(start, 12 * value), False)
    raise LedgerError(f"a deadline rule counts working days, days, months or years, not {unit!r}")


def deadline_for(rule: DeadlineRule, event_date: date, *, country: str = "CN", region: str = "") -> Deadline:
    """The deadline the rule gives for an event on `event_date`, on the jurisdiction's calendar."""
    return count(rule.value, rule.unit, event_date, country=country, region=region)


def citation(rule: DeadlineRule, event_date: date) -> dict[str, Any]:
    """What a deadline set by the rule records in its item's data: the rule, the event and the source line."""
    source = rule.source
    return {  # keys: CITATION_KEYS
        "deadline_rule": rule.pk, "rule": rule_text(rule), "event_date": event_date.isoformat(),
        "source": {"document": source.document_id if source else None, "line": source.line_start if source else None},
    }


def _a_kind(item: Item) -> str:
    label = item.get_kind_display().lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


# --- making rules -----------------------------------------------------------------------------------------------

def _whole(value: Any, limit: Item) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < 1:
        raise LedgerError(f"the time limit #{limit.pk} states {value!r}: a rule needs a whole number, 1 or more")
    return int(value)


@transaction.atomic
def make_rule(user, time_limit_item: Item, *, event: str, name: str, applies_to_genre: str = "",
              on: date | None = None) -> DeadlineRule:
    """Turn a document's time limit ({"value", "unit"}) into a rule for every case of an event, by an administrator
    or a supervisor of the document's supervising office. A feedback rule applies to oversight documents unless a
    genre is given; one time limit gives at most one active rule per event."""
    limit = time_limit_item
    if limit.kind != ItemKind.TIME_LIMIT:
        raise LedgerError(f"rules are made from time limits; item #{limit.pk} is {_a_kind(limit)}")
    if limit.state not in LIVE_TIME_LIMIT_STATES:
        raise InvalidState(f"the time limit #{limit.pk} is {limit.get_state_display().lower()}: it cannot make a rule")
    permissions.require_manage(user, limit, action="make a deadline rule")
    if event not in TimeLimitEvent.values:
        raise LedgerError(f"unknown event {event!r}; one of {', '.join(TimeLimitEvent.values)}")
    name = (name or "").strip()
    if not name:
        raise LedgerError("a deadline rule needs a name")
    value, unit = _whole(limit.data.get("value"), limit), limit.data.get("unit")
    if unit not in UNITS:
        raise LedgerError(f"the time limit #{limit.pk} counts {unit!r}: a rule counts working days, days, months or years")
    genre = applies_to_genre or (Genre.OVERSIGHT if event == TimeLimitEvent.FEEDBACK else "")
    if genre and genre not in Genre.values:
        raise LedgerError(f"unknown genre {genre!r}; one of {', '.join(Genre.values)}")
    existing = DeadlineRule.objects.filter(source=limit, event=event, active=True).first()
    if existing is not None:
        raise LedgerError(f"the time limit #{limit.pk} is already rule #{existing.pk} ({existing.name}) for {event}")
    at = moment(on) if on else timezone.now()
    rule = DeadlineRule.objects.create(name=name, source=limit, event=event, value=value, unit=unit,
                                       applies_to_genre=genre, created_by=user, created_at=at)
    history.record(user.get_username(), "deadline_rule.make", rule, at=at, item_id=limit.pk, after={
        "name": name, "event": event, "value": value, "unit": unit, "applies_to_genre": genre, "source": limit.pk,
        "document": limit.document_id, "line": limit.line_start,
    })
    return rule


@transaction.atomic
def retire_rule(user, rule: DeadlineRule, *, on: date | None = None) -> DeadlineRule:
    """Stop a rule applying to new cases; deadlines it set stay, with their citation."""
    rule = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
    if not rule.active:
        raise InvalidState(f"rule #{rule.pk} is already retired")
    permissions.require_manage(user, rule.source or Item(), action="retire a deadline rule")
    rule.active = False
    rule.save(update_fields=["active"])
    history.record(user.get_username(), "deadline_rule.retire", rule, at=moment(on) if on else timezone.now(),
                   item_id=rule.source_id, before={"active": True}, after={"active": False})
    return rule


def rule_for_feedback(document: SourceDocument) -> DeadlineRule | None:
    """The active feedback rule for an inspection round: one made from the round's own time limits, else one that
    applies to its genre (or to every genre). Rules that disagree (different periods) are refused, never chosen
    between; among rules that agree, the newest."""
    rules = list(DeadlineRule.objects.filter(active=True, event=TimeLimitEvent.FEEDBACK).select_related("source").order_by("id"))
    own = [rule for rule in rules if rule.source is not None and rule.source.document_id == document.pk]
    candidates = own or [rule for rule in rules if rule.applies_to_genre in ("", document.genre)]
    if not candidates:
        return None
    if len({(rule.value, rule.unit) for rule in candidates}) > 1:
        listed = "; ".join(f"#{rule.pk} {rule.name}: {rule_text(rule)}" for rule in candidates)
        raise LedgerError(f"several feedback rules apply to '{document.title[:80]}' and disagree ({listed}): "
                          "retire the ones that do not apply")
    return candidates[-1]


# --- applying rules ---------------------------------------------------------------------------------------------

def _target(target: Item | SourceDocument) -> Item:
    """The item a rule's deadline goes on: the item given, or a document's one open rectification plan."""
    if isinstance(target, Item):
        return target
    if isinstance(target, SourceDocument):
        plans = list(target.items.filter(kind=ItemKind.RECTIFICATION, state__in=OPEN_PLAN_STATES).order_by("id")[:2])
        if len(plans) != 1:
            found = "no open rectification plan" if not plans else "several open rectification plans"
            raise LedgerError(f"'{target.title[:80]}' has {found}: name the item the deadline goes on")
        return plans[0]
    raise LedgerError("a rule applies to an item or to a document's rectification plan")


def _calendar(item: Item) -> tuple[str, str]:
    if item.lead_owner is not None:
        return item.lead_owner.country, item.lead_owner.region
    office = item.document.supervising_office if item.document is not None else None
    return (office.country, office.region) if office is not None else ("CN", "")


@transaction.atomic
def apply_rule(user, rule: DeadlineRule, item_or_document: Item | SourceDocument, *, event_date: date | None = None,
               on: date | None = None) -> Item:
    """Set an item's deadline by a rule, for an event on `event_date` (default for feedback and issue rules: the
    item's document's date), citing the rule and its source line. A draft's due date is set; an active or claimed
    item's changes through a deadline-change request approved by the person applying the rule. `on` is the day of
    the action (default today)."""
    rule = DeadlineRule.objects.select_related("source").get(pk=rule.pk)
    if not rule.active:
        raise InvalidState(f"rule #{rule.pk} ({rule.name}) is retired")
    item = _target(item_or_document)
    item = Item.objects.select_for_update(of=("self",)).select_related("lead_owner", "document__supervising_office").get(pk=item.pk)
    document = item.document
    if rule.applies_to_genre and document is not None and document.genre != rule.applies_to_genre:
        raise LedgerError(f"rule #{rule.pk} ({rule.name}) applies to {Genre(rule.applies_to_genre).label.lower()} "
                          f"documents; item #{item.pk} is in a {document.get_genre_display().lower()} document")
    if event_date is None:
        if rule.event in DOCUMENT_DATED_EVENTS and document is not None and document.date is not None:
            event_date = document.date
        else:
            raise LedgerError(f"give the date of the {EVENT_WORDS.get(rule.event, rule.event)} the deadline counts from")
    on = on or timezone.localdate()
    country, region = _calendar(item)
    deadline = deadline_for(rule, event_date, country=country, region=region)
    cited = citation(rule, event_date)

    if item.state == ItemState.DRAFT:
        permissions.require_manage(user, item, action="set a draft's deadline by a rule")
        fields = {"due": deadline.date, "original_due": deadline.date, "due_provisional": deadline.provisional}
    elif item.state in workflow.OPEN_STATES:
        permissions.require_approve(user, item, "change a deadline by a rule")
        if item.due != deadline.date:
            _approved_change(user, item, rule, deadline.date, cited, on)  # records the due change itself
            item.refresh_from_db()
        fields = {"due_provisional": deadline.provisional}
    else:
        raise InvalidState(f"cannot set a deadline: the item is {item.get_state_display().lower()}")

    before = {**{name: getattr(item, name) for name in fields}, **{key: item.data.get(key) for key in cited}}
    after = {**fields, **cited}
    if before == after:
        return item  # the rule already set this deadline
    for name, value in fields.items():
        setattr(item, name, value)
    item.data = {**item.data, **cited}
    item.updated_at = timezone.now()
    item.save(update_fields=[*fields, "data", "updated_at"])
    history.record(user.get_username(), "item.apply_deadline_rule", item, at=moment(on), before=before, after=after)
    return item


def _approved_change(user, item: Item, rule: DeadlineRule, due: date, cited: dict, on: date) -> None:
    """A deadline-change request citing the rule, approved at once by the person applying it."""
    if ChangeRequest.objects.filter(item=item, kind=ChangeKind.DEADLINE, status=RequestStatus.PENDING).exists():
        raise LedgerError("a deadline change request for this item is already awaiting approval: decide on it first")
    source = cited["source"]
    reason = (f"deadline rule #{rule.pk} ({rule.name}): {cited['rule']} of {cited['event_date']}, "
              f"read from document {source['document']} line {source['line']}")
    request = ChangeRequest.objects.create(item=item, kind=ChangeKind.DEADLINE, requested_by=user, requested_on=on,
                                           reason=reason, proposed_due=due, created_at=timezone.now())
    history.record(user.get_username(), "item.request_change", item, at=moment(on), after={
        "request": request.pk, "change": ChangeKind.DEADLINE, "reason": reason, "proposed_due": due})
    workflow.approve_request(user, request, on=on, note=f"set by deadline rule #{rule.pk}")
