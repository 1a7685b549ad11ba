"""An item's history events as readable lines: what happened, who did it, and what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from duban.ledger.choices import ChangeKind, CheckResult, ItemState, ReminderKind
from duban.ledger.models import Event, Organisation

ACTIONS = {
    "item.import": "Read from the document as a draft",
    "item.create": "Created",
    "item.assign": "Owners assigned",
    "item.confirm": "Confirmed",
    "item.reject_draft": "Draft rejected as an extraction error",
    "item.progress": "Progress reported",
    "item.claim": "Completion claimed",
    "item.verify": "Completion verified",
    "item.reject_claim": "Completion claim rejected",
    "item.request_change": "Change requested",
    "item.due_change": "Deadline changed on approval",
    "item.cancel": "Cancelled on approval",
    "item.refuse_change": "Change request refused",
    "item.reopen": "Reopened after re-inspection",
    "item.escalate": "Escalated",
    "item.notice": "Supervision notice issued",
    "item.notice_reply": "Reply to a supervision notice recorded",
    "item.version_accept": "New version of the source accepted",
    "reinspection.check": "Re-inspected",
    "reminder.send": "Reminder sent",
    "reminder.read": "Reminder read",
}
LABELS = {
    "state": "state", "due": "due", "original_due": "original due date", "lead_owner": "lead owner",
    "co_owners": "co-owners", "extensions": "extensions", "reason": "reason", "note": "note",
    "proposed_due": "proposed due date", "change": "change", "result": "result", "evidence": "evidence",
    "same_working_day": "verified the working day it was claimed", "level": "escalation level",
    "escalation_level": "escalation level", "number": "notice", "reply_due": "reply due", "organisation": "to",
}
CHOICES = {"state": ItemState, "change": ChangeKind, "result": CheckResult, "kind": ReminderKind}
SHOWN_ONLY = {"reminder.send": ("kind", "organisation")}  # the rest of a reminder's event is bookkeeping
ORGANISATION_FIELDS = ("lead_owner", "co_owners", "organisation")
# Fields that are references for the machine (row ids, hashes of the chain) or the draft's whole extracted text.
QUIET = {"claim", "verification", "request", "progress_report", "reinspection_check", "sample", "item", "finding",
         "document", "parent", "kind", "quote", "title", "data", "unit_names", "record_id", "line_start", "line_end",
         "number_text", "notice", "issuer", "pdf", "docx", "due_provisional", "source_ref"}
ORDER = {name: k for k, name in enumerate(LABELS)}


@dataclass(frozen=True)
class Entry:
    at: datetime
    actor: str
    what: str
    changes: list[str]


def _organisation_ids(events: list[Event]) -> set[int]:
    ids = set()
    for event in events:
        for values in (event.before, event.after):
            for name in ORGANISATION_FIELDS:
                value = values.get(name)
                if isinstance(value, int):
                    ids.add(value)
                elif isinstance(value, list):
                    ids.update(v for v in value if isinstance(v, int))
    return ids


def _show(name: str, value: Any, names: dict[int, str]) -> str:
    if value is None or value == [] or value == "":
        return "none"
    if name in ORGANISATION_FIELDS:
        values = value if isinstance(value, list) else [value]
        return ", ".join(names.get(v, f"organisation #{v}") for v in values)
    if name in CHOICES and value in CHOICES[name].values:
        return CHOICES[name](value).label
    if name == "evidence" and isinstance(value, list):
        return f"{len(value)} file{'s' if len(value) != 1 else ''}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _changes(event: Event, names: dict[int, str]) -> list[str]:
    lines = []
    fields = set(event.before) | set(event.after)
    shown = SHOWN_ONLY.get(event.action)
    for name in sorted(fields, key=lambda n: (ORDER.get(n, len(ORDER)), n)):
        if (name not in shown) if shown else (name in QUIET):
            continue
        label = LABELS.get(name, name.replace("_", " "))
        after = _show(name, event.after.get(name), names)
        if name in event.before and event.action not in ("item.import", "item.create"):
            lines.append(f"{label}: {_show(name, event.before[name], names)} → {after}")
        elif name in event.after:
            lines.append(f"{label}: {after}")
    return lines


def timeline(events: list[Event]) -> list[Entry]:
    """The events as entries, in the order given (one query for the organisations they name)."""
    names = dict(Organisation.objects.filter(pk__in=_organisation_ids(events)).values_list("pk", "name"))
    return [Entry(event.at, event.actor, ACTIONS.get(event.action, event.action.replace(".", ": ").replace("_", " ")),
                  _changes(event, names)) for event in events]
