"""Accountability actions: supervisors outside the units concerned record them, a fine has an amount, all in history."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from duban.ledger.choices import AccountabilityKind as A, ItemKind, ItemState, Role
from duban.ledger.errors import LedgerError, NotAllowed
from duban.ledger.models import AccountabilityAction, Event, Item
from duban.ledger.services import history
from duban.ledger.services.accountability import record_accountability
from duban.ledger.services.organisations import create_person

TAKEN = date(2025, 7, 8)


@pytest.fixture
def ledger(tree):
    tree.housing_sup = create_person("housing_sup", roles=[(tree.housing, Role.SUPERVISOR)])
    at = datetime(2025, 3, 1, tzinfo=timezone.utc)
    tree.item = Item.objects.create(kind=ItemKind.FINDING, state=ItemState.ACTIVE, lead_owner=tree.housing,
                                    title="Old housing not renovated", created_at=at, updated_at=at)
    return tree


def test_a_fine_is_recorded_with_its_amount_units_and_people(ledger):
    action = record_accountability(ledger.sup, kind=A.FINE, taken_on=TAKEN, description="Fined for false rectification",
                                   organisations=[ledger.housing, ledger.county], people="Wang Wu, deputy director",
                                   item=ledger.item, amount_yuan="50000")
    action.refresh_from_db()
    assert action.amount_yuan == Decimal("50000.00") and action.recorded_by == ledger.sup
    assert set(action.organisations.all()) == {ledger.housing, ledger.county}
    assert (action.item, action.people, action.taken_on) == (ledger.item, "Wang Wu, deputy director", TAKEN)


def test_the_action_is_recorded_in_history(ledger):
    action = record_accountability(ledger.sup, kind=A.INTERVIEW, taken_on=TAKEN, description="Interview of the director",
                                   organisations=[ledger.housing], item=ledger.item)
    event = Event.objects.get(action="accountability.record")
    assert (event.actor, event.object_type, event.object_id, event.item_id) == (
        "sup", "accountabilityaction", action.pk, ledger.item.pk)
    assert event.after["kind"] == "interview" and event.after["organisations"] == [ledger.housing.pk]
    assert event.at.date() == TAKEN
    assert history.verify_history().ok


def test_a_fine_needs_an_amount(ledger):
    with pytest.raises(LedgerError, match="amount"):
        record_accountability(ledger.sup, kind=A.FINE, taken_on=TAKEN, description="Fined", organisations=[ledger.housing])
    assert not AccountabilityAction.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "12.345", "a lot"])
def test_a_fine_needs_a_positive_amount_to_the_fen(ledger, amount):
    with pytest.raises(LedgerError):
        record_accountability(ledger.sup, kind=A.FINE, taken_on=TAKEN, description="Fined",
                              organisations=[ledger.housing], amount_yuan=amount)


def test_only_a_fine_has_an_amount(ledger):
    with pytest.raises(LedgerError):
        record_accountability(ledger.sup, kind=A.WARNING, taken_on=TAKEN, description="Warned",
                              organisations=[ledger.housing], amount_yuan=100)


@pytest.mark.parametrize("who", ["housing_staff", "ver", "county_staff"])
def test_only_supervisors_record(ledger, who):
    with pytest.raises(NotAllowed):
        record_accountability(getattr(ledger, who), kind=A.WARNING, taken_on=TAKEN, description="Warned",
                              organisations=[ledger.bigdata])
    assert not AccountabilityAction.objects.exists() and not Event.objects.filter(action="accountability.record").exists()


def test_a_supervisor_on_the_items_owner_side_may_not_record(ledger):
    with pytest.raises(NotAllowed):
        record_accountability(ledger.housing_sup, kind=A.WARNING, taken_on=TAKEN, description="Warned",
                              people="Li Si", item=ledger.item)


def test_a_supervisor_may_not_record_against_their_own_unit(ledger):
    with pytest.raises(NotAllowed):
        record_accountability(ledger.city_sup, kind=A.DECISION, taken_on=TAKEN, description="Accountability decision",
                              organisations=[ledger.city])
    action = record_accountability(ledger.city_sup, kind=A.REFERRAL, taken_on=TAKEN,
                                   description="Referred to the discipline inspection commission",
                                   organisations=[ledger.county])
    assert action.kind == A.REFERRAL


@pytest.mark.parametrize("fields", [
    {"kind": "reprimand"},
    {"description": "  "},
    {"organisations": [], "people": ""},
])
def test_an_action_needs_a_known_kind_a_description_and_whom_it_concerns(ledger, fields):
    values = {"kind": A.WARNING, "taken_on": TAKEN, "description": "Warned", "organisations": [ledger.housing],
              "people": "Li Si", **fields}
    with pytest.raises(LedgerError):
        record_accountability(ledger.sup, **values)
