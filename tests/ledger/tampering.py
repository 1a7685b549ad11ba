"""Ways to tamper with a stored history, shared by the hash-chain tests on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

from django.db import transaction

from duban.ledger.models import Event, Organisation
from duban.ledger.services import history


def make_chain(path: str = "/1/") -> list[Event]:
    """Five events with microseconds and non-ASCII values, so a database round trip is part of the check."""
    org = Organisation.objects.create(name="Lanshan Province", path=path)
    for n in range(5):
        with transaction.atomic():
            history.record("alice", "test.step", org, before={"n": n}, after={"n": n + 1, "note": "已整改"},
                           at=datetime(2025, 3, 1 + n, 9, 0, 0, 123456, tzinfo=timezone.utc))
    return list(Event.objects.order_by("id"))


def edit(chain: list[Event]) -> int:
    Event.objects.filter(id=chain[2].id).update(after={"n": 99})
    return chain[2].id


def delete(chain: list[Event]) -> int:
    Event.objects.filter(id=chain[1].id).delete()
    return chain[2].id


def reorder(chain: list[Event]) -> int:
    a, b = chain[1], chain[3]
    fields = ["at", "actor", "action", "before", "after", "prev_hash", "hash"]
    values_a = {f: getattr(a, f) for f in fields}
    values_b = {f: getattr(b, f) for f in fields}
    Event.objects.filter(id=a.id).update(hash="x" * 64)  # free the unique hash while swapping
    Event.objects.filter(id=b.id).update(**values_a)
    Event.objects.filter(id=a.id).update(**values_b)
    return a.id


# Each tampering, and the id of the first event verify_history must name.
NAMED = {"edited": edit, "deleted": delete, "reordered": reorder}


def check_named(chain: list[Event], tamper) -> None:
    first_bad = tamper(chain)
    report = history.verify_history()
    assert not report.ok and report.first_bad == first_bad


def check_truncation(chain: list[Event]) -> None:
    anchor = history.head_hash()
    Event.objects.filter(id=chain[-1].id).delete()
    assert history.verify_history().ok  # without an anchor a shorter chain looks whole
    report = history.verify_history(anchor=anchor)
    assert not report.ok and "anchor" in report.reason
