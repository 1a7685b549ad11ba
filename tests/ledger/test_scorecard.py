"""The units' scorecard and the dashboard's figures: each measure counted as its definition says, as of a day."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from duban.ledger.choices import Genre, ItemState
from duban.ledger.models import Evidence, Item, SourceDocument, SourceFile
from duban.ledger.services import workflow
from duban.ledger.services.dashboard import dashboard, state_counts
from duban.ledger.services.scorecard import unit_scorecards
from duban.ledger.services.workflow import moment

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
DUE = date(2025, 6, 30)


@pytest.fixture
def plan(tree):
    source = SourceFile.objects.create(name="plan.txt", sha256="p" * 64, size=1, format="txt",
                                       extractor_version="test", ingested_at=T0)
    tree.document = SourceDocument.objects.create(
        file=source, index=1, record_id="doc-1", title="Plan", genre=Genre.PLAN, line_start=1, line_end=1,
        first_line=1, text="Plan", supervising_office=tree.office)
    tree.photo = Evidence.objects.create(sha256="e" * 64, size=1, content_type="text/plain", original_name="photo",
                                         stored_at=T0)
    return tree


def _active(world, lead, due=DUE, on=date(2025, 3, 3)) -> Item:
    item = Item.objects.create(kind="task", state="draft", due=due, document=world.document, created_at=T0, updated_at=T0)
    workflow.assign_owner(world.sup, item, lead, at=moment(on))
    return workflow.confirm(world.sup, item, at=moment(on))


def _closed(world, lead, staff, claimed_on, due=DUE) -> Item:
    item = _active(world, lead, due)
    claim = workflow.claim_completion(staff, item, evidence=[world.photo], on=claimed_on)
    workflow.verify_claim(world.ver, claim, evidence=[world.photo], on=date(claimed_on.year, claimed_on.month, claimed_on.day + 3))
    return item


def test_each_units_on_time_closure_rejection_and_extension_figures(plan):
    w = plan
    _closed(w, w.housing, w.housing_staff, date(2025, 6, 20))  # on time
    _closed(w, w.housing, w.housing_staff, date(2025, 7, 10))  # closed late
    late = _active(w, w.housing)  # claimed in time, rejected, still open past its due date
    claim = workflow.claim_completion(w.housing_staff, late, evidence=[w.photo], on=date(2025, 6, 25))
    workflow.reject_claim(w.ver, claim, "the photos show another site", on=date(2025, 6, 27))
    extended = _active(w, w.housing, due=date(2025, 12, 31))  # not yet due; extended once
    request = workflow.request_deadline_change(w.housing_staff, extended, date(2026, 3, 31), "flooding", on=date(2025, 5, 5))
    workflow.approve_request(w.sup, request, on=date(2025, 5, 6))
    Item.objects.create(kind="task", state="draft", due=DUE, lead_owner=w.housing, document=w.document,
                        created_at=T0, updated_at=T0)  # drafts are not yet followed
    cancelled = _active(w, w.housing)
    cancel = workflow.request_cancellation(w.housing_staff, cancelled, "merged into another task", on=date(2025, 5, 5))
    workflow.approve_request(w.sup, cancel, on=date(2025, 5, 6))
    _closed(w, w.county, w.county_staff, date(2025, 6, 2))

    scores = {s.organisation.name: s for s in unit_scorecards(Item.objects.all(), date(2025, 9, 1))}
    housing = scores["Qingshi Housing Bureau"]
    assert (housing.items, housing.due, housing.on_time, housing.closed) == (4, 3, 1, 2)
    assert housing.on_time_rate == pytest.approx(1 / 3)
    assert housing.verified_closure_rate == pytest.approx(0.5)
    assert (housing.claims_decided, housing.claims_rejected) == (3, 1)
    assert housing.rejection_rate == pytest.approx(1 / 3)
    assert (housing.extensions, housing.extended_items) == (1, 1)
    county = scores["Songxi County"]
    assert (county.on_time_rate, county.verified_closure_rate, county.rejection_rate) == (1.0, 1.0, 0.0)
    assert list(scores) == sorted(scores)


def test_a_unit_with_nothing_to_divide_has_no_rate(plan):
    _active(plan, plan.bigdata, due=date(2026, 1, 1))
    (score,) = unit_scorecards(Item.objects.all(), date(2025, 9, 1))
    assert (score.on_time_rate, score.verified_closure_rate, score.rejection_rate) == (None, 0.0, None)


def test_the_scorecard_counts_only_the_items_given(plan):
    mine = _active(plan, plan.housing)
    _active(plan, plan.county)
    (score,) = unit_scorecards(Item.objects.filter(pk=mine.pk), date(2025, 9, 1))
    assert score.organisation == plan.housing and score.items == 1


def test_dashboard_overdue_and_due_soon_on_the_owners_working_days(plan):
    w = plan
    overdue = _active(w, w.housing, due=date(2025, 9, 26))
    soon = _active(w, w.housing, due=date(2025, 10, 17))  # past a weekends-only horizon (13 October)
    later = _active(w, w.housing, due=date(2025, 10, 21))
    day = date(2025, 9, 29)  # Monday; 1–8 October are holidays, 11 October a make-up working day
    found = dashboard(Item.objects.all(), day)
    assert [item for item, _ in found.overdue] == [overdue]
    assert [item for item, _, _ in found.due_soon] == [soon]
    assert found.due_soon[0][2] == date(2025, 10, 20)  # 10 working days after 29 September
    assert later not in [item for item, _, _ in found.due_soon]
    assert found.counts[ItemState.ACTIVE] == 3 and found.counts[ItemState.CLOSED] == 0


def test_dashboard_weeks_count_claims_closures_and_overdue_items_from_the_history(plan):
    w = plan
    item = _active(w, w.housing, due=date(2025, 6, 4))  # a Wednesday
    _closed(w, w.county, w.county_staff, date(2025, 6, 10))  # claimed Tue 10 June, verified Fri 13 June
    claim = workflow.claim_completion(w.housing_staff, item, evidence=[w.photo], on=date(2025, 6, 16))
    day = date(2025, 6, 18)
    found = dashboard(Item.objects.all(), day, weeks=4)
    assert [(p.start, p.end) for p in found.periods] == [
        (date(2025, 5, 26), date(2025, 6, 1)), (date(2025, 6, 2), date(2025, 6, 8)),
        (date(2025, 6, 9), date(2025, 6, 15)), (date(2025, 6, 16), date(2025, 6, 18))]
    assert [(p.claims, p.closures, p.overdue) for p in found.periods] == [(0, 0, 0), (0, 0, 1), (1, 1, 1), (1, 0, 1)]
    before = dashboard(Item.objects.all(), day, weeks=4)
    workflow.verify_claim(w.ver, claim, evidence=[w.photo], on=date(2025, 6, 25))  # recorded later
    after = dashboard(Item.objects.all(), day, weeks=4)
    assert after.periods == before.periods and [i for i, _ in after.overdue] == [i for i, _ in before.overdue] == [item]
    assert dashboard(Item.objects.all(), date(2025, 6, 25), weeks=1).overdue == []


def test_state_counts_name_every_state_as_of_the_day(plan):
    item = _active(plan, plan.housing, on=date(2025, 3, 3))
    Item.objects.create(kind="task", state="draft", created_at=T0, updated_at=T0)  # no history: as it stands
    workflow.claim_completion(plan.housing_staff, item, evidence=[plan.photo], on=date(2025, 4, 1))
    counts = state_counts(Item.objects.all(), date(2025, 3, 31))
    assert set(counts) == set(ItemState.values)
    assert (counts[ItemState.ACTIVE], counts[ItemState.CLAIMED], counts[ItemState.DRAFT]) == (1, 0, 1)
    assert state_counts(Item.objects.all(), date(2025, 4, 1))[ItemState.CLAIMED] == 1
    assert state_counts(Item.objects.all(), date(2025, 3, 1))[ItemState.ACTIVE] == 0  # assigned on 3 March
