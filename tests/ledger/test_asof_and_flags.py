"""Overdue as of a date, stable after later events, and each red flag with a case that shows it and one that does not.

The ledger's state is built here with Item rows and history events in the shape the workflow services record
(object = the Item, "state"/"due"/"lead_owner"/"extensions" in before/after, `at` = midday of the action's date).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from duban.ledger.choices import ChangeKind, ClaimStatus, FlagCode, ItemKind, ItemState, RequestStatus
from duban.ledger.models import ChangeRequest, CompletionClaim, Evidence, Item, ProgressReport, Verification
from duban.ledger.services import history, workflow
from duban.ledger.services.asof import (
    as_of, due_as_of, is_overdue, overdue_items, snapshots, state_as_of,
)
from duban.ledger.services.flags import red_flags

SHANGHAI = ZoneInfo("Asia/Shanghai")


def moment(on: date) -> datetime:
    return datetime.combine(on, time(12), tzinfo=SHANGHAI)


def change(item: Item, action: str, on: date, **after) -> Item:
    """Apply field changes to the item and record them as the workflow does."""
    before = {}
    with transaction.atomic():
        for field, value in after.items():
            attname = "lead_owner_id" if field == "lead_owner" else field
            before[field] = getattr(item, attname)
            setattr(item, attname, value)
        item.save()
        history.record("tester", action, item, before=before, after=after, at=moment(on))
    return item


def make_item(title: str, owner, *, due: date | None, on: date = date(2025, 3, 3), state: str = ItemState.ACTIVE,
              parent: Item | None = None, kind: str = ItemKind.TASK, **fields) -> Item:
    """A draft created on `on`, assigned and (unless a draft is wanted) confirmed the same day."""
    item = Item.objects.create(kind=kind, title=title, parent=parent, due=due, original_due=due,
                               created_at=moment(on), updated_at=moment(on), **fields)
    change(item, "item.assign", on, lead_owner=owner.pk)
    if state != ItemState.DRAFT:
        change(item, "item.confirm", on, state=ItemState.ACTIVE)
    return item


def evidence(name: str) -> Evidence:
    return Evidence.objects.create(sha256=hashlib.sha256(name.encode()).hexdigest(), size=len(name),
                                   content_type="text/plain", original_name=name, stored_at=moment(date(2025, 3, 3)))


def report(item: Item, on: date, user, files=()) -> ProgressReport:
    progress = ProgressReport.objects.create(item=item, author=user, text="progress", reported_on=on, created_at=moment(on))
    progress.evidence.set(files)
    with transaction.atomic():
        history.record("tester", "item.progress", item, after={"progress_report": progress.pk}, at=moment(on))
    return progress


def claim(item: Item, on: date, user, files=()) -> CompletionClaim:
    made = CompletionClaim.objects.create(item=item, claimant=user, claimed_on=on, created_at=moment(on))
    made.evidence.set(files)
    change(item, "item.claim", on, state=ItemState.CLAIMED)
    return made


def verify(made: CompletionClaim, on: date, user, files=()) -> Verification:
    verification = Verification.objects.create(claim=made, verifier=user, decided_on=on, created_at=moment(on), verified=True)
    verification.evidence.set(files)
    made.status = ClaimStatus.VERIFIED
    made.save()
    change(made.item, "item.verify", on, state=ItemState.CLOSED)
    return verification


def extend(item: Item, new_due: date, on: date) -> Item:
    return change(item, "item.due_change", on, due=new_due, extensions=item.extensions + 1)


def codes(flags) -> list[str]:
    return [flag.code for flag in flags]


# --- overdue as of a date ----------------------------------------------------------------------------------------

def test_state_and_due_as_of_follow_the_history(tree):
    item = make_item("Repair the dyke", tree.housing, due=date(2025, 3, 31))
    extend(item, date(2025, 4, 30), date(2025, 3, 20))
    claim(item, date(2025, 4, 25), tree.housing_staff)

    assert state_as_of(item, date(2025, 3, 2)) == ItemState.DRAFT  # before anything happened: as created
    assert state_as_of(item, date(2025, 3, 3)) == ItemState.ACTIVE
    assert due_as_of(item, date(2025, 3, 19)) == date(2025, 3, 31)
    assert due_as_of(item, date(2025, 3, 20)) == date(2025, 4, 30)
    assert state_as_of(item, date(2025, 4, 25)) == ItemState.CLAIMED


def test_overdue_means_due_before_the_day_and_still_open(tree):
    item = make_item("Repair the dyke", tree.housing, due=date(2025, 3, 31))
    assert not is_overdue(item, date(2025, 3, 31))  # due today is not late yet
    assert is_overdue(item, date(2025, 4, 1))
    made = claim(item, date(2025, 4, 2), tree.housing_staff)
    assert is_overdue(item, date(2025, 4, 3))  # a claim is not completion
    verify(made, date(2025, 4, 7), tree.ver, [evidence("photo.jpg")])
    assert not is_overdue(item, date(2025, 4, 8))
    assert is_overdue(item, date(2025, 4, 1))  # but it was, on the 1st


def test_cancelled_drafts_and_extraction_errors_are_not_overdue(tree):
    cancelled = make_item("Build a road", tree.county, due=date(2025, 3, 10))
    change(cancelled, "item.cancel", date(2025, 3, 5), state=ItemState.CANCELLED)
    draft = make_item("Draft only", tree.county, due=date(2025, 3, 10), state=ItemState.DRAFT)
    assert overdue_items(date(2025, 4, 1)) == []
    assert is_overdue(cancelled, date(2025, 3, 5)) is False and not is_overdue(draft, date(2025, 4, 1))


def test_an_item_recorded_as_created_later_did_not_exist_before(tree):
    item = Item.objects.create(kind=ItemKind.TASK, title="Imported", due=date(2025, 1, 1), created_at=moment(date(2025, 3, 3)),
                               updated_at=moment(date(2025, 3, 3)))
    with transaction.atomic():
        history.record("system", "item.create", item, after={"state": ItemState.DRAFT, "due": item.due}, at=moment(date(2025, 3, 3)))
    assert state_as_of(item, date(2025, 3, 2)) is None
    assert state_as_of(item, date(2025, 3, 3)) == ItemState.DRAFT


def test_an_import_recorded_after_backdated_actions_only_gives_initial_values(tree):
    # Ingest records the time it ran; the actions on the item are dated earlier.
    item = Item.objects.create(kind=ItemKind.TASK, title="Imported late", due=date(2025, 3, 31),
                               created_at=moment(date(2026, 1, 5)), updated_at=moment(date(2026, 1, 5)))
    with transaction.atomic():
        history.record("system", "item.import", item, after={"state": ItemState.DRAFT, "due": item.due},
                       at=moment(date(2026, 1, 5)))
    change(item, "item.assign", date(2025, 3, 3), lead_owner=tree.housing.pk)
    change(item, "item.confirm", date(2025, 3, 3), state=ItemState.ACTIVE)
    assert as_of(item, date(2025, 4, 1)).due == date(2025, 3, 31) and is_overdue(item, date(2025, 4, 1))
    assert state_as_of(item, date(2026, 2, 1)) == ItemState.ACTIVE  # the import does not put it back to draft


def test_an_edit_outside_the_services_does_not_rewrite_the_history(tree):
    item = make_item("Edited in place", tree.housing, due=None)
    with transaction.atomic():
        history.record("system", "item.create", item, after={"state": ItemState.DRAFT, "due": date(2025, 3, 31)},
                       at=moment(date(2025, 3, 1)))
    Item.objects.filter(pk=item.pk).update(due=date(2025, 12, 31))  # no event recorded
    item.refresh_from_db()
    assert due_as_of(item, date(2025, 4, 1)) == date(2025, 3, 31) and is_overdue(item, date(2025, 4, 1))


def test_a_past_report_gives_the_same_answer_after_later_events(tree):
    x = date(2025, 4, 10)
    late = make_item("Late", tree.housing, due=date(2025, 3, 31))
    on_time = make_item("On time", tree.county, due=date(2025, 4, 30))
    closed = make_item("Closed early", tree.bigdata, due=date(2025, 3, 20))
    verify(claim(closed, date(2025, 3, 14), tree.bigdata_staff), date(2025, 3, 18), tree.ver, [evidence("a.pdf")])

    def reports():
        return ([i.pk for i in overdue_items(x)], [(i.pk, s) for i, s in snapshots(x)], red_flags(x))

    first = reports()
    assert first[0] == [late.pk]

    # Later events: the late item is claimed and verified, the other's deadline moves earlier, an owner changes,
    # and the closed item is reopened.
    verify(claim(late, date(2025, 4, 14), tree.housing_staff), date(2025, 4, 16), tree.ver, [evidence("b.pdf")])
    change(on_time, "item.due_change", date(2025, 4, 11), due=date(2025, 4, 8))
    change(on_time, "item.assign", date(2025, 4, 15), lead_owner=tree.housing.pk)
    change(closed, "item.reopen", date(2025, 4, 20), state=ItemState.ACTIVE)
    report(on_time, date(2025, 4, 11), tree.county_staff)

    assert reports() == first
    assert overdue_items(date(2025, 4, 21)) == [on_time, closed]  # the new answer for the later date


def test_the_workflow_services_history_reads_the_same_after_later_actions(tree):
    item = Item.objects.create(kind=ItemKind.TASK, title="Relocate the plant", due=date(2025, 3, 31),
                               created_at=moment(date(2025, 3, 3)), updated_at=moment(date(2025, 3, 3)))
    workflow.assign_owner(tree.sup, item, tree.housing, at=moment(date(2025, 3, 3)))
    workflow.confirm(tree.sup, item, at=moment(date(2025, 3, 3)))
    x = date(2025, 4, 2)
    before = (overdue_items(x), red_flags(x))
    assert before[0] == [item] and codes(before[1][item.pk]) == [FlagCode.OVERDUE, FlagCode.NO_PROGRESS_REPORT]

    photo = evidence("plant.jpg")
    request = workflow.request_deadline_change(tree.housing_staff, item, date(2025, 6, 30), "permits", on=date(2025, 4, 3))
    workflow.approve_request(tree.sup, request, on=date(2025, 4, 7))
    made = workflow.claim_completion(tree.housing_staff, item, evidence=[photo], on=date(2025, 4, 8))
    workflow.verify_claim(tree.ver, made, evidence=[photo], on=date(2025, 4, 8))

    assert (overdue_items(x), red_flags(x)) == before
    assert as_of(item, date(2025, 4, 7)).due == date(2025, 6, 30)
    assert codes(red_flags(date(2025, 4, 9))[item.pk]) == [FlagCode.CLOSED_SAME_DAY]


def test_overdue_items_reads_a_long_list_in_two_queries(tree, django_assert_num_queries):
    for n in range(30):
        make_item(f"Task {n}", tree.county, due=date(2025, 3, 10 + n % 10))
    with django_assert_num_queries(2):
        found = overdue_items(date(2025, 3, 15))
    assert len(found) == 15  # three items due on each of the 10th to the 14th
    with django_assert_num_queries(2):
        overdue_items(date(2025, 3, 15), Item.objects.filter(title__startswith="Task 1"))


# --- red flags -----------------------------------------------------------------------------------------------------

def test_closed_without_evidence(tree):
    bare = make_item("Bare", tree.housing, due=date(2025, 4, 30))
    verify(claim(bare, date(2025, 3, 10), tree.housing_staff), date(2025, 3, 12), tree.ver)
    backed = make_item("Backed", tree.housing, due=date(2025, 4, 30))
    verify(claim(backed, date(2025, 3, 10), tree.housing_staff), date(2025, 3, 12), tree.ver, [evidence("minutes.pdf")])
    no_verification = make_item("Just closed", tree.housing, due=date(2025, 4, 30))
    change(no_verification, "item.verify", date(2025, 3, 12), state=ItemState.CLOSED)

    flags = red_flags(date(2025, 3, 13))
    assert codes(flags[bare.pk]) == [FlagCode.CLOSED_WITHOUT_EVIDENCE]
    assert "cited no evidence" in flags[bare.pk][0].reason
    assert flags[backed.pk] == []
    assert codes(flags[no_verification.pk]) == [FlagCode.CLOSED_WITHOUT_EVIDENCE]


def test_closed_the_same_working_day_it_was_claimed(tree):
    same = make_item("Same day", tree.housing, due=date(2025, 4, 30))
    verify(claim(same, date(2025, 3, 10), tree.housing_staff), date(2025, 3, 10), tree.ver, [evidence("1.pdf")])
    weekend = make_item("Claimed on Saturday", tree.housing, due=date(2025, 4, 30))
    verify(claim(weekend, date(2025, 3, 8), tree.housing_staff), date(2025, 3, 10), tree.ver, [evidence("2.pdf")])
    next_day = make_item("Next day", tree.housing, due=date(2025, 4, 30))
    verify(claim(next_day, date(2025, 3, 10), tree.housing_staff), date(2025, 3, 11), tree.ver, [evidence("3.pdf")])

    flags = red_flags(date(2025, 3, 12))
    assert codes(flags[same.pk]) == [FlagCode.CLOSED_SAME_DAY]
    assert codes(flags[weekend.pk]) == [FlagCode.CLOSED_SAME_DAY]  # no working day passed in between
    assert flags[next_day.pk] == []


def test_the_same_evidence_file_for_unrelated_items(tree):
    photo = evidence("dyke-photo.jpg")
    plan = make_item("Plan", tree.housing, due=date(2025, 6, 30), kind=ItemKind.RECTIFICATION)
    task = make_item("Task", tree.housing, due=date(2025, 5, 30), parent=plan)
    milestone = make_item("Milestone", tree.housing, due=date(2025, 4, 30), parent=task, kind=ItemKind.MILESTONE)
    other = make_item("Elsewhere", tree.county, due=date(2025, 5, 30))
    for item in (plan, task, milestone):
        report(item, date(2025, 3, 10), tree.housing_staff, [photo])

    clean = red_flags(date(2025, 3, 11))
    assert all(clean[item.pk] == [] for item in (plan, task, milestone))  # one line of the tree may share a file

    report(other, date(2025, 3, 12), tree.county_staff, [photo])
    assert red_flags(date(2025, 3, 11))[other.pk] == []  # not yet as of the 11th
    flags = red_flags(date(2025, 3, 12))
    assert codes(flags[other.pk]) == [FlagCode.SHARED_EVIDENCE]
    assert "dyke-photo.jpg" in flags[other.pk][0].reason and f"#{plan.pk}" in flags[other.pk][0].reason
    assert codes(flags[milestone.pk]) == [FlagCode.SHARED_EVIDENCE]
    # Asking about one item still finds the unrelated item outside the list.
    assert codes(red_flags(date(2025, 3, 12), [milestone])[milestone.pk]) == [FlagCode.SHARED_EVIDENCE]


def test_evidence_cited_in_a_claim_and_a_verification_counts_too(tree):
    receipt = evidence("receipt.pdf")
    first = make_item("First", tree.housing, due=date(2025, 4, 30))
    second = make_item("Second", tree.county, due=date(2025, 4, 30))
    claim(first, date(2025, 3, 10), tree.housing_staff, [receipt])
    verify(claim(second, date(2025, 3, 10), tree.county_staff), date(2025, 3, 12), tree.ver, [receipt])
    flags = red_flags(date(2025, 3, 12))
    assert FlagCode.SHARED_EVIDENCE in codes(flags[first.pk]) and FlagCode.SHARED_EVIDENCE in codes(flags[second.pk])


def test_the_deadline_extended_more_than_twice(tree):
    twice = make_item("Twice", tree.housing, due=date(2025, 3, 31))
    thrice = make_item("Thrice", tree.housing, due=date(2025, 3, 31))
    for n, item in enumerate((twice, thrice, thrice, twice, thrice)):
        extend(item, date(2025, 4, 10 + n), date(2025, 3, 10 + n))
    assert red_flags(date(2025, 3, 13))[thrice.pk] == []  # the third extension is on the 14th
    flags = red_flags(date(2025, 3, 14))
    assert flags[twice.pk] == []
    assert codes(flags[thrice.pk]) == [FlagCode.EXTENDED_OFTEN]


def test_the_owner_changed_after_the_deadline_passed(tree):
    march = date(2025, 3, 24)
    late = make_item("Late handover", tree.housing, due=date(2025, 3, 31), on=march)
    change(late, "item.assign", date(2025, 4, 1), lead_owner=tree.county.pk)
    in_time = make_item("Handover in time", tree.housing, due=date(2025, 3, 31), on=march)
    change(in_time, "item.assign", date(2025, 3, 31), lead_owner=tree.county.pk)
    extended = make_item("Extended, then handed over", tree.housing, due=date(2025, 3, 31), on=march)
    extend(extended, date(2025, 4, 30), date(2025, 3, 25))
    change(extended, "item.assign", date(2025, 4, 10), lead_owner=tree.county.pk)
    draft = make_item("Old draft", tree.housing, due=date(2024, 1, 1), state=ItemState.DRAFT)
    change(draft, "item.assign", date(2025, 3, 5), lead_owner=tree.county.pk)

    flags = red_flags(date(2025, 4, 11))
    assert codes(flags[late.pk]) == [FlagCode.OWNER_CHANGED_LATE, FlagCode.OVERDUE]
    assert "Qingshi Housing Bureau to Songxi County on 2025-04-01" in flags[late.pk][0].reason
    assert codes(flags[in_time.pk]) == [FlagCode.OVERDUE]
    assert flags[extended.pk] == []  # the due in force then was 30 April
    assert flags[draft.pk] == []  # a draft is not yet anyone's commitment


def test_cancelled_without_an_approval_on_record(tree):
    approved = make_item("Approved", tree.housing, due=date(2025, 4, 30))
    ChangeRequest.objects.create(item=approved, kind=ChangeKind.CANCELLATION, requested_by=tree.housing_staff,
                                 requested_on=date(2025, 3, 10), reason="merged", status=RequestStatus.APPROVED,
                                 decided_by=tree.sup, decided_on=date(2025, 3, 11), created_at=moment(date(2025, 3, 10)))
    change(approved, "item.cancel", date(2025, 3, 11), state=ItemState.CANCELLED)
    unapproved = make_item("Unapproved", tree.housing, due=date(2025, 4, 30))
    ChangeRequest.objects.create(item=unapproved, kind=ChangeKind.CANCELLATION, requested_by=tree.housing_staff,
                                 requested_on=date(2025, 3, 10), reason="merged", created_at=moment(date(2025, 3, 10)))
    change(unapproved, "item.cancel", date(2025, 3, 11), state=ItemState.CANCELLED)

    flags = red_flags(date(2025, 3, 12))
    assert flags[approved.pk] == []
    assert codes(flags[unapproved.pk]) == [FlagCode.CANCELLED_UNAPPROVED]


def test_an_approval_recorded_later_does_not_clear_a_past_flag(tree):
    item = make_item("Cancelled first, approved later", tree.housing, due=date(2025, 4, 30))
    change(item, "item.cancel", date(2025, 3, 11), state=ItemState.CANCELLED)
    ChangeRequest.objects.create(item=item, kind=ChangeKind.CANCELLATION, requested_by=tree.housing_staff,
                                 requested_on=date(2025, 3, 19), reason="after the fact", status=RequestStatus.APPROVED,
                                 decided_by=tree.sup, decided_on=date(2025, 3, 20), created_at=moment(date(2025, 3, 19)))
    assert codes(red_flags(date(2025, 3, 12))[item.pk]) == [FlagCode.CANCELLED_UNAPPROVED]
    assert red_flags(date(2025, 3, 20))[item.pk] == []


def test_overdue_counts_working_days_late(tree):
    item = make_item("Late", tree.housing, due=date(2025, 3, 28), on=date(2025, 3, 17))  # due on a Friday
    assert red_flags(date(2025, 3, 28))[item.pk] == []
    flags = red_flags(date(2025, 4, 1))
    assert codes(flags[item.pk]) == [FlagCode.OVERDUE]
    assert "2 working days late" in flags[item.pk][0].reason  # Monday 31st and Tuesday 1st


def test_no_progress_report_for_longer_than_the_interval(tree):
    # Active from Monday 3 March 2025; 20 working days later is Monday 31 March.
    silent = make_item("Silent", tree.housing, due=date(2025, 12, 31))
    reporting = make_item("Reporting", tree.housing, due=date(2025, 12, 31))
    report(reporting, date(2025, 3, 20), tree.housing_staff)
    short = make_item("Short interval", tree.housing, due=date(2025, 12, 31), reporting_interval=5)

    on_the_31st = red_flags(date(2025, 3, 31))
    assert on_the_31st[silent.pk] == [] and on_the_31st[reporting.pk] == []
    assert codes(on_the_31st[short.pk]) == [FlagCode.NO_PROGRESS_REPORT]
    flags = red_flags(date(2025, 4, 1))
    assert codes(flags[silent.pk]) == [FlagCode.NO_PROGRESS_REPORT]
    assert "21 working days since it became active on 2025-03-03" in flags[silent.pk][0].reason
    assert flags[reporting.pk] == []


def test_no_progress_flag_only_while_active(tree):
    claimed = make_item("Claimed", tree.housing, due=date(2025, 12, 31))
    claim(claimed, date(2025, 3, 5), tree.housing_staff)
    draft = make_item("Draft", tree.housing, due=date(2025, 12, 31), state=ItemState.DRAFT)
    flags = red_flags(date(2025, 6, 2))
    assert flags[claimed.pk] == [] and flags[draft.pk] == []


def test_a_rejected_claim_restarts_the_reporting_clock(tree):
    item = make_item("Rejected claim", tree.housing, due=date(2025, 12, 31))
    claim(item, date(2025, 3, 5), tree.housing_staff)
    change(item, "item.reject_claim", date(2025, 3, 20), state=ItemState.ACTIVE)
    assert red_flags(date(2025, 4, 1))[item.pk] == []  # 8 working days since the rejection


def test_red_flags_take_a_bounded_number_of_queries(tree, django_assert_num_queries):
    def populate(n):
        photo = evidence(f"shared-{n}.jpg")
        for k in range(n):
            item = make_item(f"Item {n}-{k}", tree.housing, due=date(2025, 3, 20))
            report(item, date(2025, 3, 10), tree.housing_staff, [photo])
            verify(claim(item, date(2025, 3, 11), tree.housing_staff, [photo]), date(2025, 3, 12), tree.ver, [photo])

    populate(3)
    with CaptureQueriesContext(connection) as small:
        red_flags(date(2025, 4, 1))
    populate(12)
    with django_assert_num_queries(len(small.captured_queries)):
        flags = red_flags(date(2025, 4, 1))
    assert sum(FlagCode.SHARED_EVIDENCE in codes(found) for found in flags.values()) == 15
