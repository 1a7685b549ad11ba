"""Looking back: a seeded sample is reproducible, only outside supervisors draw and record, a failed check reopens."""

from __future__ import annotations

import random
from datetime import date, datetime, timezone

import pytest

from duban.ledger.choices import CheckResult, ItemKind, ItemState, Role
from duban.ledger.errors import InvalidState, LedgerError, NotAllowed
from duban.ledger.models import Event, Item, ReinspectionCheck
from duban.ledger.services import history
from duban.ledger.services.organisations import create_person
from duban.ledger.services.reinspection import draw_sample, record_check, sampled_items

DRAWN = date(2025, 6, 2)
CHECKED = date(2025, 6, 16)


def _item(owner, n: int, state: str = ItemState.CLOSED) -> Item:
    at = datetime(2025, 3, 1, tzinfo=timezone.utc)
    return Item.objects.create(kind=ItemKind.TASK, state=state, lead_owner=owner, title=f"Task {n}",
                               created_at=at, updated_at=at)


@pytest.fixture
def ledger(tree):
    """Twelve closed items of the housing bureau, three of the county, two of the big data bureau, some still open."""
    tree.housing_sup = create_person("housing_sup", roles=[(tree.housing, Role.SUPERVISOR)])
    tree.housing_items = [_item(tree.housing, n) for n in range(12)]
    tree.county_items = [_item(tree.county, 100 + n) for n in range(3)]
    tree.bigdata_items = [_item(tree.bigdata, 200 + n) for n in range(2)]
    tree.open_items = [_item(tree.housing, 300, ItemState.ACTIVE), _item(tree.county, 301, ItemState.CLAIMED)]
    return tree


def _one_check(tree, item: Item) -> ReinspectionCheck:
    sample = draw_sample(tree.sup, size=1, seed="one", on=DRAWN, population=[item])
    return sample.checks.get()


def test_the_same_seed_and_population_draw_the_same_items(ledger):
    first = sampled_items(draw_sample(ledger.sup, size=5, seed="2025-H1", on=DRAWN))
    again = sampled_items(draw_sample(ledger.sup, size=5, seed="2025-H1", on=DRAWN))
    other = sampled_items(draw_sample(ledger.sup, size=5, seed="2025-H2", on=DRAWN))
    assert first == again and len(first) == 5
    assert first != other


def test_the_draw_is_random_Random_of_the_seed_over_the_items_sorted_by_id(ledger):
    population = ledger.housing_items + ledger.county_items
    shuffled = list(reversed(population))
    sample = draw_sample(ledger.city_sup, size=4, seed=7, on=DRAWN, population=shuffled)
    expected = random.Random("7").sample(sorted(population, key=lambda item: item.pk), 4)
    assert sampled_items(sample) == expected
    assert (sample.seed, sample.population, sample.drawn_by, sample.drawn_on) == ("7", 15, ledger.city_sup, DRAWN)


def test_only_closed_items_the_supervisor_stands_outside_of_are_drawn(ledger):
    everything = draw_sample(ledger.sup, size=100, seed="all", on=DRAWN)
    assert everything.population == 17
    assert set(sampled_items(everything)) == set(ledger.housing_items + ledger.county_items + ledger.bigdata_items)
    city = draw_sample(ledger.city_sup, size=100, seed="all", on=DRAWN)
    assert set(sampled_items(city)) == set(ledger.housing_items + ledger.county_items)  # not the province's bureau


def test_a_sample_draws_from_one_to_max_sample_items(ledger):
    from duban.ledger.models import ReinspectionSample
    from duban.ledger.services.reinspection import MAX_SAMPLE

    for size in (0, -1, MAX_SAMPLE + 1, True, "5"):
        with pytest.raises(LedgerError, match="draws from one to"):
            draw_sample(ledger.sup, size=size, seed="x", on=DRAWN)
    assert not ReinspectionSample.objects.exists()
    assert draw_sample(ledger.sup, size=MAX_SAMPLE, seed="x", on=DRAWN).checks.exists()


def test_a_population_must_be_closed_items(ledger):
    with pytest.raises(InvalidState):
        draw_sample(ledger.sup, size=1, seed="s", on=DRAWN, population=ledger.housing_items[:2] + ledger.open_items[:1])


@pytest.mark.parametrize("who", ["housing_staff", "ver", "housing_sup"])
def test_only_a_supervisor_outside_the_owners_side_draws(ledger, who):
    with pytest.raises(NotAllowed):
        draw_sample(getattr(ledger, who), size=2, seed="s", on=DRAWN, population=ledger.housing_items)


