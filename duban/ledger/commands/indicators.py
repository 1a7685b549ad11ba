"""`duban ledger observe | indicator | link | rule make | rule apply | rule retire | rules`: indicators on their path,
and time limits turned into deadline rules."""

from __future__ import annotations

import argparse
from datetime import date

from ..registry import command as handler


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_parsers(command, item) -> None:
    p = command("observe", "record an indicator's value on a day (--on: the day it measures)", actor=True, dated=True)
    item(p)
    p.add_argument("--value", type=float, required=True, metavar="V")
    p.add_argument("--note", default="")
    p.add_argument("--recorded", type=_day, metavar="DATE",
                   help="the day the value became known, when later than the day it measures (default: that day)")
    p = command("indicator", "an indicator as of a date: its path, latest observation, status and projection")
    item(p)
    p.add_argument("--as-of", type=_day, metavar="DATE", help="default today")
    p = command("link", "link a task or milestone to an indicator it serves", actor=True, dated=True)
    item(p)
    p.add_argument("--indicator", type=int, required=True, metavar="ITEM", help="the indicator's item id")
    p.add_argument("--unlink", action="store_true", help="remove the link instead")

    rule = command("rule", "deadline rules made from a document's time limits")
    steps = rule.add_subparsers(dest="rule_command", required=True, metavar="STEP")
    p = steps.add_parser("make", help="turn a time limit into a rule for every case of an event")
    p.add_argument("time_limit", type=int, metavar="TIME_LIMIT_ITEM")
    p.add_argument("--event", required=True, metavar="E", help="feedback, acceptance, issue or notice")
    p.add_argument("--name", required=True, metavar="N")
    p.add_argument("--genre", default="", metavar="G", help="the genre of document it applies to (feedback: oversight)")
    _actor(p)
    p = steps.add_parser("apply", help="set an item's deadline by a rule, citing it and its source line")
    p.add_argument("rule", type=int, metavar="RULE")
    item(p)
    p.add_argument("--event-date", type=_day, metavar="DATE",
                   help="the day of the event (default for feedback and issue: the document's date)")
    _actor(p)
    p = steps.add_parser("retire", help="stop a rule applying to new cases")
    p.add_argument("rule", type=int, metavar="RULE")
    _actor(p)
    command("rules", "list the deadline rules")


def _actor(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="actor", required=True, metavar="USER", help="the username of the person acting")
    parser.add_argument("--on", type=_day, metavar="DATE", help="the date the action took effect (default today)")


def _number(value: float) -> str:
    return f"{round(value, 3):g}"


@handler("observe")
def observe(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from ..cli import _item, _label, _person
    from ..services.indicators import record_observation

    item = _item(args)
    day = args.on or timezone.localdate()
    observation = record_observation(_person(args.actor), item, value=args.value, observed_on=day, note=args.note,
                                     on=args.recorded)
    print(f"{_label(item)}: {_number(observation.value)} on {observation.observed_on.isoformat()} "
          f"(observation #{observation.pk})")
    return 0


@handler("indicator")
def indicator(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from ..cli import _item, _label
    from ..services.indicators import Status, assess, definition

    item = _item(args)
    as_of = args.as_of or timezone.localdate()
    defn = definition(item)
    unit = f" {defn.unit}" if defn.unit else ""
    print(f"{_label(item)}: {defn.name} ({defn.comparator}){unit}")
    base = f"{_number(defn.baseline.value)} at the end of {defn.baseline.day.year}" if defn.baseline else "not stated"
    target = (f"{_number(defn.target_value)}" if defn.target_value is not None else "no value") + \
             (f" by the end of {defn.target_day.year}" if defn.target_day else ", no year")
    print(f"baseline:    {base}")
    print(f"target:      {target}")
    planned = defn.path_value(as_of)
    print(f"path:        {_number(planned)} on {as_of.isoformat()}" if planned is not None else "path:        none")
    reading = assess(item, as_of)
    if reading.observation:
        print(f"observed:    {_number(reading.observation.value)} on {reading.observation.day.isoformat()}"
              + (f" (path that day: {_number(reading.path_value)})" if reading.path_value is not None else ""))
    else:
        print("observed:    nothing by then")
    print(f"status:      {Status(reading.status).label.lower()} as of {as_of.isoformat()}: {reading.reason}")
    projected = reading.projection
    if projected:
        print(f"projection:  {_number(projected.value)} on {projected.day.isoformat()} "
              f"({projected.basis}): {'reaches' if projected.reaches else 'misses'} the target")
    else:
        print("projection:  none (too few observations)")
    return 0


@handler("link")
def link(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from ..cli import Refused, _item, _label, _person
    from ..models import Item
    from ..services.indicators import link_task, unlink_task

    task = _item(args)
    target = Item.objects.filter(pk=args.indicator).first()
    if target is None:
        raise Refused(f"no item #{args.indicator}")
    action = unlink_task if args.unlink else link_task
    action(_person(args.actor), task, target, on=args.on or timezone.localdate())
    linked = ", ".join(_label(i) for i in task.indicators.order_by("id")) or "no indicator"
    print(f"{_label(task)} serves {linked}")
    return 0


@handler("rule")
def rule(args: argparse.Namespace) -> int:
    from ..cli import Refused, _item, _label, _person
    from ..models import DeadlineRule, Item
    from ..services import deadline_rules

    user = _person(args.actor)
    if args.rule_command == "make":
        limit = Item.objects.filter(pk=args.time_limit).first()
        if limit is None:
            raise Refused(f"no item #{args.time_limit}")
        made = deadline_rules.make_rule(user, limit, event=args.event, name=args.name, applies_to_genre=args.genre, on=args.on)
        print(f"rule #{made.pk} {made.name}: {deadline_rules.rule_text(made)}, from document {limit.document_id} "
              f"line {limit.line_start}")
        return 0
    found = DeadlineRule.objects.select_related("source").filter(pk=args.rule).first()
    if found is None:
        raise Refused(f"no deadline rule #{args.rule}")
    if args.rule_command == "retire":
        deadline_rules.retire_rule(user, found, on=args.on)
        print(f"rule #{found.pk} {found.name}: retired")
        return 0
    item = deadline_rules.apply_rule(user, found, _item(args), event_date=args.event_date, on=args.on)
    provisional = " (provisional calendar)" if item.due_provisional else ""
    print(f"{_label(item)}: due {item.due.isoformat()}{provisional} by rule #{found.pk}: {item.data['rule']} of "
          f"{item.data['event_date']}")
    return 0


@handler("rules")
def rules(args: argparse.Namespace) -> int:
    from ..models import DeadlineRule
    from ..services.deadline_rules import rule_text

    found = list(DeadlineRule.objects.select_related("source").order_by("id"))
    print(f"{'id':>4}  {'rule':<34} {'applies to':<10} {'source':<22} {'state':<7} name")
    for made in found:
        source = f"doc {made.source.document_id} line {made.source.line_start}" if made.source else "-"
        print(f"{made.pk:>4}  {rule_text(made):<34} {made.applies_to_genre or 'any':<10} {source:<22} "
              f"{'active' if made.active else 'retired':<7} {made.name}")
    print(f"{len(found)} rule{'s' if len(found) != 1 else ''}")
    return 0
