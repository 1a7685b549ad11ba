"""`duban ledger remind`, `inbox`, `notice`, `notice-reply` and `notices`: reminders, escalation and supervision
notices from the command line (argparse only at import time; the handlers import Django-backed modules)."""

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
    p = command("remind", "send the reminders and escalations due as of a date; running it again sends nothing twice")
    p.add_argument("--as-of", type=_day, metavar="DATE", help="the date to remind as of (default today)")
    p.add_argument("--days", type=int, metavar="N", help="remind N working days before the due date "
                                                         "(default DUBAN_REMINDER_DAYS)")

    p = command("inbox", "the reminders and notices sent to your organisations, unread first", actor=True)
    p.add_argument("--unread", action="store_true", help="only the unread ones")
    p.add_argument("--read", nargs="+", type=int, default=[], metavar="ID", help="mark these reminders read")

    p = command("notice", "issue a numbered supervision notice to a unit, about an item or not; writes PDF and DOCX",
                actor=True, dated=True)
    item(p)
    p.add_argument("--org", metavar="ORG", help="the unit it is addressed to (for an item, default its lead owner)")
    deadline = p.add_mutually_exclusive_group(required=True)
    deadline.add_argument("--reply-days", type=int, metavar="N", help="the reply is due N working days after --on")
    deadline.add_argument("--reply-due", type=_day, metavar="DATE", help="the reply is due on this date")
    p.add_argument("--text", required=True, help="what the notice urges (blank lines separate paragraphs)")

    p = command("notice-reply", "record the reply to a supervision notice", actor=True, dated=True)
    p.add_argument("number", metavar="NUMBER", help='the notice\'s number, e.g. "Lanshan Supervision Notice [2025] No. 7"')

    p = command("notices", "supervision notices and their replies; an overdue reply is flagged")
    p.add_argument("--as-of", type=_day, metavar="DATE", help="the date replies are judged overdue on (default today)")
    p.add_argument("--overdue", action="store_true", help="only those whose reply is overdue")


@handler("remind")
def remind(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from ..services import reminders

    day = args.as_of or timezone.localdate()
    report = reminders.remind(day, days=args.days)
    for reminder in report.reminders:
        level = f" (level {reminder.level})" if reminder.level else ""
        print(f"{reminder.get_kind_display().lower()}{level} → {reminder.organisation.name}: {reminder.message}")
    for item, before, after in report.escalations:
        print(f"#{item.pk}: escalation level {before} → {after}")
    for mail, error in report.delivery.failed:
        print(f"e-mail for reminder #{mail.reminder_id} to {', '.join(mail.to)} failed: {error}")
    count = len(report.reminders)
    if count:
        print(f"{count} reminder{'s' if count != 1 else ''} sent as of {day}; {len(report.delivery.mailed)} e-mailed")
    else:
        print(f"nothing new to send as of {day}")
    return 0


@handler("inbox")
def inbox(args: argparse.Namespace) -> int:
    from ..cli import Refused, _person
    from ..models import Reminder
    from ..services import reminders

    user = _person(args.actor)
    for reminder_id in args.read:
        reminder = Reminder.objects.select_related("organisation").filter(pk=reminder_id).first()
        if reminder is None:
            raise Refused(f"no reminder #{reminder_id}")
        reminders.mark_read(user, reminder)
        print(f"reminder #{reminder_id} marked read")
    found = list(reminders.inbox(user, unread_only=args.unread))
    for reminder in found:
        mark = "  " if reminder.read_at else "* "
        print(f"{mark}#{reminder.pk} {reminder.as_of} {reminder.get_kind_display().lower()} → "
              f"{reminder.organisation.name}: {reminder.message}")
    unread = sum(1 for r in found if r.read_at is None)
    print(f"{len(found)} message{'s' if len(found) != 1 else ''}, {unread} unread (marked *)")
    return 0


@handler("notice")
def notice(args: argparse.Namespace) -> int:
    from ..cli import _day as on_day, _item, _organisation, _person
    from ..services import notices
    from ..services.evidence import evidence_path

    item = _item(args) if any(v is not None for v in (args.item, args.number, args.quote, args.kind)) else None
    organisation = _organisation(args.org) if args.org else None
    issued = notices.issue_notice(_person(args.actor), organisation=organisation, item=item, on=on_day(args),
                                  reply_days=args.reply_days, reply_due=args.reply_due, text=args.text)
    about = f" about #{item.pk}" if item is not None else ""
    print(f"{issued.number}: issued on {issued.issued_on} to {issued.organisation.name}{about}; "
          f"reply due {issued.reply_due}")
    print(f"PDF:  {evidence_path(issued.pdf.sha256)}")
    print(f"DOCX: {evidence_path(issued.docx.sha256)}")
    return 0


def _notice(number: str):
    from ..cli import Refused
    from ..models import SupervisionNotice

    found = SupervisionNotice.objects.filter(number__iexact=number.strip()).first()
    if found is None:
        raise Refused(f"no supervision notice numbered {number!r}")
    return found


@handler("notice-reply")
def notice_reply(args: argparse.Namespace) -> int:
    from ..cli import _day as on_day, _person
    from ..services import notices

    replied = notices.record_reply(_person(args.actor), _notice(args.number), on=on_day(args))
    late = " (late)" if replied.replied_on > replied.reply_due else ""
    print(f"{replied.number}: replied on {replied.replied_on}{late}; it was due {replied.reply_due}")
    return 0


@handler("notices")
def list_notices(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from ..models import SupervisionNotice
    from ..services import notices

    day = args.as_of or timezone.localdate()
    overdue = {late.notice.pk: late for late in notices.notices_overdue(day)}
    rows = SupervisionNotice.objects.select_related("organisation").filter(issued_on__lte=day).order_by("issued_on", "id")
    shown = 0
    for n in rows:
        if args.overdue and n.pk not in overdue:
            continue
        shown += 1
        about = f" about #{n.item_id}" if n.item_id else ""
        replied = f"replied {n.replied_on}" if n.replied_on and n.replied_on <= day else "no reply yet"
        print(f"{n.number}: {n.issued_on} to {n.organisation.name}{about}; reply due {n.reply_due}, {replied}")
        if n.pk in overdue:
            print(f"    red flag: {overdue[n.pk].reason}")
    print(f"{shown} notice{'s' if shown != 1 else ''}; {len(overdue)} with the reply overdue as of {day}")
    return 0
