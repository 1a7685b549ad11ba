"""On PostgreSQL: a failed change rolls back whole, concurrent appends keep the history chain valid, tampering is detected."""

from __future__ import annotations

import multiprocessing
from datetime import datetime, timezone

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, transaction

from duban.ledger.errors import LedgerError
from duban.ledger.models import Event, Organisation
from duban.ledger.services import history
from duban.ledger.services.organisations import create_organisation, create_person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

APPENDS_PER_PROCESS = 150


def test_the_database_is_postgresql():
    assert connections["default"].vendor == "postgresql"


def test_a_refused_service_call_leaves_nothing_behind():
    province = create_organisation("Lanshan Province")
    events = Event.objects.count()
    with pytest.raises(LedgerError):
        create_person("newcomer", roles=[(province, "chief")])
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert Event.objects.count() == events and history.verify_history().ok


def test_a_failed_statement_rolls_back_the_whole_transaction():
    province = create_organisation("Lanshan Province")
    events = Event.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        create_organisation("Qingshi City", parent=province)
        create_organisation("Qingshi City", parent=province)
    assert not Organisation.objects.filter(name="Qingshi City").exists()
    assert Event.objects.count() == events and history.verify_history().ok


def _append_events(worker: str, org_id: int, barrier) -> None:
    org = Organisation.objects.get(pk=org_id)
    barrier.wait()
    for n in range(APPENDS_PER_PROCESS):
        with transaction.atomic():
            history.record(worker, "test.concurrent", org, after={"n": n})
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_two_processes_keep_the_chain_valid():
    org = create_organisation("Lanshan Province")
    events = Event.objects.count()
    connections.close_all()  # each process opens its own connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_append_events, args=(name, org.pk, barrier)) for name in ("alice", "bob")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert Event.objects.count() == events + 2 * APPENDS_PER_PROCESS
    assert set(Event.objects.filter(action="test.concurrent").values_list("actor", flat=True)) == {"alice", "bob"}
    report = history.verify_history()
    assert report.ok, report.reason
    assert report.events == events + 2 * APPENDS_PER_PROCESS


@pytest.fixture
def chain():
    org = Organisation.objects.create(name="Lanshan Province", path="/1/")
    for n in range(5):
        with transaction.atomic():
            history.record("alice", "test.step", org, before={"n": n}, after={"n": n + 1, "note": "已整改"},
                           at=datetime(2025, 3, 1 + n, 9, 0, 0, 123456, tzinfo=timezone.utc))
    return list(Event.objects.order_by("id"))


def test_an_untouched_chain_verifies_after_a_round_trip_through_postgresql(chain):
    report = history.verify_history(anchor=history.head_hash())
    assert report.ok and report.events == 5 and report.head == chain[-1].hash


def test_an_edited_event_is_named(chain):
    Event.objects.filter(id=chain[2].id).update(after={"n": 99})
    report = history.verify_history()
    assert not report.ok and report.first_bad == chain[2].id


def test_a_deleted_event_is_detected(chain):
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


def test_a_truncated_tail_is_detected_with_the_anchor(chain):
    anchor = history.head_hash()
    Event.objects.filter(id=chain[-1].id).delete()
    report = history.verify_history(anchor=anchor)
    assert not report.ok and "anchor" in report.reason
