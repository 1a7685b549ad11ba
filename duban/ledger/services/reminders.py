"""Reminders before the due date, escalation up the tree after it, and their delivery by e-mail and to the inbox.

`remind(as_of)` reads every item as it stood on that date (the as-of replay of its history) and counts working days
on its lead owner's calendar, so it never depends on today:

- an open item (active or claimed) due within DUBAN_REMINDER_DAYS working days: a "due soon" reminder to its lead
  owner and co-owners, once per due date;
- a supervision notice whose reply is overdue: a reminder to the unit, once;
- an overdue item: escalated to the lead owner's parent, and one level further up for each further reporting
  interval (working days) of delay, up to the root. Each level reached gets an escalation reminder once; the owners
  are told at each new level; Item.escalation_level follows, through an "item.escalate" history event.

Every reminder is a Reminder row whose key (kind, item, organisation, level, due date) is unique, so running
`remind` twice for one date, or on consecutive dates, sends nothing twice. A reminder is e-mailed to the
organisation's members that have an address once its transaction commits, and stays in their inbox either way.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone

from ..choices import ItemState, ReminderKind
from ..errors import LedgerError, NotAllowed
from ..models import Event, Item, Membership, Organisation, Reminder
from . import history
from .asof import OPEN_STATES, snapshots
from .calendar import working_days_between
from .workflow import moment

SYSTEM = "system"
_KEY_QUERY_CHUNK = 500


@dataclass(frozen=True)
class Mail:
    """One e-mail as sent: the reminder it carries, its subject and its recipients."""

    reminder_id: int
    subject: str
    to: tuple[str, ...]


@dataclass
class Delivery:
    """What reached people: e-mails sent (filled when the transaction commits), and those that failed."""

    mailed: list[Mail] = field(default_factory=list)
    failed: list[tuple[Mail, str]] = field(default_factory=list)


@dataclass
class RemindReport:
    """What one run of `remind` did: the new reminders, the escalation levels it changed, and the e-mails."""

    as_of: date
    reminders: list[Reminder] = field(default_factory=list)
    escalations: list[tuple[Item, int, int]] = field(default_factory=list)  # (item, level before, level after)
    delivery: Delivery = field(default_factory=Delivery)


@dataclass(frozen=True)
class Planned:
    kind: str
    item: Item | None
    organisation: Organisation
    level: int
    period: str  # what makes a reminder of the same kind, item, organisation and level new: the due date
    message: str

    @property
    def key(self) -> str:
        item = self.item.pk if self.item is not None else "-"
        return f"{self.kind}:{item}:{self.organisation.pk}:{self.level}:{self.period}"


def serialise(name: str) -> None:
    """Queue writers that must not interleave (on SQLite, transactions already take the write lock at BEGIN)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("serialise must run inside the transaction it protects")
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def item_label(item: Item) -> str:
    """How a reminder or notice names an item: its kind, number and title (or quote), and its id."""
    text = " ".join((item.title or item.quote).split())
    text = text if len(text) <= 80 else text[:79] + "…"
    number = f" {item.number}" if item.number else ""
    quoted = f" “{text}”" if text else ""
    return f"{item.get_kind_display()}{number}{quoted} (#{item.pk})"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _ancestors(org: Organisation, organisations: dict[int, Organisation]) -> list[Organisation]:
    """Proper ancestors, nearest first, from the path."""
    ids = [int(p) for p in org.path.strip("/").split("/")[:-1]]
    return [organisations[i] for i in reversed(ids) if i in organisations]


