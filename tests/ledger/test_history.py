"""The hash chain detects every kind of tampering: an edited, deleted, reordered or truncated history."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.db import transaction

from duban.ledger.models import Event, Organisation
from duban.ledger.services import history

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    org = Organisation.objects.create(name="Lanshan Province", path="/1/")
    for n in range(5):
        with transaction.atomic():
            history.record("alice", "test.step", org, before={"n": n}, after={"n": n + 1},
                           at=datetime(2025, 3, 1 + n, 9, 0, tzinfo=timezone.utc))
    return list(Event.objects.order_by("id"))


def test_untouched_chain_verifies(chain):
    report = history.verify_history(anchor=history.head_hash())
    assert report.ok and report.events == 5 and report.head == chain[-1].hash


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    org = Organisation.objects.create(name="Qingshi City", path="/2/")
    with pytest.raises(RuntimeError):
        history.record("alice", "test.step", org)


def test_edited_event_is_named(chain):
    Event.objects.filter(id=chain[2].id).update(after={"n": 99})
    report = history.verify_history()
    assert not report.ok and report.first_bad == chain[2].id


def test_deleted_event_is_detected(chain):
    Event.objects.filter(id=chain[1].id).delete()
    report = history.verify_history()
    assert not report.ok and report.first_bad == chain[2].id


def test_reordered_events_are_detected(chain):
    a, b = chain[1], chain[3]
    fields = ["at", "actor", "action", "before", "after", "prev_hash", "hash"]
    values_a = {f: getattr(a, f) for f in fields}
    values_b = {f: getattr(b, f) for f in fields}
    Event.objects.filter(id=a.id).update(hash="x" * 64)  # free the unique hash while swapping
    Event.objects.filter(id=b.id).update(**values_a)
    Event.objects.filter(id=a.id).update(**values_b)
    report = history.verify_history()
    assert not report.ok and report.first_bad == a.id


def test_truncated_tail_is_detected_with_the_anchor(chain):
    anchor = history.head_hash()
    Event.objects.filter(id=chain[-1].id).delete()
    assert history.verify_history().ok  # without an anchor a shorter chain looks whole
    report = history.verify_history(anchor=anchor)
    assert not report.ok and "anchor" in report.reason


def test_tree_paths_and_memberships_are_recorded(tree):
    assert tree.county.is_within(tree.city) and tree.county.is_within(tree.province)
    assert not tree.city.is_within(tree.county)
    assert history.verify_history().ok
    assert Event.objects.filter(action="membership.add").count() == 7