def test_a_supervisor_cannot_draw_items_of_a_unit_they_do_not_stand_above(ledger):
    with pytest.raises(NotAllowed):
        draw_sample(ledger.city_sup, size=1, seed="s", on=DRAWN, population=ledger.bigdata_items)


@pytest.mark.parametrize("size, seed", [(0, "s"), (2, ""), (2, "x" * 65)])
def test_a_sample_needs_a_size_and_a_seed(ledger, size, seed):
    with pytest.raises(LedgerError):
        draw_sample(ledger.sup, size=size, seed=seed, on=DRAWN)


def test_drawing_is_recorded(ledger):
    sample = draw_sample(ledger.sup, size=3, seed="h", on=DRAWN)
    event = Event.objects.get(action="reinspection.draw")
    assert event.actor == "sup" and event.object_id == sample.pk
    assert event.after["items"] == [item.pk for item in sampled_items(sample)] and event.after["seed"] == "h"


def test_a_passed_check_leaves_the_item_closed(ledger):
    item = ledger.housing_items[0]
    check = record_check(ledger.sup, _one_check(ledger, item), passed=True, note="", on=CHECKED)
    item.refresh_from_db()
    assert item.state == ItemState.CLOSED
    assert (check.result, check.inspector, check.checked_on, check.finding) == (CheckResult.PASSED, ledger.sup, CHECKED, None)
    assert not Item.objects.filter(kind=ItemKind.FINDING).exists()


def test_a_failed_check_reopens_the_item_and_records_a_sham_rectification_finding(ledger):
    item = ledger.housing_items[0]
    check = record_check(ledger.sup, _one_check(ledger, item), passed=False, note="the sewage pipe was never laid",
                         on=CHECKED)
    item.refresh_from_db()
    assert item.state == ItemState.ACTIVE
    finding = check.finding
    assert check.result == CheckResult.FAILED
    assert (finding.kind, finding.state, finding.parent, finding.lead_owner) == (
        ItemKind.FINDING, ItemState.ACTIVE, item, ledger.housing)
    assert finding.title == finding.quote == "Sham rectification found on re-inspection: the sewage pipe was never laid"
    assert finding.data == {"parties": ["Qingshi Housing Bureau"], "sham_rectification": True}

    reopen = Event.objects.get(action="item.reopen")
    assert (reopen.object_type, reopen.object_id, reopen.actor) == ("item", item.pk, "sup")
    assert reopen.before == {"state": "closed"} and reopen.after["state"] == "active"
    assert reopen.at.date() == CHECKED
    created = Event.objects.get(action="item.create", object_id=finding.pk)
    assert created.after["state"] == "active" and created.after["lead_owner"] == ledger.housing.pk
    assert history.verify_history().ok


def test_a_failed_check_needs_a_note(ledger):
    with pytest.raises(LedgerError):
        record_check(ledger.sup, _one_check(ledger, ledger.housing_items[0]), passed=False, note=" ", on=CHECKED)


@pytest.mark.parametrize("who", ["housing_staff", "housing_sup", "ver"])
def test_only_a_supervisor_outside_the_owners_side_records_a_check(ledger, who):
    item = ledger.housing_items[0]
    check = _one_check(ledger, item)
    with pytest.raises(NotAllowed):
        record_check(getattr(ledger, who), check, passed=False, note="nothing was done", on=CHECKED)
    item.refresh_from_db()
    check.refresh_from_db()
    assert item.state == ItemState.CLOSED and check.result == CheckResult.PENDING
    assert not Item.objects.filter(kind=ItemKind.FINDING).exists()


def test_a_supervisor_above_the_owner_records_a_check(ledger):
    check = record_check(ledger.city_sup, _one_check(ledger, ledger.county_items[0]), passed=True, note="", on=CHECKED)
    assert check.result == CheckResult.PASSED


def test_a_check_is_recorded_once(ledger):
    check = _one_check(ledger, ledger.housing_items[0])
    record_check(ledger.sup, check, passed=True, note="", on=CHECKED)
    with pytest.raises(InvalidState):
        record_check(ledger.sup, check, passed=False, note="on second thoughts", on=CHECKED)


def test_a_check_is_not_dated_before_its_sample(ledger):
    with pytest.raises(LedgerError):
        record_check(ledger.sup, _one_check(ledger, ledger.housing_items[0]), passed=True, note="", on=date(2025, 6, 1))
