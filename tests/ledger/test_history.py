"""The hash chain detects every kind of tampering: an edited, deleted, reordered or truncated history."""

from __future__ import annotations

import pytest

from duban.ledger.models import Event, Organisation
from duban.ledger.services import history

import tampering

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    return tampering.make_chain()


def test_untouched_chain_verifies(chain):
    report = history.verify_history(anchor=history.head_hash())
    assert report.ok and report.events == 5 and report.head == chain[-1].hash


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    org = Organisation.objects.create(name="Qingshi City", path="/2/")
    with pytest.raises(RuntimeError):
        history.record("alice", "test.step", org)


@pytest.mark.parametrize("tamper", sorted(tampering.NAMED))
def test_tampering_is_detected_and_the_first_bad_event_named(chain, tamper):
    tampering.check_named(chain, tampering.NAMED[tamper])


def test_truncated_tail_is_detected_with_the_anchor(chain):
    tampering.check_truncation(chain)


def test_tree_paths_and_memberships_are_recorded(tree):
    assert tree.county.is_within(tree.city) and tree.county.is_within(tree.province)
    assert not tree.city.is_within(tree.county)
    assert history.verify_history().ok
    assert Event.objects.filter(action="membership.add").count() == 7