def escalation_level(delay: int, interval: int, above: int) -> int:
    """The level an item `delay` working days overdue reaches: 1 (the parent) from the first day, one more for each
    further `interval` working days, never above the `above` levels there are."""
    return min(1 + max(delay - 1, 0) // max(interval, 1), above)


def _plan(item: Item, due: date, owner: Organisation, co_owners: list[Organisation], above: list[Organisation],
          as_of: date, days: int) -> tuple[list[Planned], int | None]:
    """The reminders an item calls for as of the day, and the escalation level it stands at (None: leave it)."""
    calendar = (owner.country, owner.region)
    owners, label, period = [owner, *co_owners], item_label(item), due.isoformat()
    if due >= as_of:
        left = working_days_between(as_of, due, *calendar)
        if left > days:
            return [], 0
        when = "today" if due == as_of else f"in {plural(left, 'working day')}"
        message = f"{label}, led by {owner.name}, is due on {due} ({when}, as of {as_of})."
        return [Planned(ReminderKind.DUE_SOON, item, org, 0, period, message) for org in owners], 0

    delay = working_days_between(due, as_of, *calendar)
    interval = item.reporting_interval or settings.DUBAN_REPORTING_INTERVAL_DAYS
    level = escalation_level(delay, interval, len(above))
    late = f"{label}, led by {owner.name}, was due on {due} and is {plural(delay, 'working day')} overdue as of {as_of}"
    where = (f"it has been escalated to {above[level - 1].name} (level {level} above the owner)" if level
             else f"{owner.name} has no organisation above it to escalate to")
    planned = [Planned(ReminderKind.OVERDUE, item, org, level, period, f"{late}: {where}.") for org in owners]
    for k in range(1, level + 1):
        planned.append(Planned(ReminderKind.ESCALATION, item, above[k - 1], k, period,
                                f"{late}: escalated to {above[k - 1].name}, level {k} above the owner."))
    return planned, level


def _existing_keys(keys: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(keys), _KEY_QUERY_CHUNK):
        found.update(Reminder.objects.filter(key__in=keys[start:start + _KEY_QUERY_CHUNK]).values_list("key", flat=True))
    return found


def _last_escalations(ids: list[int]) -> dict[int, datetime]:
    return dict(Event.objects.filter(object_type="item", item_id__in=ids, action="item.escalate")
                .values("item_id").annotate(last=Max("at")).values_list("item_id", "last"))


def create_reminder(planned: Planned, as_of: date, *, actor: str = SYSTEM) -> Reminder:
    """Store one reminder and record it in the history; call inside the transaction, after checking its key."""
    reminder = Reminder.objects.create(
        key=planned.key, kind=planned.kind, item=planned.item, organisation=planned.organisation, level=planned.level,
        as_of=as_of, message=planned.message, created_at=timezone.now())
    history.record(actor, "reminder.send", reminder, at=moment(as_of),
                   item_id=planned.item.pk if planned.item is not None else None,
                   after={"key": reminder.key, "kind": reminder.kind, "organisation": planned.organisation.pk,
                          "level": reminder.level, "as_of": as_of})
    return reminder


def remind(as_of: date, *, days: int | None = None, items: QuerySet | None = None, actor: str = SYSTEM) -> RemindReport:
    """Send the reminders and escalations the ledger calls for as of a date, each once; see the module's docstring."""
    days = settings.DUBAN_REMINDER_DAYS if days is None else days
    if days < 0:
        raise LedgerError("remind counts working days before the due date: give 0 or more")
    report = RemindReport(as_of)
    scope = (items if items is not None else Item.objects.all()).exclude(state__in=(ItemState.DRAFT, ItemState.REJECTED))
    with transaction.atomic():
        serialise("duban.remind")
        open_items = [(item, snap) for item, snap in snapshots(as_of, scope)
                      if snap.state in OPEN_STATES and snap.due is not None and snap.lead_owner_id is not None]
        ids = [item.pk for item, _ in open_items]
        co_owner_ids = defaultdict(list)
        for item_id, org_id in Item.co_owners.through.objects.filter(item_id__in=ids).values_list("item_id", "organisation_id"):
            co_owner_ids[item_id].append(org_id)
        organisations = Organisation.objects.in_bulk()  # the tree is small next to the items; ancestors need it whole
        last_escalation = _last_escalations(ids)
        now = moment(as_of)

        planned, levels = [], {}
        for item, snap in open_items:
            owner = organisations[snap.lead_owner_id]
            co_owners = [organisations[pk] for pk in sorted(co_owner_ids[item.pk]) if pk != owner.pk]
            found, level = _plan(item, snap.due, owner, co_owners, _ancestors(owner, organisations), as_of, days)
            planned += found
            if level is not None and level != item.escalation_level and now >= last_escalation.get(item.pk, now):
                levels[item.pk] = (item, level)
        if items is None:
            planned += _overdue_replies(as_of)

        sent = _existing_keys([p.key for p in planned])
        for p in planned:
            if p.key not in sent:
                sent.add(p.key)
                report.reminders.append(create_reminder(p, as_of, actor=actor))
        for item, level in levels.values():
            report.escalations.append((item, item.escalation_level, level))
            _set_level(item, level, as_of, actor)
        deliver(report.reminders, report.delivery)
    return report


def _overdue_replies(as_of: date) -> list[Planned]:
    """A reminder to each unit whose reply to a supervision notice is overdue, once per notice."""
    from .notices import notices_overdue  # notices build on this module

    return [Planned(ReminderKind.OVERDUE, late.notice.item, late.notice.organisation, 0, late.notice.number,
                    f"Reply overdue: {late.reason}. Send it to the supervising side now.")
            for late in notices_overdue(as_of)]


def _set_level(item: Item, level: int, as_of: date, actor: str) -> None:
    item.refresh_from_db(from_queryset=Item.objects.select_for_update(), fields=["escalation_level"])
    before = item.escalation_level
    if before == level:
        return
    item.escalation_level = level
    item.updated_at = timezone.now()
    item.save(update_fields=["escalation_level", "updated_at"])
    history.record(actor, "item.escalate", item, before={"escalation_level": before},
                   after={"escalation_level": level, "as_of": as_of}, at=moment(as_of))


# --- delivery -------------------------------------------------------------------------------------------------------

def member_addresses(organisation_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The e-mail addresses of each organisation's active members (its own members, not its units')."""
    found = defaultdict(set)
    rows = (Membership.objects.filter(organisation_id__in=set(organisation_ids), user__is_active=True)
            .exclude(user__email="").values_list("organisation_id", "user__email"))
    for org_id, address in rows:
        found[org_id].add(address.strip())
    return {org_id: tuple(sorted(addresses)) for org_id, addresses in found.items()}


def subject_of(reminder: Reminder) -> str:
    about = item_label(reminder.item) if reminder.item_id else reminder.organisation.name
    return f"[duban] {reminder.get_kind_display()}: {about}"[:200]


def deliver(reminders: list[Reminder], delivery: Delivery | None = None,
            attachments: dict[int, list[tuple[str, bytes, str]]] | None = None) -> Delivery:
    """E-mail each reminder to its organisation's members with an address, once the surrounding transaction commits
    (a rolled-back reminder is never mailed). Members without an address have it in their inbox only."""
    delivery = delivery if delivery is not None else Delivery()
    addresses = member_addresses(r.organisation_id for r in reminders)
    messages = []
    for reminder in reminders:
        to = addresses.get(reminder.organisation_id, ())
        if not to:
            continue
        mail = Mail(reminder.pk, subject_of(reminder), to)
        body = f"To {reminder.organisation.name}:\n\n{reminder.message}\n\n— duban, the supervision ledger (as of {reminder.as_of})\n"
        message = EmailMessage(mail.subject, body, settings.DEFAULT_FROM_EMAIL, list(to))
        for name, content, mimetype in (attachments or {}).get(reminder.pk, []):
            message.attach(name, content, mimetype)
        messages.append((mail, message))
    if messages:
        transaction.on_commit(lambda: _send(messages, delivery))
    return delivery


def _send(messages: list[tuple[Mail, EmailMessage]], delivery: Delivery) -> None:
    """Send over one connection; a message that fails is reported, the others still go out."""
    with get_connection() as mail_connection:
        for mail, message in messages:
            message.connection = mail_connection
            try:
                message.send()
            except Exception as error:  # noqa: BLE001 - one bad address or a refused message must not stop the rest
                delivery.failed.append((mail, f"{type(error).__name__}: {error}"))
            else:
                delivery.mailed.append(mail)


# --- the inbox ------------------------------------------------------------------------------------------------------

def inbox(user, *, unread_only: bool = False) -> QuerySet:
    """The reminders and notices sent to the person's organisations: unread first, then the newest."""
    organisations = Membership.objects.filter(user=user).values("organisation_id")
    found = Reminder.objects.filter(organisation_id__in=organisations).select_related("item", "organisation")
    if unread_only:
        found = found.filter(read_at__isnull=True)
    return found.order_by(F("read_at").desc(nulls_first=True), "-as_of", "-id")


@transaction.atomic
def mark_read(user, reminder: Reminder, *, at: datetime | None = None) -> Reminder:
    """Mark a reminder read for its organisation; only one of that organisation's members may."""
    if not Membership.objects.filter(user=user, organisation_id=reminder.organisation_id).exists():
        who = getattr(user, "username", None) or "an anonymous user"
        raise NotAllowed(f"{who} may not mark this reminder read: it was sent to {reminder.organisation.name}, "
                         "and only its members may")
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.read_at is not None:
        return reminder
    reminder.read_at = at or timezone.now()
    reminder.save(update_fields=["read_at"])
    history.record(user.get_username(), "reminder.read", reminder, before={"read_at": None},
                   after={"read_at": reminder.read_at}, at=reminder.read_at, item_id=reminder.item_id)
    return reminder
