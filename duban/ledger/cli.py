"""The `duban ingest` and `duban ledger …` commands: resolve names and ids, call a service, print what it did."""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from . import commands, demo
from .registry import COMMANDS, command
from .choices import ClaimStatus, ItemKind, ItemState
from .errors import LedgerError
from .models import (
    ChangeRequest, CompletionClaim, Event, Evidence, Item, Organisation, OrganisationAlias, ReinspectionCheck,
    SourceDocument,
)
from .services import accountability as accountability_service, evidence, history, ingest as importer, reinspection
from .services import rectification, workflow
from .services.asof import overdue_items
from .services.flags import red_flags


class Refused(LedgerError):
    """What the command line was given does not name what it must (an unknown item, person or organisation)."""


def run(name: str, args: argparse.Namespace) -> int:
    """Run one command; a refusal prints the rule's message on stderr and exits 1."""
    commands.modules()  # their handlers register themselves
    try:
        return COMMANDS[name](args)
    except LedgerError as error:
        print(f"duban: {error}", file=sys.stderr)
        return 1


# --- resolving what the command line names ---------------------------------------------------------------------

def _person(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise Refused(f"no person with the username {username!r}")
    return user


def _organisation(name: str) -> Organisation:
    """An organisation by id, by name or by an alias, ignoring case."""
    if name.isdigit():
        found = Organisation.objects.filter(pk=int(name)).first()
        if found is None:
            raise Refused(f"no organisation #{name}")
        return found
    matches = list(Organisation.objects.filter(name__iexact=name.strip()))
    if not matches:
        matches = [alias.organisation for alias in OrganisationAlias.objects.filter(name__iexact=name.strip()).select_related("organisation")]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(f"#{org.pk} under {org.parent or 'no parent'}" for org in matches)
        raise Refused(f"{len(matches)} organisations are called {name!r} ({listed}): give the id")
    like = Organisation.objects.filter(name__icontains=name.strip()).values_list("name", flat=True)[:5]
    hint = f"; did you mean {', '.join(repr(n) for n in like)}?" if like else ""
    raise Refused(f"no organisation called {name!r}{hint}")


def _item(args: argparse.Namespace) -> Item:
    """The item an ITEM argument names by id, or the one item matching --number, --quote, --kind and --document."""
    items = Item.objects.select_related("lead_owner", "document")
    if args.item is not None:
        if not args.item.isdigit():
            raise Refused(f"an item is named by its id (a number), not {args.item!r}; or give --number, --quote or --kind")
        found = items.filter(pk=int(args.item)).first()
        if found is None:
            raise Refused(f"no item #{args.item}")
        return found
    criteria = {"number": args.number, "quote__contains": args.quote, "kind": args.kind, "document_id": args.document}
    criteria = {field: value for field, value in criteria.items() if value is not None}
    if not criteria.keys() - {"document_id"}:
        raise Refused("name the item: give its id, or --number, --quote or --kind (with --document)")
    matches = list(items.filter(**criteria)[:6])
    what = ", ".join(f"{field.split('_')[0]} {value!r}" for field, value in criteria.items())
    if not matches:
        raise Refused(f"no item matches {what}")
    if len(matches) > 1:
        listed = ", ".join(f"{_label(i)} in document {i.document_id}" for i in matches[:5])
        more = ", …" if len(matches) > 5 else ""
        raise Refused(f"{items.filter(**criteria).count()} items match {what} ({listed}{more}): give the id, "
                      "or more of --number, --quote, --kind and --document")
    return matches[0]


def _day(args: argparse.Namespace) -> date:
    return args.on or timezone.localdate()


def _at(args: argparse.Namespace) -> datetime | None:
    """The effective time of an undated-by-nature action: midday of --on when given, else now."""
    return workflow.moment(args.on) if args.on else None


def _stored(paths: Iterable[str], actor, on: date) -> list[Evidence]:
    """Store each file as evidence (content-addressed, size and type checked), or find evidence stored already by hash."""
    found = []
    for given in paths:
        if Path(given).is_file():
            found.append(evidence.store_evidence(given, given, actor=actor, at=workflow.moment(on)))
            continue
        digest = given.strip().lower()
        if len(digest) < 12 or any(c not in "0123456789abcdef" for c in digest):
            raise Refused(f"{given}: no such file, and not the sha256 of stored evidence")
        matches = list(Evidence.objects.filter(sha256__startswith=digest)[:2])
        if len(matches) != 1:
            raise Refused(f"{given}: {'no' if not matches else 'more than one'} stored evidence file has that sha256")
        found.append(matches[0])
    return found


def _claim(args: argparse.Namespace, item: Item) -> CompletionClaim:
    if args.claim is not None:
        claim = CompletionClaim.objects.filter(pk=args.claim, item=item).first()
        if claim is None:
            raise Refused(f"item #{item.pk} has no claim #{args.claim}")
        return claim
    claim = item.claims.filter(status=ClaimStatus.PENDING).order_by("-id").first()
    if claim is None:
        raise Refused(f"item #{item.pk} has no completion claim awaiting verification")
    return claim


def _request(request_id: int) -> ChangeRequest:
    request = ChangeRequest.objects.select_related("item").filter(pk=request_id).first()
    if request is None:
        raise Refused(f"no change request #{request_id}")
    return request


# --- how things are printed -----------------------------------------------------------------------------------

def _label(item: Item) -> str:
    return f"#{item.pk} {item.get_kind_display().lower()}" + (f" {item.number}" if item.number else "")


def _text(item: Item) -> str:
    return " ".join((item.title or item.quote).split())


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _owner(item: Item) -> str:
    return item.lead_owner.name if item.lead_owner_id else "-"


def _hashes(pieces: Iterable[Evidence]) -> str:
    return ", ".join(f"{piece.original_name} {piece.sha256[:12]}" for piece in pieces) or "no evidence"


def _state_line(item: Item) -> str:
    item.refresh_from_db()
    due = f", due {item.due.isoformat()}" if item.due else ""
    return f"{_label(item)}: {item.get_state_display().lower()}{due}"


# --- listing ----------------------------------------------------------------------------------------------------

def _filtered(args: argparse.Namespace) -> QuerySet:
    items = Item.objects.select_related("lead_owner").order_by("id")
    for name, values, valid in (("state", args.state, ItemState), ("kind", args.kind, ItemKind)):
        if values:
            unknown = [v for v in values if v not in valid.values]
            if unknown:
                raise Refused(f"unknown {name} {', '.join(unknown)}; one of {', '.join(valid.values)}")
            items = items.filter(**{f"{name}__in": values})
    if args.owner:
        owner = _organisation(args.owner)
        items = items.filter(lead_owner__path__startswith=owner.path)
    if args.document is not None:
        items = items.filter(document_id=args.document)
    if args.overdue_as_of:
        items = items.filter(pk__in=[item.pk for item in overdue_items(args.overdue_as_of, items)])
    return items


@command("items")
def items(args: argparse.Namespace) -> int:
    rows = list(_filtered(args))
    print(f"{'id':>5}  {'kind':<13} {'state':<9} {'number':<11} {'due':<10}  {'lead owner':<36} item")
    for item in rows:
        due = item.due.isoformat() if item.due else "-"
        print(f"{item.pk:>5}  {item.kind:<13} {item.state:<9} {_short(item.number or '-', 11):<11} {due:<10}  "
              f"{_short(_owner(item), 36):<36} {_short(_text(item), 70)}")
    print(f"{len(rows)} item{'s' if len(rows) != 1 else ''}")
    return 0


@command("show")
def show(args: argparse.Namespace) -> int:
    item = _item(args)
    print(f"{_label(item)} · {item.get_state_display()}")
    if item.title:
        print(f"title:      {item.title}")
    if item.document_id:
        document = item.document
        lines = f"{item.line_start}" if item.line_start == item.line_end else f"{item.line_start}-{item.line_end}"
        print(f"source:     document {document.pk} (version {document.version}) {document.file.name}, line {lines}: "
              f"{_short(document.title, 80)}")
    elif item.source_ref:
        print(f"source:     {item.source_ref}")
    if item.quote:
        print(f"quote:      {item.quote}")
    if item.parent_id:
        print(f"belongs to: {_label(item.parent)}")
    if item.due:
        due = item.due.isoformat() + (" (provisional calendar)" if item.due_provisional else "")
        original = item.original_due.isoformat() if item.original_due else "-"
        print(f"due:        {due}; originally {original}; extended {item.extensions} time{'s' if item.extensions != 1 else ''}")
    print(f"lead owner: {_owner(item)}")
    co_owners = ", ".join(org.name for org in item.co_owners.all())
    if co_owners:
        print(f"co-owners:  {co_owners}")
    if item.unit_names:
        print(f"units named in the source: {'; '.join(item.unit_names)}")
    for report in item.progress_reports.select_related("author").prefetch_related("evidence"):
        print(f"progress    {report.reported_on} by {report.author}: {report.text} [{_hashes(report.evidence.all())}]")
    for claim in item.claims.select_related("claimant").prefetch_related("evidence"):
        print(f"claim #{claim.pk}    {claim.claimed_on} by {claim.claimant}: {claim.get_status_display().lower()} "
              f"[{_hashes(claim.evidence.all())}]")
        decision = getattr(claim, "verification", None)
        if decision is not None:
            verdict = "verified" if decision.verified else f"rejected: {decision.reason}"
            same_day = " (same working day as the claim)" if decision.same_working_day else ""
            print(f"            {decision.decided_on} {verdict} by {decision.verifier}{same_day} "
                  f"[{_hashes(decision.evidence.all())}]")
    for request in item.change_requests.select_related("requested_by", "decided_by"):
        proposal = f" to {request.proposed_due}" if request.proposed_due else ""
        decided = f", {request.decided_on} by {request.decided_by}" if request.decided_by else ""
        print(f"request #{request.pk}  {request.requested_on} {request.get_kind_display().lower()}{proposal} by "
              f"{request.requested_by} ({request.reason}): {request.get_status_display().lower()}{decided}")
    today = timezone.localdate()
    for flag in red_flags(today, Item.objects.filter(pk=item.pk)).get(item.pk, []):
        print(f"red flag:   {flag.reason} (as of {today})")
    print("history:")
    for event in Event.objects.filter(item_id=item.pk).order_by("at", "id"):
        when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")
        print(f"  {when}  {event.actor:<24} {event.action:<20} {_change(event.before, event.after)}")
    return 0


def _change(before: dict, after: dict) -> str:
    fields = sorted(set(before) | set(after))
    return "; ".join(f"{f}: {before[f]} → {after.get(f)}" if f in before else f"{f}: {after[f]}" for f in fields)


# --- import -----------------------------------------------------------------------------------------------------

@command("ingest")
def ingest(args: argparse.Namespace) -> int:
    office = _organisation(args.office) if args.office else None
    actor = _person(args.actor).get_username() if args.actor else "system"
    batch = importer.ingest_files(args.paths, actor=actor, supervising_office=office, at=_at(args))
    for result in batch.results:
        print(f"{result.path}: {result.status.replace('_', ' ')}")
        for changes in result.documents:
            document = changes.document
            supervised = f", supervised by {document.supervising_office}" if document.supervising_office_id else ""
            print(f"  document {document.pk} (version {document.version}, {document.genre}, {document.date or 'undated'}"
                  f"{supervised}): {_short(document.title, 90)}")
            if changes.previous is None:
                kinds = Counter(item.kind for item in changes.added)
                counted = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "no items"
                print(f"    drafts: {counted}")
                continue
            for item in changes.added:
                print(f"    new:     {_label(item)}: {_short(_text(item), 80)}")
            for standing, draft in changes.changed:
                print(f"    changed: {_label(standing)} by draft #{draft.pk} "
                      f"(accept with: duban ledger accept-change {draft.pk} --as USER)")
            for item in changes.removed:
                print(f"    gone:    {_label(item)} is not in this version")
        for document in result.removed_documents:
            print(f"  document {document.pk} is not in this version of the file")
    for path, error in batch.failures:
        print(f"duban: {path}: {error}", file=sys.stderr)
    if batch.failures:
        print(f"duban: {len(batch.failures)} of {len(args.paths)} files failed", file=sys.stderr)
        return 1
    return 0


@command("accept-change")
def accept_change(args: argparse.Namespace) -> int:
    item = importer.accept_version_change(_person(args.actor), _item(args), at=_at(args))
    print(f"{_state_line(item)}: now as read from document {item.document_id}")
    return 0


# --- the workflow -----------------------------------------------------------------------------------------------

@command("assign")
def assign(args: argparse.Namespace) -> int:
    item = _item(args)
    lead, co_owners = _organisation(args.lead), [_organisation(name) for name in args.co]
    workflow.assign_owner(_person(args.actor), item, lead, co_owners, at=_at(args))
    co = f" with {', '.join(org.name for org in co_owners)}" if co_owners else ""
    print(f"{_label(item)}: led by {lead.name}{co}")
    return 0


@command("confirm")
def confirm(args: argparse.Namespace) -> int:
    item = _item(args)
    workflow.confirm(_person(args.actor), item, at=_at(args))
    print(_state_line(item))
    return 0


@command("reject-draft")
def reject_draft(args: argparse.Namespace) -> int:
    item = _item(args)
    workflow.reject_draft(_person(args.actor), item, args.reason, at=_at(args))
    print(_state_line(item))
    return 0


@command("progress")
def progress(args: argparse.Namespace) -> int:
    actor, item = _person(args.actor), _item(args)
    report = workflow.report_progress(actor, item, args.text, evidence=_stored(args.evidence, actor, _day(args)), on=_day(args))
    print(f"{_label(item)}: progress reported on {report.reported_on} [{_hashes(report.evidence.all())}]")
    return 0


@command("claim")
def claim(args: argparse.Namespace) -> int:
    actor, item = _person(args.actor), _item(args)
    made = workflow.claim_completion(actor, item, evidence=_stored(args.evidence, actor, _day(args)), note=args.note,
                                       on=_day(args))
    print(f"{_state_line(item)} (claim #{made.pk} [{_hashes(made.evidence.all())}])")
    return 0


@command("verify")
def verify(args: argparse.Namespace) -> int:
    actor, item = _person(args.actor), _item(args)
    claim = _claim(args, item)
    decision = workflow.verify_claim(actor, claim, evidence=_stored(args.evidence, actor, _day(args)), on=_day(args), note=args.note)
    same_day = "; flagged: verified on the working day of the claim" if decision.same_working_day else ""
    print(f"{_state_line(item)} (claim #{claim.pk} verified by {actor}{same_day})")
    return 0


@command("reject-claim")
def reject_claim(args: argparse.Namespace) -> int:
    actor, item = _person(args.actor), _item(args)
    claim = _claim(args, item)
    workflow.reject_claim(actor, claim, args.reason, on=_day(args))
    print(f"{_state_line(item)} (claim #{claim.pk} rejected: {args.reason})")
    return 0


@command("request-deadline")
def request_deadline(args: argparse.Namespace) -> int:
    item = _item(args)
    request = workflow.request_deadline_change(_person(args.actor), item, args.new_due, args.reason, on=_day(args))
    print(f"{_label(item)}: request #{request.pk} to move the deadline to {args.new_due} awaits approval")
    return 0


@command("request-cancel")
def request_cancel(args: argparse.Namespace) -> int:
    item = _item(args)
    request = workflow.request_cancellation(_person(args.actor), item, args.reason, on=_day(args))
    print(f"{_label(item)}: request #{request.pk} to cancel awaits approval")
    return 0


@command("approve")
def approve(args: argparse.Namespace) -> int:
    request = _request(args.request)
    workflow.approve_request(_person(args.actor), request, on=_day(args), note=args.note)
    item = request.item
    item.refresh_from_db()
    print(f"request #{request.pk} approved; {_state_line(item)}, originally {item.original_due or '-'}, "
          f"extended {item.extensions} time{'s' if item.extensions != 1 else ''}")
    return 0


@command("refuse")
def refuse(args: argparse.Namespace) -> int:
    request = _request(args.request)
    workflow.refuse_request(_person(args.actor), request, args.reason, on=_day(args))
    print(f"request #{request.pk} refused; {_state_line(request.item)}")
    return 0


# --- rectification and accountability --------------------------------------------------------------------------

@command("rectify")
def rectify(args: argparse.Namespace) -> int:
    document = SourceDocument.objects.filter(pk=args.document).first()
    if document is None:
        raise Refused(f"no document {args.document}")
    plan = rectification.open_rectification(_person(args.actor), document, on=_day(args), working_days=args.working_days)
    provisional = " (provisional calendar)" if plan.due_provisional else ""
    print(f"{_label(plan)}: draft, due {plan.due}{provisional}: {plan.data['rule']}, from {document.date}")
    return 0


@command("rectify-task")
def rectify_task(args: argparse.Namespace) -> int:
    plan = Item.objects.filter(pk=args.plan).first()
    if plan is None:
        raise Refused(f"no item #{args.plan}")
    milestones = []
    for title, due in args.milestone:
        try:
            milestones.append((title, date.fromisoformat(due)))
        except ValueError:
            raise Refused(f"the milestone {title!r} needs a date (YYYY-MM-DD), not {due!r}") from None
    task = rectification.add_rectification_task(_person(args.actor), plan, args.title, _organisation(args.lead),
                                                due=args.due, milestones=milestones, at=_at(args))
    print(f"{_label(task)}: draft under {_label(plan)}, led by {task.lead_owner}, due {task.due}")
    for milestone in task.children.order_by("id"):
        print(f"  {_label(milestone)}: due {milestone.due}: {milestone.title}")
    return 0


@command("accountability")
def accountability(args: argparse.Namespace) -> int:
    item = None
    if args.item is not None:
        item = Item.objects.filter(pk=args.item).first()
        if item is None:
            raise Refused(f"no item #{args.item}")
    action = accountability_service.record_accountability(
        _person(args.actor), kind=args.kind, taken_on=_day(args), description=args.description,
        organisations=[_organisation(name) for name in args.org], people=args.people, item=item,
        amount_yuan=args.amount)
    print(f"accountability #{action.pk}: {action.get_kind_display().lower()} on {action.taken_on}")
    return 0


# --- re-inspection --------------------------------------------------------------------------------------------

@command("reinspect-draw")
def reinspect_draw(args: argparse.Namespace) -> int:
    sample = reinspection.draw_sample(_person(args.actor), size=args.size, seed=args.seed, on=_day(args))
    print(f"sample #{sample.pk} drawn on {sample.drawn_on} with seed {sample.seed!r}: "
          f"{sample.checks.count()} of {sample.population} closed items")
    for check in sample.checks.select_related("item__lead_owner").order_by("id"):
        print(f"  check #{check.pk}: {_label(check.item)} ({_owner(check.item)}): {_short(_text(check.item), 70)}")
    return 0


@command("reinspect-record")
def reinspect_record(args: argparse.Namespace) -> int:
    check = ReinspectionCheck.objects.filter(pk=args.check).first()
    if check is None:
        raise Refused(f"no re-inspection check #{args.check}")
    check = reinspection.record_check(_person(args.actor), check, passed=args.passed, note=args.note, on=_day(args))
    print(f"check #{check.pk}: {check.get_result_display().lower()}; {_state_line(check.item)}")
    if check.finding_id:
        print(f"  finding recorded against {_owner(check.item)}: {_label(check.finding)}")
    return 0


# --- reports, history, setup ------------------------------------------------------------------------------------

@command("flags")
def flags(args: argparse.Namespace) -> int:
    day = args.as_of or timezone.localdate()
    items = Item.objects.select_related("lead_owner")
    found = {pk: reasons for pk, reasons in red_flags(day, items).items() if reasons}
    by_id = {item.pk: item for item in items.filter(pk__in=found)}
    for pk in sorted(found):
        item = by_id[pk]
        print(f"{_label(item)} ({_owner(item)}): {_short(_text(item), 70)}")
        for flag in found[pk]:
            print(f"    {flag.code}: {flag.reason}")
    count = sum(len(reasons) for reasons in found.values())
    print(f"{count} red flag{'s' if count != 1 else ''} on {len(found)} item{'s' if len(found) != 1 else ''} as of {day}")
    return 0


EXPORT_FIELDS = ("id", "kind", "state", "number", "title", "quote", "document", "line_start", "line_end", "due",
                 "original_due", "due_provisional", "extensions", "lead_owner", "co_owners", "units_named")


@command("export")
def export(args: argparse.Namespace) -> int:
    rows = _filtered(args).select_related("lead_owner").prefetch_related("co_owners")
    out = sys.stdout if args.csv == "-" else open(args.csv, "w", newline="", encoding="utf-8")
    try:
        writer = csv.writer(out)
        writer.writerow(EXPORT_FIELDS)
        count = 0
        for item in rows:
            writer.writerow([
                item.pk, item.kind, item.state, item.number, item.title, item.quote, item.document_id or "",
                item.line_start or "", item.line_end or "", item.due or "", item.original_due or "",
                int(item.due_provisional), item.extensions, _owner(item) if item.lead_owner_id else "",
                "; ".join(org.name for org in item.co_owners.all()), "; ".join(item.unit_names),
            ])
            count += 1
    finally:
        if out is not sys.stdout:
            out.close()
    if out is not sys.stdout:
        print(f"{count} item{'s' if count != 1 else ''} written to {args.csv}")
    return 0


@command("verify-history")
def verify_history(args: argparse.Namespace) -> int:
    report = history.verify_history(args.anchor)
    if report.ok:
        anchored = "; the anchor is on the chain" if args.anchor else ""
        print(f"history OK: {report.events} events, head {report.head}{anchored}")
        return 0
    where = f"event #{report.first_bad}" if report.first_bad is not None else "the chain"
    print(f"history BROKEN at {where}: {report.reason}", file=sys.stderr)
    return 1


@command("anchor")
def anchor(args: argparse.Namespace) -> int:
    print(history.head_hash())
    return 0


@command("demo")
def load_demo(args: argparse.Namespace) -> int:
    report = demo.load(documents=not args.no_documents)
    print(f"demo: {report.organisations_added} organisations and {report.people_added} people added "
          f"(usernames: {', '.join(demo.PEOPLE)})")
    for line in report.documents:
        print(f"demo: {line}")
    return 0


@command("create-admin")
def create_admin(args: argparse.Namespace) -> int:
    created = demo.create_admin()
    url = "http://127.0.0.1:8000/"
    reset = "DJANGO_SETTINGS_MODULE=duban.settings .venv/bin/python -m django changepassword USERNAME"
    if created:
        password, demo_password = created
        print(f"Log in at {url} as 'admin' with the password\n\n    {password}\n\n"
              f"or as any demo person ({', '.join(demo.PEOPLE)}) with the password\n\n    {demo_password}\n\n"
              f"They are shown only this once. To set another: {reset}")
    else:
        print(f"Log in at {url} as 'admin' or a demo person (the passwords were shown when they were created; "
              f"to set another: {reset})")
    print(f"The data directory is {settings.DATA_DIR} (set DUBAN_DATA_DIR to use another).")
    return 0
