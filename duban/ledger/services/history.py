"""The tamper-evident history: append-only events chained by sha256, verified end to end and against an anchor."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from django.db import connection, transaction

from ..models import Event

GENESIS = "0" * 64
_CHAIN_LOCK = 0x6475_6261_6E  # advisory lock key that serialises appends on PostgreSQL


def _plain(value: Any) -> Any:
    """The JSON form a value is stored and hashed in (dates and decimals as strings)."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def _payload(event: Event) -> str:
    at = event.at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {
        "at": at, "actor": event.actor, "action": event.action, "object_type": event.object_type,
        "object_id": event.object_id, "item": event.item_id, "before": event.before, "after": event.after,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(event: Event) -> str:
    return hashlib.sha256((event.prev_hash + _payload(event)).encode("utf-8")).hexdigest()


def record(actor: str, action: str, obj: Any, *, before: dict | None = None, after: dict | None = None,
           at: datetime | None = None, item_id: int | None = None) -> Event:
    """Append one event; call inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("history.record must run inside the transaction of the change it records")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    head = Event.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
    at = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    event = Event(
        at=at, actor=actor, action=action, object_type=type(obj).__name__.lower(), object_id=obj.pk,
        item_id=item_id if item_id is not None else (obj.pk if type(obj).__name__ == "Item" else None),
        before=_plain(before or {}), after=_plain(after or {}), prev_hash=head,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head: str
    first_bad: int | None = None  # id of the first event that does not verify
    reason: str = ""


def verify_history(anchor: str | None = None) -> ChainReport:
    """Walk the chain in order; name the first event whose link or hash is wrong, and check an anchor is on it."""
    head, count, anchor_seen = GENESIS, 0, anchor is None or anchor == GENESIS
    for event in Event.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event.prev_hash != head:
            return ChainReport(False, count, head, event.id, "its link to the event before is broken (an event was removed, reordered or edited)")
        if event_hash(event) != event.hash:
            return ChainReport(False, count, head, event.id, "its content does not match its hash (the event was edited)")
        head = event.hash
        anchor_seen = anchor_seen or head == anchor
    if not anchor_seen:
        return ChainReport(False, count, head, None, "the anchor is not on the chain (the history was truncated or replaced)")
    return ChainReport(True, count, head)


def head_hash() -> str:
    """The hash of the newest event: keep it outside the database and pass it to verify_history later."""
    return Event.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
