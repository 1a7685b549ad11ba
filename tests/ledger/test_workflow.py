"""The item workflow: one rule per test, each failing when its rule is broken; every change lands in the history."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from duban.ledger.choices import ClaimStatus, Genre, OrganisationKind as K, RequestStatus, Role
from duban.ledger.errors import InvalidState, LedgerError, NotAllowed
from duban.ledger.models import ChangeRequest, Event, Evidence, Item, SourceDocument, SourceFile
from duban.ledger.services import history
from duban.ledger.services.organisations import create_organisation, create_person
from duban.ledger.services.workflow import (
    approve_request, assign_owner, available_actions, claim_completion, confirm, refuse_request, reject_claim,
    reject_draft, report_progress, request_cancellation, request_deadline_change, verify_claim,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
DUE = date(2025, 6, 30)
MON, TUE = date(2025, 3, 10), date(2025, 3, 11)


@pytest.fixture
def world(tree):
    """The shared tree with a unit under the housing bureau, an administrator, a document supervised by the office."""
    tree.team = create_organisation("Housing Inspection Team", parent=tree.housing, kind=K.DEPARTMENT)
    tree.team_ver = create_person("team_ver", roles=[(tree.team, Role.VERIFIER)])
    tree.housing_sup = create_person("housing_sup", roles=[(tree.housing, Role.SUPERVISOR)])
    tree.admin = create_person("admin", roles=[(tree.province, Role.ADMINISTRATOR)])
    source = SourceFile.objects.create(name="feedback.txt", sha256="f" * 64, size=1, format="txt",
                                       extractor_version="test", ingested_at=T0)
    tree.document = SourceDocument.objects.create(
        file=source, index=1, record_id="doc-1", title="Inspection feedback", genre=Genre.OVERSIGHT,
        line_start=1, line_end=1, first_line=1, text="Inspection feedback", supervising_office=tree.office)
    return tree


def draft(world, due=DUE) -> Item:
    return Item.objects.create(kind="task", state="draft", created_at=T0, updated_at=T0, due=due, document=world.document)


def active(world, lead=None, co_owners=()) -> Item:
    item = draft(world)
    assign_owner(world.sup, item, lead or world.housing, co_owners, at=T0)
    return confirm(world.sup, item, at=T0)


def evidence(name: str) -> Evidence:
    digest = (name.encode().hex() + "0" * 64)[:64]
    return Evidence.objects.create(sha256=digest, size=10, content_type="text/plain", original_name=name, stored_at=T0)


def claimed(world, on=MON):
    item = active(world)
    return item, claim_completion(world.housing_staff, item, evidence=[evidence("photos")], on=on)


def events(item, action=None):
    found = Event.objects.filter(item_id=item.pk).order_by("id")
    return list(found.filter(action=action) if action else found)


# Rule 1: one lead owner; co-owners report, only the lead side claims.

def test_the_lead_owner_is_exactly_one_organisation(world):
    item = draft(world)
    for lead in (None, [world.housing, world.county], (world.housing,)):
        with pytest.raises(LedgerError, match="exactly one lead owner"):
            assign_owner(world.sup, item, lead)
    with pytest.raises(LedgerError, match="both the lead owner and a co-owner"):
        assign_owner(world.sup, item, world.housing, [world.housing])
    assign_owner(world.sup, item, world.housing, [world.county])
    assign_owner(world.sup, item, world.bigdata)  # replaces the lead, never adds a second one
    item.refresh_from_db()
    assert item.lead_owner == world.bigdata and list(item.co_owners.all()) == []


def test_owners_are_picked_inside_the_assigning_persons_trees(world):
    elsewhere = create_organisation("Hezhou City", kind=K.CITY)  # another province's tree
    item = draft(world)
    with pytest.raises(NotAllowed, match="Hezhou City an owner"):
        assign_owner(world.sup, item, elsewhere)
    with pytest.raises(NotAllowed, match="Hezhou City an owner"):
        assign_owner(world.sup, item, world.housing, [elsewhere])
    assert Item.objects.get(pk=item.pk).lead_owner is None
    assign_owner(world.admin, item, elsewhere)  # an administrator picks any organisation
    assert Item.objects.get(pk=item.pk).lead_owner == elsewhere


def test_texts_people_write_are_trimmed_and_bounded_by_the_service(world):
    from duban.ledger.services.texts import MAX_TEXT

    item = draft(world)
    with pytest.raises(LedgerError, match="too long"):
        reject_draft(world.sup, item, "x" * (MAX_TEXT + 1))
    assert Item.objects.get(pk=item.pk).state == "draft" and not events(item, "item.reject")
    item, claim = claimed(world)
    with pytest.raises(LedgerError, match="the note is too long"):
        verify_claim(world.ver, claim, evidence=[evidence("site visit")], on=TUE, note="y" * (MAX_TEXT + 1))
    assert Item.objects.get(pk=item.pk).state == "claimed"
    reject_draft(world.sup, draft(world), "  " + "z" * MAX_TEXT + "  ")  # trimmed to the limit: accepted


def test_available_actions_follow_the_state_the_roles_and_what_is_pending(world):
    item = draft(world)
    assert available_actions(world.sup, item) == {"assign", "reject_draft"}  # no owner yet: nothing to confirm
    assign_owner(world.sup, item, world.housing, at=T0)
    assert available_actions(world.sup, item) == {"assign", "reject_draft", "confirm"}
    assert available_actions(world.housing_staff, item) == set()
    confirm(world.sup, item, at=T0)
    assert available_actions(world.housing_staff, item) == {"report", "claim", "request_deadline", "request_cancellation"}
    request_deadline_change(world.housing_staff, item, date(2025, 9, 30), "rain", on=MON)
    assert "request_deadline" not in available_actions(world.housing_staff, item)
    assert "decide" in available_actions(world.sup, item)
    claim = claim_completion(world.housing_staff, item, evidence=[evidence("photos")], on=MON)
    assert {"verify", "reject_claim"} <= available_actions(world.ver, item)
    assert not {"verify", "reject_claim", "claim"} & available_actions(world.housing_staff, item)
    verify_claim(world.ver, claim, evidence=[evidence("site visit")], on=TUE)
    item.refresh_from_db()
    assert available_actions(world.sup, item) == {"record_checks"}
    assert available_actions(world.housing_staff, item) == set()


def test_a_draft_without_a_lead_owner_cannot_be_confirmed(world):
    item = draft(world)
    with pytest.raises(LedgerError, match="without a lead owner"):
        confirm(world.sup, item)
    item.refresh_from_db()
    assert item.state == "draft"


def test_confirm_makes_active_and_keeps_the_original_due(world):
    item = active(world)
    item.refresh_from_db()
    assert item.state == "active" and item.original_due == DUE


def test_only_managers_assign_and_confirm(world):
    item = draft(world)
    with pytest.raises(NotAllowed):
        assign_owner(world.housing_staff, item, world.housing)
    with pytest.raises(NotAllowed):
        assign_owner(world.city_sup, item, world.bigdata)  # not above the Big Data Bureau, not the office
    assign_owner(world.city_sup, item, world.housing)  # above the Housing Bureau
    confirm(world.admin, item)


def test_rejecting_a_draft_needs_a_reason(world):
    item = draft(world)
    with pytest.raises(LedgerError, match="reason"):
        reject_draft(world.sup, item, "  ")
    reject_draft(world.sup, item, "a heading, not a task")
    assert item.state == "rejected"
    assert events(item, "item.reject_draft")[0].after == {"state": "rejected", "reason": "a heading, not a task"}


def test_co_owners_report_progress_but_cannot_claim(world):
    item = active(world, co_owners=[world.county])
    report = report_progress(world.county_staff, item, "Survey half done", evidence=[evidence("survey")], on=MON)
    assert report.item == item and report.evidence.count() == 1
    with pytest.raises(NotAllowed, match="only staff of Qingshi Housing Bureau's side may claim completion"):
        claim_completion(world.county_staff, item, on=MON)
    with pytest.raises(NotAllowed):
        report_progress(world.bigdata_staff, item, "not ours", on=MON)
    claim_completion(world.housing_staff, item, on=MON)
    assert item.state == "claimed"


# Rule 2: closure needs a verification from outside the owner's side, citing evidence.

@pytest.mark.parametrize("insider", ["housing_staff", "housing_ver", "team_ver", "housing_sup", "county_staff"])
def test_the_owners_own_side_cannot_verify(world, insider):
    item, claim = claimed(world)
    with pytest.raises(NotAllowed):
        verify_claim(getattr(world, insider), claim, evidence=list(claim.evidence.all()), on=TUE)
    item.refresh_from_db()
    assert item.state == "claimed"


@pytest.mark.parametrize("outsider", ["ver", "sup", "city_sup"])
def test_the_supervising_office_or_a_proper_ancestor_verifies(world, outsider):
    item, claim = claimed(world)
    verification = verify_claim(getattr(world, outsider), claim, evidence=list(claim.evidence.all()), on=TUE)
    item.refresh_from_db()
    claim.refresh_from_db()
    assert item.state == "closed" and claim.status == ClaimStatus.VERIFIED and verification.verified


def test_the_claimant_cannot_verify_their_own_claim(world):
    item, claim = claimed(world)
    claim.claimant = world.ver  # a claim filed for the owner by someone who may otherwise verify
    claim.save(update_fields=["claimant"])
    with pytest.raises(NotAllowed, match="independent"):
        verify_claim(world.ver, claim, evidence=list(claim.evidence.all()), on=TUE)
    verify_claim(world.sup, claim, evidence=list(claim.evidence.all()), on=TUE)
    item.refresh_from_db()
    assert item.state == "closed"


def test_verification_cites_at_least_one_piece_of_evidence(world):
    item, claim = claimed(world)
    with pytest.raises(LedgerError, match="at least one piece of evidence"):
        verify_claim(world.ver, claim, evidence=[], on=TUE)
    item.refresh_from_db()
    assert item.state == "claimed"
    own = evidence("site visit")
    verification = verify_claim(world.ver, claim, evidence=[own], on=TUE)
    assert list(verification.evidence.all()) == [own]


def test_rejecting_a_claim_needs_a_reason_and_reopens(world):
    item, claim = claimed(world)
    with pytest.raises(NotAllowed):
        reject_claim(world.housing_ver, claim, "photos are old", on=TUE)
    with pytest.raises(LedgerError, match="reason"):
        reject_claim(world.ver, claim, "", on=TUE)
    verification = reject_claim(world.ver, claim, "photos are from 2023", on=TUE)
    item.refresh_from_db()
    claim.refresh_from_db()
    assert item.state == "active" and claim.status == ClaimStatus.REJECTED and not verification.verified
    assert verification.reason == "photos are from 2023"


# Rule 3: no same-day close.

@pytest.mark.parametrize("claimed_on, verified_on, same", [
    (MON, MON, True),
    (MON, TUE, False),
    (date(2025, 3, 8), MON, True),  # claimed on a Saturday: Monday is its working day
    (date(2025, 3, 7), MON, False),  # claimed on a Friday
    (date(2025, 2, 8), date(2025, 2, 9), False),  # Saturday 8 February 2025 was a make-up working day in China
])
def test_same_working_day_verification_is_flagged(world, claimed_on, verified_on, same):
    item, claim = claimed(world, on=claimed_on)
    verification = verify_claim(world.ver, claim, evidence=list(claim.evidence.all()), on=verified_on)
    assert verification.same_working_day is same
    assert events(item, "item.verify")[0].after["same_working_day"] is same


def test_same_working_day_verification_is_refused_by_setting(world, settings):
    settings.DUBAN_SAME_DAY_VERIFICATION = "refuse"
    item, claim = claimed(world)
    with pytest.raises(LedgerError, match="working day it was made"):
        verify_claim(world.ver, claim, evidence=list(claim.evidence.all()), on=MON)
    item.refresh_from_db()
    assert item.state == "claimed"
    assert not verify_claim(world.ver, claim, evidence=list(claim.evidence.all()), on=TUE).same_working_day


def test_a_verification_cannot_predate_its_claim(world):
    _, claim = claimed(world, on=TUE)
    with pytest.raises(LedgerError, match="before the claim"):
        verify_claim(world.ver, claim, evidence=list(claim.evidence.all()), on=MON)


# Rule 4: deadlines change and items are cancelled only through approved requests.

def test_a_deadline_changes_only_when_approved(world):
    item = active(world)
    request = request_deadline_change(world.housing_staff, item, date(2025, 7, 31), "flood season", on=MON)
    item.refresh_from_db()
    assert item.due == DUE and request.status == RequestStatus.PENDING
    approve_request(world.sup, request, on=TUE, note="granted once")
    item.refresh_from_db()
    assert item.due == date(2025, 7, 31) and item.original_due == DUE and item.extensions == 1


def test_extensions_count_later_dates_only_and_the_original_due_stays(world):
    item = active(world)
    for new_due, extensions in ((date(2025, 7, 31), 1), (date(2025, 7, 15), 1), (date(2025, 9, 30), 2)):
        request = request_deadline_change(world.housing_staff, item, new_due, "reason", on=MON)
        approve_request(world.city_sup, request, on=TUE)
        item.refresh_from_db()
        assert (item.due, item.extensions, item.original_due) == (new_due, extensions, DUE)


def test_changes_need_a_reason(world):
    item = active(world)
    with pytest.raises(LedgerError, match="reason"):
        request_deadline_change(world.housing_staff, item, date(2025, 7, 31), " ", on=MON)
    with pytest.raises(LedgerError, match="reason"):
        request_cancellation(world.housing_staff, item, "", on=MON)
    request = request_cancellation(world.housing_staff, item, "merged into another task", on=MON)
    with pytest.raises(LedgerError, match="reason"):
        refuse_request(world.sup, request, "", on=TUE)
    assert ChangeRequest.objects.count() == 1


def test_only_the_lead_side_requests_changes(world):
    item = active(world, co_owners=[world.county])
    with pytest.raises(NotAllowed):
        request_deadline_change(world.county_staff, item, date(2025, 7, 31), "need time", on=MON)
    with pytest.raises(NotAllowed):
        request_cancellation(world.sup, item, "no longer needed", on=MON)


def test_a_cancellation_applies_only_when_approved(world):
    item, claim = claimed(world)
    request = request_cancellation(world.housing_staff, item, "merged into another task", on=MON)
    item.refresh_from_db()
    assert item.state == "claimed"
    approve_request(world.sup, request, on=TUE)
    item.refresh_from_db()
    assert item.state == "cancelled"


def test_a_refused_request_changes_nothing(world):
    item = active(world)
    request = request_deadline_change(world.housing_staff, item, date(2025, 7, 31), "flood season", on=MON)
    refuse_request(world.sup, request, "the flood season was foreseeable", on=TUE)
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.due == DUE and item.extensions == 0 and request.status == RequestStatus.REFUSED
    with pytest.raises(InvalidState):
        approve_request(world.sup, request, on=TUE)


@pytest.mark.parametrize("approver", ["housing_sup", "ver", "housing_staff"])
def test_only_a_supervisor_outside_the_owners_side_approves(world, approver):
    item = active(world)
    request = request_deadline_change(world.housing_staff, item, date(2025, 7, 31), "flood season", on=MON)
    with pytest.raises(NotAllowed):
        approve_request(getattr(world, approver), request, on=TUE)
    with pytest.raises(NotAllowed):
        refuse_request(getattr(world, approver), request, "no", on=TUE)
    item.refresh_from_db()
    assert item.due == DUE


def test_one_pending_request_of_a_kind_at_a_time(world):
    item = active(world)
    request_deadline_change(world.housing_staff, item, date(2025, 7, 31), "flood season", on=MON)
    with pytest.raises(LedgerError, match="already awaiting approval"):
        request_deadline_change(world.housing_staff, item, date(2025, 8, 31), "and more", on=MON)


# States: only the transitions of the issue.

def test_illegal_transitions_raise_invalid_state(world):
    item = draft(world)
    assign_owner(world.sup, item, world.housing)
    with pytest.raises(InvalidState):
        report_progress(world.housing_staff, item, "early", on=MON)
    with pytest.raises(InvalidState):
        claim_completion(world.housing_staff, item, on=MON)
    with pytest.raises(InvalidState):
        request_cancellation(world.housing_staff, item, "never mind", on=MON)
    confirm(world.sup, item)
    for attempt in (lambda: confirm(world.sup, item), lambda: reject_draft(world.sup, item, "late")):
        with pytest.raises(InvalidState):
            attempt()
    claim = claim_completion(world.housing_staff, item, on=MON)
    with pytest.raises(InvalidState):
        claim_completion(world.housing_staff, item, on=MON)
    verify_claim(world.ver, claim, evidence=[evidence("site visit")], on=TUE)
    for attempt in (
        lambda: verify_claim(world.ver, claim, evidence=[evidence("again")], on=TUE),
        lambda: reject_claim(world.ver, claim, "too late", on=TUE),
        lambda: assign_owner(world.sup, item, world.county),
        lambda: report_progress(world.housing_staff, item, "after closing", on=TUE),
        lambda: request_deadline_change(world.housing_staff, item, date(2025, 9, 1), "late", on=TUE),
    ):
        with pytest.raises(InvalidState):
            attempt()
    item.refresh_from_db()
    assert item.state == "closed" and item.lead_owner == world.housing


def test_an_approval_on_an_item_that_moved_on_is_refused(world):
    item, claim = claimed(world)
    request = request_cancellation(world.housing_staff, item, "merged", on=MON)
    verify_claim(world.ver, claim, evidence=list(claim.evidence.all()), on=TUE)
    with pytest.raises(InvalidState):
        approve_request(world.sup, request, on=TUE)
    item.refresh_from_db()
    assert item.state == "closed"


def test_a_stale_item_object_cannot_repeat_a_transition(world):
    item = active(world)
    stale = Item.objects.get(pk=item.pk)
    claim_completion(world.housing_staff, item, on=MON)
    with pytest.raises(InvalidState):
        claim_completion(world.housing_staff, stale, on=MON)
    assert item.claims.count() == 1


# History: every change is an event with its values before and after.

def test_every_change_lands_in_the_history(world):
    item = draft(world)
    assign_owner(world.sup, item, world.housing, [world.county], at=T0)
    confirm(world.sup, item, at=T0)
    report_progress(world.county_staff, item, "Survey started", evidence=[evidence("survey")], on=MON)
    claim = claim_completion(world.housing_staff, item, evidence=[evidence("photos")], on=MON)
    reject_claim(world.ver, claim, "photos are from 2023", on=TUE)
    deadline = request_deadline_change(world.housing_staff, item, date(2025, 7, 31), "flood season", on=TUE)
    approve_request(world.sup, deadline, on=date(2025, 3, 12))
    refused = request_deadline_change(world.housing_staff, item, date(2025, 9, 30), "again", on=date(2025, 3, 13))
    refuse_request(world.sup, refused, "no", on=date(2025, 3, 14))
    claim = claim_completion(world.housing_staff, item, evidence=[evidence("new photos")], on=date(2025, 3, 17))
    verify_claim(world.ver, claim, evidence=list(claim.evidence.all()), on=date(2025, 3, 18))

    trail = [(e.action, e.actor, e.before, e.after) for e in events(item)]
    assert [a for a, *_ in trail] == [
        "item.assign", "item.confirm", "item.progress", "item.claim", "item.reject_claim", "item.request_change",
        "item.due_change", "item.request_change", "item.refuse_change", "item.claim", "item.verify"]
    h, c = world.housing.pk, world.county.pk
    assert trail[0] == ("item.assign", "sup", {"lead_owner": None, "co_owners": []}, {"lead_owner": h, "co_owners": [c]})
    assert trail[1][2:] == ({"state": "draft", "original_due": None}, {"state": "active", "original_due": "2025-06-30"})
    assert trail[3][1] == "housing_staff" and trail[3][2] == {"state": "active"} and trail[3][3]["state"] == "claimed"
    assert trail[4][2] == {"state": "claimed"} and trail[4][3]["state"] == "active"
    assert trail[6][2] == {"due": "2025-06-30", "extensions": 0}
    assert {k: trail[6][3][k] for k in ("due", "extensions")} == {"due": "2025-07-31", "extensions": 1}
    assert trail[8][2] == {} and trail[8][3]["reason"] == "no"
    assert trail[10][1] == "ver" and trail[10][2] == {"state": "claimed"} and trail[10][3]["state"] == "closed"
    assert [e.at.date() for e in events(item)][2:] == [MON, MON, TUE, TUE, date(2025, 3, 12), date(2025, 3, 13),
                                                       date(2025, 3, 14), date(2025, 3, 17), date(2025, 3, 18)]
    assert history.verify_history().ok


def test_a_cancellation_is_recorded(world):
    item = active(world)
    request = request_cancellation(world.housing_staff, item, "merged", on=MON)
    approve_request(world.sup, request, on=TUE)
    event = events(item, "item.cancel")[0]
    assert (event.before, event.after) == ({"state": "active"}, {"state": "cancelled", "request": request.pk})
    assert history.verify_history().ok


def test_an_owner_change_after_the_due_date_is_allowed_and_recorded(world):
    item = active(world)
    late = datetime(2025, 7, 2, 9, 0, tzinfo=timezone.utc)
    assign_owner(world.sup, item, world.county, at=late)
    event = events(item, "item.assign")[-1]
    assert (event.before, event.after) == ({"lead_owner": world.housing.pk}, {"lead_owner": world.county.pk})
    assert event.at == late and event.at.date() > item.due


def test_an_unchanged_assignment_records_nothing(world):
    item = active(world)
    count = Event.objects.count()
    assign_owner(world.sup, item, world.housing)
    assert Event.objects.count() == count
