"""On PostgreSQL: a failed change rolls back whole, concurrent appends keep the history chain valid, tampering is detected."""

from __future__ import annotations

import multiprocessing

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, transaction

from duban.ledger.errors import LedgerError
from duban.ledger.models import Event, Organisation
from duban.ledger.services import history
from duban.ledger.services.organisations import create_organisation, create_person

import tampering

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
    return tampering.make_chain()


def test_an_untouched_chain_verifies_after_a_round_trip_through_postgresql(chain):
    report = history.verify_history(anchor=history.head_hash())
    assert report.ok and report.events == 5 and report.head == chain[-1].hash


@pytest.mark.parametrize("tamper", sorted(tampering.NAMED))
def test_tampering_is_detected_on_postgresql(chain, tamper):
    tampering.check_named(chain, tampering.NAMED[tamper])


def test_a_truncated_tail_is_detected_with_the_anchor(chain):
    tampering.check_truncation(chain)
