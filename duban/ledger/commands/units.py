"""`duban ledger units …`, `fanout`, `rollup`, `close-rollup` and `bulk …`: unit names matched to organisations,
items fanned out to every member of a group and rolled up, and bulk assignment, confirmation, intervals and export.
"""

from __future__ import annotations

import argparse
from datetime import date

from ..registry import command as handler


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _acting(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--as", dest="actor", required=True, metavar="USER", help="the username of the person acting")
    parser.add_argument("--on", type=_day, metavar="DATE", help="the date the action took effect (default today)")
    return parser


def _selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--document", type=int, metavar="ID", help="the items of this document")
    parser.add_argument("--state", action="append", metavar="S", help="only these states (repeatable; default: draft, and for export every state)")
    parser.add_argument("--kind", action="append", metavar="K", help="only these kinds (repeatable)")
    parser.add_argument("--ids", nargs="+", type=int, metavar="ITEM", help="only these items")
    parser.add_argument("--top-level", action="store_true", help="leave out milestones and fan-out children")


def add_parsers(command, item) -> None:
    units = command("units", "match the units documents name to organisations, aliases and groups")
    steps = units.add_subparsers(dest="units_step", required=True, metavar="STEP")
    p = steps.add_parser("unmatched", help="the unit names no organisation or group answers to, with suggestions")
    p.add_argument("--document", type=int, metavar="ID")
    p = steps.add_parser("suggest", help="the organisations and groups whose names are most like NAME")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--limit", type=int, default=5, metavar="N")
    p = _acting(steps.add_parser("alias", help="confirm that NAME means an organisation (it becomes an alias)"))
    p.add_argument("name", metavar="NAME")
    p.add_argument("--org", required=True, metavar="ORG")
    p = _acting(steps.add_parser("group", help="confirm that a unit phrase names a group of organisations"))
    p.add_argument("phrase", metavar="PHRASE")
    p.add_argument("--group", required=True, metavar="NAME", help="the group's name or id")
    p = _acting(steps.add_parser("group-create", help="define a group: every organisation of a kind under a parent, "
                                                      "or the members listed"))
    p.add_argument("name", metavar="NAME")
    p.add_argument("--kind", metavar="K", help="e.g. city, department")
    p.add_argument("--parent", metavar="ORG")
    p.add_argument("--descendants", action="store_true", help="anywhere under the parent, not only directly")
    p.add_argument("--members", nargs="+", default=[], metavar="ORG")
    steps.add_parser("groups", help="the groups, their members and the phrases that name them")
    p = _acting(steps.add_parser("apply", help="give items their owners from their unit names: the first leads, "
                                               "the others co-own (all or nothing)"))
    p.add_argument("items", nargs="*", type=int, metavar="ITEM")
    p.add_argument("--document", type=int, metavar="ID", help="every draft or active item of the document naming units")

    p = command("fanout", "one child item per member of each group an item's units name (again: adds only the missing)",
                actor=True, dated=True)
    item(p)
    p.add_argument("--group", action="append", metavar="NAME", help="fan out to this group instead (repeatable)")
    item(command("rollup", "a fanned-out item's children counted by state, and the status they give it"))
    p = command("close-rollup", "close a fanned-out item once every child is closed, citing their verifications",
                actor=True, dated=True)
    item(p)
    p.add_argument("--note", default="")

    bulk = command("bulk", "assign, confirm, set the reporting interval or export many items at once (all or nothing)")
    steps = bulk.add_subparsers(dest="bulk_step", required=True, metavar="STEP")
    p = _acting(steps.add_parser("assign", help="the same lead owner and co-owners for every item selected"))
    _selection(p)
    p.add_argument("--lead", required=True, metavar="ORG")
    p.add_argument("--co", nargs="+", default=[], metavar="ORG")
    p = _acting(steps.add_parser("units", help="each selected item's owners from its own unit names"))
    _selection(p)
    p = _acting(steps.add_parser("confirm", help="confirm every draft selected"))
    _selection(p)
    p = _acting(steps.add_parser("interval", help="set the reporting interval of every item selected"))
    _selection(p)
    p.add_argument("--days", type=int, required=True, metavar="N", help="working days between progress reports")
    p = steps.add_parser("export", help="write the items selected as CSV, with owners and roll-ups")
    _selection(p)
    p.add_argument("--csv", required=True, metavar="FILE", help="the file to write ('-' for standard output)")


# --- handlers (Django-backed modules imported inside) --------------------------------------------------------------

def _document(pk: int):
    from ..cli import Refused
    from ..models import SourceDocument

    document = SourceDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Refused(f"no document {pk}")
    return document


def _group(name: str):
    from ..cli import Refused
    from ..models import OrganisationGroup

    found = OrganisationGroup.objects.filter(pk=int(name)).first() if name.isdigit() else \
        OrganisationGroup.objects.filter(name__iexact=name.strip()).first()
    if found is None:
        known = ", ".join(repr(n) for n in OrganisationGroup.objects.values_list("name", flat=True)[:8]) or "none yet"
        raise Refused(f"no group called {name!r} (groups: {known})")
    return found


def _at(args):
    from ..services.workflow import moment

    return moment(args.on) if args.on else None


def _names(orgs) -> str:
    return ", ".join(org.name for org in orgs)


@handler("units")
def units(args: argparse.Namespace) -> int:
    return {"unmatched": _unmatched, "suggest": _suggest, "alias": _alias, "group": _confirm_group,
            "group-create": _group_create, "groups": _groups, "apply": _apply}[args.units_step](args)


def _unmatched(args) -> int:
    from ..services.units import unmatched_names

    listed = unmatched_names(_document(args.document) if args.document is not None else None)
    for entry in listed:
        where = ", ".join(f"#{pk}" for pk in entry.items[:12]) + (", …" if len(entry.items) > 12 else "")
        print(f"{entry.count:>4}× {entry.name!r} ({entry.how}) in item{'s' if len(entry.items) != 1 else ''} {where}")
        if len(entry.spellings) > 1:
            print(f"        also written: {'; '.join(repr(s) for s in entry.spellings[1:])}")
        if entry.candidates:
            print(f"        could be: {'; '.join(f'#{org.pk} {org.name}' for org in entry.candidates)}")
        for suggestion in entry.suggestions:
            print(f"        suggestion {suggestion.score:>5.1f}: {suggestion.target}")
    print(f"{len(listed)} name{'s' if len(listed) != 1 else ''} to resolve"
          + (" (confirm with `units alias` or `units group`)" if listed else ""))
    return 0


def _suggest(args) -> int:
    from ..services.units import resolve, suggest

    current = resolve(args.name)
    if current.resolved:
        meant = current.organisation.name if current.organisation else f"the group {current.group.name}"
        print(f"{args.name!r} already means {meant} (by its {current.how})")
    for suggestion in suggest(args.name, limit=args.limit):
        org = suggestion.organisation
        ident = f"#{org.pk} {org.name} ({org.get_kind_display().lower()}, under {org.parent or 'no parent'})" if org \
            else f"group {suggestion.group.name!r}"
        via = f" [as {suggestion.matched!r}]" if suggestion.matched not in (getattr(org, "name", None),
                                                                              getattr(suggestion.group, "name", None)) else ""
        print(f"{suggestion.score:>5.1f}  {ident}{via}")
    return 0


def _alias(args) -> int:
    from ..cli import _organisation, _person
    from ..services.units import confirm_alias

    org = _organisation(args.org)
    alias = confirm_alias(_person(args.actor), args.name, org, at=_at(args))
    print(f"{args.name!r} means {org.name}" + ("" if alias is not None else " (its own name: no alias needed)"))
    return 0


def _confirm_group(args) -> int:
    from ..cli import _person
    from ..services.units import confirm_group

    group = _group(args.group)
    confirm_group(_person(args.actor), args.phrase, group, at=_at(args))
    print(f"{args.phrase!r} names the group {group.name} ({group.members.count()} members)")
    return 0


def _group_create(args) -> int:
    from ..cli import Refused, _organisation, _person
    from ..services.units import create_group, group_from_rule

    user = _person(args.actor)
    if args.members:
        if args.kind or args.parent:
            raise Refused("give either --members or --kind with --parent, not both")
        group = create_group(user, args.name, [_organisation(name) for name in args.members], at=_at(args))
    elif args.kind and args.parent:
        group = group_from_rule(user, args.name, kind=args.kind, parent=_organisation(args.parent),
                                descendants=args.descendants, at=_at(args))
    else:
        raise Refused("say who belongs to the group: --kind and --parent, or --members")
    members = list(group.members.order_by("path"))
    print(f"group #{group.pk} {group.name}: {len(members)} members: {_names(members)}")
    return 0


def _groups(args) -> int:
    from ..models import OrganisationGroup

    groups = OrganisationGroup.objects.prefetch_related("members", "aliases").order_by("name")
    for group in groups:
        members = sorted(group.members.all(), key=lambda org: org.path)
        print(f"#{group.pk} {group.name}: {len(members)} members: {_names(members)}")
        for alias in group.aliases.all():
            print(f"    named by {alias.name!r}")
    return 0


def _plan_line(plan) -> str:
    co = f" with {_names(plan.co_owners)}" if plan.co_owners else ""
    lead = f"{plan.lead.name} (above the members of {plan.groups[0].name})" if plan.lead_from_group else plan.lead.name
    groups = f"; fan out to {', '.join(g.name for g in plan.groups)}" if plan.groups else ""
    return f"led by {lead}{co}{groups}"


def _apply(args) -> int:
    from ..cli import Refused, _label, _person
    from ..choices import ItemState
    from ..models import Item
    from ..services import bulk

    if args.items:
        items = list(Item.objects.filter(pk__in=args.items).order_by("id"))
        missing = sorted(set(args.items) - {item.pk for item in items})
        if missing:
            raise Refused(f"no item {', '.join(f'#{pk}' for pk in missing)}")
    elif args.document is not None:
        items = list(bulk.select(_document(args.document), states=(ItemState.DRAFT, ItemState.ACTIVE))
                     .exclude(unit_names=[]))
    else:
        raise Refused("give the items, or --document")
    plans = bulk.assign_units(_person(args.actor), items, at=_at(args))
    for item, plan in zip(items, plans):
        print(f"{_label(item)}: {_plan_line(plan)}")
    print(f"{len(plans)} item{'s' if len(plans) != 1 else ''} assigned from their unit names")
    return 0


@handler("fanout")
def fanout(args: argparse.Namespace) -> int:
    from ..cli import _item, _label, _person
    from ..services import fanout as service

    user = _person(args.actor)
    groups = [_group(name) for name in args.group] if args.group else None
    if args.item is None and args.number is None and args.quote is None and args.kind is None and args.document is not None:
        done = service.fan_out_document(user, _document(args.document), groups=groups, at=_at(args))
    else:
        done = [service.fan_out(user, _item(args), groups=groups, at=_at(args))]
    for result in done:
        state = "active" if any(child.state == "active" for child in result.created) else "draft"
        added = f"{len(result.created)} {state} children added" if result.created else "no child added"
        print(f"{_label(result.item)}: {added} for {', '.join(g.name for g in result.groups)}"
              + (f" ({result.existing} had theirs already)" if result.existing else ""))
    created = sum(len(result.created) for result in done)
    print(f"{created} child item{'s' if created != 1 else ''} added under {len(done)} item{'s' if len(done) != 1 else ''}")
    return 0


@handler("rollup")
def rollup(args: argparse.Namespace) -> int:
    from ..cli import _item, _label, _owner
    from ..services import fanout as service

    item = _item(args)
    summary = service.rollup(item)
    print(f"{_label(item)} ({item.get_state_display().lower()}): {summary.summary()}")
    if not summary.consistent:
        print(f"  note: the item is {item.get_state_display().lower()} but its children roll up to {summary.status}")
    for child in service.children_of(item).select_related("lead_owner").order_by("lead_owner__path", "id"):
        due = child.due.isoformat() if child.due else "-"
        print(f"  #{child.pk:<6} {child.state:<9} due {due:<10}  {_owner(child)}")
    return 0


@handler("close-rollup")
def close_rollup(args: argparse.Namespace) -> int:
    from ..cli import _day as today_or, _item, _person, _state_line
    from ..services import fanout as service

    item = _item(args)
    verification = service.close_rolled_up(_person(args.actor), item, on=today_or(args), note=args.note)
    print(f"{_state_line(item)}: closed by roll-up ({service.rollup(item).summary()}), citing "
          f"{verification.evidence.count()} evidence files of its children's verifications")
    return 0


@handler("bulk")
def bulk(args: argparse.Namespace) -> int:
    import sys

    from ..cli import Refused, _organisation, _person
    from ..choices import ItemKind, ItemState
    from ..services import bulk as service

    for name, values, valid in (("state", args.state, ItemState), ("kind", args.kind, ItemKind)):
        unknown = [v for v in values or () if v not in valid.values]
        if unknown:
            raise Refused(f"unknown {name} {', '.join(unknown)}; one of {', '.join(valid.values)}")
    if args.document is None and not args.ids:
        raise Refused("select the items: --document ID and/or --ids")
    document = _document(args.document) if args.document is not None else None
    states = args.state or ((ItemState.DRAFT,) if args.bulk_step != "export" else None)
    items = service.select(document, states=states, kinds=args.kind, ids=args.ids, top_level=args.top_level)
    if args.bulk_step == "export":
        out = sys.stdout if args.csv == "-" else open(args.csv, "w", newline="", encoding="utf-8")
        try:
            count = service.export_csv(items, out)
        finally:
            if out is not sys.stdout:
                out.close()
        if out is not sys.stdout:
            print(f"{count} item{'s' if count != 1 else ''} written to {args.csv}")
        return 0
    user, at, items = _person(args.actor), _at(args), list(items)
    if args.bulk_step == "assign":
        lead, co = _organisation(args.lead), [_organisation(name) for name in args.co]
        service.assign(user, items, lead, co, at=at)
        what = f"led by {lead.name}" + (f" with {_names(co)}" if co else "")
    elif args.bulk_step == "units":
        service.assign_units(user, items, at=at)
        what = "assigned from their unit names"
    elif args.bulk_step == "confirm":
        service.confirm(user, items, at=at)
        what = "confirmed"
    else:
        service.set_interval(user, items, args.days, at=at)
        what = f"to report every {args.days} working days"
    print(f"{len(items)} item{'s' if len(items) != 1 else ''} {what}")
    return 0
